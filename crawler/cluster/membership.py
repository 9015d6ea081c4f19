"""Which workers serve a sweep, which are idle, and who leaves last; times are Redis server time."""

from __future__ import annotations

import os
import socket
import uuid
from typing import Any

from crawler.cluster.keys import SweepKeys

# Every script reads the clock of the Redis server: workers on several machines share one time line.
_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) + tonumber(t[2]) / 1000000 "

_BEAT = _NOW + "redis.call('HSET', KEYS[1], ARGV[1], tostring(now)) return tostring(now)"

_IDLE = _NOW + "redis.call('HSETNX', KEYS[1], ARGV[1], tostring(now)) return 1"

# 1 when the frontier is empty and every live worker has been idle for at least ARGV[1] seconds.
_DRAINED = (
    _NOW
    + """
if redis.call('ZCARD', KEYS[3]) > 0 then return 0 end
local workers = redis.call('HGETALL', KEYS[1])
for i = 1, #workers, 2 do
  if now - tonumber(workers[i + 1]) <= tonumber(ARGV[2]) then
    local since = redis.call('HGET', KEYS[2], workers[i])
    if not since or now - tonumber(since) < tonumber(ARGV[1]) then return 0 end
  end
end
return 1
"""
)

# Removes this worker and any whose heartbeat is older than ARGV[2]; answers how many remain. Atomic, so of
# two workers leaving together exactly one sees 0.
_LEAVE = (
    _NOW
    + """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
local workers = redis.call('HGETALL', KEYS[1])
for i = 1, #workers, 2 do
  if now - tonumber(workers[i + 1]) > tonumber(ARGV[2]) then
    redis.call('HDEL', KEYS[1], workers[i])
    redis.call('HDEL', KEYS[2], workers[i])
  end
end
return redis.call('HLEN', KEYS[1])
"""
)


def new_worker_id() -> str:
    """host:pid:random, readable in `cluster status`."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Membership:
    """One worker's view of the sweep's worker registry."""

    def __init__(self, redis: Any, keys: SweepKeys, worker_id: str, *, stale_after: float = 60.0) -> None:
        self.redis = redis
        self.keys = keys
        self.worker_id = worker_id
        self.stale_after = stale_after
        self._beat = redis.register_script(_BEAT)
        self._idle = redis.register_script(_IDLE)
        self._drained = redis.register_script(_DRAINED)
        self._leave = redis.register_script(_LEAVE)
        self.is_idle = False

    def heartbeat(self) -> None:
        """Join, or say we are still alive."""
        self._beat(keys=[self.keys.workers], args=[self.worker_id])

    def mark_idle(self) -> None:
        """Nothing to download or process here (kept from the first time, until mark_busy)."""
        self._idle(keys=[self.keys.idle], args=[self.worker_id])
        self.is_idle = True

    def mark_busy(self) -> None:
        """We took a request from the frontier."""
        if self.is_idle:
            self.redis.hdel(self.keys.idle, self.worker_id)
            self.is_idle = False

    def drained(self, grace: float) -> bool:
        """Frontier empty and every live worker idle for `grace` seconds: nothing can add requests now."""
        keys = [self.keys.workers, self.keys.idle, self.keys.requests]
        return bool(self._drained(keys=keys, args=[grace, self.stale_after]))

    def leave(self) -> int:
        """Deregister; the number of live workers still serving the sweep."""
        return int(
            self._leave(keys=[self.keys.workers, self.keys.idle], args=[self.worker_id, self.stale_after])
        )

    def live_workers(self) -> dict[str, float]:
        """Worker id → last heartbeat."""
        return {
            (k.decode() if isinstance(k, bytes) else str(k)): float(v)
            for k, v in self.redis.hgetall(self.keys.workers).items()
        }
