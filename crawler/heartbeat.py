"""A running sweep's sign of life in the database, which every host can read.

A sweep row names the process crawling it, but a pid can only be judged on its own machine: an API or a
console on another host would show a killed sweep `running` for ever. So the process crawling a sweep (the
single-process crawl, and each worker of a distributed one) writes `sweeps.heartbeat_at` every
`MARKWATCH_SWEEP_HEARTBEAT_SECONDS` (default 30), and every view treats a running sweep whose last sign of
life is older than `MARKWATCH_SWEEP_STALE_SECONDS` (default 600) as dead (`sweeps.bookkeeping.reap_dead`).

On PostgreSQL the heartbeat is written and judged on the database server's clock, so the hosts' clocks never
matter; SQLite serves one machine, whose clock both sides read.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crawler.store.models import Sweep
from markwatch import db
from markwatch.errors import InputError

log = logging.getLogger(__name__)

INTERVAL_VARIABLE = "MARKWATCH_SWEEP_HEARTBEAT_SECONDS"
STALE_VARIABLE = "MARKWATCH_SWEEP_STALE_SECONDS"
DEFAULT_INTERVAL = 30.0
# Past the default outage bound (120 s) plus the wait for the database as a sweep ends (120 s) and a beat:
# a process cut off from the database for that long is still alive, and must not be judged dead.
DEFAULT_STALE = 600.0


def _seconds(variable: str, default: float) -> float:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 86400 * 7:
        raise InputError(f"must be a number of seconds (over 0, under a week), got {raw!r}", source=variable)
    return value


def interval() -> float:
    """Seconds between two heartbeats of a running sweep."""
    return _seconds(INTERVAL_VARIABLE, DEFAULT_INTERVAL)


def stale_after() -> float:
    """Seconds without a heartbeat after which a running sweep is judged dead, from any host."""
    return _seconds(STALE_VARIABLE, DEFAULT_STALE)


def _on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def now_value(session: Session) -> Any:
    """What a heartbeat column is set to: the database server's now() on PostgreSQL, this host's clock on
    SQLite."""
    return func.now() if _on_postgresql(session) else db.utcnow()


def clock(session: Session) -> dt.datetime:
    """The time heartbeats are judged against (as `now_value` writes them)."""
    if _on_postgresql(session):
        value = session.scalar(select(func.now()))
        if isinstance(value, dt.datetime):
            return value.astimezone(dt.UTC)
    return db.utcnow()


def last_sign_of_life(sweep: Sweep) -> dt.datetime:
    """The sweep's last heartbeat, or its start for a process that never beat (one from before heartbeats)."""
    return sweep.heartbeat_at or sweep.started_at


def beat(session: Session, sweep_id: int) -> bool:
    """Write the sweep's heartbeat now; False when it is no longer running (a view judged it dead, or it
    ended)."""
    result = session.execute(
        update(Sweep)
        .where(Sweep.id == sweep_id, Sweep.state == "running")
        .values(heartbeat_at=now_value(session))
    )
    return bool(getattr(result, "rowcount", 0))


class Heartbeat:
    """A daemon thread writing a sweep's heartbeat while a crawl runs (`with Heartbeat(url, id): crawl()`).

    A database outage only delays the beats (the crawl has its own outage bound); they resume with it."""

    def __init__(self, db_url: str, sweep_id: int, every: float | None = None) -> None:
        self.db_url = db_url
        self.sweep_id = sweep_id
        self.every = interval() if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"sweep-{sweep_id}-heartbeat", daemon=True)
        self._failing = False
        self._not_running = False

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)

    def _run(self) -> None:
        while True:
            self._once()
            if self._stop.wait(self.every):
                return

    def _once(self) -> None:
        try:
            with db.session_scope(self.db_url) as session:
                running = beat(session, self.sweep_id)
        except Exception as exc:
            if not self._failing:
                log.warning("sweep %d: heartbeat not written (%s); retrying every %.0f s", self.sweep_id,
                            exc.__class__.__name__, self.every)  # fmt: skip
            self._failing = True
            return
        self._failing = False
        if not running and not self._not_running:
            # Judged dead while this process lives (no beat reached the database within the bound): the row
            # says so until the crawl ends and records its true state from the ledger.
            log.warning("sweep %d is no longer marked running while this process crawls it; its end is "
                        "recorded when the crawl ends", self.sweep_id)  # fmt: skip
        self._not_running = not running
