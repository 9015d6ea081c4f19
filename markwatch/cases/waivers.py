"""Waivers: a reasoned, approved, expiring suppression of a case; expired means not waived."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from markwatch.cases.audit import append_event
from markwatch.cases.models import Case, Waiver
from markwatch.cases.text import storable
from markwatch.db import utcnow
from markwatch.errors import ConflictError, InputError, NotFoundError

MAX_WAIVER_DAYS = 366
MAX_REASON = 2000


def grant_waiver(
    session: Session,
    case: Case,
    *,
    reason: str,
    approver: str,
    expires_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Waiver:
    """Suppress a case until `expires_at`; a reason, an approver and a bounded expiry are required."""
    now = now or utcnow()
    reason = (storable(reason, where="reason") or "").strip()
    if not reason:
        raise InputError("a waiver needs a reason", where="reason")
    if len(reason) > MAX_REASON:
        raise InputError(f"a reason is limited to {MAX_REASON} characters", where="reason")
    if not approver.strip():
        raise InputError("a waiver needs an approver", where="approver")
    if expires_at.tzinfo is None:
        raise InputError("expires_at needs a time zone", where="expires_at")
    if expires_at <= now:
        raise InputError("expires_at must be in the future", where="expires_at")
    if expires_at - now > dt.timedelta(days=MAX_WAIVER_DAYS):
        raise InputError(f"a waiver may last at most {MAX_WAIVER_DAYS} days", where="expires_at")
    waiver = Waiver(case_id=case.id, reason=reason, approver=approver, expires_at=expires_at, created_at=now)
    session.add(waiver)
    session.flush()
    append_event(
        session,
        case_id=case.id,
        kind="waiver_granted",
        actor=approver,
        payload={"waiver_id": waiver.id, "reason": reason, "expires_at": expires_at},
        at=now,
    )
    return waiver


def revoke_waiver(session: Session, case: Case, waiver_id: int, *, actor: str) -> Waiver:
    """End a waiver before its expiry."""
    waiver = next((w for w in case.waivers if w.id == waiver_id), None)
    if waiver is None:
        raise NotFoundError(f"case {case.id} has no waiver {waiver_id}")
    if waiver.revoked_at is not None:
        raise ConflictError(f"waiver {waiver_id} is already revoked")
    now = utcnow()
    waiver.revoked_at = now
    session.flush()
    append_event(
        session, case_id=case.id, kind="waiver_revoked", actor=actor, payload={"waiver_id": waiver.id}, at=now
    )
    return waiver


def active_waiver(case: Case, now: dt.datetime | None = None) -> Waiver | None:
    """The waiver that suppresses the case right now, if any (expired or revoked ones never do)."""
    when = now or utcnow()
    active = [w for w in case.waivers if w.active_at(when)]
    return max(active, key=lambda w: w.expires_at) if active else None
