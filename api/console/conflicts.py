"""A form refused because the case changed after the inspector loaded the page.

The case page is shown again (409) with what changed, by whom and when, and with everything the inspector
typed back in its form: a stale form is never applied, and never thrown away without a word either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.console.i18n import Translator
from markwatch.cases.models import CaseEvent

# The audit kinds that change a case's status, and the one that changes its assignee.
_MOVE_KINDS = frozenset({"transition", "reopened", "recheck_clean", "recheck_seen"})
_ASSIGN_KINDS = frozenset({"assigned"})
_NOTICE_KIND = "notice_issued"


@dataclass(frozen=True)
class Conflict:
    """What was refused (`move`, `assign` or `notice`), the change that made the form stale, and the typed
    values."""

    what: str
    typed: dict[str, str] = field(default_factory=dict)
    # The audit entry that made the form stale (None when the case changed without one we can name).
    event: CaseEvent | None = None

    def typed_for_move(self, target: str) -> dict[str, str]:
        """The typed values to put back into the form of the move `target` (empty for other forms)."""
        return self.typed if self.what == "move" and self.typed.get("to") == target else {}


def last_change(events: list[CaseEvent], what: str) -> CaseEvent | None:
    """The latest audit entry of the kind that made a `what` form stale."""
    kinds = _MOVE_KINDS if what == "move" else _ASSIGN_KINDS
    return next((event for event in reversed(events) if event.kind in kinds), None)


def latest_seq(session: Session, case_id: int, what: str) -> int:
    """The audit seq of the case's latest entry of the kind that makes a `what` form stale (0 for none), read
    without the entries' payloads."""
    kinds = _MOVE_KINDS if what == "move" else _ASSIGN_KINDS
    query = select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(kinds))
    return int(session.scalar(query) or 0)


def latest_move_reason(session: Session, case_id: int) -> str:
    """The reason recorded with the case's latest move ("" for none), read out of its entry alone."""
    query = (
        select(CaseEvent.payload["reason"].as_string())
        .where(CaseEvent.case_id == case_id, CaseEvent.kind.in_(_MOVE_KINDS))
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    )
    return str(session.scalar(query) or "")


def comment_draft(conflict: Conflict | None, allowed_moves: list[str]) -> str:
    """A reason typed for a move that can no longer be made goes into the comment box, to keep as a note."""
    if conflict is None or conflict.what != "move":
        return ""
    if conflict.typed.get("to") in allowed_moves:
        return ""
    return conflict.typed.get("reason", "")


def notice_change(events: list[CaseEvent], seen: int | None) -> CaseEvent | None:
    """What made a notice form stale: the notice issued after the inspector's preview (audit seq `seen`), else
    the latest move since (every entry when the form does not say what it saw)."""
    later = [event for event in events if seen is None or event.seq > seen]
    notice = next((event for event in reversed(later) if event.kind == _NOTICE_KIND), None)
    return notice if notice is not None else last_change(later, "move")


def notice_draft(t: Translator, typed: dict[str, str]) -> str:
    """The fields of a notice that can no longer be issued, as a note for the comment box."""
    blank = t("notice.uscc_unknown")
    values = {name: (typed.get(name) or "").strip() or blank for name in ("deadline", "enterprise", "uscc")}
    return t("conflict.notice_draft", **values)
