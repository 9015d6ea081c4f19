"""Bulk actions from the queue: each selected case moved or assigned on its own (its own stale check and
audit entry), every outcome shown, CSRF-protected."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_support import ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.models import Case, CaseEvent


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, str, str]]:
    data = seed(db_url)
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, db_url, token


def _boxes(html: str) -> dict[int, str]:
    return {
        int(v.split("|")[0]): v for v in re.findall(r'form="bulk-form" name="case" value="([^"]+)"', html)
    }


def _entries(db_url: str, case_id: int, kind: str) -> list[CaseEvent]:
    with db.session_scope(db_url) as session:
        rows = session.query(CaseEvent).filter_by(case_id=case_id, kind=kind).order_by(CaseEvent.seq).all()
        session.expunge_all()
        return rows


def _outcomes(html: str) -> dict[int, str]:
    return {int(i): o for i, o in re.findall(r'<tr data-case-id="(\d+)" data-outcome="([a-z-]+)">', html)}


def test_start_review_on_several_each_on_its_own(console: tuple[TestClient, ConsoleData, str, str]) -> None:
    client, data, db_url, token = console
    boxes = _boxes(client.get("/console/cases").text)
    assert set(boxes) == set(data.cases.values())
    moved_meanwhile = data.cases["hostile"]
    # Someone else starts review on one case after this inspector loaded the queue.
    client.post(
        f"/console/cases/{moved_meanwhile}/transition",
        data={"to": "in_review", "csrf_token": token},
    )
    response = client.post(
        "/console/cases/bulk",
        data={"csrf_token": token, "action": "review", "case": list(boxes.values()), "back": "rule=SHS009"},
    )
    assert response.status_code == 200
    outcomes = _outcomes(response.text)
    assert outcomes == {
        data.cases["expired"]: "done",
        data.cases["wording"]: "done",
        moved_meanwhile: "moved-meanwhile",
    }
    assert "开始审查：2 件已处理，1 件被拒绝。" in response.text
    assert "您选择之后该案件状态已被变更" in response.text
    assert 'href="/console/cases?rule=SHS009" id="back-to-queue"' in response.text
    batches = set()
    for name in ("expired", "wording"):
        [entry] = _entries(db_url, data.cases[name], "transition")
        assert (entry.from_status, entry.to_status) == ("open", "in_review")
        # Each entry says it was one of the three selected at once, and which batch.
        assert entry.payload["bulk_size"] == 3
        batches.add(entry.payload["bulk_batch"])
    assert len(batches) == 1
    history = client.get(f"/console/cases/{data.cases['expired']}").text
    assert "批量操作编号" in history and batches.pop() in history and "批量操作选中案件数" in history
    assert len(_entries(db_url, moved_meanwhile, "transition")) == 1  # only the other inspector's
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


def test_assign_several_refuses_one_assigned_meanwhile(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, db_url, token = console
    boxes = _boxes(client.get("/console/cases").text)
    taken = data.cases["expired"]
    client.post(f"/console/cases/{taken}/assign", data={"assignee": "李四", "csrf_token": token})
    response = client.post(
        "/console/cases/bulk",
        data={"csrf_token": token, "action": "assign", "assign_to": "张三", "case": list(boxes.values())},
    )
    outcomes = _outcomes(response.text)
    assert outcomes[taken] == "assigned-meanwhile"
    assert [o for i, o in outcomes.items() if i != taken] == ["done", "done"]
    with db.session_scope(db_url) as session:
        assignees = {case.id: case.assignee for case in session.query(Case)}
    assert assignees[taken] == "李四" and sorted(assignees.values()) == ["张三", "张三", "李四"]
    # Sent again (a reload of the result page): nothing moves twice, each case says why.
    again = client.post(
        "/console/cases/bulk",
        data={"csrf_token": token, "action": "assign", "assign_to": "张三", "case": list(boxes.values())},
    )
    assert set(_outcomes(again.text).values()) == {"assigned-meanwhile"}
    assert all(len(_entries(db_url, i, "assigned")) == 1 for i in boxes)


def test_bulk_refusals_are_pages_naming_the_field(console: tuple[TestClient, ConsoleData, str, str]) -> None:
    client, _, db_url, token = console
    boxes = list(_boxes(client.get("/console/cases").text).values())
    forged = client.post("/console/cases/bulk", data={"action": "review", "case": boxes})
    assert forged.status_code == 403
    cases = [("review", [], "case"), ("assign", boxes, "assign_to"), ("close", boxes, "action")]
    for action, chosen, field in cases:
        page = client.post(
            "/console/cases/bulk", data={"csrf_token": token, "action": action, "case": chosen}
        )
        assert page.status_code == 422 and f'data-field="{field}"' in page.text, action
        assert 'id="sign-out"' in page.text
    bad = client.post(
        "/console/cases/bulk", data={"csrf_token": token, "action": "review", "case": ["x|open|"]}
    )
    assert bad.status_code == 422
    gone = client.post(
        "/console/cases/bulk", data={"csrf_token": token, "action": "review", "case": ["999999|open|"]}
    )
    assert _outcomes(gone.text) == {999999: "not-found"}
    with db.session_scope(db_url) as session:
        assert {case.status for case in session.query(Case)} == {"open"}


def test_select_this_page_checks_every_box(console: tuple[TestClient, ConsoleData, str, str]) -> None:
    client, _, _, _ = console
    plain = client.get("/console/cases?rule=SHS009").text
    assert 'id="select-page"' in plain and " checked>" not in plain.split('id="case-table"')[1]
    selected = client.get("/console/cases?rule=SHS009&select=page").text
    table = selected.split('id="case-table"')[1]
    assert table.count(" checked>") == 2 and 'id="select-none"' in selected
