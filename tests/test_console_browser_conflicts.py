"""Two inspectors on one case, and a session that ends while a form is being filled in, in real Chromium.

What an inspector typed is never dropped without a word: a decision taken on a page someone else has moved
on since is refused on the case page itself, which says who moved it and keeps the typed reason; an
assignment made over someone else's newer one is refused the same way; and a form sent after the session
ended is not applied, says so, and comes back filled in after signing in again.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cases_support import LiveServer
from console_support import ConsoleData, console_app, require_chromium, seed

from markwatch import db
from markwatch.cases.models import Case, CaseComment, CaseEvent

pytestmark = pytest.mark.browser


class Inspector:
    """One signed-in browser context."""

    def __init__(self, browser: Any, base: str, key: str) -> None:
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.base = base
        self.page.goto(base + "/console/cases")
        self.page.fill("#api_key", key)
        self.page.click("#sign-in")
        self.page.wait_for_url("**/console/cases")

    def open_case(self, case_id: int) -> None:
        self.page.goto(f"{self.base}/console/cases/{case_id}")

    def review_and_confirm(self) -> None:
        """Move the open case (open) to in_review, then to confirmed, from its page."""
        self.page.click("#move-in_review button")
        self.page.wait_for_url("**?done=moved")
        self.page.fill("#reason-confirmed", "认证表述，确认")
        self.page.click("#move-confirmed button")
        self.page.wait_for_url("**?done=moved")


def _press_both_while_held(url: str, *presses: tuple[Inspector, str]) -> None:
    """Each inspector presses a button while another writer holds the SQLite database: every request reads the
    case before it waits for the lock, so they meet as two inspectors acting at the same moment would."""
    holder = sqlite3.connect(_sqlite_path(url), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for inspector, selector in presses:
            inspector.page.click(selector, no_wait_after=True)
        time.sleep(1.5)  # both requests have read the case and wait for the lock
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def two(sqlite_url: str) -> Iterator[tuple[Inspector, Inspector, ConsoleData, str]]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            first = Inspector(chromium, base, data.keys["inspector"])
            second = Inspector(chromium, base, data.keys["admin"])
            yield first, second, data, sqlite_url
        finally:
            chromium.close()


def _case(url: str, case_id: int) -> Case:
    with db.session_scope(url) as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


def _events(url: str, case_id: int) -> list[str]:
    with db.session_scope(url) as session:
        return [e.kind for e in session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq)]


def test_a_stale_decision_is_refused_on_the_case_page_with_the_reason_kept(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    alice, bob, data, url = two
    case_id = data.cases["wording"]
    alice.open_case(case_id)
    bob.open_case(case_id)
    alice.page.click("#move-in_review button")
    alice.page.wait_for_url("**?done=moved")

    reason = "页面写明“通过上海标准认证”，企业已确认为误用，驳回理由写了很久"
    bob.page.check("#move-dismissed input[value=other]")
    bob.page.fill("#reason-dismissed", reason)
    bob.page.click("#move-dismissed button")
    bob.page.wait_for_load_state()
    page = bob.page
    # Refused, on the case page itself: who moved it to what, and nothing applied.
    assert page.locator("#case-status").get_attribute("data-status") == "in_review"
    conflict = page.locator("#conflict")
    assert conflict.get_attribute("role") == "alert"
    text = conflict.inner_text()
    assert "审查中" in text and "test-inspector" in text and "未执行" in text
    assert _case(url, case_id).status == "in_review"
    # The typed reason and kind are still in the dismissal form, now for the case's current status.
    assert page.input_value("#reason-dismissed") == reason
    assert page.locator("#move-dismissed input[value=other]").is_checked()
    assert page.locator("#move-dismissed input[name=from]").get_attribute("value") == "in_review"
    page.click("#move-dismissed button")
    page.wait_for_url("**?done=moved")
    assert _case(url, case_id).status == "dismissed"


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def test_two_decisions_sent_at_the_same_moment_one_wins_and_the_other_keeps_its_words(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    # Both forms are sent while another writer holds the database, so both requests read the case as the
    # inspectors saw it (open) before either decision is made: the stale-form check alone cannot tell.
    # Which one gets the lock first is SQLite's choice; the other is the one refused.
    alice, bob, data, url = two
    case_id = data.cases["wording"]
    alice.open_case(case_id)
    bob.open_case(case_id)
    review = "先看图片再决定，页面上还有第二处表述"
    alice.page.fill("#reason-in_review", review)
    dismissal = "页面写的是企业名称“上海标准件厂”，不是标识使用，驳回"
    bob.page.check("#move-dismissed input[value=not-a-claim]")
    bob.page.fill("#reason-dismissed", dismissal)
    _press_both_while_held(url, (alice, "#move-in_review button"), (bob, "#move-dismissed button"))
    for inspector in (alice, bob):
        # The winner is sent back to the case page, the loser answered in place of the form it sent.
        inspector.page.wait_for_url(re.compile(r"(/transition|\?done=moved)$"))
        inspector.page.wait_for_load_state()
    status = _case(url, case_id).status
    assert status in ("in_review", "dismissed")
    assert _events(url, case_id).count("transition") == 1
    alice_won = status == "in_review"
    winner, loser = (alice, bob) if alice_won else (bob, alice)
    assert winner.page.url.endswith("?done=moved")
    page = loser.page
    # The loser is told, on the case page, who moved the case to what, and that nothing of theirs was applied...
    conflict = page.locator("#conflict")
    assert conflict.count() == 1, page.locator("body").inner_text()[:400]
    assert conflict.get_attribute("role") == "alert"
    text = conflict.inner_text()
    assert ("审查中" if alice_won else "已驳回") in text, text
    assert ("test-inspector" if alice_won else "test-admin") in text, text
    assert "未执行" in text
    assert page.locator("#case-status").get_attribute("data-status") == status
    # ...and what they typed is still on the page: Bob's dismissal in its form, to send on the case as it is
    # now; Alice's reason (review can no longer start on a dismissed case) in the comment box.
    if alice_won:
        assert page.input_value("#reason-dismissed") == dismissal
        assert page.locator("#move-dismissed input[value=not-a-claim]").is_checked()
        assert page.locator("#move-dismissed input[name=from]").get_attribute("value") == "in_review"
        page.click("#move-dismissed button")
        page.wait_for_url("**?done=moved")
        assert _case(url, case_id).status == "dismissed"
    else:
        assert page.input_value("#comment-body") == review
        page.click("#comment-form button")
        page.wait_for_url("**?done=commented")
        with db.session_scope(url) as session:
            assert [c.body for c in session.query(CaseComment).filter_by(case_id=case_id)] == [review]


def test_two_notices_issued_at_the_same_moment_the_loser_is_told_which_and_keeps_its_fields(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    # Both inspectors preview a notice on the confirmed case and press issue while another writer holds the
    # database: both requests read the case as confirmed; SQLite picks the winner.
    alice, bob, data, url = two
    case_id = data.cases["wording"]
    alice.open_case(case_id)
    alice.review_and_confirm()
    typed = {alice: ("上海乙贸易有限公司", ""), bob: ("上海乙贸易有限公司第一分公司", "91350100M000100Y43")}
    for inspector, (enterprise, uscc) in typed.items():
        inspector.open_case(case_id)
        inspector.page.fill("#notice-enterprise-input", enterprise)
        inspector.page.fill("#notice-uscc-input", uscc)
        inspector.page.click("#open-notice")
        inspector.page.wait_for_selector("#issue-notice")
    _press_both_while_held(url, (alice, "#issue-notice"), (bob, "#issue-notice"))
    for inspector in (alice, bob):
        inspector.page.wait_for_url(re.compile(r"(/notices|#notice-\d+)$"))
        inspector.page.wait_for_load_state()
    assert _events(url, case_id).count("notice_issued") == 1
    loser = alice if alice.page.url.endswith("/notices") else bob
    winner = bob if loser is alice else alice
    assert re.search(r"\?done=issued#notice-\d+$", winner.page.url), winner.page.url
    page = loser.page
    number = page.locator("#issued-notices .notice-number").inner_text()
    said = page.locator("#conflict").inner_text()
    # Which notice was issued, by whom, and that this one was not (nor numbered)...
    assert number in said and ("test-admin" if loser is alice else "test-inspector") in said, said
    assert (
        "未签发" in said and page.locator("#case-status").get_attribute("data-status") == "rectification_due"
    )
    # ...and what was typed is in the comment box, to keep as a note with one click.
    kept = page.input_value("#comment-body")
    enterprise, uscc = typed[loser]
    assert enterprise in kept and (uscc or "未知") in kept, kept
    page.click("#comment-form button")
    page.wait_for_url("**?done=commented")
    with db.session_scope(url) as session:
        assert [c.body for c in session.query(CaseComment).filter_by(case_id=case_id)] == [kept]


def test_the_same_move_made_twice_keeps_the_second_reason_for_a_comment(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    alice, bob, data, url = two
    case_id = data.cases["wording"]
    alice.open_case(case_id)
    bob.open_case(case_id)
    alice.review_and_confirm()

    bob.page.fill("#reason-in_review", "我也要看一下：页面还有图片")
    bob.page.click("#move-in_review button")
    bob.page.wait_for_load_state()
    # The case was moved on twice; Bob's start-review is refused and his words are offered as a comment.
    assert bob.page.locator("#case-status").get_attribute("data-status") == "confirmed"
    assert "已确认" in bob.page.locator("#conflict").inner_text()
    assert bob.page.input_value("#comment-body") == "我也要看一下：页面还有图片"
    assert _case(url, case_id).status == "confirmed"


def test_an_assignment_over_a_newer_one_is_refused(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    alice, bob, data, url = two
    case_id = data.cases["expired"]
    alice.open_case(case_id)
    bob.open_case(case_id)
    alice.page.fill("#assignee-input", "张三")
    alice.page.click("#assign-form button")
    alice.page.wait_for_url("**?done=assigned")

    bob.page.fill("#assignee-input", "李四")
    bob.page.click("#assign-form button")
    bob.page.wait_for_load_state()
    assert _case(url, case_id).assignee == "张三"
    assert "张三" in bob.page.locator("#conflict").inner_text()
    assert bob.page.locator("#assignee").inner_text() == "张三"
    assert bob.page.input_value("#assignee-input") == "李四"
    bob.page.click("#assign-form button")
    bob.page.wait_for_url("**?done=assigned")
    assert _case(url, case_id).assignee == "李四"


def test_a_comment_sent_after_the_session_ended_comes_back_after_signing_in(
    two: tuple[Inspector, Inspector, ConsoleData, str],
) -> None:
    alice, _bob, data, url = two
    case_id = data.cases["expired"]
    alice.open_case(case_id)
    other_tab = alice.context.new_page()
    other_tab.goto(alice.base + "/console/cases")
    other_tab.click("#sign-out")
    other_tab.wait_for_url("**/console/login")

    body = "电话联系了企业，对方承认页面错误，答应三天内改。"
    page = alice.page
    page.fill("#comment-body", body)
    page.click("#comment-form button")
    page.wait_for_load_state()
    assert page.locator("#api_key").is_visible()  # the sign-in form, answered in place of the case form
    # Not applied, and said so, with the words still on screen.
    assert "未保存" in page.locator("#draft-notice").inner_text()
    assert page.input_value("#draft-body") == body
    assert _events(url, case_id).count("commented") == 0

    page.fill("#api_key", data.keys["inspector"])
    page.click("#sign-in")
    page.wait_for_load_state()
    # Signed in again: the same form, filled in, to send now (or leave).
    assert page.input_value("#resume-form textarea[name=body]") == body
    page.click("#resume-submit")
    page.wait_for_url(f"**/console/cases/{case_id}?done=commented")
    with db.session_scope(url) as session:
        assert [c.body for c in session.query(CaseComment).filter_by(case_id=case_id)] == [body]


def test_the_queue_and_a_case_fit_a_phone_screen(two: tuple[Inspector, Inspector, ConsoleData, str]) -> None:
    # An inspector on site with a phone: no page wider than the screen (the rule filter's long titles were).
    alice, _bob, data, _url = two
    alice.page.set_viewport_size({"width": 375, "height": 740})
    for path in ("/console/cases", f"/console/cases/{data.cases['wording']}"):
        alice.page.goto(alice.base + path)
        width = alice.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
