"""Evidence images as stored: the one store (snapshot bodies by sha256) the console, the API and notices read."""

from __future__ import annotations

import re
import zlib

from sqlalchemy.orm import Session

from crawler.store.models import SnapshotBody

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def image_bytes(session: Session, sha256: str) -> bytes | None:
    """The stored bytes with this sha256 (an image a sweep fetched), or None; the caller checks the type."""
    if not SHA256.match(sha256):
        return None
    stored = session.get(SnapshotBody, sha256)
    if stored is None:
        return None
    return zlib.decompress(stored.body)
