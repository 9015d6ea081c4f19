"""Immutable evidence: bodies stored once per sha256 (zlib), one snapshot row per fetch."""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store.models import Snapshot, SnapshotBody


def store_snapshot(
    session: Session,
    *,
    body: bytes,
    requested_url: str,
    final_url: str,
    status: int,
    headers: dict[str, Any],
    fetched_at: dt.datetime,
    sweep_id: int | None,
) -> Snapshot:
    """Add the body (if new) and a fresh snapshot row; existing rows are never touched."""
    digest = hashlib.sha256(body).hexdigest()
    if session.get(SnapshotBody, digest) is None:
        session.add(SnapshotBody(sha256=digest, body=zlib.compress(body, 6), size=len(body)))
        session.flush()
    snapshot = Snapshot(
        body_sha256=digest,
        requested_url=requested_url,
        final_url=final_url,
        status=status,
        headers=headers,
        fetched_at=fetched_at,
        sweep_id=sweep_id,
    )
    session.add(snapshot)
    session.flush()
    return snapshot


def snapshot_body(session: Session, snapshot: Snapshot) -> bytes:
    """The raw bytes of a snapshot, verified against its sha256."""
    stored = session.get(SnapshotBody, snapshot.body_sha256)
    if stored is None:
        raise LookupError(f"snapshot {snapshot.id} has no body")
    try:
        body = zlib.decompress(stored.body)
    except zlib.error as exc:
        raise ValueError(f"snapshot {snapshot.id}: the stored body is damaged ({exc})") from None
    if hashlib.sha256(body).hexdigest() != snapshot.body_sha256:
        raise ValueError(f"snapshot {snapshot.id}: body does not match its sha256")
    return body


def latest_snapshot(session: Session, sweep_id: int, url: str) -> Snapshot | None:
    """This sweep's most recent snapshot of `url`."""
    return session.scalars(
        select(Snapshot)
        .where(Snapshot.sweep_id == sweep_id, Snapshot.requested_url == url)
        .order_by(Snapshot.id.desc())
        .limit(1)
    ).first()


def flat_headers(headers: Any) -> dict[str, str]:
    """Scrapy's multi-valued byte headers as a JSON-able {name: value} (repeats joined with ', ')."""
    flat: dict[str, str] = {}
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        flat[key] = ", ".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in values)
    return flat
