"""Per-rule confirmed precision from inspectors' decisions, and the dismissal kinds it is computed from."""

from __future__ import annotations

import itertools

import pytest
from cases_support import add_finding, make_case, make_sweep, recorded_statements
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseStatus, DismissalKind
from markwatch.cases.precision import rule_precision
from markwatch.errors import InputError

S = CaseStatus
ACTOR = "inspector:alice#1"
_keys = itertools.count()


def _decided(session, rule_id: str, target: CaseStatus, kind: DismissalKind | None = None) -> Case:
    case = make_case(session, S.OPEN.value, key=f"k{next(_keys)}", rule_id=rule_id, severity="medium")
    transition(session, case, S.IN_REVIEW, actor=ACTOR)
    if target is S.DISMISSED:
        transition(session, case, S.DISMISSED, actor=ACTOR, reason="见说明", dismissal_kind=kind)
    else:
        transition(session, case, S.CONFIRMED, actor=ACTOR, reason="确认")
    return case


def test_precision_counts_only_detector_errors_against_a_rule(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        for _ in range(3):
            _decided(session, "SHS008", S.CONFIRMED)
        _decided(session, "SHS008", S.DISMISSED, DismissalKind.NOT_A_CLAIM)
        _decided(session, "SHS008", S.DISMISSED, DismissalKind.WRONG_STANDARD)
        _decided(session, "SHS008", S.DISMISSED)  # kind defaults to other: not the detector's fault
        _decided(session, "SHS001", S.DISMISSED, DismissalKind.NOT_A_CLAIM)
        stats = rule_precision(session)
    shs008 = stats["SHS008"]
    assert (shs008.decided, shs008.confirmed, shs008.not_a_claim, shs008.wrong_standard) == (6, 3, 1, 1)
    assert shs008.dismissed_other == 1
    assert shs008.precision == pytest.approx(3 / 5)
    assert stats["SHS001"].precision == 0.0


def test_precision_window_keeps_the_last_n_decisions(sqlite_url: str) -> None:
    with db.session_scope(sqlite_url) as session:
        for _ in range(4):
            _decided(session, "SHS009", S.CONFIRMED)
        assert rule_precision(session, last_n=2)["SHS009"].decided == 2


def test_dismissal_kind_is_recorded_and_refused_elsewhere(sqlite_url: str) -> None:
    with db.session_scope(sqlite_url) as session:
        case = _decided(session, "SHS008", S.DISMISSED, DismissalKind.NOT_A_CLAIM)
        assert case.dismissal_kind == "not-a-claim"
        transition(session, case, S.OPEN, actor=ACTOR, reason="再看")
        assert case.dismissal_kind is None
        transition(session, case, S.IN_REVIEW, actor=ACTOR)
        with pytest.raises(InputError, match="dismissal_kind"):
            transition(
                session, case, S.CONFIRMED, actor=ACTOR, reason="x", dismissal_kind=DismissalKind.OTHER
            )


def test_ingest_reads_the_decisions_before_it_takes_the_case_write_lock(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The review policy reads every decided case and its newest finding's claim and evidence: under the lock
    an ingest holds for the whole sweep, every inspector's decision waited for that too. A decision made while
    it is read counts from the next sweep."""
    from markwatch.cases import ingest

    with db.session_scope(db_url) as session:
        for _ in range(10):  # PrecisionPolicy.min_judged
            _decided(session, "SHS008", S.DISMISSED, DismissalKind.NOT_A_CLAIM)
        sweep = make_sweep(session)
        add_finding(session, sweep, key="after-the-decisions", rule_id="SHS008")
        sweep_id = sweep.id
    seen: list[str] = []
    locking = ingest.serialise_case_writes

    def lock(session: Session) -> None:
        seen.append("LOCK")
        locking(session)

    monkeypatch.setattr(ingest, "serialise_case_writes", lock)
    with recorded_statements(db_url, into=seen), db.session_scope(db_url) as session:
        report = ingest.ingest_sweep(session, sweep_id)
    assert report.created == 1
    policy = [n for n, s in enumerate(seen) if "case_findings.finding_id" in s and "max(" in s.lower()]
    assert policy and max(policy) < seen.index("LOCK"), seen
    with db.session_scope(db_url) as session:
        case = session.query(Case).filter_by(case_key="after-the-decisions").one()
        assert case.confidence == "review"  # the decisions still send the rule's new finding to review
