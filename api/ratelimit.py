"""Token buckets per key (an API key, a client address): a steady rate with a burst, answered with 429.

A request may cost more than one token (a batch costs one per item): it is taken whole or not at all, and
what is left is reported as RateLimit-Limit / RateLimit-Remaining / RateLimit-Reset (IETF draft
"RateLimit header fields for HTTP", one header per field): the burst, the whole tokens left, and the seconds
until the bucket is full again.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

# Beyond this many tracked keys, full buckets (which behave exactly like absent ones) are forgotten, so
# requests from ever-new addresses cannot grow the table without bound.
MAX_TRACKED = 50_000
# Where a request's Quota is kept in its ASGI scope, for the middleware that writes the headers.
QUOTA_SCOPE_KEY = "markwatch.quota"


@dataclass(frozen=True)
class Quota:
    """A key's budget after one request asked for `cost` tokens: taken (`wait` 0) or refused whole."""

    limit: int
    remaining: int
    reset: float
    wait: float

    @property
    def allowed(self) -> bool:
        """Whether the tokens were taken."""
        return self.wait <= 0

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The RateLimit-* header fields (raw ASGI pairs)."""
        return [
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(math.ceil(self.reset)).encode()),
        ]


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """In-process limiter: each API process (`serve --workers N`) keeps its own buckets."""

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def _refilled(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED:
                self._prune(now)
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]

    def acquire(self, key: str) -> float:
        """Take one token for `key`; return 0 when allowed, else the seconds to wait."""
        return self.take(key, 1).wait

    def take(self, key: str, cost: int) -> Quota:
        """Take `cost` tokens for `key` all at once, or none: the refused Quota's `wait` is when they would
        all be there (a cost above the burst never fits: callers refuse it before asking)."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            wait = 0.0
            if bucket.tokens >= cost:
                bucket.tokens -= cost
            else:
                wait = (cost - bucket.tokens) / self.rate
            return Quota(
                limit=int(self.burst),
                remaining=int(bucket.tokens),
                reset=(self.burst - bucket.tokens) / self.rate,
                wait=wait,
            )

    def give_back(self, key: str, tokens: int) -> Quota:
        """Return tokens taken for work that was not done (never above the burst); the budget now."""
        with self._lock:
            bucket = self._refilled(key, self._clock())
            bucket.tokens = min(self.burst, bucket.tokens + tokens)
            return Quota(
                limit=int(self.burst),
                remaining=int(bucket.tokens),
                reset=(self.burst - bucket.tokens) / self.rate,
                wait=0.0,
            )

    def waiting(self, key: str) -> float:
        """Seconds until `key` has a token again (0 if it has one now), without taking it."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                return 0.0
            bucket = self._refilled(key, self._clock())
            return 0.0 if bucket.tokens >= 1.0 else (1.0 - bucket.tokens) / self.rate

    @staticmethod
    def retry_after(wait: float) -> str:
        """The Retry-After header value: whole seconds, at least 1."""
        return str(max(1, math.ceil(wait)))
