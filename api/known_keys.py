"""The digests of the unrevoked API keys, in memory: lets a valid key past a throttle that others' wrong keys set.

Wrong keys are throttled per client address, and many clients share one (a NAT, an office proxy). While an
address is throttled, a presented key whose digest is in this set is looked up as usual (so revocation
still counts); any other key is refused without a lookup. Brute force therefore stays as cheap as before:
a SHA-256 and a set lookup per attempt, plus at most one fingerprint query per `check_seconds` to see keys
created or revoked by another process (`markwatch keys create` runs elsewhere).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from markwatch.cases.models import ApiKey

DEFAULT_CHECK_SECONDS = 1.0
_Fingerprint = tuple[int, int | None, int]


class ActiveKeyDigests:
    """The set of unrevoked keys' digests, re-read when the api_keys table's fingerprint moves."""

    def __init__(
        self, check_seconds: float = DEFAULT_CHECK_SECONDS, clock: Callable[[], float] = time.monotonic
    ):
        self.check_seconds = check_seconds
        self._clock = clock
        self._digests: frozenset[str] = frozenset()
        self._fingerprint: _Fingerprint | None = None
        self._fresh_until = float("-inf")
        self._lock = threading.Lock()

    def known_now(self, digest: str) -> bool | None:
        """Whether the digest is an active key's, when the set was checked recently enough; else None."""
        if self._clock() >= self._fresh_until:
            return None
        return digest in self._digests

    def contains(self, factory: sessionmaker[Session], digest: str) -> bool:
        """Whether the digest is an active key's, re-checking the database at most every `check_seconds`."""
        known = self.known_now(digest)
        if known is not None:
            return known
        with self._lock:
            # Another thread may have refreshed while this one waited for the lock.
            if self._clock() >= self._fresh_until:
                with factory() as session:
                    self._refresh(session)
                self._fresh_until = self._clock() + self.check_seconds
            return digest in self._digests

    def _refresh(self, session: Session) -> None:
        # Keys are never deleted and revocation only sets revoked_at: count, newest id and revoked count
        # move with every change that matters.
        row = session.execute(select(func.count(), func.max(ApiKey.id), func.count(ApiKey.revoked_at))).one()
        fingerprint: _Fingerprint = (int(row[0]), row[1], int(row[2]))
        if fingerprint != self._fingerprint:
            hashes = session.scalars(select(ApiKey.key_hash).where(ApiKey.revoked_at.is_(None)))
            self._digests = frozenset(hashes)
            self._fingerprint = fingerprint
