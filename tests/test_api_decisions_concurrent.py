"""Concurrent decisions on one case over real HTTP: exactly one is recorded, the others are answered 409.

Inspectors deciding the same case at the same moment (two browser tabs, two colleagues, a retrying client)
must never both be recorded: the audit trail would then hold two moves from one status, and the case row
whatever the last writer left. Tested against a live uvicorn server on SQLite and PostgreSQL, and against
`markwatch serve --workers 2` on SQLite (two processes sharing the file).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cases_support import LiveServer, add_finding, make_keys, make_settings, make_sweep
from test_api_serve import serving

from api.app import create_app
from markwatch import db
from markwatch.cases.checkpoints import verify_audit
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseEvent, CaseStatus

DECISIONS = 12  # half confirm, half dismiss


def _case_in_review(url: str) -> int:
    """A case opened by a sweep and taken into review, with its whole trail recorded."""
    with db.session_scope(url) as session:
        sweep = make_sweep(session)
        add_finding(session, sweep)
        session.flush()
        ingest_sweep(session, sweep.id)
        case = session.query(Case).one()
        transition(session, case, CaseStatus.IN_REVIEW, actor="inspector:seed#0")
        return case.id


def _body(n: int, with_from: bool) -> dict[str, str]:
    body = (
        {"to": "confirmed", "reason": f"misuse, inspector {n}"}
        if n % 2 == 0
        else {"to": "dismissed", "reason": f"not a claim, inspector {n}", "dismissal_kind": "not-a-claim"}
    )
    if with_from:
        body["from_status"] = "in_review"
    return body


async def _decide_all(base: str, key: str, case_id: int, with_from: bool) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=DECISIONS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        return await asyncio.gather(
            *(
                client.post(
                    f"/v1/cases/{case_id}/transitions", json=_body(n, with_from), headers={"X-API-Key": key}
                )
                for n in range(DECISIONS)
            )
        )


def _moves(url: str, case_id: int) -> list[tuple[str | None, str | None]]:
    with db.session_scope(url) as session:
        events = session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq)
        return [(e.from_status, e.to_status) for e in events if e.to_status is not None]


def _audit_problems(url: str) -> list[str]:
    with db.session_scope(url) as session:
        report = verify_audit(session, None)
        return [*([str(report.broken)] if report.broken else []), *report.problems]


def _refusals_are_conflicts(responses: list[httpx.Response]) -> None:
    for response in responses:
        if response.status_code != 200:
            assert response.status_code == 409, response.text
            assert response.json()["error"] == "ConflictError", response.text


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[str, str, str]]:
    key = make_keys(db_url)["inspector"]
    with LiveServer(create_app(make_settings(db_url))) as base:
        yield base, key, db_url


def test_decisions_made_on_the_same_status_one_wins(live: tuple[str, str, str]) -> None:
    base, key, url = live
    case_id = _case_in_review(url)
    responses = asyncio.run(_decide_all(base, key, case_id, with_from=True))
    assert sorted(r.status_code for r in responses) == [200] + [409] * (DECISIONS - 1)
    _refusals_are_conflicts(responses)
    [winner] = [r.json() for r in responses if r.status_code == 200]
    moves = _moves(url, case_id)
    assert moves[:2] == [(None, "open"), ("open", "in_review")]
    assert moves[2:] == [("in_review", winner["status"])]
    with db.session_scope(url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == winner["status"]
        assert case.decision_reason == winner["decision_reason"]
    assert _audit_problems(url) == []


def test_decisions_without_from_status_form_one_valid_path(live: tuple[str, str, str]) -> None:
    """Without from_status a later request may legitimately move on from the winner's status (confirmed ->
    dismissed); what must hold is that every answered 200 is one recorded move, each from the status the
    one before left, and that the row is where the moves lead."""
    base, key, url = live
    case_id = _case_in_review(url)
    responses = asyncio.run(_decide_all(base, key, case_id, with_from=False))
    _refusals_are_conflicts(responses)
    decisions = _moves(url, case_id)[2:]
    assert 1 <= len(decisions) == sum(r.status_code == 200 for r in responses)
    assert decisions[0][0] == "in_review"
    assert all(a[1] == b[0] for a, b in itertools.pairwise(decisions))
    with db.session_scope(url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == decisions[-1][1]
    assert _audit_problems(url) == []


def test_two_server_processes_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    key = make_keys(url)["inspector"]
    case_id = _case_in_review(url)
    db.reset_caches()
    with serving(tmp_path, "--workers", "2", "--no-access-log") as base:
        responses = asyncio.run(_decide_all(base, key, case_id, with_from=True))
    assert sorted(r.status_code for r in responses) == [200] + [409] * (DECISIONS - 1)
    _refusals_are_conflicts(responses)
    assert len(_moves(url, case_id)) == 3
    assert _audit_problems(url) == []
