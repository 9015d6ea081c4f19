"""Several cases moved or assigned at once, each on its own: its own stale check, audit entry and commit.

An inspector working through hundreds of cases selects several in the queue and starts review on them or
assigns them. Nothing is applied to the selection as a whole: each case is checked against what the
inspector saw of it (its status, its assignee) and moved in its own transaction, so one case moved meanwhile
by someone else is refused and named while the others go through, and every outcome is reported.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from markwatch.cases.audit import serialise_case_writes
from markwatch.cases.lifecycle import allowed_targets, transition
from markwatch.cases.models import Case, CaseStatus
from markwatch.cases.notes import assign
from markwatch.errors import ConflictError, InputError, MarkwatchError

log = logging.getLogger(__name__)
# A page of the queue at most: more than an inspector looked at is not a selection.
MAX_BULK = 100


class BulkAction(StrEnum):
    """What may be done to several cases at once: the steps that need no reason of their own."""

    REVIEW = "review"  # start review (open -> in_review)
    ASSIGN = "assign"  # give them to an inspector


class Outcome(StrEnum):
    """What became of one selected case."""

    DONE = "done"
    ALREADY = "already"  # already assigned to that inspector: no second entry
    NOT_FOUND = "not-found"  # no such case (a tampered form, or an id typed by hand)
    MOVED_MEANWHILE = "moved-meanwhile"  # its status is no longer the one the inspector saw
    ASSIGNED_MEANWHILE = "assigned-meanwhile"  # someone else assigned it since
    NOT_ALLOWED = "not-allowed"  # the lifecycle does not allow the move from its status
    REFUSED = "refused"  # refused for another reason (the detail says which)
    NOT_SAVED = "not-saved"  # the database failed the write (the detail says how): nothing recorded for it


@dataclass(frozen=True)
class Selected:
    """One selected case and what the inspector saw of it when selecting it."""

    case_id: int
    status: str
    assignee: str


@dataclass(frozen=True)
class BulkResult:
    """One case's outcome; `status` is the case's status after the attempt, `detail` the technical reason."""

    case_id: int
    outcome: Outcome
    status: str | None = None
    detail: str = ""


def apply_bulk(
    session: Session, selected: list[Selected], action: BulkAction, *, actor: str, assignee: str = ""
) -> list[BulkResult]:
    """Apply `action` to each selected case in turn, committing each that goes through on its own."""
    if not selected:
        raise InputError("select at least one case", where="case")
    if len(selected) > MAX_BULK:
        raise InputError(f"at most {MAX_BULK} cases at once", where="case")
    if action is BulkAction.ASSIGN and not assignee.strip():
        # Unassigning many cases at once is not a bulk step: it would silently drop everyone's work.
        raise InputError("name the inspector to assign the cases to", where="assignee")
    unique = list(dict((s.case_id, s) for s in selected).values())
    # Every audit entry the action writes names its batch and size: an auditor reading one case's history
    # sees that the move was one of many made at once, and can find the others.
    part_of = {"bulk_batch": secrets.token_hex(6), "bulk_size": len(unique)}
    results = []
    for item in unique:
        try:
            result = _apply_one(session, item, action, actor=actor, assignee=assignee, part_of=part_of)
            if result.outcome is Outcome.DONE:
                session.commit()
            else:
                session.rollback()
        except MarkwatchError as exc:
            session.rollback()
            case = session.get(Case, item.case_id)
            outcome = Outcome.MOVED_MEANWHILE if isinstance(exc, ConflictError) else Outcome.REFUSED
            result = BulkResult(item.case_id, outcome, case.status if case else None, str(exc))
        except SQLAlchemyError as exc:
            # One case's write failed (a lock timeout, a lost connection, a disk fault): its transaction is
            # rolled back, so it is named as not saved, and the others are still tried, each on its own; the
            # cases already committed stay so and are listed as done.
            session.rollback()
            reason = str(getattr(exc, "orig", None) or exc).strip()
            log.warning("bulk %s: case %s not saved: %s", action.value, item.case_id, reason)
            result = BulkResult(item.case_id, Outcome.NOT_SAVED, _status_now(session, item.case_id), reason)
        results.append(result)
    return results


def _status_now(session: Session, case_id: int) -> str | None:
    # After a failed write the database may be gone altogether: the outcome is known, the status need not be.
    try:
        case = session.get(Case, case_id)
    except SQLAlchemyError:
        session.rollback()
        return None
    return case.status if case else None


def _apply_one(
    session: Session,
    item: Selected,
    action: BulkAction,
    *,
    actor: str,
    assignee: str,
    part_of: dict[str, object],
) -> BulkResult:
    case = session.get(Case, item.case_id)
    if case is None:
        return BulkResult(item.case_id, Outcome.NOT_FOUND)
    # Under the write lock, as each single-case form does: what the row holds now, not what was read.
    serialise_case_writes(session)
    session.refresh(case, attribute_names=["status", "assignee"])
    if case.status != item.status:
        return BulkResult(case.id, Outcome.MOVED_MEANWHILE, case.status, f"case {case.id} is {case.status}")
    if action is BulkAction.REVIEW:
        if CaseStatus.IN_REVIEW not in allowed_targets(CaseStatus(case.status)):
            return BulkResult(case.id, Outcome.NOT_ALLOWED, case.status, f"case {case.id} is {case.status}")
        transition(
            session,
            case,
            CaseStatus.IN_REVIEW,
            actor=actor,
            expected=CaseStatus(item.status),
            part_of=part_of,
        )
    else:
        if (case.assignee or "") != item.assignee:
            detail = f"case {case.id} was assigned to {case.assignee!r} meanwhile"
            return BulkResult(case.id, Outcome.ASSIGNED_MEANWHILE, case.status, detail)
        if (case.assignee or "") == assignee.strip():
            return BulkResult(case.id, Outcome.ALREADY, case.status)
        assign(session, case, assignee=assignee, actor=actor, part_of=part_of)
    return BulkResult(case.id, Outcome.DONE, case.status)
