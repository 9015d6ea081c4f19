"""Console sign-in sessions held on the server: sign-out and an admin's revocation end them at once.

The browser's cookie carries a random session id (signed, with its CSRF token); only the id's sha256 is
stored, so a database reader cannot replay a session. A cookie whose row is revoked, expired or missing signs
nobody in, whatever its signature says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from markwatch.cases.models import HASH_LENGTH, ApiKey
from markwatch.db import Base, UTCDateTime, utcnow

# last_seen_at is refreshed at most this often, so reading pages does not write on every request.
TOUCH_EVERY = dt.timedelta(minutes=5)
MAX_AGENT = 300


class ConsoleSessionRecord(Base):
    """One signed-in console session."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    user_agent: Mapped[str | None] = mapped_column(String(MAX_AGENT))
    client_ip: Mapped[str | None] = mapped_column(String(64))

    def active_at(self, when: dt.datetime) -> bool:
        """Not revoked and not expired at `when`."""
        return self.revoked_at is None and when < self.expires_at


def hash_sid(sid: str) -> str:
    """What is stored for a session id."""
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


def open_session(
    session: Session,
    key: ApiKey,
    *,
    lifetime: dt.timedelta,
    user_agent: str | None,
    client_ip: str | None,
    now: dt.datetime | None = None,
) -> tuple[str, ConsoleSessionRecord]:
    """A new session for `key`: the id to put in the cookie, and its row (flushed)."""
    now = now or utcnow()
    sid = secrets.token_urlsafe(32)
    row = ConsoleSessionRecord(
        sid_hash=hash_sid(sid),
        api_key_id=key.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        user_agent=(user_agent or "")[:MAX_AGENT] or None,
        client_ip=(client_ip or "")[:64] or None,
    )
    session.add(row)
    session.flush()
    return sid, row


def find_session(session: Session, sid: str, now: dt.datetime | None = None) -> ConsoleSessionRecord | None:
    """The active session with this id, or None (revoked, expired or unknown)."""
    row = session.scalar(select(ConsoleSessionRecord).where(ConsoleSessionRecord.sid_hash == hash_sid(sid)))
    if row is None or not row.active_at(now or utcnow()):
        return None
    return row


def touch(row: ConsoleSessionRecord, now: dt.datetime) -> bool:
    """Record activity when the last record is older than TOUCH_EVERY; True when the row changed."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    row.last_seen_at = now
    return True


def end_session(row: ConsoleSessionRecord, *, by: str, now: dt.datetime | None = None) -> None:
    """Revoke a session (sign-out or an admin's revocation)."""
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        row.revoked_by = by


def list_sessions(
    session: Session, *, include_ended: bool, limit: int = 200
) -> list[tuple[ConsoleSessionRecord, ApiKey]]:
    """Sessions with their keys, newest first; ended ones only when asked."""
    query = select(ConsoleSessionRecord, ApiKey).join(ApiKey, ApiKey.id == ConsoleSessionRecord.api_key_id)
    if not include_ended:
        query = query.where(
            ConsoleSessionRecord.revoked_at.is_(None), ConsoleSessionRecord.expires_at > utcnow()
        )
    rows = session.execute(query.order_by(ConsoleSessionRecord.id.desc()).limit(limit))
    return [(record, key) for record, key in rows]
