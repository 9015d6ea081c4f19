"""Console actions go through markwatch.cases: every move, comment, assignment and waiver is audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from cases_support import recorded_statements
from console_support import ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.models import Case, CaseEvent

# A paper notice served on an inspection: what the console's secondary form records.
PAPER = {"notice_number": "沪市监整〔2026〕0007号", "sent_on": "2026-01-05", "send_method": "in-person"}


@pytest.fixture
def console(db_url: str) -> Iterator[tuple[TestClient, ConsoleData, str]]:
    data = seed(db_url)
    with TestClient(console_app(db_url)) as client:
        yield client, data, db_url


def _events(db_url: str, case_id: int) -> list[tuple[str, str, str | None, dict[str, object]]]:
    with db.session_scope(db_url) as session:
        rows = session.query(CaseEvent).filter(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        return [(e.kind, e.actor, e.to_status, dict(e.payload)) for e in rows]


def _status(db_url: str, case_id: int) -> str:
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.status


def test_full_lifecycle_through_forms_is_audited(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    case_id = data.cases["wording"]
    url = f"/console/cases/{case_id}"
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).date().isoformat()
    for target, extra in (
        ("in_review", {}),
        ("confirmed", {"reason": "certification wording on the listing"}),
        ("notice_sent", PAPER),
        ("rectification_due", {"due_on": due}),
    ):
        response = client.post(
            f"{url}/transition", data={"to": target, "csrf_token": token, **extra}, follow_redirects=False
        )
        assert response.status_code == 303, response.text
        flash = "sent_recorded" if target == "notice_sent" else "moved"
        assert response.headers["location"] == f"{url}?done={flash}"
        assert _status(db_url, case_id) == target
    events = _events(db_url, case_id)
    assert [(kind, to) for kind, _, to, _ in events] == [
        ("opened", "open"),
        ("transition", "in_review"),
        ("transition", "confirmed"),
        ("transition", "notice_sent"),
        ("transition", "rectification_due"),
    ]
    assert all(actor.startswith("inspector:test-inspector#") for _, actor, _, _ in events[1:])
    assert events[2][3]["reason"] == "certification wording on the listing"
    assert str(events[4][3]["due_at"]).startswith(due)
    page = client.get(f"{url}?done=moved").text
    assert 'id="flash"' in page and len(re.findall(r'class="audit-entry"', page)) == 5
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


def test_refused_moves_show_why(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    url = f"/console/cases/{data.cases['wording']}"
    illegal = client.post(f"{url}/transition", data={"to": "closed", "csrf_token": token})
    assert illegal.status_code == 409 and "cannot move to closed" in illegal.text
    no_kind = client.post(
        f"{url}/transition", data={"to": "dismissed", "reason": "news", "csrf_token": token}
    )
    assert no_kind.status_code == 422 and "请选择驳回类型" in no_kind.text
    no_reason = client.post(
        f"{url}/transition", data={"to": "dismissed", "dismissal_kind": "other", "csrf_token": token}
    )
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.text
    unknown = client.post(f"{url}/transition", data={"to": "<b>x</b>", "csrf_token": token})
    assert unknown.status_code == 422 and "&lt;b&gt;x&lt;/b&gt;" in unknown.text
    assert _status(db_url, data.cases["wording"]) == "open"
    client.post(f"{url}/transition", data={"to": "in_review", "csrf_token": token})
    unexplained = client.post(f"{url}/transition", data={"to": "confirmed", "csrf_token": token})
    assert unexplained.status_code == 422 and "short reason" in unexplained.text
    client.post(f"{url}/transition", data={"to": "confirmed", "reason": "wording", "csrf_token": token})
    client.post(f"{url}/transition", data={"to": "notice_sent", "csrf_token": token, **PAPER})
    past = client.post(
        f"{url}/transition", data={"to": "rectification_due", "due_on": "2020-01-01", "csrf_token": token}
    )
    assert past.status_code == 422 and "整改期限须在今天之后" in past.text
    far = client.post(
        f"{url}/transition", data={"to": "rectification_due", "due_on": "9999-12-31", "csrf_token": token}
    )
    assert far.status_code == 422 and "整改期限过远" in far.text and "365 天内" in far.text
    assert _status(db_url, data.cases["wording"]) == "notice_sent"


def test_dismiss_and_reopen_need_reasons(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    case_id = data.cases["expired"]
    url = f"/console/cases/{case_id}/transition"
    client.post(
        url,
        data={
            "to": "dismissed",
            "reason": "satire page",
            "dismissal_kind": "not-a-claim",
            "csrf_token": token,
        },
    )
    assert _status(db_url, case_id) == "dismissed"
    assert client.post(url, data={"to": "open", "csrf_token": token}).status_code == 422
    client.post(url, data={"to": "open", "reason": "page changed", "csrf_token": token})
    assert _status(db_url, case_id) == "open"
    moves = [p for k, _, _, p in _events(db_url, case_id) if k == "transition"]
    assert [p.get("reason") for p in moves] == ["satire page", "page changed"]
    assert moves[0]["dismissal_kind"] == "not-a-claim"


def test_comment_and_assign(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    case_id = data.cases["expired"]
    url = f"/console/cases/{case_id}"
    assert client.post(f"{url}/comment", data={"body": "  ", "csrf_token": token}).status_code == 422
    client.post(f"{url}/comment", data={"body": "checked <the> archive", "csrf_token": token})
    client.post(f"{url}/assign", data={"assignee": "inspector-bob", "csrf_token": token})
    page = client.get(url).text
    assert "checked &lt;the&gt; archive" in page
    assert 'id="assignee">inspector-bob<' in page
    kinds = [(kind, payload) for kind, _, _, payload in _events(db_url, case_id)]
    assert kinds[-2] == (
        "commented",
        {"comment_id": kinds[-2][1]["comment_id"], "body": "checked <the> archive"},
    )
    assert kinds[-1] == ("assigned", {"from": None, "to": "inspector-bob"})
    client.post(f"{url}/assign", data={"assignee": "", "csrf_token": token})
    assert _events(db_url, case_id)[-1][3] == {"from": "inspector-bob", "to": None}


def test_waivers_are_approved_by_admins_only(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, db_url = console
    case_id = data.cases["wording"]
    url = f"/console/cases/{case_id}"
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).date().isoformat()
    token = sign_in(client, data.keys["inspector"])
    page = client.get(url).text
    assert 'id="waiver-form"' not in page
    refused = client.post(
        f"{url}/waivers", data={"reason": "appeal", "expires_on": until, "csrf_token": token}
    )
    assert refused.status_code == 403
    client.cookies.clear()
    token = sign_in(client, data.keys["admin"])
    assert client.post(f"{url}/waivers", data={"reason": "appeal", "csrf_token": token}).status_code == 422
    granted = client.post(
        f"{url}/waivers", data={"reason": "licence under appeal", "expires_on": until, "csrf_token": token}
    )
    assert granted.status_code == 200 and 'id="waived-badge"' in granted.text
    waiver_id = int(re.search(r"/waivers/(\d+)/revoke", granted.text).group(1))  # type: ignore[union-attr]
    revoked = client.post(f"{url}/waivers/{waiver_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 200 and 'id="waived-badge"' not in revoked.text
    kinds = [kind for kind, _, _, _ in _events(db_url, case_id)]
    assert kinds[-2:] == ["waiver_granted", "waiver_revoked"]
    assert _events(db_url, case_id)[-2][1].startswith("admin:test-admin#")


def test_an_oversized_form_field_is_an_html_page_naming_it(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    client, data, _ = console
    token = sign_in(client, data.keys["inspector"])
    url = f"/console/cases/{data.cases['expired']}/comment"
    response = client.post(url, data={"body": "x" * 10_001, "csrf_token": token})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="error-message"' in response.text and "Invalid input: body." in response.text


def test_a_case_is_marked_notified_only_with_the_notice_served(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    """On a confirmed case issuing a notice is the primary action; a notice served outside markwatch is
    recorded on a folded secondary form by number, day and how, and a bare "notice sent" is refused."""
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    case_id = data.cases["wording"]
    url = f"/console/cases/{case_id}"
    client.post(f"{url}/transition", data={"to": "in_review", "csrf_token": token})
    client.post(f"{url}/transition", data={"to": "confirmed", "reason": "wording", "csrf_token": token})
    page = client.get(url).text
    primary = re.findall(r'<button type="submit"[^>]*class="primary"[^>]*>([^<]*)<', page)
    assert primary == ["预览通知书"], primary
    assert re.search(r'<details class="record-sent" id="record-sent">\s*<summary>', page)
    assert 'class="action primary"' not in page
    bare = client.post(f"{url}/transition", data={"to": "notice_sent", "csrf_token": token})
    assert bare.status_code == 422 and 'data-field="notice_number"' in bare.text
    for field, bad in (("sent_on", "2999-01-01"), ("sent_on", "soon"), ("send_method", "markwatch")):
        refused = client.post(
            f"{url}/transition", data={"to": "notice_sent", "csrf_token": token, **PAPER, field: bad}
        )
        assert refused.status_code == 422 and f'data-field="{field}"' in refused.text, (field, bad)
    assert _status(db_url, case_id) == "confirmed"
    done = client.post(
        f"{url}/transition",
        data={"to": "notice_sent", "csrf_token": token, **PAPER},
        follow_redirects=False,
    )
    assert done.headers["location"] == f"{url}?done=sent_recorded"
    kind, _, to, payload = _events(db_url, case_id)[-1]
    assert (kind, to) == ("transition", "notice_sent")
    assert payload["sent"] == {
        "number": PAPER["notice_number"],
        "sent_on": "2026-01-05",
        "method": "in-person",
    }
    history = client.get(url).text
    assert "沪市监整〔2026〕0007号" in history and "直接送达" in history and "送达日期" in history
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None


def test_an_assignment_reads_no_audit_payload_under_the_lock(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    """Which assignment the form saw is checked under the case-write lock: only the latest assignment's seq is
    read there, not the case's whole history (its issued notices hold their documents)."""
    client, data, db_url = console
    token = sign_in(client, data.keys["inspector"])
    url = f"/console/cases/{data.cases['expired']}"
    client.post(f"{url}/comment", data={"body": "long note " * 500, "csrf_token": token})
    first = client.post(f"{url}/assign", data={"assignee": "张三", "assigned_seq": "0", "csrf_token": token})
    assert first.status_code == 200
    seen = int(re.findall(r'name="assigned_seq" value="(\d+)"', first.text)[0])
    with recorded_statements(db_url) as statements:
        answer = client.post(
            f"{url}/assign",
            data={"assignee": "李四", "assigned_seq": str(seen), "csrf_token": token},
            follow_redirects=False,
        )
    assert answer.status_code == 303, answer.text
    reads = [
        s for s in statements if s.startswith("SELECT") and "case_events.payload" in s.split(" FROM ")[0]
    ]
    assert reads == []
    assert _events(db_url, data.cases["expired"])[-1][3] == {"from": "张三", "to": "李四"}
    # A form that saw an older assignment is still refused.
    stale = client.post(
        f"{url}/assign", data={"assignee": "王五", "assigned_seq": str(seen), "csrf_token": token}
    )
    assert stale.status_code == 409 and 'id="conflict"' in stale.text
