"""`audit verify` recomputes every case from its audit entries: edited rows and impossible paths are named.

A whole case history made through the real code paths (sweeps, decisions, a notice deadline, a re-check,
a reopening, assignment, comments, waivers, confidence changes) verifies clean; then each field is changed
the way an insider would (plain SQL), and each impossible path is appended to a valid chain.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cases_support import T0, add_finding, make_sweep
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases.audit import append_event
from markwatch.cases.checkpoints import verify_audit
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseStatus, DismissalKind
from markwatch.cases.notes import add_comment, assign
from markwatch.cases.sent import SendMethod, SentNotice
from markwatch.cases.waivers import grant_waiver, revoke_waiver
from markwatch.cli import cli

S = CaseStatus
ACTOR = "inspector:alice#1"
ADMIN = "admin:root#2"


def _sweep_finding(
    session: Session, observed_at: dt.datetime, *, review: bool = False, state: str = "finished"
) -> int:
    sweep = make_sweep(session)
    sweep.state = state
    finding = add_finding(session, sweep, observed_at=observed_at)
    if review:
        finding.evidence = {
            **finding.evidence,
            "confidence": "review",
            "confidence_reasons": ["use-close-call: near:price"],
        }
    session.flush()
    return sweep.id


def _full_history(url: str) -> int:
    """One case through most of what can happen to it, every step by the code that does it."""
    now = dt.datetime.now(dt.UTC)
    due = now + dt.timedelta(days=10)
    with db.session_scope(url) as session:
        ingest_sweep(session, _sweep_finding(session, T0))
        case = session.query(Case).one()
        transition(session, case, S.IN_REVIEW, actor=ACTOR)
        assign(session, case, assignee="bob", actor=ACTOR)
        add_comment(session, case, author=ACTOR, body="标签上写着“上海标准”")
        transition(session, case, S.CONFIRMED, actor=ACTOR, reason="the label says so")
        sent = SentNotice(number="notice 2026-001", sent_on=now.date(), method=SendMethod.POST)
        transition(session, case, S.NOTICE_SENT, actor=ACTOR, reason="notice 2026-001", sent=sent)
        transition(session, case, S.RECTIFICATION_DUE, actor=ACTOR, due_at=due)
        case_id = case.id
    with db.session_scope(url) as session:
        # Seen again after the deadline, needing review now: escalated, confidence changed.
        ingest_sweep(session, _sweep_finding(session, due + dt.timedelta(days=1), review=True))
        case = session.get(Case, case_id)
        assert case is not None and case.status == S.ESCALATED and case.confidence == "review"
        transition(session, case, S.CLOSED, actor=ACTOR, reason="rectified on a visit")
        waiver = grant_waiver(
            session, case, reason="under appeal", approver=ADMIN, expires_at=now + dt.timedelta(days=30)
        )
        revoke_waiver(session, case, waiver.id, actor=ADMIN)
        grant_waiver(session, case, reason="appeal 2", approver=ADMIN, expires_at=now + dt.timedelta(days=60))
    with db.session_scope(url) as session:
        # Seen again later still, by an incomplete sweep: reopened, reasons marked.
        ingest_sweep(
            session,
            _sweep_finding(session, due + dt.timedelta(days=5), state="interrupted"),
            allow_incomplete=True,
        )
        case = session.get(Case, case_id)
        assert case is not None and case.status == S.OPEN and case.reopen_count == 1
        transition(
            session,
            case,
            S.DISMISSED,
            actor=ACTOR,
            reason="a news page",
            dismissal_kind=DismissalKind.NOT_A_CLAIM,
        )
        assign(session, case, assignee=None, actor=ACTOR)
    return case_id


def _problems(url: str) -> list[str]:
    with db.session_scope(url) as session:
        report = verify_audit(session, None)
        assert report.broken is None
        return report.problems


def test_a_history_made_by_the_code_verifies(db_url: str) -> None:
    _full_history(db_url)
    assert _problems(db_url) == []


EDITS = [
    ("rectification_due_at = :later", "rectification_due_at"),
    ("decision_reason = 'forged'", "decision_reason"),
    ("assignee = 'mallory'", "assignee"),
    ("dismissal_kind = 'other'", "dismissal_kind"),
    ("confidence = 'review'", "confidence"),
    ("confidence_reasons = '[]'", "confidence_reasons"),
    ("reopen_count = 0", "reopen_count"),
    ("decided_at = :later", "decided_at"),
    ("claimant = '别的公司'", "claimant"),
    ("rule_id = 'SHS001'", "rule_id"),
]


@pytest.mark.parametrize(("assignment", "field"), EDITS)
def test_a_field_changed_without_an_entry_is_named(db_url: str, assignment: str, field: str) -> None:
    case_id = _full_history(db_url)
    with db.session_scope(db_url) as session:
        later = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
        session.execute(
            text(f"UPDATE cases SET {assignment} WHERE id = :id"), {"later": later, "id": case_id}
        )
    problems = _problems(db_url)
    assert len(problems) == 1, problems
    assert (
        problems[0].startswith(f"case {case_id}: {field} is ") and "without a recorded entry" in problems[0]
    )


def test_the_qa_edit_is_reported_by_the_command(db_url: str) -> None:
    """QA #17: UPDATE cases SET rectification_due_at=…, decision_reason='forged', assignee=… went unnoticed."""
    case_id = _full_history(db_url)
    with db.session_scope(db_url) as session:
        session.execute(
            text(
                "UPDATE cases SET rectification_due_at = :due, decision_reason = 'forged', assignee = 'x' "
                "WHERE id = :id"
            ),
            {"due": dt.datetime(2030, 1, 1, tzinfo=dt.UTC), "id": case_id},
        )
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1, result.output
    named = [line for line in result.output.splitlines() if line.startswith("PROBLEM:")]
    assert {line.split(": ", 2)[2].split(" ")[0] for line in named} == {
        "rectification_due_at",
        "decision_reason",
        "assignee",
    }


ROW_EDITS = [
    ("UPDATE case_comments SET body = 'nothing happened'", "comment 1 differs from its audit entry"),
    ("DELETE FROM case_comments", "comment 1 is in the audit trail but was deleted"),
    ("UPDATE waivers SET expires_at = :later WHERE id = 2", "waiver 2 expires_at is"),
    ("UPDATE waivers SET revoked_at = NULL WHERE id = 1", "waiver 1 revoked_at is"),
    ("UPDATE waivers SET reason = 'approved' WHERE id = 2", "waiver 2 reason is"),
    (
        "INSERT INTO waivers (case_id, reason, approver, expires_at, created_at) "
        "VALUES (:case_id, 'quiet', 'admin:x#9', :later, :later)",
        "waiver 3 has no audit entry",
    ),
]


@pytest.mark.parametrize(("statement", "expected"), ROW_EDITS)
def test_comments_and_waivers_are_checked_against_their_entries(
    db_url: str, statement: str, expected: str
) -> None:
    case_id = _full_history(db_url)
    with db.session_scope(db_url) as session:
        params = {"later": dt.datetime(2031, 1, 1, tzinfo=dt.UTC), "case_id": case_id}
        session.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    problems = _problems(db_url)
    assert len(problems) == 1 and problems[0].startswith(f"case {case_id}: {expected}"), problems


def _appended(db_url: str, kind: str, from_status: str, to_status: str) -> list[str]:
    case_id = _full_history(db_url)  # ends dismissed
    with db.session_scope(db_url) as session:
        append_event(
            session,
            case_id=case_id,
            kind=kind,
            actor="inspector:bob#2",
            from_status=from_status,
            to_status=to_status,
        )
        session.execute(text("UPDATE cases SET status = :s WHERE id = :id"), {"s": to_status, "id": case_id})
    return _problems(db_url)


def test_a_move_from_a_status_the_case_no_longer_had_is_named(db_url: str) -> None:
    """QA #2: in_review -> dismissed and in_review -> confirmed both recorded, and verify said OK."""
    problems = _appended(db_url, "transition", "in_review", "confirmed")
    assert any(
        "moves it from in_review to confirmed, but the status before was dismissed" in p for p in problems
    ), problems


def test_a_step_the_lifecycle_does_not_allow_is_named(db_url: str) -> None:
    problems = _appended(db_url, "transition", "dismissed", "closed")
    assert any("a step the lifecycle does not allow" in p for p in problems), problems
