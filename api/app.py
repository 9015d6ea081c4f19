"""The FastAPI app factory: settings in, routers mounted under /v1, errors mapped, limits installed."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI

from api import engine
from api.errors import install_error_handlers
from api.fetch import AddressPolicy, SafeFetcher
from api.limits import BodySizeLimit
from api.ratelimit import RateLimiter
from api.routes import cases, health, images, registry, rules, scheduler, selfcheck, selfcheck_image, sweeps
from api.settings import Settings
from api.sweep_runner import Launch, SweepRunner
from checker.registry.cache import RegistryCache
from markwatch import __version__
from markwatch.cases.ingest import ingest_finished_since
from markwatch.config import home_dir
from markwatch.db import session_factory

API_PREFIX = "/v1"
DESCRIPTION = """
Every route except `/v1/health` needs an API key in the `X-API-Key` header (`markwatch keys create`).
Roles: **enterprise** keys make self-checks and read only their own; **inspector** keys work on cases and
sweeps; **admin** keys also approve waivers. Registry and rules are readable with any key.

Errors are JSON `{"detail", "error", "where"}`: 401 no or bad key, 403 wrong role, 404 not found,
409 not allowed in the current state, 413 body too large, 422 invalid input (the field is named),
429 rate limit (see `Retry-After`).
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
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    for closer in app.state.on_shutdown:
        closer()


def _ingest_finished(app: FastAPI, launch: Launch) -> None:
    # A few seconds of slack: the subprocess stamps its sweep with its own clock, after our launch stamp.
    since = launch.started_at - dt.timedelta(seconds=5)
    with app.state.session_factory() as session:
        ingest_finished_since(session, launch.target, since)
        session.commit()


def create_app(settings: Settings | None = None, *, extra_routers: tuple[APIRouter, ...] = ()) -> FastAPI:
    """Build the app; `extra_routers` are mounted at the root (e.g. a server-rendered console)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="markwatch",
        version=__version__,
        summary="Checks use of the 上海标准 (Shanghai Standard) mark; cases for inspectors, self-checks for enterprises.",
        description=DESCRIPTION,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.session_factory = session_factory(settings.database_url)
    app.state.registry_cache = RegistryCache()
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
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
    app.state.on_shutdown = [app.state.sweep_runner.stop_all]
    engine.install(app.state)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    for router in extra_routers:
        app.include_router(router)
    return app
