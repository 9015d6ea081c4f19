"""The case lifecycle: allowed transitions, reopening on recurrence, and the re-check after a deadline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from markwatch.cases.audit import append_event, serialise_case_writes
from markwatch.cases.models import Case, CaseEvent, CaseStatus, DismissalKind
from markwatch.cases.sent import SentNotice, checked
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
# The moves only the machine makes, by the kind of audit entry that records them (from -> to).
AUTOMATIC: dict[str, dict[CaseStatus, frozenset[CaseStatus]]] = {
    "reopened": {status: frozenset({S.OPEN}) for status in DECIDED},
    "recheck_clean": {status: frozenset({S.CLOSED}) for status in AWAITING_RECTIFICATION},
    "recheck_seen": {S.RECTIFICATION_DUE: frozenset({S.ESCALATED})},
}
OPENED = "opened"
MAX_REASON = 2000
# The last deadline any caller may set (the API refuses later dates before they get here).
LATEST_DUE = dt.datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC)


def allowed_targets(status: CaseStatus) -> frozenset[CaseStatus]:
    """The statuses an inspector may move a case to from `status`."""
    return TRANSITIONS[status]


def allowed_step(kind: str, from_status: str | None, to_status: str) -> bool:
    """Whether an audit entry of `kind` may record the move from `from_status` to `to_status`."""
    try:
        target = CaseStatus(to_status)
        if from_status is None:
            return kind == OPENED and target is S.OPEN
        current = CaseStatus(from_status)
    except ValueError:
        return False
    if kind == "transition":
        return target in TRANSITIONS[current]
    return target in AUTOMATIC.get(kind, {}).get(current, frozenset())


def transition(
    session: Session,
    case: Case,
    target: CaseStatus,
    *,
    actor: str,
    reason: str | None = None,
    due_at: dt.datetime | None = None,
    dismissal_kind: DismissalKind | None = None,
    expected: CaseStatus | None = None,
    now: dt.datetime | None = None,
    sent: SentNotice | None = None,
    part_of: Mapping[str, object] | None = None,
) -> CaseEvent:
    """Move a case as an inspector decided; refuses illegal moves and missing reasons or deadlines.

    `part_of` marks the audit entry as one move of a larger action (a bulk action's batch and size).

    A move to notice_sent records the notice that was sent (`sent`: number, day, how; cases/sent.py): a
    case is never marked as notified without a document somebody can produce.

    A dismissal records its kind (not-a-claim, wrong-standard, other; default other): the kinds are what
    each rule's confirmed precision is computed from (cases/precision.py).

    The move is made from the status `case` holds (which the decision was based on) and refused with a
    ConflictError when the database holds another by then: of several concurrent decisions on one case,
    exactly one is recorded. `expected` is the status the deciding person saw, when it may be older still
    (a form, an API client): the move is refused unless the case still has it."""
    now = now or utcnow()
    current = CaseStatus(case.status)
    if expected is not None and expected is not current:
        raise ConflictError(
            f"case {case.id} is {current}, not {expected} as this decision assumed: reload it and decide again"
        )
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
        if due_at.date() > LATEST_DUE.date() or due_at.astimezone(dt.UTC) > LATEST_DUE:
            raise InputError("the rectification deadline must be before the year 3000 (UTC)", where="due_at")
    elif due_at is not None:
        raise InputError(f"due_at only applies when moving to {S.RECTIFICATION_DUE}", where="due_at")
    if sent is not None and target is not S.NOTICE_SENT:
        raise InputError(f"a sent notice only applies when moving to {S.NOTICE_SENT}", where="notice_number")
    if target is S.NOTICE_SENT:
        sent = checked(session, case, sent, now)
    if dismissal_kind is not None and target is not S.DISMISSED:
        raise InputError(f"dismissal_kind only applies when moving to {S.DISMISSED}", where="dismissal_kind")
    payload: dict[str, object] = {}
    if reason is not None:
        payload["reason"] = reason
    if target is S.DISMISSED:
        payload["dismissal_kind"] = (dismissal_kind or DismissalKind.OTHER).value
    if sent is not None:
        payload["sent"] = sent.payload()
    if target is S.RECTIFICATION_DUE:
        assert due_at is not None
        payload["due_at"] = due_at
    if target is S.CLOSED and reason is None:
        payload["reason"] = "rectified"
    payload.update(part_of or {})
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
    previous = _claim(session, case, target, now)
    # Every field a move changes is in its audit entry too (payload or created_at): `audit verify`
    # recomputes them from the entries (cases/derive.py).
    if target in DECIDED:
        case.decided_at = now
        case.decision_reason = str(payload.get("reason") or target.value)
    elif target is S.OPEN:
        case.decided_at = None
        case.decision_reason = None
        case.dismissal_kind = None
        case.rectification_due_at = None
    if target is S.DISMISSED:
        case.dismissal_kind = str(payload["dismissal_kind"])
    if target is S.RECTIFICATION_DUE and kind == "transition":
        due = payload["due_at"]
        assert isinstance(due, dt.datetime)
        case.rectification_due_at = due
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


def _claim(session: Session, case: Case, target: CaseStatus, now: dt.datetime) -> str:
    """Compare-and-set the status: from the one `case` holds to `target`, or ConflictError when the row
    holds another by now (a concurrent decision won). Returns the status moved from."""
    previous = case.status
    serialise_case_writes(session)
    moved = session.execute(
        update(Case)
        .where(Case.id == case.id, Case.status == previous)
        .values(status=target.value, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        now_status = session.scalar(select(Case.status).where(Case.id == case.id))
        raise ConflictError(
            f"case {case.id} was moved to {now_status} meanwhile (this decision was made on {previous}): "
            "reload it and decide again"
        )
    set_committed_value(case, "status", target.value)
    set_committed_value(case, "updated_at", now)
    return previous
