"""What the audit entries say each case row must hold, and where the row (or the chain) disagrees.

Every change to a case is an audit entry carrying the new value: moves (status, decision, dismissal kind,
deadline), assignment, confidence, comments and waivers. Replaying a case's entries in chain order gives the
row it must have; `audit verify` compares it with the stored rows and reports every field changed without an
entry (an insider's UPDATE), and every move that does not follow from the one before (two decisions
recorded from the same status, or a step the lifecycle does not allow).

Not derived: severity, message and last_seen_at follow the newest finding of each sweep (findings are the
evidence rows, not the audit trail), and updated_at is bookkeeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from markwatch.cases.lifecycle import DECIDED, allowed_step
from markwatch.cases.models import CASE_STATUSES, Case, CaseComment, CaseEvent, CaseStatus, Waiver

# The fields that say what a case is about: set once when it is opened and recorded in that entry. Cases
# opened before scope existed have no scope in their entry (only the names an entry holds are compared):
# they are page cases, as migration 0016 made their rows.
IDENTITY = ("case_key", "scope", "rule_id", "standard_code", "page_url", "site", "claimant", "first_seen_at")
MOVES = frozenset({"opened", "transition", "reopened", "recheck_clean", "recheck_seen"})
# Entries that change a row; the others (notices, session revocations) carry no row field.
FIELD_KINDS = frozenset({"assigned", "confidence_changed", "commented", "waiver_granted", "waiver_revoked"})
_UNSET: Any = object()


@dataclass
class WaiverTrail:
    """A waiver as its entries record it."""

    reason: str | None
    approver: str
    expires_at: dt.datetime | None
    granted_at: dt.datetime
    revoked_at: dt.datetime | None = None


@dataclass
class CaseTrail:
    """One case replayed from its entries."""

    status: str | None = None
    decided_at: dt.datetime | None = None
    decision_reason: str | None = None
    dismissal_kind: str | None = None
    rectification_due_at: dt.datetime | None = None
    assignee: str | None = None
    confidence: str = "high"
    confidence_reasons: list[str] = field(default_factory=list)
    reopen_count: int = 0
    identity: dict[str, Any] = field(default_factory=dict)
    comments: dict[int, tuple[str, str, dt.datetime]] = field(default_factory=dict)
    waivers: dict[int, WaiverTrail] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def apply(self, event: CaseEvent) -> None:
        """Fold one entry (in chain order) into the replayed case."""
        payload = event.payload if isinstance(event.payload, dict) else {}
        if event.kind in MOVES and event.to_status is not None:
            self._move(event, payload)
        elif event.kind == "assigned":
            self.assignee = _text(payload.get("to"))
        elif event.kind == "confidence_changed":
            self.confidence = str(payload.get("to") or self.confidence)
            self.confidence_reasons = [str(r) for r in payload.get("reasons") or []]
        elif event.kind == "commented" and isinstance(payload.get("comment_id"), int):
            self.comments[payload["comment_id"]] = (event.actor, str(payload.get("body")), event.created_at)
        elif event.kind == "waiver_granted" and isinstance(payload.get("waiver_id"), int):
            self.waivers[payload["waiver_id"]] = WaiverTrail(
                reason=_text(payload.get("reason")),
                approver=event.actor,
                expires_at=_moment(payload.get("expires_at")),
                granted_at=event.created_at,
            )
        elif event.kind == "waiver_revoked" and isinstance(payload.get("waiver_id"), int):
            granted = self.waivers.get(payload["waiver_id"])
            if granted is None:
                self.problems.append(
                    f"entry {event.seq} revokes waiver {payload['waiver_id']}, never granted"
                )
            else:
                granted.revoked_at = event.created_at

    def _move(self, event: CaseEvent, payload: dict[str, Any]) -> None:
        to_status = str(event.to_status)
        if event.from_status != self.status:
            before = "no earlier move" if self.status is None else f"the status before was {self.status}"
            self.problems.append(
                f"entry {event.seq} moves it from {event.from_status} to {to_status}, but {before} "
                "(two decisions recorded on one status, or an entry is missing)"
            )
        elif not allowed_step(event.kind, event.from_status, to_status):
            self.problems.append(
                f"entry {event.seq} ({event.kind}) moves it from {event.from_status} to {to_status}, "
                "a step the lifecycle does not allow"
            )
        if event.kind == "opened":
            self.confidence = str(payload.get("confidence") or "high")
            self.confidence_reasons = [str(r) for r in payload.get("confidence_reasons") or []]
            opened = payload.get("case")
            if isinstance(opened, dict):
                self.identity = {name: opened[name] for name in IDENTITY if name in opened}
                # Opened before cases had a scope: a page case (migration 0016), never edited into another.
                self.identity.setdefault("scope", "page")
        if event.kind == "reopened":
            self.reopen_count += 1
        self.status = to_status
        target = CaseStatus(to_status) if to_status in CASE_STATUSES else None
        if target in DECIDED:
            self.decided_at = event.created_at
            self.decision_reason = str(payload.get("reason") or to_status)
        elif target is CaseStatus.OPEN:
            self.decided_at = self.decision_reason = self.dismissal_kind = None
            self.rectification_due_at = None
        if target is CaseStatus.DISMISSED:
            self.dismissal_kind = _text(payload.get("dismissal_kind"))
        if target is CaseStatus.RECTIFICATION_DUE and event.kind == "transition":
            self.rectification_due_at = _moment(payload.get("due_at"))


def replay(session: Session) -> dict[int, CaseTrail]:
    """Every case's entries folded in chain order (entries of other kinds skipped, payloads never all held)."""
    trails: dict[int, CaseTrail] = {}
    query = (
        select(CaseEvent)
        .where(CaseEvent.case_id.is_not(None), CaseEvent.kind.in_(MOVES | FIELD_KINDS))
        .order_by(CaseEvent.seq)
        .execution_options(yield_per=500)
    )
    for event in session.scalars(query):
        assert event.case_id is not None
        trails.setdefault(event.case_id, CaseTrail()).apply(event)
    return trails


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        except ValueError:
            return None
    return None


def _same(stored: Any, derived: Any) -> bool:
    if isinstance(stored, dt.datetime) or isinstance(derived, dt.datetime):
        if stored is None or derived is None:
            return stored is derived
        if isinstance(derived, str):
            derived = _moment(derived)
        return derived is not None and stored.astimezone(dt.UTC) == derived.astimezone(dt.UTC)
    return bool(stored == derived)


def _show(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return repr(value)


ROW_FIELDS = (
    "decided_at",
    "decision_reason",
    "dismissal_kind",
    "rectification_due_at",
    "assignee",
    "confidence",
    "confidence_reasons",
    "reopen_count",
)


def case_problems(session: Session) -> Iterator[str]:
    """One line per case field, comment or waiver that its audit entries do not account for."""
    trails = replay(session)
    rows: set[int] = set()
    for case in session.scalars(select(Case).order_by(Case.id).execution_options(yield_per=500)):
        rows.add(case.id)
        trail = trails.get(case.id)
        if trail is None or trail.status is None:
            yield f"case {case.id} is {case.status!r} but has no entry that set a status"
            continue
        for problem in trail.problems:
            yield f"case {case.id}: {problem}"
        if case.status != trail.status:
            yield (
                f"case {case.id} is {case.status!r} but its events lead to {trail.status!r} "
                "(the status was changed without a recorded transition)"
            )
        for name in ROW_FIELDS:
            stored, derived = getattr(case, name), getattr(trail, name)
            if name == "confidence_reasons":
                stored = list(stored or [])
            if not _same(stored, derived):
                yield (
                    f"case {case.id}: {name} is {_show(stored)} but its entries say {_show(derived)} "
                    "(changed without a recorded entry)"
                )
        for name, derived in trail.identity.items():
            if not _same(getattr(case, name), derived):
                yield (
                    f"case {case.id}: {name} is {_show(getattr(case, name))} but it was opened with "
                    f"{_show(derived)} (changed without a recorded entry)"
                )
    for case_id in sorted(set(trails) - rows):
        # The entries outlive the row only when it was deleted behind the database's back (foreign keys
        # off, as in the sqlite3 shell): a case that vanished is the biggest edit of all.
        yield f"case {case_id} is in the audit trail but its row was deleted"
    yield from _comment_problems(session, trails)
    yield from _waiver_problems(session, trails)


def _comment_problems(session: Session, trails: dict[int, CaseTrail]) -> Iterator[str]:
    seen: set[int] = set()
    query = select(CaseComment).order_by(CaseComment.id).execution_options(yield_per=500)
    for comment in session.scalars(query):
        seen.add(comment.id)
        recorded = trails.get(comment.case_id, CaseTrail()).comments.get(comment.id)
        if recorded is None:
            yield f"case {comment.case_id}: comment {comment.id} has no audit entry (added without one)"
        elif recorded[:2] != (comment.author, comment.body):
            yield f"case {comment.case_id}: comment {comment.id} differs from its audit entry (edited)"
    for case_id, trail in trails.items():
        for comment_id in sorted(set(trail.comments) - seen):
            yield f"case {case_id}: comment {comment_id} is in the audit trail but was deleted"


def _waiver_problems(session: Session, trails: dict[int, CaseTrail]) -> Iterator[str]:
    seen: set[int] = set()
    for waiver in session.scalars(select(Waiver).order_by(Waiver.id)):
        seen.add(waiver.id)
        recorded = trails.get(waiver.case_id, CaseTrail()).waivers.get(waiver.id)
        if recorded is None:
            yield f"case {waiver.case_id}: waiver {waiver.id} has no audit entry (granted without one)"
            continue
        expected = (recorded.reason, recorded.approver, recorded.expires_at, recorded.revoked_at)
        stored = (waiver.reason, waiver.approver, waiver.expires_at, waiver.revoked_at)
        for name, was, now in zip(
            ("reason", "approver", "expires_at", "revoked_at"), expected, stored, strict=True
        ):
            if not _same(now, was):
                yield (
                    f"case {waiver.case_id}: waiver {waiver.id} {name} is {_show(now)} but its entries say "
                    f"{_show(was)} (changed without a recorded entry)"
                )
    for case_id, trail in trails.items():
        for waiver_id in sorted(set(trail.waivers) - seen):
            yield f"case {case_id}: waiver {waiver_id} is in the audit trail but was deleted"
