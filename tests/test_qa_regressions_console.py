"""QA regressions of the console (session 4 QA report), kept in the suite once fixed.

#9: the printed notice carried the console's "返回案件" link (`.notice nav.no-print {display: flex}` outranked
`@media print {.no-print {display: none}}`), so it was printed on the authority's notice.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import LiveServer
from console_support import (
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

from api.console.casefile import load_case_file
from api.console.i18n import Translator
from api.console.notice import issue_notice, notice_css, read_request
from api.console.pages import environment
from api.console.settings import ConsoleSettings
from checker.registry import RegistryIndex
from checker.rules.loader import load_rules
from markwatch import db
from markwatch.db import utcnow

BACK_LINK = "返回案件"


@pytest.fixture
def console(sqlite_url: str) -> Iterator[tuple[TestClient, ConsoleData, str]]:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        yield client, data, sign_in(client, data.keys["inspector"])


def _issue(client: TestClient, case_id: int, token: str) -> int:
    issued = client.post(
        f"/console/cases/{case_id}/notices",
        data={"deadline": DEADLINE_ISO, "csrf_token": token},
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    return int(issued.headers["location"].rsplit("notice-", 1)[1])


def test_the_printed_notice_has_no_console_navigation(console: tuple[TestClient, ConsoleData, str]) -> None:
    """QA #9, as QA wrote it (its deadline, 2099-03-01, is now past the console's maximum: #16): the notice
    PDF started with the console's '返回案件' link."""
    require_chromium()
    client, data, token = console
    case_id = data.cases["expired"]
    confirm_case(client, case_id, token)
    seq = _issue(client, case_id, token)
    html = client.get(f"/console/cases/{case_id}/notices/{seq}").text
    assert BACK_LINK in html  # on screen the issued document still leads back to its case
    pdf = client.get(f"/console/cases/{case_id}/notices/{seq}/pdf")
    assert pdf.status_code == 200, pdf.text
    text = pdf_text(pdf.content)
    assert DEADLINE_ZH in text
    assert BACK_LINK not in text


# notice.css as it was when QA found #9: notices issued then keep this stylesheet inside their audited HTML.
OLD_RULES = (
    ".notice nav.no-print { margin-bottom: 1rem; display: flex; gap: 1rem; }\n"
    "@media print { .no-print { display: none; } }\n"
)


def test_a_notice_issued_with_the_old_stylesheet_prints_without_the_link(sqlite_url: str) -> None:
    """The issued document is audited byte for byte, so its stylesheet cannot be repaired afterwards; the PDF
    printer hides the console's links whatever the document's own stylesheet says."""
    require_chromium()
    data = seed(sqlite_url)
    case_id = data.cases["expired"]
    with TestClient(console_app(sqlite_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        confirm_case(client, case_id, token)
        settings = ConsoleSettings(authority_name="演示市场监督管理局（虚构）")
        t = Translator("zh")
        now = utcnow()
        old_css = notice_css().split("/* The console's own links", 1)[0] + OLD_RULES
        assert "display: flex; gap: 1rem; }\n@media print" in old_css

        def old_document(notice: object) -> str:
            template = environment().get_template("notice.html")
            return template.render(t=t, lang="zh", notice=notice, inline_css=old_css)

        with db.session_scope(sqlite_url) as session:
            file = load_case_file(session, load_rules(), case_id, RegistryIndex.load(session))
            form = read_request(
                settings,
                deadline=DEADLINE_ISO,
                enterprise="",
                uscc="",
                today=now.astimezone(settings.zone).date(),
            )
            event = issue_notice(
                session,
                file,
                t,
                settings,
                form,
                actor="inspector:qa#1",
                inspector="qa",
                now=now,
                render=old_document,
            )
            seq = event.seq
        assert OLD_RULES.splitlines()[0] in client.get(f"/console/cases/{case_id}/notices/{seq}").text
        pdf = client.get(f"/console/cases/{case_id}/notices/{seq}/pdf")
        assert pdf.status_code == 200, pdf.text
        text = pdf_text(pdf.content)
        assert DEADLINE_ZH in text and BACK_LINK not in text


@pytest.mark.browser
def test_the_issued_notice_printed_from_the_browser_has_no_console_navigation(sqlite_url: str) -> None:
    """Printing the issued notice's HTML page from Chromium (print media, and Chromium's own PDF of it): the
    back link shows on screen and is gone on paper."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    case_id = data.cases["expired"]
    app = console_app(sqlite_url)
    with TestClient(app) as client:
        token = sign_in(client, data.keys["inspector"])
        confirm_case(client, case_id, token)
        seq = _issue(client, case_id, token)
    with LiveServer(app) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = chromium.new_page(locale="zh-CN")
            page.goto(f"{base}/console/login")
            page.fill("#api_key", data.keys["inspector"])
            page.click("#sign-in")
            page.wait_for_url("**/console/cases")
            page.goto(f"{base}/console/cases/{case_id}/notices/{seq}")
            back = page.locator("nav.no-print a")
            assert back.is_visible() and back.inner_text() == BACK_LINK
            page.emulate_media(media="print")
            assert not back.is_visible()
            assert BACK_LINK not in page.inner_text("body")
            text = pdf_text(page.pdf(format="A4"))
            assert DEADLINE_ZH in text and BACK_LINK not in text
        finally:
            chromium.close()
