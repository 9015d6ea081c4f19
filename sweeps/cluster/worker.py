"""A cluster worker: one crawl process on a distributed sweep's shared frontier, until nothing is left.

The worker that sees the frontier empty and the ledger complete finishes the sweep (row-locked, once):
comparison with the previous sweep, Redis keys removed (its caller then opens the cases). A worker that gives up after an outage
longer than its bound marks the sweep incomplete when no other worker is alive; one stopped by a signal
marks it interrupted when it was the last. Either is carried on by starting a worker again.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from checker.registry.gate import allowed_by_summary, require_registry
from crawler import heartbeat
from crawler.adapters import tracking_params
from crawler.canonical import Canonicalizer
from crawler.cluster import redisconn
from crawler.cluster.keys import SweepKeys
from crawler.cluster.politeness import record_warnings, sweep_warnings
from crawler.cluster.stream import DEFAULT_CLAIM_TIMEOUT, Scripts, load_frontier
from crawler.settings import DOWNLOADER_MIDDLEWARES
from crawler.store.models import Sweep
from crawler.targets import Target
from markwatch import db
from markwatch.errors import ConflictError, NotFoundError
from sweeps.bookkeeping import (
    close_sweep,
    finish_once,
    merge_warnings,
    redo_unhandled,
    reopened_text,
    resume_plan,
    stored_target,
)
from sweeps.cluster.coordinator import delete_frontier
from sweeps.run import EXIT_FINISHED, EXIT_INTERRUPTED, CrawlResult, crawl, crawl_settings

log = logging.getLogger(__name__)
EXIT_INCOMPLETE = 4


def new_worker_id() -> str:
    """host:pid:random, readable in `cluster status`."""
    import os
    import uuid

    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def worker_settings(
    target: Target,
    *,
    sweep_id: int,
    db_url: str,
    redis_url: str,
    worker_id: str,
    job_dir: Path | None,
    claim_timeout: float,
    overrides: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A single sweep's settings, with the Redis Streams frontier and the cluster-wide host spacing."""
    return crawl_settings(
        target,
        db_url=db_url,
        sweep_id=sweep_id,
        job_dir=job_dir,
        overrides=overrides,
        extra={
            "MARKWATCH_FRONTIER": "stream",
            "MARKWATCH_REDIS_URL": redis_url,
            "MARKWATCH_WORKER_ID": worker_id,
            "MARKWATCH_CLAIM_TIMEOUT": claim_timeout,
            # Politeness is the cluster's: requests to a host are spaced `delay` apart across all workers
            # (crawler/cluster/politeness.py), so the local per-slot delay would only add to it.
            "MARKWATCH_HOST_SPACING": target.delay,
            "DOWNLOAD_DELAY": 0,
            # A worker takes from the shared frontier only what it can download at once: one fast worker
            # must not hoard requests in its own slots while the others are idle.
            "CONCURRENT_REQUESTS": target.concurrency,
            "DOWNLOADER_MIDDLEWARES": {
                **DOWNLOADER_MIDDLEWARES,
                # After robots.txt: only real downloads wait for the host's shared slot.
                "crawler.cluster.politeness.SharedPolitenessMiddleware": 130,
            },
            **(extra or {}),
        },
    )


def claim_sweep(sweep_id: int, db_url: str, *, retry_given_up: bool = False) -> Target:
    """The sweep's target, after making sure it can be worked on (an incomplete or interrupted cluster
    sweep is set running again, checked by the database against another running sweep of its target).

    ConflictError for a sweep that gave up with nothing left to retry (bookkeeping.resume_plan), unless
    `retry_given_up`: then what was given up is done once more."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        summary = dict(sweep.summary or {})
        if not summary.get("distributed"):
            raise ConflictError(f"sweep {sweep_id} is not a distributed sweep")
        if sweep.state == "finished":
            raise ConflictError(f"sweep {sweep_id} is finished")
        if sweep.state == "failed":
            raise ConflictError(f"sweep {sweep_id} was abandoned")
        if "target" not in summary:
            raise ConflictError(f"sweep {sweep_id} predates resumable cluster sweeps: abandon it")
        target = stored_target(sweep, anew="`markwatch cluster start`")
        # A registry emptied since the sweep started would turn the rest of its claims into SHS001.
        require_registry(session, allow_empty=allowed_by_summary(summary))
        if sweep.state != "running":
            plan = resume_plan(
                session, sweep, retry_given_up=retry_given_up, anew="`markwatch cluster start`"
            )
            summary.pop("reopened", None)
            try:
                moved = session.execute(
                    update(Sweep)
                    .where(Sweep.id == sweep_id, Sweep.state.in_(("interrupted", "incomplete")))
                    .values(
                        state="running",
                        summary={**summary, **plan, "resumed": summary.get("resumed", 0) + 1},
                        heartbeat_at=heartbeat.now_value(session),
                    )
                )
                if getattr(moved, "rowcount", 0):
                    # What markwatch failed itself last time is done again, as a single-process resume does:
                    # a URL it could not check or store (queued in the ledger, it reaches the stream as any
                    # queued URL on no stream does), a page whose images it could not look for (looked for
                    # at this worker's start: sweeps/scheduler.py), an image its OCR failed on. Each only up to MARKWATCH_MAX_ATTEMPTS
                    # times in all, unless `retry_given_up`.
                    redo_unhandled(session, sweep_id, retry_given_up=retry_given_up)
                session.flush()
            except IntegrityError:
                raise ConflictError(f"another sweep of {sweep.target!r} is running") from None
        else:
            if retry_given_up:
                raise ConflictError(
                    f"sweep {sweep_id} is running: --retry-given-up applies when a stopped sweep is resumed; "
                    f"join it with `markwatch cluster worker {sweep_id}`"
                )
            # A worker joining a running sweep: alive from now, before its crawl's first beat.
            heartbeat.beat(session, sweep_id)
        return target


def ensure_frontier(conn: Any, sweep_id: int, db_url: str, target: Target) -> None:
    """Make sure this Redis holds the sweep's frontier (rebuilt from the ledger when it does not)."""
    keys = SweepKeys(sweep_id)
    if conn.exists(keys.epoch):
        return
    if conn.set(keys.lock("rebuild"), "start", nx=True, px=60_000):
        try:
            canonical = Canonicalizer.of(tracking_params(target.adapter))
            queued = load_frontier(conn, keys, sweep_id, db_url, canonical)
            log.warning("sweep %d: frontier loaded from the database (%d queued URL(s))", sweep_id, queued)
        finally:
            conn.delete(keys.lock("rebuild"))


@dataclass(frozen=True)
class WorkerResult:
    """How this worker's crawl ended, and what became of the sweep."""

    exit_code: int
    reason: str | None
    state: str
    finished_here: bool = False
    pages: int = 0
    findings: int = 0
    missing: int = 0
    # What markwatch failed itself, by reason (the sweep summary's `unhandled`), when this worker recorded it
    unhandled: dict[str, int] = field(default_factory=dict)
    # The sweep's summary when this worker recorded its end (given_up, nothing_to_retry, max_attempts)
    summary: dict[str, Any] = field(default_factory=dict)
    # Why this worker resumed a sweep that had nothing left to retry (a raised MARKWATCH_MAX_ATTEMPTS), or ""
    reopened: str = ""


def run_worker(
    sweep_id: int,
    *,
    db_url: str,
    redis_url: str,
    overrides: dict[str, Any] | None = None,
    claim_timeout: float = DEFAULT_CLAIM_TIMEOUT,
    outage_bound: float | None = None,
    job_root: Path | None = None,
    retry_given_up: bool = False,
) -> WorkerResult:
    """Crawl from the shared frontier until it is drained (one reactor: call once per process).

    Cases are not this layer's business: the caller (the CLI) opens them from the sweep it reports."""
    target = claim_sweep(sweep_id, db_url, retry_given_up=retry_given_up)
    with db.session_scope(db_url) as session:
        reopened = reopened_text(session.get(Sweep, sweep_id).summary or {})  # type: ignore[union-attr]
    conn = redisconn.connect(redis_url)
    ensure_frontier(conn, sweep_id, db_url, target)
    worker_id = new_worker_id()
    job_dir = job_root / f"sweep-{sweep_id}-{socket.gethostname()}" if job_root else None
    extra = {"MARKWATCH_OUTAGE_BOUND": outage_bound} if outage_bound is not None else {}
    settings = worker_settings(
        target, sweep_id=sweep_id, db_url=db_url, redis_url=redis_url, worker_id=worker_id, job_dir=job_dir,
        claim_timeout=claim_timeout, overrides=overrides or {}, extra=extra,
    )  # fmt: skip
    result: CrawlResult | None = None
    try:
        # Every worker beats: the sweep is alive while any of them is, whichever host looks.
        with heartbeat.Heartbeat(db_url, sweep_id):
            result = crawl(target, settings)
    finally:
        ended = _after_crawl(sweep_id, db_url, redis_url, worker_id, result, claim_timeout)
    return replace(ended, reopened=reopened)


def _others_alive(redis_url: str, sweep_id: int, worker_id: str, stale_after: float) -> int:
    try:
        conn = redisconn.client(redis_url)
        return int(
            Scripts(conn).others_alive(keys=[SweepKeys(sweep_id).workers], args=[worker_id, stale_after])
        )
    except redisconn.redis_errors():
        return 0  # nobody can be seen: the sweep's state must say what happened


def _all_warnings(redis_url: str, sweep_id: int, own: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every worker's host warnings: this worker's written again (Redis may have lost them since), then all
    of them read back; this worker's alone when Redis cannot be reached."""
    try:
        conn = redisconn.client(redis_url)
    except redisconn.redis_errors():
        return own
    record_warnings(conn, sweep_id, own)
    return merge_warnings(sweep_warnings(conn, sweep_id), own)


def _after_crawl(
    sweep_id: int, db_url: str, redis_url: str, worker_id: str, result: CrawlResult | None, claim: float
) -> WorkerResult:
    result = result or CrawlResult(reason="error", all_written=False)
    # Whichever worker records the sweep's end writes what hosts asked of every worker, not only of itself.
    result = replace(result, warnings=_all_warnings(redis_url, sweep_id, result.warnings))
    if result.completed and result.all_written:
        swept = finish_once(db_url, sweep_id, warnings=result.warnings)
        if swept is not None and swept.state == "finished":
            try:
                delete_frontier(redisconn.client(redis_url), sweep_id)
            except redisconn.redis_errors():
                log.warning("sweep %d finished; its Redis keys could not be removed yet", sweep_id)
            return WorkerResult(
                EXIT_FINISHED, result.reason, "finished", finished_here=True,
                pages=int((swept.summary or {}).get("pages_checked") or 0),
                findings=int((swept.summary or {}).get("findings") or 0),
            )  # fmt: skip
    with db.session_scope(db_url) as session:
        state = session.get(Sweep, sweep_id).state  # type: ignore[union-attr]
    if state == "finished":
        return WorkerResult(EXIT_FINISHED, result.reason, state)
    # This worker left the workers hash when its crawl closed, before looking: of several workers stopping
    # together, the last one to look sees nobody and records the sweep's state.
    if _others_alive(redis_url, sweep_id, worker_id, claim * 2):
        code = EXIT_INTERRUPTED if result.reason == "shutdown" else EXIT_INCOMPLETE
        return WorkerResult(code, result.reason, state)
    # The last worker out records why the sweep stopped, with the URLs it is missing.
    swept = close_sweep(db_url, sweep_id, result)
    code = {"finished": EXIT_FINISHED, "interrupted": EXIT_INTERRUPTED}.get(swept.state, EXIT_INCOMPLETE)
    return WorkerResult(code, result.reason, swept.state, finished_here=swept.state == "finished",
                        missing=swept.urls_missing,
                        unhandled=dict((swept.summary or {}).get("unhandled") or {}),
                        summary=dict(swept.summary or {}))  # fmt: skip
