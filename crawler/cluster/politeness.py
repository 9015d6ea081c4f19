"""A per-host request spacing shared by every worker: N workers do not hit a site N times as often.

Each request books the next free slot for its host in Redis (an atomic Lua script on the server's clock:
a token bucket holding one token, refilled every `delay` seconds) and waits for it before it goes out.
While Redis cannot be reached, a worker spaces its own requests by `delay` (it has stopped taking new
requests meanwhile, so only the few in flight are concerned). A host's robots.txt Crawl-delay, when longer
than the target's delay, is the spacing booked for that host (each worker reads the robots.txt itself, so
each books with the same spacing): N workers never multiply the rate a site asked for.
"""

from __future__ import annotations

import logging
from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime

from crawler.cluster.keys import politeness_key
from crawler.cluster.redisconn import client, redis_errors
from crawler.politeness import HostPolicy

log = logging.getLogger(__name__)

# Books the next free slot for the host (Redis server clock) and answers how many ms to wait for it.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local at = math.max(now, free)
redis.call('SET', KEYS[1], at + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return at - now
"""


class SharedHostDelay:
    """Books slots `delay` seconds apart per host in Redis; a booked slot is waited for before downloading."""

    def __init__(self, redis: Any, delay: float) -> None:
        self.delay = delay
        self.delay_ms = int(delay * 1000)
        self._reserve = redis.register_script(_RESERVE)
        self._errors = redis_errors()

    def reserve(self, host: str, delay: float | None = None) -> float:
        """Seconds to wait before this request to `host` may go out (`delay` apart, default the target's)."""
        spacing = self.delay if delay is None else delay
        try:
            return int(self._reserve(keys=[politeness_key(host)], args=[int(spacing * 1000)])) / 1000.0
        except self._errors:
            return spacing


class SharedPolitenessMiddleware:
    """Downloader middleware: every request waits for its host's cluster-wide slot (robots.txt included)."""

    def __init__(self, spacing: SharedHostDelay, policy: HostPolicy | None = None) -> None:
        self.spacing = spacing
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPolitenessMiddleware:
        delay = crawler.settings.getfloat("MARKWATCH_HOST_SPACING")
        url = crawler.settings.get("MARKWATCH_REDIS_URL")
        if not url or delay < 0:
            raise NotConfigured
        return cls(SharedHostDelay(client(url), delay), HostPolicy.of(crawler))

    def process_request(self, request: Request, spider: Spider) -> Deferred[None] | None:
        host = urlsplit(request.url).hostname or ""
        delay = max(self.spacing.delay, self.policy.floor(host) if self.policy is not None else 0.0)
        if delay <= 0:
            return None
        wait = self.spacing.reserve(host, delay)
        if wait <= 0:
            return None
        # Imported late: the crawl process must install the asyncio reactor before anything imports one.
        from twisted.internet import reactor, task

        return task.deferLater(cast(IReactorTime, reactor), wait, lambda: None)
