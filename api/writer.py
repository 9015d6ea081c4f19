"""Group commit for self-check rows: one writer thread stores what concurrent requests hand it, together.

A commit is the dearest part of storing a self-check (an fsync on SQLite, a round trip on PostgreSQL), and
SQLite takes one writer at a time: with 32 clients each committing alone, writers queue on the database
lock, and SQLite's busy handler sleeps up to 100 ms between tries. One thread draining a queue turns the
rows of every request waiting at that moment into a single transaction; a request's rows (a whole batch)
are always stored together, in the same transaction.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, Table, insert
from sqlalchemy.orm import Session, sessionmaker

from markwatch.cases.models import SelfCheck

log = logging.getLogger(__name__)
# Rows per transaction at most; a drained queue rarely holds more.
MAX_GROUP_ROWS = 2000
# The columns a self-check row is written with (all but its id, which the database assigns).
_COLUMNS = tuple(c.key for c in SelfCheck.__table__.columns if c.key != "id")
# One INSERT … RETURNING id for all the rows of a transaction, the ids in the rows' order.
_TABLE: Table = SelfCheck.__table__  # type: ignore[assignment]  # declared as FromClause, always a Table
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)


@dataclass
class _Job:
    rows: Sequence[SelfCheck]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]


class GroupWriter:
    """Stores self-check rows from one thread, a group of waiting requests per transaction."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._engine: Engine = factory.kw["bind"]
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def store(self, rows: Sequence[SelfCheck]) -> None:
        """Return once `rows` are committed (ids assigned), or raise what storing them raised."""
        if not rows:
            return
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._jobs.put(_Job(rows, loop, future))
        await future

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout=30)

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="markwatch-selfcheck-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            group = [job]
            rows = len(job.rows)
            stop = False
            while rows < MAX_GROUP_ROWS:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                group.append(more)
                rows += len(more.rows)
            self._commit(group)
            if stop:
                return

    def _commit(self, group: list[_Job]) -> None:
        try:
            self._write([row for job in group for row in job.rows])
        except Exception:
            if len(group) == 1:
                self._settle(group[0], *_current_error())
                return
            # One request's rows spoiled the group: store each request on its own, so only it fails.
            for job in group:
                try:
                    self._write(list(job.rows))
                except Exception:
                    self._settle(job, *_current_error())
                else:
                    self._settle(job, None)
            return
        for job in group:
            self._settle(job, None)

    def _write(self, rows: list[SelfCheck]) -> None:
        # A plain INSERT rather than the ORM's unit of work: the rows are new and never change afterwards,
        # and flushing them as objects cost 0.3 ms of a single self-check's ~2.2 ms of CPU (0.12 ms this way).
        values = [{column: getattr(row, column) for column in _COLUMNS} for row in rows]
        with self._engine.begin() as connection:
            ids = connection.execute(_INSERT, values).scalars().all()
        for row, row_id in zip(rows, ids, strict=True):
            row.id = row_id

    @staticmethod
    def _settle(job: _Job, error: BaseException | None, *_: object) -> None:
        def settle() -> None:
            if job.future.done():
                return
            if error is None:
                job.future.set_result(None)
            else:
                job.future.set_exception(error)

        try:
            job.loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the request's event loop has closed: nobody is waiting any more
            log.debug("self-check rows stored after their request's loop closed")


def _current_error() -> tuple[BaseException]:
    import sys

    error = sys.exc_info()[1]
    assert error is not None
    return (error,)
