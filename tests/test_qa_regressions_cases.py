"""QA regression (session 4, defect #2): a decision taken on a stale status is refused.

Copied from the QA pass's tests/test_qa_regressions.py (branch qa); the reproduction is in the QA report.
"""

from __future__ import annotations

import pytest
from cases_support import make_case
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseEvent, CaseStatus
from markwatch.errors import ConflictError

S = CaseStatus
ACTOR = "inspector:alice#1"


def _case(session: Session, status: CaseStatus) -> Case:
    case: Case = make_case(session, status.value, key=f"qa-{status}", rule_id="SHS003")
    return case


def test_a_decision_taken_on_a_stale_status_is_refused(db_url: str) -> None:
    """Two inspectors decide one case at once: both moves were recorded (in_review -> dismissed and
    in_review -> confirmed), and `audit verify` still said OK. The move must be refused when the
    database no longer holds the status it starts from (compare-and-set or a row lock)."""
    with db.session_scope(db_url) as session:
        case_id = _case(session, S.IN_REVIEW).id
    with pytest.raises(ConflictError), db.session_scope(db_url) as first:
        stale = first.get(Case, case_id)
        assert stale is not None and stale.status == S.IN_REVIEW
        with db.session_scope(db_url) as second:
            fresh = second.get(Case, case_id)
            assert fresh is not None
            transition(second, fresh, S.DISMISSED, actor=ACTOR, reason="not a claim")
        transition(first, stale, S.CONFIRMED, actor="inspector:bob#2", reason="misuse")
    with db.session_scope(db_url) as session:
        moves = [
            (event.from_status, event.to_status)
            for event in session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq)
        ]
    assert moves == [("in_review", "dismissed")]
