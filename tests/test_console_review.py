"""Decisions on a case: reasons and kinds required, a resent form never moves a case twice, local times."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cases_support import recorded_statements
from console_support import ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from markwatch import db
from markwatch.cases.models import Case, CaseEvent


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, str, str]]:
    data = seed(db_url)
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, token, db_url


def _moves(db_url: str, case_id: int) -> list[str | None]:
    with db.session_scope(db_url) as session:
        return [
            e.to_status for e in session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq)
        ]


def test_a_resent_move_lands_on_the_case_without_a_second_entry(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["wording"]
    url = f"/console/cases/{case_id}/transition"
    form = {"to": "in_review", "from": "open", "csrf_token": token}
    first = client.post(url, data=form, follow_redirects=False)
    again = client.post(url, data=form, follow_redirects=False)
    assert first.headers["location"].endswith("?done=moved")
    assert again.status_code == 303 and again.headers["location"].endswith("?done=already")
    assert _moves(db_url, case_id) == ["open", "in_review"]
    # A form for a status the case has left by another path is refused, not applied.
    stale = client.post(
        url,
        data={
            "to": "dismissed",
            "from": "open",
            "reason": "x",
            "dismissal_kind": "other",
            "csrf_token": token,
        },
    )
    assert stale.status_code == 409 and _moves(db_url, case_id) == ["open", "in_review"]


def test_confirm_needs_a_reason_and_dismissal_records_its_kind(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    url = f"/console/cases/{case_id}/transition"
    client.post(url, data={"to": "in_review", "csrf_token": token})
    page = client.get(f"/console/cases/{case_id}").text
    assert re.search(
        r'<label for="reason-confirmed">理由（必填）</label>\s*<input type="text" id="reason-confirmed" name="reason" maxlength="2000" required>',
        page,
    )
    assert client.post(url, data={"to": "confirmed", "reason": "  ", "csrf_token": token}).status_code == 422
    client.post(
        url,
        data={
            "to": "dismissed",
            "reason": "a news article",
            "dismissal_kind": "not-a-claim",
            "csrf_token": token,
        },
    )
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.dismissal_kind == "not-a-claim"
    history = client.get(f"/console/cases/{case_id}").text
    assert "驳回类型：不是声称（新闻、陷阱词、名称等）" in history
    dashboard = client.get("/console/dashboard").text
    row = re.search(r'<tr data-rule="SHS003">(.*?)</tr>', dashboard, flags=re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r'<td class="num">(\d+)</td>', row)[1:4] == [
        "1",
        "0",
        "1",
    ]  # decided, confirmed, not-a-claim
    assert "0%" in row


def test_every_form_field_is_labelled_and_pages_have_a_skip_link(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, _, _ = console
    for path in ("/console/cases", f"/console/cases/{data.cases['wording']}", "/console/dashboard"):
        html = client.get(path).text
        assert '<a class="skip-link" href="#main"' in html and '<main id="main"' in html
        labels = set(re.findall(r'<label for="([^"]+)"', html))
        for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in field or 'type="checkbox"' in field or 'type="radio"' in field:
                continue  # checkboxes and radios sit inside their own <label>
            ident = re.search(r'id="([^"]+)"', field)
            assert ident and ident.group(1) in labels, (path, field)
            assert "placeholder=" not in field


def test_a_resent_move_is_recognised_without_reading_the_case_history(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    """Whether a stale form is the same move sent again is decided under the case-write lock: only the latest
    move's reason is read there (out of its entry, in SQL), not every entry of the case whole."""
    client, data, token, db_url = console
    case_id = data.cases["wording"]
    url = f"/console/cases/{case_id}/transition"
    form = {"to": "in_review", "from": "open", "reason": "先看图片再决定", "csrf_token": token}
    assert client.post(url, data=form, follow_redirects=False).headers["location"].endswith("?done=moved")
    with recorded_statements(db_url) as statements:
        again = client.post(url, data=form, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].endswith("?done=already")
    # A whole payload in a select list (JSON_EXTRACT(case_events.payload, …) or case_events.payload ->> … reads
    # one field of it).
    whole = re.compile(r"(?<!\()\bcase_events\.payload\b(?!\s*->)")
    reads = [s for s in statements if s.startswith("SELECT") and whole.search(s.split(" FROM ")[0])]
    assert reads == []
    assert _moves(db_url, case_id) == ["open", "in_review"]
    other = {**form, "reason": "另一条理由"}
    assert client.post(url, data=other).status_code == 409  # another reason is another move: refused
