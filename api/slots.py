"""Concurrency slots: how many slow things (URL fetches) one key, and the whole process, may run at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from api.errors import RateLimited

# A fetch lasts at most the fetch timeout; a second is the soonest a slot can be expected back.
RETRY_AFTER_SECONDS = 1


class SlotsBusy(RateLimited):
    """Every slot this caller may use is taken: 429 with Retry-After."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, retry_after=str(RETRY_AFTER_SECONDS))


class KeyedSlots:
    """At most `per_key` concurrent holders per key and `total` in the process; refuses instead of queueing.

    Refusing keeps a caller who opens many slow requests from building a queue that everyone waits in."""

    def __init__(self, per_key: int, total: int, what: str) -> None:
        self.per_key = per_key
        self.total = total
        self.what = what
        self._held: dict[str, int] = {}
        self._in_use = 0
        self._lock = threading.Lock()

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """A slot for `key` for the duration of the block, or SlotsBusy."""
        with self._lock:
            mine = self._held.get(key, 0)
            if mine >= self.per_key:
                raise SlotsBusy(f"at most {self.per_key} {self.what} at once per API key; retry shortly")
            if self._in_use >= self.total:
                raise SlotsBusy(
                    f"the server is running its maximum of {self.total} {self.what}; retry shortly"
                )
            self._held[key] = mine + 1
            self._in_use += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_use -= 1
                left = self._held[key] - 1
                if left:
                    self._held[key] = left
                else:
                    del self._held[key]

    def in_use(self, key: str | None = None) -> int:
        """Slots held by `key`, or by everyone."""
        with self._lock:
            return self._in_use if key is None else self._held.get(key, 0)
