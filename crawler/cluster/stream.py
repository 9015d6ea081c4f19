"""The frontier of a distributed sweep: Redis Streams with one consumer group, shared by every worker.

See scripts.py for the queue itself. This module adds the worker's side: the entries it holds (kept alive
by a heartbeat thread, so a slow page is never taken from a live worker, while a dead worker's entries are
claimed after the claim timeout), what it does while Redis is unreachable (no new requests; discovered
URLs and acknowledgements wait in memory, in order), and the rebuild of the whole frontier from the
sweep's ledger in the database when Redis lost it. URLs the ledger holds as queued while no stream holds
anything are put back ("reconcile") before a sweep may finish.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from scrapy import Request

from crawler.cluster import scripts
from crawler.cluster.keys import SweepKeys
from crawler.cluster.redisconn import client as redis_client
from crawler.cluster.redisconn import redis_errors
from crawler.frontier import META_IMAGE, Taken, request_from_payload
from crawler.frontier import serializer as request_json
from crawler.ledger import note_requeued, queued_count, queued_requests, resume_state
from crawler.store.models import Sweep
from markwatch import db

log = logging.getLogger(__name__)

DEFAULT_CLAIM_TIMEOUT = 10.0
HEARTBEAT_FRACTION = 4  # heartbeats per claim timeout
_SEEN_CHUNK = 1000


class Scripts:
    """The frontier's Lua scripts registered on one client."""

    def __init__(self, conn: Any) -> None:
        self.push_new = conn.register_script(scripts.PUSH_NEW)
        self.push_derived = conn.register_script(scripts.PUSH_DERIVED)
        self.push_force = conn.register_script(scripts.PUSH_FORCE)
        self.take = conn.register_script(scripts.TAKE)
        self.ack = conn.register_script(scripts.ACK)
        self.hold = conn.register_script(scripts.HOLD)
        self.left = conn.register_script(scripts.LEFT)
        self.beat = conn.register_script(scripts.BEAT)
        self.others_alive = conn.register_script(scripts.OTHERS_ALIVE)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def load_frontier(
    conn: Any, keys: SweepKeys, sweep_id: int, db_url: str, canonical: Callable[[str], str]
) -> int:
    """(Re)build the sweep's frontier in Redis from its ledger: every known URL seen, every queued URL
    queued again, the budget as spent. The caller holds the rebuild lock (or is the coordinator)."""
    with db.session_scope(db_url) as session:
        state = resume_state(session, sweep_id)
    code = Scripts(conn)
    # The workers' heartbeats and the hosts' warnings stay true of the sweep whatever its frontier holds.
    stale = [key for key in keys.fixed() if key not in (keys.workers, keys.warnings, keys.lock("rebuild"))]
    stale += [keys.stream(_text(p)) for p in conn.zrange(keys.priorities, 0, -1)]
    conn.delete(*stale)
    known = sorted(state.known | {canonical(url) for url in state.redirected_to})
    for start in range(0, len(known), _SEEN_CHUNK):
        conn.sadd(keys.seen, *known[start : start + _SEEN_CHUNK])
    conn.set(keys.accepted, state.accepted)
    pipe = conn.pipeline(transaction=False)
    for url, payload in state.queued:
        _force(code, pipe, keys, url, payload)
    pipe.execute()
    conn.set(keys.epoch, secrets.token_hex(8))
    return len(state.queued)


def _force(code: Scripts, pipe: Any, keys: SweepKeys, url: str, payload: dict[str, Any] | None) -> None:
    data = payload or request_json.encode({"url": url, "callback": "parse_listing", "errback": "on_error"})
    priority = int(data.get("priority", 0) or 0)
    code.push_force(
        keys=[keys.seen, keys.priorities],
        args=[url, priority, request_json.dumps(data), keys.prefix],
        client=pipe,
    )


class StreamFrontier:
    """The reactor's side of the shared frontier (see the module docstring)."""

    def __init__(
        self, runtime: Any, spider: Any, redis_url: str, worker_id: str, claim_timeout: float
    ) -> None:
        self.runtime = runtime
        self.spider = spider
        self.keys = SweepKeys(runtime.sweep_id)
        self.worker_id = worker_id
        self.claim_ms = int(claim_timeout * 1000)
        self.conn = redis_client(redis_url)
        self.code = Scripts(self.conn)
        self.errors = redis_errors()
        self._held: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()
        self._pushes: list[tuple[str, tuple[Any, ...]]] = []  # waiting while Redis is down, in order
        self._acks: list[tuple[str, str]] = []
        self._budget_spent = False
        self.lost = threading.Event()
        self.ended_elsewhere = False
        self.control = ControlThread(self, redis_url, claim_timeout / HEARTBEAT_FRACTION)

    # --- Frontier protocol (reactor thread) ---

    def seen_add(self, url: str) -> bool:
        try:
            return bool(self.conn.sadd(self.keys.seen, url))
        except self.errors:
            self._down()
            return True  # recorded as skipped twice at worst: the ledger keeps one row

    def push_new(self, url: str, request: Request, payload: dict[str, Any]) -> str:
        budget = -1 if request.meta.get(META_IMAGE) else self.runtime.target.max_pages
        args = (url, request.priority, request_json.dumps(payload), budget)
        if self._pushes or not self._up():
            self._pushes.append(("new", args))
            return "queued"
        result = self._run_push("new", args)
        if result is None:
            self._pushes.append(("new", args))
            return "queued"
        if result == "limit":
            self._budget_spent = True
        return result

    def push_derived(self, request: Request, payload: dict[str, Any], parent: Any, target: str | None) -> str:
        stream, entry_id = parent
        args = (target or "", request.priority, request_json.dumps(payload), request.meta["markwatch_url"],
                stream, entry_id)  # fmt: skip
        with self._lock:
            self._held.pop(parent, None)  # replaced by the new entry once pushed
        if self._pushes or not self._up():
            self._pushes.append(("derived", args))
            return "queued"
        result = self._run_push("derived", args)
        if result is None:
            self._pushes.append(("derived", args))
            return "queued"
        return result

    def _run_push(self, kind: str, args: tuple[Any, ...]) -> str | None:
        try:
            if kind == "new":
                url, priority, payload, budget = args
                result = self.code.push_new(
                    keys=[self.keys.epoch, self.keys.seen, self.keys.accepted, self.keys.priorities],
                    args=[url, priority, payload, budget, self.keys.prefix],
                )
            else:
                check, priority, payload, url, stream, entry_id = args
                result = self.code.push_derived(
                    keys=[self.keys.epoch, self.keys.seen, self.keys.priorities],
                    args=[check, priority, payload, self.keys.prefix, url, stream, entry_id],
                )
        except self.errors:
            self._down()
            return None
        result = _text(result)
        if result == "lost":
            self._lost()
            return None
        return result

    def take(self, spider: Any) -> Taken | None:
        if self.ended_elsewhere or self._pushes or self._acks or not self._up():
            return None
        try:
            raw = self.code.take(
                keys=[self.keys.epoch, self.keys.priorities],
                args=[self.keys.prefix, self.worker_id, 1, self.claim_ms],
            )
        except self.errors:
            self._down()
            return None
        if raw and _text(raw[0]) == "lost":
            self._lost()
            return None
        if not raw:
            return None
        stream, entry_id, url, payload, deliveries = (_text(v) for v in raw[:5])
        entry = (stream, entry_id)
        with self._lock:
            self._held[entry] = url
        request = request_from_payload(request_json.loads(payload), spider)
        return Taken(entry, url, request, int(deliveries))

    def ack(self, entry: Any) -> None:
        with self._lock:
            self._held.pop(entry, None)
        if self._acks or not self._up():
            self._acks.append(entry)
            return
        try:
            self.code.ack(keys=[entry[0]], args=[entry[1]])
        except self.errors:
            self._acks.append(entry)
            self._down()

    def has_local(self) -> bool:
        return False

    def budget_left(self) -> bool:
        return not self._budget_spent

    def in_flight(self) -> int:
        with self._lock:
            return len(self._held)

    def in_flight_urls(self) -> list[str]:
        """URLs this worker holds."""
        with self._lock:
            return sorted(self._held.values())

    def held(self) -> list[tuple[str, str]]:
        """Entries this worker holds (for the heartbeat)."""
        with self._lock:
            return list(self._held)

    def queued(self) -> int:
        """Entries left in the shared streams (queued or in flight anywhere)."""
        try:
            return max(0, int(self._left()))
        except self.errors:
            return 0

    def _left(self) -> int:
        return int(self.code.left(keys=[self.keys.epoch, self.keys.priorities], args=[self.keys.prefix]))

    def remote_idle(self) -> bool:
        """True when no stream holds an entry and the ledger has no queued URL: the sweep's work is done."""
        if self.ended_elsewhere:
            return True
        try:
            left = self._left()
        except self.errors:
            self._down()
            return False
        if left < 0:
            self._lost()
            return False
        if left > 0:
            return False
        try:
            with db.session_scope(self.runtime.db_url) as session:
                queued = queued_count(session, self.runtime.sweep_id)
        except Exception:  # the database is down: certainly not done (the writer reports the outage)
            return False
        if queued:
            self.control.request_reconcile()
            return False
        return True

    def tick(self, runtime: Any) -> None:
        """Every 0.25 s in the reactor: look at the shared frontier (other workers add to it)."""
        runtime.wake()

    def close(self) -> None:
        """Stop the heartbeat and leave (acknowledgements still waiting are sent if Redis answers)."""
        self.control.stop()
        if self._up():
            self.flush()
        try:
            self.conn.hdel(self.keys.workers, self.worker_id)
        except self.errors:
            log.info("sweep %d: could not leave the workers list (Redis down)", self.runtime.sweep_id)

    # --- outages ---

    def _up(self) -> bool:
        return self.runtime.redis_down_since is None and not self.lost.is_set()

    def _down(self) -> None:
        self.runtime.redis_down()

    def _lost(self) -> None:
        # Redis restarted without its data, or the sweep ended and its keys are gone: the control thread
        # finds out which (the database says) and rebuilds or stops.
        if self.ended_elsewhere:
            return
        self.lost.set()
        self.runtime.redis_down()
        self.control.wake()

    def flush(self) -> bool:
        """Send what waited while Redis was down: pushes first (in order), then acknowledgements."""
        while self._pushes:
            kind, args = self._pushes[0]
            if self._run_push(kind, args) is None:
                return False
            self._pushes.pop(0)
        while self._acks:
            stream, entry_id = self._acks[0]
            try:
                self.code.ack(keys=[stream], args=[entry_id])
            except self.errors:
                self._down()
                return False
            self._acks.pop(0)
        return True

    def recovered(self) -> None:
        """Redis answers again (called in the reactor by the control thread)."""
        self.lost.clear()
        if self.flush():
            self.runtime.redis_up()

    def finished_elsewhere(self) -> None:
        """Another worker finished (or someone abandoned) the sweep: stop taking work (reactor thread)."""
        self.ended_elsewhere = True
        self.lost.clear()
        self._pushes.clear()  # a finished sweep's frontier is gone; what this worker found is in the ledger
        self.runtime.redis_up()


class ControlThread:
    """Heartbeat, liveness of Redis, rebuild and reconcile: off the reactor, on its own connection."""

    def __init__(self, frontier: StreamFrontier, redis_url: str, interval: float) -> None:
        self.frontier = frontier
        self.interval = interval
        self.conn = redis_client(redis_url)
        self.code = Scripts(self.conn)
        self.keys = frontier.keys
        self.errors = redis_errors()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._reconcile = threading.Event()
        self._was_down = False
        self._thread = threading.Thread(target=self._run, name="frontier-control", daemon=True)

    def start(self) -> None:
        """Begin heart-beating."""
        self._thread.start()

    def wake(self) -> None:
        """Look now (Redis lost its data, or work came back)."""
        self._wake.set()

    def request_reconcile(self) -> None:
        """Put back the ledger's queued URLs that no stream holds."""
        self._reconcile.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop the thread (a final heartbeat is not needed: the worker leaves)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._once()
            except self.errors:
                self._note_down()
            except Exception:  # the database during a rebuild, or a bug: try again next beat
                log.exception("sweep %d: frontier control failed; retrying", self.frontier.runtime.sweep_id)
            self._wake.wait(self.interval)
            self._wake.clear()

    def _once(self) -> None:
        runtime = self.frontier.runtime
        if not self.conn.exists(self.keys.epoch):
            if not self._sweep_unfinished():
                _in_reactor(self.frontier.finished_elsewhere)
                return
            log.error("sweep %d: Redis no longer holds the frontier; rebuilding it from the database",
                      runtime.sweep_id)  # fmt: skip
            self._rebuild()
        self.code.beat(keys=[self.keys.workers], args=[self.frontier.worker_id])
        self._hold()
        if self._reconcile.is_set():
            self._reconcile.clear()
            self._put_back_lost()
        # The reactor may have seen a failed call that this thread never saw: tell it Redis answers.
        if self._was_down or self.frontier.lost.is_set() or runtime.redis_down_since is not None:
            self._was_down = False
            _in_reactor(self.frontier.recovered)

    def _note_down(self) -> None:
        if not self._was_down:
            self._was_down = True
            _in_reactor(self.frontier.runtime.redis_down)

    def _hold(self) -> None:
        by_stream: dict[str, list[str]] = {}
        for stream, entry_id in self.frontier.held():
            by_stream.setdefault(stream, []).append(entry_id)
        for stream, ids in by_stream.items():
            gone = self.code.hold(keys=[stream], args=[self.frontier.worker_id, *ids])
            if gone:
                log.warning("sweep %d: %d entr(ies) were claimed by another worker while held here",
                            self.frontier.runtime.sweep_id, len(gone))  # fmt: skip

    def _sweep_unfinished(self) -> bool:
        # Finished or abandoned: its keys were removed on purpose. Anything else (even incomplete, marked by a
        # worker that lost its connection while this one carries on) still needs its frontier.
        runtime = self.frontier.runtime
        with db.session_scope(runtime.db_url) as session:
            state = session.scalar(db_select_state(runtime.sweep_id))
        return state in ("running", "interrupted", "incomplete")

    def _rebuild(self) -> None:
        runtime = self.frontier.runtime
        lock = self.keys.lock("rebuild")
        if self.conn.set(lock, self.frontier.worker_id, nx=True, px=60_000):
            try:
                queued = load_frontier(
                    self.conn, self.keys, runtime.sweep_id, runtime.db_url, runtime.canonical
                )
                log.warning("sweep %d: frontier rebuilt from the database (%d queued URL(s))", runtime.sweep_id,
                            queued)  # fmt: skip
            finally:
                self.conn.delete(lock)
        else:
            deadline = time.monotonic() + 60
            while not self.conn.exists(self.keys.epoch) and time.monotonic() < deadline:
                time.sleep(0.2)

    def _put_back_lost(self) -> None:
        """Queued in the ledger, on no stream (a push lost with a Redis that lost its data): queue again."""
        runtime = self.frontier.runtime
        if not self.conn.set(self.keys.lock("reconcile"), self.frontier.worker_id, nx=True, px=30_000):
            return
        try:
            left = self.code.left(keys=[self.keys.epoch, self.keys.priorities], args=[self.keys.prefix])
            if int(left) != 0:
                return
            with db.session_scope(runtime.db_url) as session:
                rows = queued_requests(session, runtime.sweep_id)
                again = set(note_requeued(session, runtime.sweep_id, [url for url, _ in rows], db.utcnow()))
            pipe = self.conn.pipeline(transaction=False)
            for url, payload in rows:
                if url in again:
                    _force(self.code, pipe, self.keys, url, payload)
            pipe.execute()
            log.warning("sweep %d: %d queued URL(s) were on no stream: queued again (%d failed as lost)",
                        runtime.sweep_id, len(again), len(rows) - len(again))  # fmt: skip
        finally:
            self.conn.delete(self.keys.lock("reconcile"))


def db_select_state(sweep_id: int) -> Any:
    """SELECT state FROM sweeps WHERE id = sweep_id."""
    from sqlalchemy import select

    return select(Sweep.state).where(Sweep.id == sweep_id)


def _in_reactor(function: Callable[..., Any], *args: Any) -> None:
    from twisted.internet import reactor

    reactor.callFromThread(function, *args)  # type: ignore[attr-defined]


def open_stream_frontier(runtime: Any, spider: Any) -> StreamFrontier:
    """The frontier of a cluster worker (settings MARKWATCH_REDIS_URL, MARKWATCH_WORKER_ID)."""
    settings = runtime.crawler.settings
    frontier = StreamFrontier(
        runtime,
        spider,
        settings.get("MARKWATCH_REDIS_URL"),
        settings.get("MARKWATCH_WORKER_ID"),
        settings.getfloat("MARKWATCH_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT),
    )
    frontier.control.start()
    return frontier
