"""Bulk actions at the same moment as other bulk actions and single decisions, over real HTTP (SQLite file and
PostgreSQL).

Every request is sent while another writer holds the database (SQLite's write lock, PostgreSQL's case-writes
lock), so each has read what it needs before any of them writes: what must hold is that each case is moved or
assigned once, the other request is told so for that case (moved or assigned meanwhile, or the case page's
conflict), and the audit chain, replayed, accounts for every case row.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from cases_support import LiveServer, add_finding, make_sweep
from console_support import console_app, seed, sign_in
from test_console_bulk import _boxes, _outcomes
from test_console_notice_numbers import two_processes, writer_holding

from markwatch import db
from markwatch.cases.checkpoints import verify_audit
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import Case, CaseEvent


def _at_once(db_url: str, sends: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Send every request from its own thread while another writer holds the database, then let them run."""
    answers: dict[int, httpx.Response] = {}

    def send(n: int) -> None:
        answers[n] = sends[n]()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(sends))]
    with writer_holding(db_url):
        for thread in threads:
            thread.start()
        time.sleep(1.5)  # every request has read what it needs and waits for the lock
    for thread in threads:
        thread.join(timeout=90)
    assert len(answers) == len(sends), "a request did not come back"
    return [answers[n] for n in range(len(sends))]


def _entries(db_url: str, kind: str) -> dict[int, list[CaseEvent]]:
    with db.session_scope(db_url) as session:
        rows = session.query(CaseEvent).filter_by(kind=kind).order_by(CaseEvent.seq).all()
        session.expunge_all()
    by_case: dict[int, list[CaseEvent]] = {}
    for row in rows:
        assert row.case_id is not None
        by_case.setdefault(row.case_id, []).append(row)
    return by_case


def _audit_holds(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        report = verify_audit(session, None)
    assert report.broken is None and report.problems == [], (report.broken, report.problems)


class Inspectors:
    """Signed-in clients of one live server, each with its CSRF token and the queue's boxes as it saw them."""

    def __init__(self, base: str, keys: list[str]) -> None:
        self.clients = [httpx.Client(base_url=base, timeout=90) for _ in keys]
        self.tokens = [sign_in(client, key) for client, key in zip(self.clients, keys, strict=True)]
        self.boxes = [self._queue(client) for client in self.clients]

    @staticmethod
    def _queue(client: httpx.Client) -> dict[int, str]:
        """Every box of the queue, page by page, as the inspector saw them."""
        boxes: dict[int, str] = {}
        while True:
            page = _boxes(client.get("/console/cases", params={"offset": len(boxes)}).text)
            if not page.keys() - boxes.keys():
                return boxes
            boxes.update(page)

    def bulk(self, n: int, action: str, case_ids: list[int], **extra: str) -> Callable[[], httpx.Response]:
        data = {"csrf_token": self.tokens[n], "action": action, "case": [self.boxes[n][i] for i in case_ids]}
        return lambda: self.clients[n].post("/console/cases/bulk", data={**data, **extra})

    def close(self) -> None:
        for client in self.clients:
            client.close()


def test_two_bulk_reviews_of_overlapping_selections_move_each_case_once(db_url: str) -> None:
    data = seed(db_url)
    ids = sorted(data.cases.values())
    with LiveServer(console_app(db_url)) as base:
        inspectors = Inspectors(base, [data.keys["inspector"], data.keys["admin"]])
        try:
            # Overlapping, in opposite orders: each case is its own transaction, so neither waits on the other.
            first, second = ids, list(reversed(ids))
            answers = _at_once(
                db_url, [inspectors.bulk(0, "review", first), inspectors.bulk(1, "review", second)]
            )
        finally:
            inspectors.close()
    assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
    outcomes = [_outcomes(a.text) for a in answers]
    for case_id in ids:
        # Moved by one of them; the other is told, for that case, that it was moved meanwhile.
        assert sorted(o[case_id] for o in outcomes) == ["done", "moved-meanwhile"], (case_id, outcomes)
    moves = _entries(db_url, "transition")
    assert {case_id: [(e.from_status, e.to_status) for e in moves[case_id]] for case_id in ids} == {
        case_id: [("open", "in_review")] for case_id in ids
    }
    _audit_holds(db_url)


def test_a_bulk_review_and_a_decision_on_one_of_its_cases_at_the_same_moment(db_url: str) -> None:
    data = seed(db_url)
    ids = sorted(data.cases.values())
    contested = data.cases["wording"]
    reason = "页面写的是企业名称，不是标识使用，驳回"
    with LiveServer(console_app(db_url)) as base:
        inspectors = Inspectors(base, [data.keys["inspector"], data.keys["admin"]])
        try:
            client, token = inspectors.clients[1], inspectors.tokens[1]
            decision = {
                "to": "dismissed",
                "from": "open",
                "reason": reason,
                "dismissal_kind": "not-a-claim",
                "csrf_token": token,
            }

            def decide() -> httpx.Response:
                return client.post(f"/console/cases/{contested}/transition", data=decision)

            bulk, single = _at_once(db_url, [inspectors.bulk(0, "review", ids), decide])
        finally:
            inspectors.close()
    assert bulk.status_code == 200, bulk.text[:300]
    outcomes = _outcomes(bulk.text)
    assert all(outcomes[i] == "done" for i in ids if i != contested), outcomes
    with db.session_scope(db_url) as session:
        status = {case.id: case.status for case in session.query(Case)}
    moves = _entries(db_url, "transition")
    assert len(moves[contested]) == 1  # one of the two, never both
    if status[contested] == "dismissed":
        # The decision won: the bulk action names the case as moved meanwhile.
        assert single.status_code == 303 and single.headers["location"].endswith("?done=moved")
        assert outcomes[contested] == "moved-meanwhile"
    else:
        # The bulk action won: the decision is refused on the case page, its reason kept.
        assert status[contested] == "in_review" and outcomes[contested] == "done"
        assert single.status_code == 409 and 'id="conflict"' in single.text, single.text[:300]
        assert reason in single.text
    _audit_holds(db_url)


def test_two_bulk_assignments_of_overlapping_selections_assign_each_case_once(db_url: str) -> None:
    data = seed(db_url)
    ids = sorted(data.cases.values())
    with LiveServer(console_app(db_url)) as base:
        inspectors = Inspectors(base, [data.keys["inspector"], data.keys["admin"]])
        try:
            answers = _at_once(
                db_url,
                [
                    inspectors.bulk(0, "assign", ids, assign_to="张三"),
                    inspectors.bulk(1, "assign", list(reversed(ids)), assign_to="李四"),
                ],
            )
        finally:
            inspectors.close()
    assert [a.status_code for a in answers] == [200, 200], [a.text[:300] for a in answers]
    outcomes = [_outcomes(a.text) for a in answers]
    with db.session_scope(db_url) as session:
        assignees = {case.id: case.assignee for case in session.query(Case)}
    assigned = _entries(db_url, "assigned")
    for case_id in ids:
        assert sorted(o[case_id] for o in outcomes) == ["assigned-meanwhile", "done"], (case_id, outcomes)
        [entry] = assigned[case_id]
        winner = 0 if outcomes[0][case_id] == "done" else 1
        assert assignees[case_id] == ("张三", "李四")[winner] == entry.payload["to"]
    _audit_holds(db_url)


def _more_open_cases(db_url: str, count: int) -> None:
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session, target="more")
        for n in range(count):
            add_finding(session, sweep, key=f"more-{n}", page_url=f"https://shop.example.com/more/{n}")
        session.flush()
        ingest_sweep(session, sweep.id)


def _many_at_once(base: str, db_url: str, keys: list[str], ids: list[int]) -> list[dict[int, str]]:
    """Three bulk reviews of overlapping selections (each in its own order) at the same moment."""
    chooser = random.Random(30)
    selections = [chooser.sample(ids, k=len(ids) * 2 // 3) for _ in keys]
    inspectors = Inspectors(base, keys)
    try:
        answers = _at_once(
            db_url, [inspectors.bulk(n, "review", chosen) for n, chosen in enumerate(selections)]
        )
    finally:
        inspectors.close()
    assert [a.status_code for a in answers] == [200] * len(keys), [a.text[:300] for a in answers]
    outcomes = [_outcomes(a.text) for a in answers]
    for n, chosen in enumerate(selections):
        assert set(outcomes[n]) == set(chosen)
    return outcomes


def _each_moved_once(db_url: str, ids: list[int], outcomes: list[dict[int, str]]) -> None:
    moves = _entries(db_url, "transition")
    for case_id in ids:
        said = sorted(o[case_id] for o in outcomes if case_id in o)
        if said:
            assert said == ["done"] + ["moved-meanwhile"] * (len(said) - 1), (case_id, said)
            assert [(e.from_status, e.to_status) for e in moves[case_id]] == [("open", "in_review")]
        else:
            assert case_id not in moves
    _audit_holds(db_url)


def test_three_bulk_reviews_of_many_overlapping_cases(db_url: str) -> None:
    data = seed(db_url)
    _more_open_cases(db_url, 27)
    with db.session_scope(db_url) as session:
        ids = sorted(case.id for case in session.query(Case))
    keys = [data.keys["inspector"], data.keys["admin"], data.keys["inspector"]]
    with LiveServer(console_app(db_url)) as base:
        outcomes = _many_at_once(base, db_url, keys, ids)
    _each_moved_once(db_url, ids, outcomes)


def test_three_bulk_reviews_on_two_server_processes_sharing_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    data = seed(url)
    _more_open_cases(url, 27)
    with db.session_scope(url) as session:
        ids = sorted(case.id for case in session.query(Case))
    db.reset_caches()
    keys = [data.keys["inspector"], data.keys["admin"], data.keys["inspector"]]
    with two_processes(tmp_path, url) as base:
        outcomes = _many_at_once(base, url, keys, ids)
    _each_moved_once(url, ids, outcomes)
