"""The append-only audit chain: every case event carries the hash of the one before it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from markwatch.cases.models import CaseEvent
from markwatch.db import utcnow

GENESIS_HASH = "0" * 64
# Any constant works; it names the lock that serialises appends on PostgreSQL.
_APPEND_LOCK_ID = 0x6D77_6175


@dataclass(frozen=True)
class BrokenEntry:
    """The first audit entry that does not verify, and why."""

    seq: int
    event_id: int
    case_id: int | None
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq} (id {self.event_id}, case {self.case_id}): {self.reason}"


def canonical_content(event: CaseEvent) -> dict[str, Any]:
    """The fields an entry's hash covers."""
    return {
        "seq": event.seq,
        "case_id": event.case_id,
        "kind": event.kind,
        "actor": event.actor,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "payload": event.payload,
        "created_at": _iso(event.created_at),
    }


def entry_hash(content: dict[str, Any], prev_hash: str) -> str:
    """sha256 over the canonical JSON of `content` followed by `prev_hash`."""
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((blob + prev_hash).encode("utf-8")).hexdigest()


def serialise_case_writes(session: Session) -> None:
    """Make this transaction the only writer of case data until it ends; call it before reading what it changes.

    PostgreSQL: the chain's transaction-scoped advisory lock (every append takes it too), taken *first*, so no
    writer ever holds a case row while it waits for the chain (the order that deadlocks). SQLite: BEGIN
    IMMEDIATE when no transaction is open yet, so the write lock is held before the reads a change is based
    on (the driver would otherwise begin only at the first write, after those reads)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK_ID})
    elif connection.dialect.name == "sqlite":
        raw: Any = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            raw.execute("BEGIN IMMEDIATE")


def append_event(
    session: Session,
    *,
    case_id: int | None,
    kind: str,
    actor: str,
    from_status: str | None = None,
    to_status: str | None = None,
    payload: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Add the next entry of the chain to the session (flushed, not committed)."""
    # Two transactions must not both extend the same tail (PostgreSQL: the advisory lock; SQLite: the write
    # lock, which the first write of the transaction takes anyway).
    serialise_case_writes(session)
    session.flush()
    last = session.execute(
        select(CaseEvent.seq, CaseEvent.hash).order_by(CaseEvent.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = CaseEvent(
        seq=seq,
        case_id=case_id,
        kind=kind,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        payload=_jsonable(payload or {}),
        created_at=(at or utcnow()).astimezone(dt.UTC),
        prev_hash=prev_hash,
    )
    event.hash = entry_hash(canonical_content(event), prev_hash)
    session.add(event)
    session.flush()
    return event


def verify_chain(session: Session) -> BrokenEntry | None:
    """Walk the chain in order; return the first entry that was edited, removed or reordered, or None."""
    expected_seq, prev_hash = 1, GENESIS_HASH
    query = select(CaseEvent).order_by(CaseEvent.seq).execution_options(yield_per=500)
    for event in session.scalars(query):
        if event.seq != expected_seq:
            return BrokenEntry(
                expected_seq, event.id, event.case_id, f"entry missing (next entry is {event.seq})"
            )
        if event.prev_hash != prev_hash:
            return BrokenEntry(
                event.seq, event.id, event.case_id, "prev_hash does not match the entry before"
            )
        if entry_hash(canonical_content(event), event.prev_hash) != event.hash:
            return BrokenEntry(event.seq, event.id, event.case_id, "content does not match its hash")
        expected_seq, prev_hash = event.seq + 1, event.hash
    return None


def chain_length(session: Session) -> int:
    """How many entries the chain holds."""
    return int(session.scalar(select(func.count()).select_from(CaseEvent)) or 0)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    # Round-trip now so the hash covers exactly what the JSON column will return.
    loaded: dict[str, Any] = json.loads(json.dumps(payload, default=_default, ensure_ascii=False))
    return loaded


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
