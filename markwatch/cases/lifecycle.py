"""The case lifecycle: allowed transitions, reopening on recurrence, and the re-check after a deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from markwatch.cases.audit import append_event
from markwatch.cases.models import Case, CaseEvent, CaseStatus, DismissalKind
from markwatch.cases.text import storable
from markwatch.db import utcnow
from markwatch.errors import ConflictError, InputError

S = CaseStatus

# What an inspector may move a case to from each status. ESCALATED and the automatic reopen are
# reached only through `recheck` and `reopen`, so the record shows a machine observed them.
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.OPEN: frozenset({S.IN_REVIEW, S.DISMISSED}),
    S.IN_REVIEW: frozenset({S.CONFIRMED, S.DISMISSED, S.OPEN}),
    S.CONFIRMED: frozenset({S.NOTICE_SENT, S.DISMISSED}),
    S.NOTICE_SENT: frozenset({S.RECTIFICATION_DUE, S.DISMISSED}),
    S.RECTIFICATION_DUE: frozenset({S.CLOSED, S.DISMISSED}),
    S.ESCALATED: frozenset({S.NOTICE_SENT, S.CLOSED, S.DISMISSED}),
    S.CLOSED: frozenset({S.OPEN}),
    S.DISMISSED: frozenset({S.OPEN}),
}
DECIDED = frozenset({S.CLOSED, S.DISMISSED})
AWAITING_RECTIFICATION = frozenset({S.RECTIFICATION_DUE, S.ESCALATED})
MAX_REASON = 2000


def allowed_targets(status: CaseStatus) -> frozenset[CaseStatus]:
    """The statuses an inspector may move a case to from `status`."""
    return TRANSITIONS[status]


def transition(
    session: Session,
    case: Case,
    target: CaseStatus,
    *,
    actor: str,
    reason: str | None = None,
    due_at: dt.datetime | None = None,
    dismissal_kind: DismissalKind | None = None,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Move a case as an inspector decided; refuses illegal moves and missing reasons or deadlines.

    A dismissal records its kind (not-a-claim, wrong-standard, other; default other): the kinds are what
    each rule's confirmed precision is computed from (cases/precision.py)."""
    now = now or utcnow()
    current = CaseStatus(case.status)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise ConflictError(f"case {case.id} is {current}: cannot move to {target} (allowed: {allowed})")
    reason = (storable(reason, where="reason") or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InputError(f"reason is longer than {MAX_REASON} characters", where="reason")
    if target is S.DISMISSED and reason is None:
        raise InputError("dismissing a case needs a reason", where="reason")
    if current in DECIDED and target is S.OPEN and reason is None:
        raise InputError("reopening a decided case needs a reason", where="reason")
    if target is S.RECTIFICATION_DUE:
        if due_at is None:
            raise InputError("a rectification deadline (due_at) is required", where="due_at")
        if due_at.tzinfo is None:
            raise InputError("due_at needs a time zone", where="due_at")
        if due_at <= now:
            raise InputError("the rectification deadline must be in the future", where="due_at")
    elif due_at is not None:
        raise InputError(f"due_at only applies when moving to {S.RECTIFICATION_DUE}", where="due_at")
    if dismissal_kind is not None and target is not S.DISMISSED:
        raise InputError(f"dismissal_kind only applies when moving to {S.DISMISSED}", where="dismissal_kind")
    payload: dict[str, object] = {}
    if reason is not None:
        payload["reason"] = reason
    if target is S.DISMISSED:
        kind = dismissal_kind or DismissalKind.OTHER
        case.dismissal_kind = kind.value
        payload["dismissal_kind"] = kind.value
    if target is S.RECTIFICATION_DUE:
        assert due_at is not None
        case.rectification_due_at = due_at
        payload["due_at"] = due_at
    if target is S.CLOSED and reason is None:
        payload["reason"] = "rectified"
    return _move(session, case, target, kind="transition", actor=actor, payload=payload, now=now)


def reopen(
    session: Session, case: Case, *, observed_at: dt.datetime, actor: str, evidence: dict[str, object]
) -> CaseEvent | None:
    """Reopen a closed or dismissed case when the misuse was observed after the decision."""
    if CaseStatus(case.status) not in DECIDED:
        return None
    if case.decided_at is not None and observed_at <= case.decided_at:
        return None
    case.reopen_count += 1
    payload = {"observed_at": observed_at, "previous_reason": case.decision_reason, **evidence}
    return _move(session, case, S.OPEN, kind="reopened", actor=actor, payload=payload, now=utcnow())


def recheck(
    session: Session,
    case: Case,
    *,
    misuse_seen: bool,
    observed_at: dt.datetime,
    actor: str,
    evidence: dict[str, object],
) -> CaseEvent | None:
    """After the rectification deadline: close the case if the misuse is gone, escalate it if not."""
    status = CaseStatus(case.status)
    if status not in AWAITING_RECTIFICATION:
        return None
    due = case.rectification_due_at
    if due is None or observed_at < due:
        return None
    payload = {"observed_at": observed_at, "due_at": due, **evidence}
    if not misuse_seen:
        payload["reason"] = "rectified"
        return _move(
            session, case, S.CLOSED, kind="recheck_clean", actor=actor, payload=payload, now=utcnow()
        )
    if status is S.RECTIFICATION_DUE:
        return _move(
            session, case, S.ESCALATED, kind="recheck_seen", actor=actor, payload=payload, now=utcnow()
        )
    return None


def _move(
    session: Session,
    case: Case,
    target: CaseStatus,
    *,
    kind: str,
    actor: str,
    payload: dict[str, object],
    now: dt.datetime,
) -> CaseEvent:
    previous = case.status
    case.status = target.value
    case.updated_at = now
    if target in DECIDED:
        case.decided_at = now
        case.decision_reason = str(payload.get("reason") or target.value)
    elif target is S.OPEN:
        case.decided_at = None
        case.decision_reason = None
        case.dismissal_kind = None
        case.rectification_due_at = None
    session.flush()
    return append_event(
        session,
        case_id=case.id,
        kind=kind,
        actor=actor,
        from_status=previous,
        to_status=target.value,
        payload=payload,
        at=now,
    )
