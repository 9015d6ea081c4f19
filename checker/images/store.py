"""OCR results cached by (image sha256, reader version): an image seen on a thousand listings is read once."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any, Protocol

from sqlalchemy import JSON, Float, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from checker.images.models import READER_UNAVAILABLE, ImageReading
from markwatch.db import Base, UTCDateTime, utcnow


class ImageReadingRow(Base):
    """One image read by one reader version (OCR engine + models + mark matcher + references)."""

    __tablename__ = "image_readings"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(300), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reading: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ReadingCache(Protocol):
    """Where readings are kept between uses."""

    def get(self, sha256: str, engine: str) -> ImageReading | None:
        """The reading of this image by this reader version, if any."""
        ...

    def put(self, reading: ImageReading) -> None:
        """Keep a reading (a timeout is not kept: a later run may have more time)."""
        ...


class MemoryCache:
    """A bounded in-process cache (least recently used out first)."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], ImageReading] = OrderedDict()
        self.hits = self.misses = 0

    def get(self, sha256: str, engine: str) -> ImageReading | None:
        found = self._items.get((sha256, engine))
        if found is None or not reusable(found):
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end((sha256, engine))
        return found

    def put(self, reading: ImageReading) -> None:
        if not reusable(reading):
            return
        self._items[(reading.sha256, reading.engine)] = reading
        self._items.move_to_end((reading.sha256, reading.engine))
        while len(self._items) > self.size:
            self._items.popitem(last=False)


# Failures of the run rather than of the image (time limit, a crashed or failing worker, no worker at all): never
# kept, never reused, read again next time; a sweep in which one happened is not complete (sweeps/bookkeeping.py).
RUN_FAILURES = frozenset({"timeout", "worker-crashed", "reader-failed", READER_UNAVAILABLE})
# Refusals made from the first bytes, before anything is decoded: repeating one costs a sniff, and what the reader
# says of such bytes changes without PREPARATION_VERSION (which would read every image again): SVG was refused
# as "svg" and is read now, AVIF/HEIF were "not-an-image" and have their own reason. Never kept, never reused.
REFUSED_UNREAD = frozenset({"svg", "not-an-image", "unsupported-format"})


def reusable(reading: ImageReading) -> bool:
    """Whether a kept reading may stand for reading the image again (not a refusal made before decoding, nor a
    failure of the run that made it: the sweeps' image stage once kept `reader-unavailable` readings)."""
    return not (reading.status == "error" and reading.reason in REFUSED_UNREAD | RUN_FAILURES)


class DbCache:
    """Readings in the image_readings table, shared by sweeps, checks and self-checks on one database."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.hits = self.misses = 0

    def get(self, sha256: str, engine: str) -> ImageReading | None:
        row = self.session.get(ImageReadingRow, (sha256, engine))
        found = ImageReading.model_validate(row.reading) if row is not None else None
        if found is None or not reusable(found):
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, reading: ImageReading) -> None:
        if not reusable(reading):
            return
        kept = self.session.get(ImageReadingRow, (reading.sha256, reading.engine))
        if kept is not None:
            if reusable(ImageReading.model_validate(kept.reading)):
                return
            # A row no one may reuse (kept by an older reader: an SVG refused unread, a `reader-unavailable`)
            # gives way, or every later check would miss the cache and read the image again.
            self.session.delete(kept)
            self.session.flush()
        self.session.add(
            ImageReadingRow(
                sha256=reading.sha256,
                engine=reading.engine,
                status=reading.status,
                reason=reading.reason,
                reading=reading.model_dump(mode="json"),
                seconds=reading.seconds,
                created_at=utcnow(),
            )
        )
        self.session.flush()


class UrlCache:
    """DbCache over its own short transactions on a database URL (CLI runs, API processes)."""

    def __init__(self, db_url: str | None) -> None:
        self.db_url = db_url
        self.hits = self.misses = 0

    def get(self, sha256: str, engine: str) -> ImageReading | None:
        from markwatch.db import session_scope

        with session_scope(self.db_url) as session:
            found = DbCache(session).get(sha256, engine)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, reading: ImageReading) -> None:
        from markwatch.db import session_scope

        with session_scope(self.db_url) as session:
            DbCache(session).put(reading)
