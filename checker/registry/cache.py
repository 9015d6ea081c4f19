"""A RegistryIndex kept between API requests and rebuilt only when the registry changed."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checker.registry.index import RegistryIndex
from checker.registry.models import Designation, DesignationHolder, ImportBatch

# Only `registry import` writes the registry, and every run records a batch; the counts and the latest
# update time also catch a hand edit of the tables. One aggregate query instead of loading every row.
_FINGERPRINT = select(
    select(func.max(ImportBatch.id)).scalar_subquery(),
    select(func.count(Designation.id)).scalar_subquery(),
    select(func.max(Designation.updated_at)).scalar_subquery(),
    select(func.count(DesignationHolder.id)).scalar_subquery(),
    select(func.max(DesignationHolder.id)).scalar_subquery(),
)


class RegistryCache:
    """The current index for one database; safe to share between request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fingerprint: tuple[object, ...] | None = None
        self._index: RegistryIndex | None = None

    def current(self, session: Session) -> RegistryIndex:
        """The index as the database holds it now (reloaded when its fingerprint moved)."""
        fingerprint = tuple(session.execute(_FINGERPRINT).one())
        with self._lock:
            if self._index is not None and fingerprint == self._fingerprint:
                return self._index
        index = RegistryIndex.load(session)
        with self._lock:
            self._fingerprint, self._index = fingerprint, index
        return index
