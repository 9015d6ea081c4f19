"""Notices: drafted from a confirmed case, issued as an audited event, reprinted byte for byte from the audit,
printed to PDF with real embedded CJK fonts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from console_support import AUTHORITY, ConsoleData, console_app, pdf_text, require_chromium, seed, sign_in
from fastapi.testclient import TestClient

from api.console.basis import cite
from api.console.pdf import CHROMIUM_ENV
from api.console.uscc import valid_uscc
from checker.rules.loader import load_rules
from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.models import Case, CaseEvent

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, ConsoleData, str, str]]:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, token, sqlite_url


def _confirm(client: TestClient, case_id: int, token: str) -> None:
    for target in ("in_review", "confirmed"):
        response = client.post(
            f"/console/cases/{case_id}/transition",
            data={"to": target, "reason": "checked the archive", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text


def _sha(client: TestClient, case_id: int) -> str:
    html = client.get(f"/console/cases/{case_id}").text
    return re.search(r'id="snapshot-sha">([0-9a-f]{64})<', html).group(1)  # type: ignore[union-attr]


def _issue(client: TestClient, case_id: int, token: str, deadline: str, **extra: str) -> str:
    response = client.post(
        f"/console/cases/{case_id}/notices",
        data={"deadline": deadline, "csrf_token": token, **extra},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def _notice_event(db_url: str, case_id: int) -> CaseEvent:
    with db.session_scope(db_url) as session:
        event = session.query(CaseEvent).filter_by(case_id=case_id, kind="notice_issued").one()
        session.expunge(event)
        return event


def test_notice_only_for_confirmed_cases(console: tuple[TestClient, ConsoleData, str, str]) -> None:
    client, data, token, _ = console
    case_id = data.cases["expired"]
    assert 'id="open-notice"' not in client.get(f"/console/cases/{case_id}").text
    refused = client.get(f"/console/cases/{case_id}/notice?deadline=2099-03-01")
    assert refused.status_code == 409 and "once it is confirmed" in refused.text
    not_issued = client.post(
        f"/console/cases/{case_id}/notices", data={"deadline": "2099-03-01", "csrf_token": token}
    )
    assert not_issued.status_code == 409
    _confirm(client, case_id, token)
    assert 'id="open-notice"' in client.get(f"/console/cases/{case_id}").text
    assert client.get(f"/console/cases/{case_id}/notice?deadline=2099-03-01").status_code == 200


def test_draft_states_what_an_authority_notice_needs(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, _ = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    deadline = (dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=30)).isoformat()
    html = client.get(f"/console/cases/{case_id}/notice?deadline={deadline}&uscc=91350100M000100Y43").text
    assert 'id="notice-draft"' in html and 'id="issue-notice"' in html
    assert AUTHORITY["authority_name"] in html and AUTHORITY["authority_address"] in html
    assert AUTHORITY["authority_contact"] in html
    assert 'id="notice-enterprise">上海甲科技有限公司<' in html
    assert 'id="notice-uscc">91350100M000100Y43<' in html
    assert "https://shop.example.com/item/1" in html
    assert f'id="notice-sha">{_sha(client, case_id)}<' in html
    # The observation time is in the inspectors' zone, not UTC ISO.
    assert re.search(r'id="notice-observed">\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d（北京时间）<', html)
    # The basis is cited fully in Chinese: no "part 4", no English words.
    basis = re.search(r'id="notice-basis">(.*?)</td>', html, flags=re.S).group(1)  # type: ignore[union-attr]
    assert basis == "《关于深化推进“上海标准”标识制度实施的意见》（沪市监规范〔2023〕12号）第四部分"
    assert "停止使用“上海标准”字样或标识" in html  # SHS003's remediation, from the rule file
    message = re.search(r'id="notice-message">(.*?)<', html).group(1)  # type: ignore[union-attr]
    assert message == "T/DEMO 001-2019 的“上海标准”评价有效期至 2022-01-14，已过期。"
    day = dt.date.fromisoformat(deadline)
    assert f"{day.year}年{day.month}月{day.day}日" in html and 'id="notice-signature"' in html
    assert client.get(f"/console/cases/{case_id}/notice?deadline=2001-01-01").status_code == 422
    bad_uscc = client.get(f"/console/cases/{case_id}/notice?deadline={deadline}&uscc=91350100M000100Y44")
    assert bad_uscc.status_code == 422 and "统一社会信用代码" in bad_uscc.text


def test_the_chinese_notice_has_no_english(console: tuple[TestClient, ConsoleData, str, str]) -> None:
    client, data, token, _ = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    html = client.get(f"/console/cases/{case_id}/notice?deadline=2099-03-01").text
    body = re.search(r'<article class="notice-doc".*?</article>', html, flags=re.S).group(0)  # type: ignore[union-attr]
    text = re.sub(r"<[^>]+>", " ", body)
    # Identifiers may hold Latin letters (URL, hash, codes, rule id); words may not.
    # The inspector's name is the API key's name ("test-inspector" here): a name, not wording.
    for allowed in (
        "https://shop.example.com/item/1",
        "T/DEMO 001-2019",
        "SHS003",
        "SHA-256",
        "test-inspector",
    ):
        text = text.replace(allowed, " ")
    text = re.sub(r"\b[0-9a-f]{64}\b", " ", text)
    assert re.findall(r"[A-Za-z]{2,}", text) == []


def test_every_rule_basis_is_cited_in_chinese() -> None:
    for loaded in load_rules().rules:
        for basis in loaded.rule.basis:
            citation = cite(basis, "zh")
            assert not re.search(r"[A-Za-z]", citation), (loaded.rule.id, citation)
            assert re.search(r"第[一二三四五六七八九十百零]+(部分|条)$", citation), (loaded.rule.id, citation)


def test_uscc_check_character() -> None:
    assert valid_uscc("91350100M000100Y43")
    assert not valid_uscc("91350100M000100Y44")
    assert not valid_uscc("91350100M000100YI3")  # I is not in the alphabet


def test_issuing_is_audited_and_the_typed_deadline_is_the_one_stored(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    location = _issue(client, case_id, token, "2099-03-01", uscc="91350100M000100Y43")
    assert location.startswith(f"/console/cases/{case_id}?done=issued#notice-")
    event = _notice_event(db_url, case_id)
    payload = event.payload
    year = dt.datetime.now(SHANGHAI).year
    assert payload["number"] == f"演示标识整改〔{year}〕0001号"
    assert payload["deadline"] == "2099-03-01"
    assert payload["content_sha256"] == hashlib.sha256(payload["html"].encode("utf-8")).hexdigest()
    assert event.actor.startswith("inspector:test-inspector#")
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "rectification_due"
        assert case.rectification_due_at is not None
        assert case.rectification_due_at.astimezone(SHANGHAI).date() == dt.date(2099, 3, 1)
        kinds = [
            (e.kind, e.to_status)
            for e in session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq)
        ]
        assert kinds[-3:] == [
            ("notice_issued", None),
            ("transition", "notice_sent"),
            ("transition", "rectification_due"),
        ]
        assert verify_chain(session) is None
    page = client.get(f"/console/cases/{case_id}").text
    assert 'id="case-deadline">2099-03-01<' in page
    assert f'id="notice-{event.seq}"' in page and payload["content_sha256"] in page
    # The audit shows the deadline in the inspectors' zone, not as a UTC ISO string.
    assert "2099-03-01 23:59 北京时间" in page and "2099-03-01T15:59:59" not in page
    # A second notice gets the next number.
    second = data.cases["wording"]
    _confirm(client, second, token)
    _issue(client, second, token, "2099-04-01")
    assert _notice_event(db_url, second).payload["number"] == f"演示标识整改〔{year}〕0002号"


def test_the_issued_notice_is_reproduced_byte_for_byte_from_the_audit(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    _issue(client, case_id, token, "2099-03-01")
    event = _notice_event(db_url, case_id)
    reprint = client.get(f"/console/cases/{case_id}/notices/{event.seq}")
    assert reprint.status_code == 200
    assert reprint.content == event.payload["html"].encode("utf-8")
    assert hashlib.sha256(reprint.content).hexdigest() == event.payload["content_sha256"]
    assert reprint.headers["x-notice-sha256"] == event.payload["content_sha256"]
    # Its one inline stylesheet is allowed by hash; nothing else may load or run.
    csp = reprint.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'sha256-" in csp and "script" not in csp
    assert client.get(f"/console/cases/{case_id}/notices/{event.seq + 1}").status_code == 404


def test_notice_pdf_embeds_real_cjk_fonts_and_reprints_identically(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    require_chromium()
    from pypdf import PdfReader

    client, data, token, db_url = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    _issue(client, case_id, token, "2099-03-01")
    event = _notice_event(db_url, case_id)
    response = client.get(f"/console/cases/{case_id}/notices/{event.seq}/pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    fonts = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            fonts.add((str(font["/Subtype"]), str(font.get("/BaseFont"))))
    assert fonts and all(subtype == "/Type0" for subtype, _ in fonts), fonts
    assert any("NotoSerifCJK" in name for _, name in fonts), fonts
    assert len(pdf) < 160_000, len(pdf)  # ~110 KB for two pages; the Type 3 version was ~270 KB
    text = pdf_text(pdf)
    assert "上海甲科技有限公司" in text and "2099年3月1日" in text
    assert _sha(client, case_id) in text and event.payload["number"] in text
    again = client.get(f"/console/cases/{case_id}/notices/{event.seq}/pdf").content
    assert again == pdf


def test_pdf_without_chromium_is_a_clear_503(
    console: tuple[TestClient, ConsoleData, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    _confirm(client, case_id, token)
    _issue(client, case_id, token, "2099-03-01")
    monkeypatch.setenv(CHROMIUM_ENV, "/nonexistent/chromium")
    response = client.get(f"/console/cases/{case_id}/notices/{_notice_event(db_url, case_id).seq}/pdf")
    assert response.status_code == 503
    assert "Chromium not found at /nonexistent/chromium" in response.text


def test_issuing_needs_a_configured_authority(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url, console={"authority_name": ""})) as client:
        token = sign_in(client, data.keys["inspector"])
        case_id = data.cases["expired"]
        _confirm(client, case_id, token)
        draft = client.get(f"/console/cases/{case_id}/notice?deadline=2099-03-01")
        assert 'id="authority-missing"' in draft.text
        refused = client.post(
            f"/console/cases/{case_id}/notices", data={"deadline": "2099-03-01", "csrf_token": token}
        )
        assert refused.status_code == 409 and "MARKWATCH_CONSOLE_AUTHORITY_NAME" in refused.text
