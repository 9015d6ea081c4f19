"""API key authentication: who is calling, from the X-API-Key header, without waiting behind other work.

A valid key is remembered for a few seconds (key digest -> principal), so most requests authenticate
without touching the database; a revoked key stops working within that time. A lookup that is needed runs
in a small thread pool of its own, never in the pool that sync routes share. Wrong keys are counted per
client address: past the allowance that address gets 429 without a database lookup, except for keys in the
in-memory set of active keys (known_keys.py): a valid key behind the same NAT as a brute-forcer still works.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
import anyio.to_thread
from fastapi import HTTPException, Request, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session, sessionmaker

from api.errors import RateLimited
from api.known_keys import ActiveKeyDigests
from api.ratelimit import RateLimiter
from markwatch.cases.keys import KEY_PREFIX, find_active_key, hash_key
from markwatch.cases.models import Role

API_KEY_HEADER = "X-API-Key"
api_key_scheme = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="An API key from `markwatch keys create`."
)
# Lookups are one indexed query each; a few threads keep up with any rate the failure throttle allows.
LOOKUP_THREADS = 4
MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class Principal:
    """The caller behind a valid API key."""

    key_id: int
    name: str
    role: Role

    @property
    def actor(self) -> str:
        """How the caller appears in the audit chain."""
        return f"{self.role.value}:{self.name}#{self.key_id}"


def _unauthorised(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "ApiKey"})


def client_address(request: Request) -> str:
    """The peer address (the proxy's unless `serve --forwarded-allow-ips` trusts it to name the client)."""
    return request.client.host if request.client else "unknown"


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal for a presented key; 401 when it is missing, unknown or revoked (no cache, no throttle)."""
    if not secret:
        raise _unauthorised(f"an API key is required in the {API_KEY_HEADER} header")
    row = find_active_key(session, secret.strip())
    if row is None:
        raise _unauthorised("the API key is not valid")
    return Principal(key_id=row.id, name=row.name, role=Role(row.role))


class KeyCache:
    """Key digest -> principal for `ttl` seconds, least recently used dropped first."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, digest: str) -> Principal | None:
        """The cached principal, or None when absent or older than the ttl."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            if self._clock() >= entry[0]:
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return entry[1]

    def put(self, digest: str, principal: Principal) -> None:
        """Remember a principal found valid just now."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[digest] = (self._clock() + self.ttl, principal)
            self._entries.move_to_end(digest)
            while len(self._entries) > MAX_CACHED_KEYS:
                self._entries.popitem(last=False)


class Authenticator:
    """Resolves keys to principals: cache first, then one lookup in its own threads, failures throttled."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        cache_seconds: float,
        failures: RateLimiter,
        active: ActiveKeyDigests | None = None,
    ) -> None:
        self.factory = factory
        self.cache = KeyCache(cache_seconds)
        self.failures = failures
        self.active = active or ActiveKeyDigests()
        self._limiter: anyio.CapacityLimiter | None = None

    def _capacity(self) -> anyio.CapacityLimiter:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(LOOKUP_THREADS)
        return self._limiter

    async def _is_active(self, digest: str | None) -> bool:
        """Whether the digest is an active key's: from memory, or after one fingerprint check off the loop."""
        if digest is None:
            return False
        known = self.active.known_now(digest)
        if known is not None:
            return known
        return await anyio.to_thread.run_sync(
            self.active.contains, self.factory, digest, limiter=self._capacity()
        )

    def _lookup(self, secret: str) -> Principal | None:
        with self.factory() as session:
            row = find_active_key(session, secret)
            return Principal(key_id=row.id, name=row.name, role=Role(row.role)) if row else None

    async def principal(self, secret: str | None, address: str) -> Principal:
        """The caller's principal; 401 for a missing or wrong key, 429 for a wrong key once its address sent too
        many (a valid key is never refused for the failures of others at its address)."""
        if not secret:
            raise _unauthorised(f"an API key is required in the {API_KEY_HEADER} header")
        secret = secret.strip()
        digest = hash_key(secret) if secret.startswith(KEY_PREFIX) and len(secret) <= 100 else None
        found = self.cache.get(digest) if digest else None
        if found is not None:
            return found
        wait = self.failures.waiting(address)
        if wait > 0 and not await self._is_active(digest):
            raise RateLimited(
                "too many invalid API keys from this address; retry later",
                retry_after=RateLimiter.retry_after(wait),
            )
        if digest is not None:
            found = await anyio.to_thread.run_sync(self._lookup, secret, limiter=self._capacity())
        if found is None:
            self.failures.acquire(address)
            raise _unauthorised("the API key is not valid")
        self.cache.put(digest or "", found)
        return found
