"""Comments and assignment on a case, each recorded in the audit chain."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from markwatch.cases.audit import append_event, serialise_case_writes
from markwatch.cases.models import Case, CaseComment, CaseEvent
from markwatch.cases.text import storable
from markwatch.db import utcnow
from markwatch.errors import InputError

MAX_COMMENT = 10_000
MAX_ASSIGNEE = 200


def add_comment(session: Session, case: Case, *, author: str, body: str) -> CaseComment:
    """Attach a comment to a case."""
    body = (storable(body, where="body") or "").strip()
    if not body:
        raise InputError("a comment cannot be empty", where="body")
    if len(body) > MAX_COMMENT:
        raise InputError(f"a comment is limited to {MAX_COMMENT} characters", where="body")
    serialise_case_writes(session)
    now = utcnow()
    comment = CaseComment(case_id=case.id, author=author, body=body, created_at=now)
    session.add(comment)
    session.flush()
    append_event(
        session,
        case_id=case.id,
        kind="commented",
        actor=author,
        payload={"comment_id": comment.id, "body": body},
        at=now,
    )
    return comment


def assign(
    session: Session,
    case: Case,
    *,
    assignee: str | None,
    actor: str,
    part_of: Mapping[str, object] | None = None,
) -> CaseEvent:
    """Give a case to an inspector (None unassigns it); `part_of` marks the entry as one of a bulk action."""
    cleaned = (storable(assignee, where="assignee") or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_ASSIGNEE:
        raise InputError(f"an assignee name is limited to {MAX_ASSIGNEE} characters", where="assignee")
    serialise_case_writes(session)
    # Under the lock: the entry's "from" is what the row holds now, not what this session read earlier.
    session.refresh(case, attribute_names=["assignee"])
    previous = case.assignee
    case.assignee = cleaned
    case.updated_at = utcnow()
    session.flush()
    return append_event(
        session,
        case_id=case.id,
        kind="assigned",
        actor=actor,
        payload={"from": previous, "to": cleaned, **(part_of or {})},
        at=case.updated_at,
    )
