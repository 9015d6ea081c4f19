"""Notices: drafted from a confirmed case, issued as an audited event, reprinted byte for byte from the audit,
printed to PDF with real embedded CJK fonts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from console_support import (
    AUTHORITY,
    DEADLINE,
    DEADLINE_ISO,
    DEADLINE_ZH,
    ConsoleData,
    confirm_case,
    console_app,
    pdf_text,
    require_chromium,
    seed,
    sign_in,
)
from fastapi.testclient import TestClient

from api.console.basis import cite
from api.console.pdf import CHROMIUM_ENV
from api.console.settings import ConsoleSettings
from api.console.uscc import valid_uscc
from checker.rules.loader import load_rules
from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.models import Case, CaseEvent
from markwatch.errors import InputError

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, ConsoleData, str, str]]:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        yield client, data, token, sqlite_url


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
    refused = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}")
    assert refused.status_code == 409 and "once it is confirmed" in refused.text
    not_issued = client.post(
        f"/console/cases/{case_id}/notices", data={"deadline": DEADLINE_ISO, "csrf_token": token}
    )
    assert not_issued.status_code == 409
    confirm_case(client, case_id, token)
    assert 'id="open-notice"' in client.get(f"/console/cases/{case_id}").text
    assert client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}").status_code == 200


def test_draft_states_what_an_authority_notice_needs(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, _ = console
    case_id = data.cases["expired"]
    confirm_case(client, case_id, token)
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
    confirm_case(client, case_id, token)
    html = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}").text
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
    # Chinese punctuation throughout: no ASCII colon after a label (观察时间：, not 观察时间: ).
    assert re.findall(r"[\u4e00-\u9fff]:", text) == []
    assert "观察时间：" in text
    english = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}&lang=en").text
    assert "Observed at: <span" in english


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
    confirm_case(client, case_id, token)
    location = _issue(client, case_id, token, DEADLINE_ISO, uscc="91350100M000100Y43")
    assert location.startswith(f"/console/cases/{case_id}?done=issued#notice-")
    event = _notice_event(db_url, case_id)
    payload = event.payload
    year = dt.datetime.now(SHANGHAI).year
    assert payload["number"] == f"演示标识整改〔{year}〕0001号"
    assert payload["deadline"] == DEADLINE_ISO
    assert payload["content_sha256"] == hashlib.sha256(payload["html"].encode("utf-8")).hexdigest()
    assert event.actor.startswith("inspector:test-inspector#")
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "rectification_due"
        assert case.rectification_due_at is not None
        assert case.rectification_due_at.astimezone(SHANGHAI).date() == DEADLINE
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
    assert f'id="case-deadline">{DEADLINE_ISO}<' in page
    assert f'id="notice-{event.seq}"' in page and payload["content_sha256"] in page
    # The audit shows the deadline in the inspectors' zone, not as a UTC ISO string.
    assert f"{DEADLINE_ISO} 23:59 北京时间" in page and f"{DEADLINE_ISO}T15:59:59" not in page
    # A second notice gets the next number.
    second = data.cases["wording"]
    confirm_case(client, second, token)
    _issue(client, second, token, (DEADLINE + dt.timedelta(days=1)).isoformat())
    assert _notice_event(db_url, second).payload["number"] == f"演示标识整改〔{year}〕0002号"


def test_the_issued_notice_is_reproduced_byte_for_byte_from_the_audit(
    console: tuple[TestClient, ConsoleData, str, str],
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    confirm_case(client, case_id, token)
    _issue(client, case_id, token, DEADLINE_ISO)
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
    confirm_case(client, case_id, token)
    _issue(client, case_id, token, DEADLINE_ISO)
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
    assert "上海甲科技有限公司" in text and DEADLINE_ZH in text
    assert _sha(client, case_id) in text and event.payload["number"] in text
    again = client.get(f"/console/cases/{case_id}/notices/{event.seq}/pdf").content
    assert again == pdf


def test_pdf_without_chromium_is_a_clear_503(
    console: tuple[TestClient, ConsoleData, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    confirm_case(client, case_id, token)
    _issue(client, case_id, token, DEADLINE_ISO)
    monkeypatch.setenv(CHROMIUM_ENV, "/nonexistent/chromium")
    response = client.get(f"/console/cases/{case_id}/notices/{_notice_event(db_url, case_id).seq}/pdf")
    assert response.status_code == 503
    assert "Chromium not found at /nonexistent/chromium" in response.text


def test_issuing_needs_a_configured_authority(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url, console={"authority_name": ""})) as client:
        token = sign_in(client, data.keys["inspector"])
        case_id = data.cases["expired"]
        confirm_case(client, case_id, token)
        draft = client.get(f"/console/cases/{case_id}/notice?deadline={DEADLINE_ISO}")
        assert 'id="authority-missing"' in draft.text
        refused = client.post(
            f"/console/cases/{case_id}/notices", data={"deadline": DEADLINE_ISO, "csrf_token": token}
        )
        assert refused.status_code == 409 and "MARKWATCH_CONSOLE_AUTHORITY_NAME" in refused.text


def _notice_events(db_url: str, case_id: int) -> int:
    with db.session_scope(db_url) as session:
        return session.query(CaseEvent).filter_by(case_id=case_id, kind="notice_issued").count()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("9999-12-31", "整改期限过远：最迟 {last}（今天起 365 天内）。"),
        ("{yesterday}", "整改期限须在今天之后：最早 {first}。"),
        ("{today}", "整改期限须在今天之后：最早 {first}。"),
        ("31/12/2026", "整改期限不是有效日期，请填写 {first} 至 {last} 之间的日期（格式：年-月-日）。"),
        ("", "请填写整改期限（{first} 至 {last} 之间的日期）。"),
    ],
)
def test_a_deadline_out_of_range_is_refused_on_the_form(
    console: tuple[TestClient, ConsoleData, str, str], typed: str, says: str
) -> None:
    """QA #16: a notice deadline of 9999-12-31 was accepted and became the case's rectification deadline."""
    client, data, token, db_url = console
    case_id = data.cases["expired"]
    confirm_case(client, case_id, token)
    today = dt.datetime.now(SHANGHAI).date()
    days = {
        "today": today.isoformat(),
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
        "first": (today + dt.timedelta(days=1)).isoformat(),
        "last": (today + dt.timedelta(days=365)).isoformat(),
    }
    typed, says = typed.format(**days), says.format(**days)
    for response in (
        client.get(
            f"/console/cases/{case_id}/notice", params={"deadline": typed, "enterprise": "上海甲科技"}
        ),
        client.post(
            f"/console/cases/{case_id}/notices",
            data={"deadline": typed, "enterprise": "上海甲科技", "csrf_token": token},
            follow_redirects=False,
        ),
    ):
        assert response.status_code == 422, response.text
        html = response.text
        # The case page again, its notice form showing the error, what was typed kept, the field marked.
        assert 'id="notice-form"' in html and 'id="issue-notice"' not in html
        error = re.search(
            r'<p class="error" id="notice-error" role="alert" data-field="deadline">(.*?)</p>', html
        )
        assert error is not None and error.group(1) == says
        field = re.search(r'<input type="date" id="notice-deadline-input"[^>]*>', html).group(0)  # type: ignore[union-attr]
        assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
        assert f'min="{days["first"]}"' in field and f'max="{days["last"]}"' in field
        assert 'id="notice-enterprise-input" name="enterprise" maxlength="200" value="上海甲科技"' in html
    assert _notice_events(db_url, case_id) == 0
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "confirmed" and case.rectification_due_at is None


def test_the_latest_deadline_is_a_setting(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    today = dt.datetime.now(SHANGHAI).date()
    with TestClient(console_app(sqlite_url, console={"max_deadline_days": 30})) as client:
        token = sign_in(client, data.keys["inspector"])
        case_id = data.cases["expired"]
        confirm_case(client, case_id, token)
        late = (today + dt.timedelta(days=31)).isoformat()
        refused = client.get(f"/console/cases/{case_id}/notice?deadline={late}")
        assert refused.status_code == 422 and "今天起 30 天内" in refused.text
        assert "可选" in refused.text and "（今天起最多 30 天）" in refused.text
        latest = (today + dt.timedelta(days=30)).isoformat()
        assert client.get(f"/console/cases/{case_id}/notice?deadline={latest}").status_code == 200
        _issue(client, case_id, token, latest)
    assert ConsoleSettings.from_env({"MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS": "90"}).max_deadline_days == 90
    for bad in ("0", "99999", "a year"):
        with pytest.raises(InputError, match="MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS"):
            ConsoleSettings.from_env({"MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS": bad})
