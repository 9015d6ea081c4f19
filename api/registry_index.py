"""The registry index for requests, re-checked against the database at most once per interval.

`RegistryCache.current` runs its one-query fingerprint on every call; at hundreds of self-checks a second
that query is a measurable share of each one. Between checks the last index is served as is: an import made
by another process is seen within `registry_check_seconds`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from checker.registry import RegistryIndex
from checker.registry.cache import RegistryCache


class ThrottledRegistryCache(RegistryCache):
    """A RegistryCache whose fingerprint query runs at most every `check_seconds`."""

    def __init__(self, check_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.check_seconds = check_seconds
        self._clock = clock
        self._fresh_until = 0.0
        self._served: RegistryIndex | None = None
        self._served_lock = threading.Lock()

    def fresh(self) -> RegistryIndex | None:
        """The index when it was checked recently enough, else None (then call `current`)."""
        with self._served_lock:
            if self._served is not None and self._clock() < self._fresh_until:
                return self._served
        return None

    def current(self, session: Session) -> RegistryIndex:
        """The index, re-checked against the database when the interval has passed."""
        index = self.fresh()
        if index is not None:
            return index
        index = super().current(session)
        with self._served_lock:
            self._served, self._fresh_until = index, self._clock() + self.check_seconds
        return index

    def load(self, factory: sessionmaker[Session]) -> RegistryIndex:
        """`current` with a session of its own (for callers that hold none)."""
        index = self.fresh()
        if index is not None:
            return index
        with factory() as session:
            return self.current(session)
