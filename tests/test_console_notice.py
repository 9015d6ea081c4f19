"""The printable notice of a confirmed case, as HTML and as a PDF printed by headless Chromium."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from console_support import ConsoleData, console_app, pdf_text, require_chromium, seed, sign_in
from fastapi.testclient import TestClient

from api.console.notice import DEFAULT_NOTICE_DAYS
from api.console.pdf import CHROMIUM_ENV


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, ConsoleData, str]]:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, token


def _confirm(client: TestClient, case_id: int, token: str) -> None:
    for target in ("in_review", "confirmed"):
        response = client.post(
            f"/console/cases/{case_id}/transition",
            data={"to": target, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303


def _sha(client: TestClient, case_id: int) -> str:
    html = client.get(f"/console/cases/{case_id}").text
    return re.search(r'id="snapshot-sha">([0-9a-f]{64})<', html).group(1)  # type: ignore[union-attr]


def test_notice_only_for_confirmed_cases(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, token = console
    case_id = data.cases["expired"]
    assert 'id="open-notice"' not in client.get(f"/console/cases/{case_id}").text
    refused = client.get(f"/console/cases/{case_id}/notice")
    assert refused.status_code == 409 and "only printed once it is confirmed" in refused.text
    _confirm(client, case_id, token)
    assert 'id="open-notice"' in client.get(f"/console/cases/{case_id}").text
    assert client.get(f"/console/cases/{case_id}/notice").status_code == 200


def test_notice_html_states_enterprise_page_evidence_rule_remediation_deadline(
    console: tuple[TestClient, ConsoleData, str],
) -> None:
    client, data, token = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    html = client.get(f"/console/cases/{case_id}/notice").text
    assert f"MW-{case_id:06d}" in html
    assert 'id="notice-enterprise">上海甲科技有限公司<' in html
    assert "https://shop.example.com/item/1" in html
    assert f'id="notice-sha">{_sha(client, case_id)}<' in html
    assert "SHS003" in html and "关于深化推进“上海标准”标识制度实施的意见" in html
    assert "停止使用“上海标准”字样或标识" in html  # SHS003's remediation, from the rule file
    default_deadline = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date() + dt.timedelta(
        days=DEFAULT_NOTICE_DAYS
    )
    assert f"<strong>{default_deadline.isoformat()}</strong>" in html
    chosen = client.get(f"/console/cases/{case_id}/notice?deadline=2099-03-01").text
    assert "<strong>2099-03-01</strong>" in chosen
    assert client.get(f"/console/cases/{case_id}/notice?deadline=2001-01-01").status_code == 422
    english = client.get(f"/console/cases/{case_id}/notice?lang=en").text
    assert "Notice to rectify" in english and "Stop using" not in html


def test_notice_deadline_is_the_cases_own_when_set(console: tuple[TestClient, ConsoleData, str]) -> None:
    client, data, token = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    url = f"/console/cases/{case_id}/transition"
    client.post(url, data={"to": "notice_sent", "csrf_token": token})
    client.post(url, data={"to": "rectification_due", "due_on": "2098-12-31", "csrf_token": token})
    html = client.get(f"/console/cases/{case_id}/notice?deadline=2099-01-01").text
    assert "<strong>2098-12-31</strong>" in html


def test_notice_pdf_is_a_real_pdf_of_the_notice(console: tuple[TestClient, ConsoleData, str]) -> None:
    require_chromium()
    client, data, token = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    response = client.get(f"/console/cases/{case_id}/notice.pdf?deadline=2099-03-01")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f"markwatch-notice-MW-{case_id:06d}.pdf" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-") and len(response.content) > 5_000
    compact = pdf_text(response.content)
    assert f"MW-{case_id:06d}" in compact
    assert "上海甲科技有限公司" in compact  # CJK text embedded, not boxes
    assert _sha(client, case_id) in compact
    assert "2099-03-01" in compact
    assert "SHS003" in compact


def test_pdf_without_chromium_is_a_clear_503(
    console: tuple[TestClient, ConsoleData, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, data, token = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    monkeypatch.setenv(CHROMIUM_ENV, "/nonexistent/chromium")
    response = client.get(f"/console/cases/{case_id}/notice.pdf")
    assert response.status_code == 503
    assert "Chromium not found at /nonexistent/chromium" in response.text
