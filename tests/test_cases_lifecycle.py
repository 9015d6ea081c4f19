"""Case lifecycle: allowed moves, required reasons and deadlines, reopening, re-check after the deadline."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from cases_support import T0, add_finding, add_page, make_case, make_sweep
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.lifecycle import TRANSITIONS, transition
from markwatch.cases.models import Case, CaseEvent, CaseStatus
from markwatch.cases.sent import SendMethod, SentNotice
from markwatch.errors import ConflictError, InputError

S = CaseStatus
ACTOR = "inspector:alice#1"
# A notice served outside markwatch: what a move to notice_sent records.
PAPER = SentNotice(number="沪市监整〔2026〕0001号", sent_on=T0.date(), method=SendMethod.IN_PERSON)


def _case(session: Session, status: CaseStatus = S.OPEN) -> Case:
    case: Case = make_case(session, status.value)
    return case


def _future(days: int = 30) -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def test_full_path_to_closed_is_recorded(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        case = _case(session)
        for target in (S.IN_REVIEW, S.CONFIRMED):
            transition(session, case, target, actor=ACTOR)
        transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=PAPER)
        transition(session, case, S.RECTIFICATION_DUE, actor=ACTOR, due_at=_future())
        transition(session, case, S.CLOSED, actor=ACTOR)
        assert case.status == S.CLOSED
        assert case.decision_reason == "rectified"
        assert case.decided_at is not None
        events = session.query(CaseEvent).order_by(CaseEvent.seq).all()
        assert [(e.from_status, e.to_status) for e in events] == [
            ("open", "in_review"),
            ("in_review", "confirmed"),
            ("confirmed", "notice_sent"),
            ("notice_sent", "rectification_due"),
            ("rectification_due", "closed"),
        ]
        assert all(e.actor == ACTOR for e in events)
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


ILLEGAL = [
    (a, b)
    for a, b in itertools.product(CaseStatus, CaseStatus)
    if b not in TRANSITIONS[a] and not (a in (S.CLOSED, S.DISMISSED) and b is S.OPEN)
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_moves_are_refused(sqlite_url: str, current: CaseStatus, target: CaseStatus) -> None:
    with db.session_scope(sqlite_url) as session:
        case = _case(session, current)
        with pytest.raises(ConflictError, match="cannot move"):
            transition(session, case, target, actor=ACTOR, reason="r")
        assert case.status == current


def test_dismissal_needs_a_reason(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        case = _case(session)
        with pytest.raises(InputError, match="reason"):
            transition(session, case, S.DISMISSED, actor=ACTOR, reason="   ")
        transition(session, case, S.DISMISSED, actor=ACTOR, reason="the page is a news article")
        assert case.decision_reason == "the page is a news article"
        with pytest.raises(InputError, match="reason"):
            transition(session, case, S.OPEN, actor=ACTOR)


@pytest.mark.parametrize(
    "due",
    [
        None,
        dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        # In 2999 as written, in 3000 in UTC; and the last day Python can hold, which overflows in UTC.
        dt.datetime(2999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))),
    ],
)
def test_rectification_needs_a_future_deadline(sqlite_url: str, due: dt.datetime | None) -> None:
    with db.session_scope(sqlite_url) as session:
        case = _case(session, S.NOTICE_SENT)
        with pytest.raises(InputError, match="deadline"):
            transition(session, case, S.RECTIFICATION_DUE, actor=ACTOR, due_at=due)


def test_same_key_is_the_same_case_across_sweeps(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        first = make_sweep(session)
        add_finding(session, first, key="K1")
        add_finding(session, first, key="K2", rule_id="SHS009", severity="medium")
        report = ingest_sweep(session, first.id)
        assert (report.created, report.findings) == (2, 2)
        case = session.query(Case).filter_by(case_key="K1").one()
        transition(session, case, S.IN_REVIEW, actor=ACTOR)
        transition(session, case, S.CONFIRMED, actor=ACTOR)
        again = ingest_sweep(session, first.id)
        assert (again.created, again.findings) == (0, 0)
        second = make_sweep(session)
        add_finding(session, second, key="K1", observed_at=T0 + dt.timedelta(days=7))
        report = ingest_sweep(session, second.id)
        assert (report.created, report.updated) == (0, 1)
        assert case.status == S.CONFIRMED
        assert len(case.findings) == 2
        assert case.last_seen_at == T0 + dt.timedelta(days=7)
        assert case.first_seen_at == T0
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


def test_decided_case_reopens_when_seen_after_the_decision(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session)
        add_finding(session, sweep, key="K", observed_at=T0)
        ingest_sweep(session, sweep.id)
        case = session.query(Case).filter_by(case_key="K").one()
        transition(session, case, S.DISMISSED, actor=ACTOR, reason="wording was fixed")
        decided = case.decided_at
        assert decided is not None
        # An older observation ingested late is not a recurrence.
        late = make_sweep(session)
        add_finding(session, late, key="K", observed_at=decided - dt.timedelta(hours=1))
        assert ingest_sweep(session, late.id).reopened == 0
        assert case.status == S.DISMISSED
        later = make_sweep(session)
        add_finding(session, later, key="K", observed_at=decided + dt.timedelta(days=1))
        assert ingest_sweep(session, later.id).reopened == 1
        assert case.status == S.OPEN
        assert case.reopen_count == 1
        assert case.decided_at is None
        kinds = [e.kind for e in session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq)]
        assert kinds == ["opened", "transition", "reopened"]


def _awaiting(session: Session, due: dt.datetime) -> Case:
    sweep = make_sweep(session)
    add_finding(session, sweep, key="R", observed_at=T0)
    ingest_sweep(session, sweep.id)
    case = session.query(Case).filter_by(case_key="R").one()
    for target in (S.IN_REVIEW, S.CONFIRMED):
        transition(session, case, target, actor=ACTOR)
    transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=PAPER)
    transition(session, case, S.RECTIFICATION_DUE, actor=ACTOR, due_at=due, now=due - dt.timedelta(days=14))
    return case


def test_recheck_after_deadline_closes_when_gone(db_url: str) -> None:
    due = T0 + dt.timedelta(days=14)
    with db.session_scope(db_url) as session:
        case = _awaiting(session, due)
        before = make_sweep(session)
        add_page(session, before, fetched_at=due - dt.timedelta(days=1))
        assert ingest_sweep(session, before.id).closed == 0
        assert case.status == S.RECTIFICATION_DUE
        after = make_sweep(session)
        add_page(session, after, fetched_at=due + dt.timedelta(days=1))
        assert ingest_sweep(session, after.id).closed == 1
        assert case.status == S.CLOSED
        assert case.decision_reason == "rectified"


def test_the_same_misuse_named_for_another_claimant_is_not_rectified(db_url: str) -> None:
    # A newer extractor ties the page's claim to another claimant (its maker rather than its shop): the
    # finding's key changes, the misuse does not. The waiting case must not close as "rectified".
    due = T0 + dt.timedelta(days=14)
    with db.session_scope(db_url) as session:
        case = _awaiting(session, due)
        after = make_sweep(session)
        add_page(session, after, fetched_at=due + dt.timedelta(days=1))
        add_finding(
            session, after, key="R-maker", claimant="别家制造有限公司", observed_at=due + dt.timedelta(days=1)
        )
        report = ingest_sweep(session, after.id)
        assert report.closed == 0 and case.status == S.RECTIFICATION_DUE
        # Another rule on that page is no trace of this case's misuse: a clean re-check still closes it.
        clean = make_sweep(session)
        add_page(session, clean, fetched_at=due + dt.timedelta(days=2))
        add_finding(session, clean, key="other", rule_id="SHS009", observed_at=due + dt.timedelta(days=2))
        assert ingest_sweep(session, clean.id).closed == 1
        assert case.status == S.CLOSED


def test_recheck_after_deadline_escalates_when_still_there(db_url: str) -> None:
    due = T0 + dt.timedelta(days=14)
    with db.session_scope(db_url) as session:
        case = _awaiting(session, due)
        within = make_sweep(session)
        add_page(session, within, fetched_at=due - dt.timedelta(days=1))
        add_finding(session, within, key="R", observed_at=due - dt.timedelta(days=1))
        assert ingest_sweep(session, within.id).escalated == 0
        assert case.status == S.RECTIFICATION_DUE
        after = make_sweep(session)
        add_page(session, after, fetched_at=due + dt.timedelta(days=2))
        add_finding(session, after, key="R", observed_at=due + dt.timedelta(days=2))
        report = ingest_sweep(session, after.id)
        assert (report.escalated, report.closed) == (1, 0)
        assert case.status == S.ESCALATED
        # A later clean re-check closes the escalated case.
        clean = make_sweep(session)
        add_page(session, clean, fetched_at=due + dt.timedelta(days=9))
        assert ingest_sweep(session, clean.id).closed == 1
        assert case.status == S.CLOSED
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


def test_notice_sent_records_the_notice_that_was_sent(db_url: str) -> None:
    """A case is never marked as notified without a document: number, day sent and how, in the entry."""
    with db.session_scope(db_url) as session:
        case = _case(session, S.CONFIRMED)
        with pytest.raises(InputError, match="notice that was sent"):
            transition(session, case, S.NOTICE_SENT, actor=ACTOR, reason="sent")
        blank = SentNotice(number="  ", sent_on=T0.date(), method=SendMethod.POST)
        with pytest.raises(InputError, match="number is required"):
            transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=blank)
        later = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)
        future = SentNotice(number="X-1", sent_on=later, method=SendMethod.POST)
        with pytest.raises(InputError, match="future"):
            transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=future)
        # "Issued in markwatch" is checked against the chain: no such notice was issued on this case.
        forged = SentNotice(number="X-1", sent_on=T0.date(), method=SendMethod.MARKWATCH)
        with pytest.raises(InputError, match="was issued"):
            transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=forged)
        assert case.status == S.CONFIRMED
        transition(session, case, S.NOTICE_SENT, actor=ACTOR, sent=PAPER)
        event = session.query(CaseEvent).order_by(CaseEvent.seq.desc()).first()
        assert event is not None and event.to_status == S.NOTICE_SENT
        assert event.payload["sent"] == {
            "number": PAPER.number,
            "sent_on": T0.date().isoformat(),
            "method": "in-person",
        }
        with pytest.raises(InputError, match="only applies"):
            transition(session, case, S.DISMISSED, actor=ACTOR, reason="x", sent=PAPER)
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None
