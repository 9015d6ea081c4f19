"""The FastAPI app factory: settings in, routers mounted under /v1, errors mapped, limits installed."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI

from api import engine
from api.auth import Authenticator
from api.checkpointer import run_periodically
from api.docs import install_docs
from api.errors import install_error_handlers
from api.fetch import AddressPolicy, SafeFetcher
from api.head import HeadAsGet
from api.headers import SecurityHeaders
from api.limits import BodySizeLimit
from api.ratelimit import RateLimiter
from api.registry_index import ThrottledRegistryCache
from api.routes import (
    cases,
    health,
    images,
    registry,
    rules,
    scheduler,
    selfcheck,
    selfcheck_image,
    snapshots,
    sweeps,
)
from api.settings import Settings
from api.slots import KeyedSlots
from api.writer import GroupWriter
from crawler.runner import Launch, SweepRunner
from markwatch import __version__
from markwatch.cases.checkpoints import load_key
from markwatch.cases.ingest import ingest_finished_since, ingest_given_up
from markwatch.config import home_dir
from markwatch.db import session_factory

API_PREFIX = "/v1"
OPENAPI_PATH = "/openapi.json"
DESCRIPTION = """
Every route except `/v1/health` needs an API key in the `X-API-Key` header (`markwatch keys create`).
Roles: **enterprise** keys make self-checks and read only their own; **inspector** keys work on cases and
sweeps; **admin** keys also approve waivers. Registry and rules are readable with any key.

Errors are JSON `{"detail", "error", "where"}`: 401 no or bad key, 403 wrong role, 404 not found,
409 not allowed in the current state, 413 body too large, 415 compressed body (send it uncompressed),
422 invalid input (the field is named; a JSON object naming a key twice is refused too), 429 rate limit,
too many wrong keys from one address, or too many URL checks or batches at once (see `Retry-After`),
503 the service cannot answer correctly now (the database is busy, or the designation registry is empty:
`RegistryEmpty`).

Platforms checking many listings use `POST /v1/selfcheck/batch` (up to `MARKWATCH_BATCH_MAX_ITEMS` texts or
pages per request, answered per item, stored in one transaction).

Rate limits are per key and counted in self-checks: a request costs one, a batch one per item (refused whole
with 429 when it does not fit, never half-run). Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and
`RateLimit-Reset` (seconds until the budget is full). GET routes answer HEAD too.
"""
# Registered explicitly, one per resource; the console (issue 7) adds its own router beside these.
API_ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    registry.router,
    selfcheck_image.router,
    selfcheck.router,
    cases.router,
    sweeps.router,
    scheduler.router,
    rules.router,
    images.router,
    snapshots.router,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if app.state.warm_on_start:
        await engine.warm_up(app.state)
    task = None
    if app.state.audit_key is not None and settings.audit_checkpoint_seconds > 0:
        task = asyncio.create_task(
            run_periodically(
                app.state.session_factory, app.state.audit_key, settings.audit_checkpoint_seconds
            )
        )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        for closer in app.state.on_shutdown:
            closer()


def _ingest_finished(app: FastAPI, launch: Launch) -> None:
    # A few seconds of slack: the subprocess stamps its sweep with its own clock, after our launch stamp.
    since = launch.started_at - dt.timedelta(seconds=5)
    with app.state.session_factory() as session:
        ingest_finished_since(session, launch.target, since)
        # A sweep that ended with nothing left to retry (its items given up) opens its cases marked as from an
        # incomplete sweep, as the scheduler does; else one hostile page would keep the target from any case.
        ingest_given_up(session, launch.target)
        session.commit()


def create_app(
    settings: Settings | None = None,
    *,
    extra_routers: tuple[APIRouter, ...] = (),
    warm_on_start: bool = False,
) -> FastAPI:
    """Build the app; `extra_routers` are mounted at the root (e.g. a server-rendered console).

    `warm_on_start` judges one page while the server starts, so no client's request pays for loading the
    checker (the served app does; tests that never check a page skip the second it costs)."""
    settings = settings or Settings.from_env()
    docs = settings.docs_enabled
    app = FastAPI(
        # /docs is served from the package (api/docs.py), never FastAPI's CDN-loading page.
        docs_url=None,
        redoc_url=None,
        openapi_url=OPENAPI_PATH if docs else None,
        title="markwatch",
        version=__version__,
        summary="Checks use of the 上海标准 (Shanghai Standard) mark; cases for inspectors, self-checks for enterprises.",
        description=DESCRIPTION,
        lifespan=_lifespan,
        # FastAPI's own OpenTelemetry bridge looked up the global providers on every request (~0.1 ms of a
        # self-check's ~2.4 ms, py-spy) for nothing: markwatch configures no OpenTelemetry.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.warm_on_start = warm_on_start
    app.state.session_factory = session_factory(settings.database_url)
    # Read at start, so a malformed key stops the server instead of every checkpoint failing later.
    app.state.audit_key = load_key()
    app.state.registry_cache = ThrottledRegistryCache(settings.registry_check_seconds)
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.authenticator = Authenticator(
        app.state.session_factory,
        cache_seconds=settings.auth_cache_seconds,
        failures=RateLimiter(settings.auth_failures_per_minute, settings.auth_failure_burst),
    )
    app.state.sign_in_failures = RateLimiter(
        settings.sign_in_failures_per_minute, settings.sign_in_failure_burst
    )
    app.state.url_slots = KeyedSlots(
        settings.fetch_max_concurrent_per_key, settings.fetch_max_concurrent, "URL checks"
    )
    # Refused beyond, never queued: the batch queue is one per thread, shared by every key.
    app.state.batch_slots = KeyedSlots(settings.batch_max_concurrent_per_key, 1_000_000, "batches")
    app.state.fetcher = SafeFetcher(
        AddressPolicy.from_strings(settings.fetch_allow_networks),
        timeout=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
        max_redirects=settings.fetch_max_redirects,
    )
    app.state.sweep_runner = SweepRunner(
        settings.sweep_command,
        settings.database_url,
        Path(settings.sweep_log_dir) if settings.sweep_log_dir else home_dir() / "sweep-logs",
        on_finished=lambda launch: _ingest_finished(app, launch),
    )
    app.state.selfcheck_writer = GroupWriter(app.state.session_factory)
    app.state.on_shutdown = [app.state.sweep_runner.stop_all, app.state.selfcheck_writer.close]
    engine.install(app.state)
    install_error_handlers(app)
    if docs:
        install_docs(app, OPENAPI_PATH)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, body_seconds=settings.body_timeout_seconds
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in extra_routers:
        app.include_router(router)
    return app
