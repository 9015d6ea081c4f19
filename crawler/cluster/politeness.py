"""A per-host politeness shared by every worker: N workers do not hit a site N times as often.

Each request books the next free slot for its host in Redis (an atomic Lua script on the server's clock:
a token bucket holding one token, refilled every `delay` seconds) and waits for it before it goes out.
A host's robots.txt Crawl-delay, when longer than the target's delay, is the spacing booked for that host
(each worker reads the robots.txt itself, so each books with the same spacing): N workers never multiply
the rate a site asked for. A Retry-After one worker hears (429/503) pauses the host in Redis for all of
them: no slot is booked before the pause ends, and a request that was already waiting for its slot when
the pause came books a new one after it. A Retry-After longer than a sweep waits (RETRY_AFTER_MAX) leaves
the host alone for every worker as long as it asked (a key that expires then): each worker's requests to
it fail host_paused unsent, as the worker that heard it does. While Redis cannot be reached, a worker
spaces its own requests by the spacing and the pauses it heard itself (it has stopped taking new requests
meanwhile, so only the few in flight are concerned).

What a host asked that the sweep did not do in full (a capped Crawl-delay) is kept in the sweep's Redis
hash as any worker meets it, so the worker that closes the sweep writes every worker's warnings.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime

from crawler.cluster.keys import (
    AWAY_PREFIX,
    PAUSE_PREFIX,
    SweepKeys,
    away_key,
    pause_key,
    politeness_key,
)
from crawler.cluster.redisconn import client, redis_errors
from crawler.politeness import HostPolicy, HostWarning, host_paused

log = logging.getLogger(__name__)

# Books the host's next free slot (Redis server clock, ms), never before its pause ends, and answers how
# many ms to wait for it; minus the ms left when the host is left alone (nothing booked). KEYS: the next
# free slot, the pause, the leave-alone. ARGV: spacing ms, "recheck" (book only while the host is paused: a
# request that already waited for its slot goes out unless a pause came meanwhile).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local away = tonumber(redis.call('GET', KEYS[3]) or '0')
if away > now then return now - away end
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if ARGV[2] == 'recheck' and paused <= now then return 0 end
local spacing = tonumber(ARGV[1])
local at = math.max(now, paused)
if spacing > 0 then
  at = math.max(at, tonumber(redis.call('GET', KEYS[1]) or '0'))
  -- Kept until a minute after the last slot booked, however far ahead (a 60 s Crawl-delay and a few
  -- requests waiting book minutes ahead): an expired key would let the next request out at once.
  redis.call('SET', KEYS[1], at + spacing, 'PX', at - now + spacing + 60000)
end
return at - now
"""

# No slot for the host before ARGV[1] ms from now (the longest pause asked holds). KEYS: the pause (or the
# leave-alone).
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1]) + 1000)
end
return until_ms
"""


class SharedHostDelay:
    """Books slots `delay` seconds apart per host in Redis, after any pause; a booked slot is waited for
    before downloading."""

    def __init__(self, redis: Any, delay: float) -> None:
        self.delay = delay
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        self._errors = redis_errors()

    def reserve(self, host: str, delay: float | None = None, *, recheck: bool = False) -> float | None:
        """Seconds to wait before this request to `host` may go out (`delay` apart, default the target's;
        with `recheck`, 0 unless the host is paused); below 0, minus the seconds `host` is left alone for
        (nothing booked); None when Redis cannot be reached."""
        spacing = self.delay if delay is None else delay
        args = [int(spacing * 1000), "recheck" if recheck else "book"]
        keys = [politeness_key(host), pause_key(host), away_key(host)]
        try:
            return int(self._reserve(keys=keys, args=args)) / 1000.0
        except self._errors:
            return None

    def pause(self, host: str, seconds: float) -> bool:
        """No request to `host` from any worker for `seconds`; False when Redis cannot be reached."""
        try:
            self._pause(keys=[pause_key(host)], args=[int(seconds * 1000)])
        except self._errors:
            return False
        return True

    def leave_alone(self, host: str, seconds: float) -> bool:
        """No request to `host` from any worker for `seconds` (each fails host_paused); False when Redis
        cannot be reached."""
        try:
            # The pause's script: the longest asked holds, and the key expires with it.
            self._pause(keys=[away_key(host)], args=[int(seconds * 1000)])
        except self._errors:
            return False
        return True


def warning_field(warning: dict[str, Any]) -> str:
    """A warning's field in the sweep's hash: one per code and host, as the sweep's summary keeps them."""
    return f"{warning.get('code')} {warning.get('host')}"


def record_warnings(conn: Any, sweep_id: int, warnings: list[dict[str, Any]]) -> bool:
    """Add host warnings to the sweep's Redis hash; False when Redis cannot be reached."""
    if not warnings:
        return True
    mapping = {warning_field(w): json.dumps(w, sort_keys=True) for w in warnings}
    try:
        conn.hset(SweepKeys(sweep_id).warnings, mapping=mapping)
    except redis_errors():
        return False
    return True


def sweep_warnings(conn: Any, sweep_id: int) -> list[dict[str, Any]]:
    """Every worker's host warnings kept for the sweep (empty when Redis cannot be reached)."""
    try:
        raw = conn.hgetall(SweepKeys(sweep_id).warnings)
    except redis_errors():
        return []
    return [json.loads(value) for _field, value in sorted(raw.items())]


def paused_hosts(conn: Any) -> dict[str, float]:
    """Hosts a Retry-After paused or left alone for every worker (any sweep's), with the seconds each has
    left on Redis's clock (the longer of the two)."""
    seconds, micros = conn.time()
    now_ms = int(seconds) * 1000 + int(micros) // 1000
    left: dict[str, float] = {}
    for prefix in (PAUSE_PREFIX, AWAY_PREFIX):
        keys = list(conn.scan_iter(match=f"{prefix}:*", count=500))
        for key, until in zip(keys, conn.mget(keys) if keys else [], strict=True):
            if until is not None and int(until) > now_ms:  # a key may outlive its pause by its 1 s margin
                name = key.decode() if isinstance(key, bytes) else str(key)
                host = name.removeprefix(f"{prefix}:")
                left[host] = max(left.get(host, 0.0), (int(until) - now_ms) / 1000.0)
    return dict(sorted(left.items()))


class ClusterHosts:
    """This worker's HostPolicy shared with the others: pauses to Redis, warnings to the sweep's hash."""

    def __init__(self, spacing: SharedHostDelay, conn: Any, sweep_id: int) -> None:
        self.spacing = spacing
        self.conn = conn
        self.sweep_id = sweep_id

    def paused(self, key: str, seconds: float) -> None:
        if not self.spacing.pause(key, seconds):
            log.warning("Retry-After of %s (%.0f s) not shared: Redis unreachable; this worker waits", key,
                        seconds)  # fmt: skip

    def left_alone(self, key: str, seconds: float) -> None:
        if not self.spacing.leave_alone(key, seconds):
            log.warning("Retry-After of %s (%.0f s) not shared: Redis unreachable; only this worker leaves "
                        "the host alone", key, seconds)  # fmt: skip

    def warned(self, warning: HostWarning) -> None:
        # Unreachable now: the worker writes its warnings again as it leaves (sweeps/cluster/worker.py).
        record_warnings(self.conn, self.sweep_id, [warning.as_dict()])


class SharedPolitenessMiddleware:
    """Downloader middleware: every request waits for its host's cluster-wide slot (robots.txt spacing and
    Retry-After pauses included)."""

    def __init__(self, spacing: SharedHostDelay, policy: HostPolicy | None = None) -> None:
        self.spacing = spacing
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPolitenessMiddleware:
        delay = crawler.settings.getfloat("MARKWATCH_HOST_SPACING")
        url = crawler.settings.get("MARKWATCH_REDIS_URL")
        if not url or delay < 0:
            raise NotConfigured
        conn = client(url)
        spacing = SharedHostDelay(conn, delay)
        policy = HostPolicy.of(crawler)
        policy.share(ClusterHosts(spacing, conn, crawler.settings.getint("MARKWATCH_SWEEP_ID")))
        return cls(spacing, policy)

    def process_request(self, request: Request, spider: Spider) -> Deferred[None] | None:
        host = urlsplit(request.url).hostname or ""
        wait = self._turn(host)
        if wait < 0:
            raise host_paused(spider.crawler.stats, host, -wait, request.url)
        if wait == 0:
            return None
        return deferred_from_coro(self._wait_turn(request, spider, host, wait))

    def _turn(self, host: str, *, recheck: bool = False) -> float:
        spacing = max(self.spacing.delay, self.policy.floor(host) if self.policy is not None else 0.0)
        wait = self.spacing.reserve(host, spacing, recheck=recheck)
        if wait is not None:
            return wait
        # Redis unreachable: this worker keeps to the spacing and to the pauses it heard itself.
        paused = self.policy.resume_at(host) - self.policy.clock() if self.policy is not None else 0.0
        return max(paused, 0.0) if recheck else max(spacing, paused)

    async def _wait_turn(self, request: Request, spider: Spider, host: str, wait: float) -> None:
        # Imported late: the crawl process must install the asyncio reactor before anything imports one.
        from twisted.internet import reactor, task

        while wait > 0:
            await maybe_deferred_to_future(task.deferLater(cast(IReactorTime, reactor), wait, lambda: None))
            # A pause another worker heard of while this request waited holds it back too: it books a new
            # slot after the pause, so the requests held back do not all go out the moment it ends.
            wait = self._turn(host, recheck=True)
        if wait < 0:
            raise host_paused(spider.crawler.stats, host, -wait, request.url)
