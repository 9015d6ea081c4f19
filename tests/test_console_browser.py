"""The console in a real browser: Debian's headless Chromium driven by Playwright against a live uvicorn.

Nothing leaves 127.0.0.1: every request to another host is aborted and recorded, and the tests assert
there were none. Screenshots and the downloaded PDF are kept under test-artifacts/console/.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cases_support import LiveServer
from console_support import (
    DEADLINE,
    DEADLINE_ISO,
    DEADLINE_ZH,
    ConsoleData,
    console_app,
    pdf_text,
    require_chromium,
    seed,
    seed_image_case,
    seed_real_pages,
)

from api.console.session import SESSION_COOKIE
from markwatch import db
from markwatch.cases.models import Case

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "console"


class Browser:
    """One Chromium page on the live console, with every dialog and off-host request recorded."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.dialogs: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def guard(self, route: Any) -> None:
        """Let requests to the live server through; abort and remember any other."""
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.foreign_requests.append(route.request.url)
            route.abort()

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def sign_in(self, key: str) -> None:
        self.goto("/console/cases")
        assert "/console/login" in self.page.url
        self.page.fill("#api_key", key)
        self.page.click("#sign-in")
        self.page.wait_for_url("**/console/cases")


@pytest.fixture
def browser(sqlite_url: str) -> Iterator[tuple[Browser, ConsoleData]]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = chromium.new_context(
                accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            driver = Browser(page, base)
            context.route("**/*", driver.guard)
            yield driver, data
            context.close()
        finally:
            chromium.close()


def test_inspector_flow_sign_in_filter_confirm_notice(browser: tuple[Browser, ConsoleData]) -> None:
    b, data = browser
    page = b.page
    b.sign_in(data.keys["inspector"])
    assert page.locator("#case-table tbody tr[data-case-id]").count() == 3
    b.shot("01-queue")

    page.select_option("#filter-rule", "SHS009")
    page.fill("#filter-claimant", "乙贸易")
    page.click("#apply-filters")
    page.wait_for_url("**/console/cases?*rule=SHS009*")
    rows = page.locator("#case-table tbody tr[data-case-id]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-case-id") == str(data.cases["wording"])
    b.shot("02-queue-filtered")

    rows.first.locator("a.case-link").click()
    page.wait_for_url(f"**/console/cases/{data.cases['wording']}")
    assert page.locator("#snippet mark").all_inner_texts() == ["上海标准认证"]
    # The primary action on a new case is to start review.
    assert page.locator("form.action.primary").get_attribute("id") == "move-in_review"
    page.locator("#move-in_review button").click()
    page.wait_for_selector('#case-status[data-status="in_review"]')
    page.fill("#reason-confirmed", "商品页将上海标准表述为认证")
    page.locator("#move-confirmed button").click()
    page.wait_for_selector('#case-status[data-status="confirmed"]')
    entry = page.locator('tr.audit-entry[data-to="confirmed"]')
    assert entry.count() == 1
    assert "检查员 test-inspector" in entry.inner_text()
    # Who acted, as the audit chain records it, stays on the page for whoever reports it.
    assert entry.locator(".actor").get_attribute("data-actor").startswith("inspector:test-inspector#")  # type: ignore[union-attr]
    assert "商品页将上海标准表述为认证" in entry.inner_text()
    b.shot("03-case-confirmed")

    # The deadline is typed with the keyboard into the date field (zh-CN order: year, month, day).
    assert type_date(
        page, "#notice-deadline-input", str(DEADLINE.year), f"{DEADLINE.month:02d}", f"{DEADLINE.day:02d}"
    )
    page.click("#open-notice")
    page.wait_for_url(f"**/console/cases/{data.cases['wording']}/notice?*")
    assert page.inner_text("#notice-enterprise") == "上海乙贸易有限公司"
    assert page.inner_text("#notice-deadline") == DEADLINE_ZH
    assert page.locator("#notice-draft").count() == 1
    b.shot("04-notice-draft")
    page.click("#issue-notice")
    page.wait_for_selector('#case-status[data-status="rectification_due"]')
    assert page.inner_text("#case-deadline") == DEADLINE_ISO
    issued = page.locator("#issued-notices li")
    assert issued.count() == 1
    recorded_hash = issued.locator(".notice-hash").inner_text()
    b.shot("05-case-notice-issued")

    issued.locator("a.notice-html").click()
    page.wait_for_url("**/notices/*")
    assert page.inner_text("#notice-deadline") == DEADLINE_ZH
    assert page.locator("#notice-draft").count() == 0
    b.shot("06-notice-issued")
    seq = page.url.rsplit("/", 1)[1]
    # Reproduced from the audit byte for byte: the served document hashes to the hash the audit recorded.
    reprint = page.request.get(f"{b.base}/console/cases/{data.cases['wording']}/notices/{seq}")
    assert hashlib.sha256(reprint.body()).hexdigest() == recorded_hash
    b.goto(f"/console/cases/{data.cases['wording']}")
    with page.expect_download() as download_info:
        page.locator("#issued-notices a.notice-pdf").click()
    target = ARTIFACTS / "notice.pdf"
    download_info.value.save_as(str(target))
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "上海乙贸易有限公司" in text and DEADLINE_ZH in text

    b.goto("/console/dashboard?lang=en")
    assert page.locator("svg.chart").count() == 4
    assert page.inner_text("h1") == "Dashboard"
    b.shot("07-dashboard-en")
    b.goto("/console/sweeps")
    assert page.locator("#sweep-table tr[data-sweep-id]").count() == 2
    b.shot("08-sweeps-en")
    page.locator("#sweep-table a.sweep-link").first.click()
    page.wait_for_url("**/console/sweeps/*")
    b.shot("09-sweep-en")
    page.click("#sign-out")
    page.wait_for_url("**/console/login")
    b.goto("/console/cases")
    assert "/console/login" in page.url
    assert b.dialogs == [] and b.foreign_requests == []


def type_date(page: Any, selector: str, year: str, month: str, day: str) -> bool:
    """Type a date into a date field with the keyboard alone, segment by segment, in whichever order the
    browser's own locale shows them (headless Chromium uses month/day/year whatever the page's language)."""
    for order in ((month, day, year), (year, month, day)):
        page.fill(selector, "")
        page.focus(selector)
        for position, part in enumerate(order):
            page.keyboard.type(part)
            if position < 2 and len(part) == 4:
                page.keyboard.press("Tab")  # a year segment takes up to six digits: move on by hand
        if page.input_value(selector) == f"{year}-{month}-{day}":
            return True
    return False


def _pwned(target: Any) -> Any:
    return target.evaluate("() => window.__pwned === undefined ? null : String(window.__pwned)")


def test_hostile_page_runs_nothing_in_console_or_sandbox(browser: tuple[Browser, ConsoleData]) -> None:
    b, data = browser
    page = b.page
    b.sign_in(data.keys["admin"])
    assert _pwned(page) is None
    # The queue shows the hostile claimant as text.
    assert "<script>" in page.inner_text(f'tr[data-case-id="{data.cases["hostile"]}"] .claimant')

    b.goto(f"/console/cases/{data.cases['hostile']}")
    page.wait_for_load_state("load")
    frame_element = page.locator("#archive-frame")
    assert frame_element.get_attribute("sandbox") == ""
    archive = next(f for f in page.frames if "/body" in f.url)
    archive.wait_for_load_state("load")
    # The payloads reached the browser as text, in the console and in the archived page.
    assert "<img src=x onerror=" in page.inner_text("#snippet")
    assert "<script>" in page.inner_text("#claimant") and "<img" in page.inner_text("#product")
    assert page.locator("#page-url a, #snapshot-url a").count() == 0
    assert page.inner_text("#page-url").startswith("javascript:")
    assert archive.locator("#jslink").count() == 1
    # A user clicking the javascript: link in the archive still runs nothing.
    archive.locator("#jslink").click(force=True)
    page.wait_for_timeout(300)
    b.shot("10-hostile-case")
    assert _pwned(page) is None
    assert _pwned(archive) is None
    assert b.dialogs == []

    # Even opened on its own, the archived page is sandboxed by its CSP.
    b.goto(archive.url.removeprefix(b.base))
    page.wait_for_load_state("load")
    assert "上海标准认证" in page.inner_text("body")
    assert _pwned(page) is None
    b.shot("11-archive-top-level")

    # The as-text view and the notice of the hostile case are inert too.
    b.goto(archive.url.removeprefix(b.base).split("?")[0].replace("/body", "/source"))
    assert "<script>window.parent.__pwned" in page.inner_text("#page-source")
    assert _pwned(page) is None
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for target in ("in_review", "confirmed"):
        response = page.request.post(
            f"{b.base}/console/cases/{data.cases['hostile']}/transition",
            form={"to": target, "reason": "hostile page", "csrf_token": token or ""},
            headers={"Origin": b.base},
        )
        assert response.ok
    b.goto(f"/console/cases/{data.cases['hostile']}/notice?deadline={DEADLINE_ISO}")
    assert "<script>" in page.inner_text("#notice-enterprise")
    assert _pwned(page) is None
    b.shot("12-hostile-notice")
    assert b.dialogs == [] and b.foreign_requests == []


def test_control_the_payloads_do_run_when_nothing_stops_them(browser: tuple[Browser, ConsoleData]) -> None:
    # Without this control, "nothing ran" could mean the payloads or the detectors were broken.
    from console_support import HOSTILE_BODY

    b, _ = browser
    b.page.set_content(HOSTILE_BODY)
    b.page.wait_for_timeout(300)
    assert _pwned(b.page) is not None
    assert b.dialogs, "the unsandboxed payload should have opened a dialog"


@pytest.fixture
def real_browser(sqlite_url: str) -> Iterator[tuple[Browser, ConsoleData, dict[str, int]]]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    real = seed_real_pages(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            driver = Browser(page, base)
            context.route("**/*", driver.guard)
            yield driver, data, real
            context.close()
        finally:
            chromium.close()


def _archive(page: Any) -> Any:
    frame = page.frame(name="archive-frame")
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def _in_view(frame: Any, selector: str) -> bool:
    return bool(
        frame.evaluate(
            """sel => { const r = document.querySelector(sel).getBoundingClientRect();
                        return r.top >= -2 && r.bottom <= window.innerHeight + 2; }""",
            selector,
        )
    )


@pytest.mark.parametrize("name", ["gbk", "lying"])
def test_archived_gbk_and_lying_charset_pages_read_right_everywhere(
    real_browser: tuple[Browser, ConsoleData, dict[str, int]], name: str
) -> None:
    b, data, real = real_browser
    page = b.page
    b.sign_in(data.keys["inspector"])
    expected, own = (
        ("华为P6", 0) if name == "gbk" else ("乳白亚克力外壳", 2)
    )  # the Taobao copy has 2 U+FFFD of its own
    b.goto(f"/console/cases/{real[name]}")
    frame = _archive(page)
    text = frame.inner_text("body")
    assert expected in text and text.count("\ufffd") <= own
    # The claim is marked where it was found; the jump scrolls the sandboxed frame to it.
    assert (
        "上海标准" in frame.locator("mark#mw-hit-1").inner_text()
        or frame.locator('mark[data-mw-hit="1"]').count() > 1
    )
    page.click("#jump-1")
    page.wait_for_function("() => true")
    frame = _archive(page)
    frame.wait_for_function("() => location.hash === '#mw-hit-1'")
    assert _in_view(frame, "#mw-hit-1")
    b.shot(f"13-evidence-{name}")
    # Opened on its own, the page is still sandboxed and still readable.
    b.goto(page.get_attribute("#open-archive", "href") or "")
    body = page.inner_text("body")
    assert expected in body and body.count("\ufffd") <= own
    assert page.evaluate(
        "() => { try { return typeof window.parent.document; } catch (e) { return 'blocked'; } }"
    )
    b.shot(f"14-archive-alone-{name}")
    b.goto(f"/console/cases/{real[name]}")
    page.click("#source-link")
    page.wait_for_url("**/source?finding=*")
    source = page.inner_text("#page-source")
    assert expected in source and source.count("\ufffd") <= own
    b.shot(f"15-source-{name}")
    assert b.dialogs == [] and b.foreign_requests == []


def test_every_location_is_highlighted_and_jumped_to(
    real_browser: tuple[Browser, ConsoleData, dict[str, int]],
) -> None:
    b, data, _ = real_browser
    page = b.page
    b.sign_in(data.keys["inspector"])
    b.goto(f"/console/cases/{data.cases['wording']}")
    frame = _archive(page)
    assert frame.locator("mark.mw-hit").all_inner_texts() == ["上海标准认证", "上海标准认证"]
    # The second location sits below 60 filler paragraphs: out of view until jumped to.
    assert not _in_view(frame, "#mw-hit-2")
    page.click("#jump-2")
    frame = _archive(page)
    frame.wait_for_function("() => location.hash === '#mw-hit-2'")
    assert _in_view(frame, "#mw-hit-2")
    # The :target style marks the location jumped to, drawn by our stylesheet inside the sandbox.
    outline = frame.evaluate("() => getComputedStyle(document.querySelector('#mw-hit-2')).outlineWidth")
    assert outline == "4px"
    b.shot("16-highlight-jump")
    page.click("#jump-1")
    frame = _archive(page)
    frame.wait_for_function("() => location.hash === '#mw-hit-1'")
    assert _in_view(frame, "#mw-hit-1")
    # The frame is still sandboxed with scripts off.
    assert page.get_attribute("#archive-frame", "sandbox") == ""
    assert b.dialogs == [] and b.foreign_requests == []


def test_keyboard_skips_and_leaves_the_evidence_frame(browser: tuple[Browser, ConsoleData]) -> None:
    b, data = browser
    page = b.page
    b.sign_in(data.keys["inspector"])
    b.goto(f"/console/cases/{data.cases['hostile']}")
    # The skip link is the first thing a keyboard reaches and it jumps to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "skip-link"
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#main'")
    # Skipping the archived page moves on past the frame.
    page.focus("#skip-frame")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'after-archive'")
    # Tabbing into the frame (its link is focusable) and on again comes back out: focus is never trapped.
    page.focus("#skip-frame")
    left = False
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.tagName") not in ("IFRAME", "A"):
            left = True
            break
        if page.evaluate("() => document.activeElement.id") not in ("archive-frame", "skip-frame", ""):
            left = True
            break
    assert left, "focus stayed in the evidence frame"
    assert b.dialogs == []


def test_copied_session_cookie_stops_working_after_sign_out(browser: tuple[Browser, ConsoleData]) -> None:
    b, data = browser
    page = b.page
    b.sign_in(data.keys["admin"])
    cookie = next(c for c in page.context.cookies() if c["name"] == SESSION_COOKIE)
    b.goto("/console/sessions")
    assert page.locator('#session-table tr[data-active="yes"]').count() == 1
    b.shot("17-sessions")
    page.click("#sign-out")
    page.wait_for_url("**/console/login")
    page.context.add_cookies([cookie])
    b.goto("/console/cases")
    assert "/console/login" in page.url


def test_image_claim_is_drawn_with_its_box(sqlite_url: str) -> None:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    case_id, digest = seed_image_case(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            b = Browser(context.new_page(), base)
            context.route("**/*", b.guard)
            b.sign_in(data.keys["inspector"])
            loaded: list[str] = []
            b.page.on(
                "response", lambda r: loaded.append(r.url) if f"/console/images/{digest}" in r.url else None
            )
            b.goto(f"/console/cases/{case_id}")
            b.page.wait_for_load_state("load")
            assert loaded, "the archived image was not requested"
            box = b.page.locator("#image-1 rect.ocr-box").bounding_box()
            assert box is not None and box["width"] > 0
            b.page.locator("#image-1").scroll_into_view_if_needed()
            b.shot("18-image-claim")
            # The suspect's image host is never contacted: only the archived copy is shown.
            assert b.foreign_requests == [] and b.dialogs == []
        finally:
            chromium.close()


# What QA's English sweep let through (technical names and data, not UI words).
# The language switcher names English in English, as language switchers do.
ALLOWED_LATIN = frozenset(
    ["SHS", "DEMO", "SHA", "PDF", "CSV", "URL", "HTTP", "JSON", "GBK", "UTF", "USCC", "English"]
)


def _latin_words(text: str) -> set[str]:
    """Latin words a reader sees, leaving out addresses and standard codes (data, not UI)."""
    text = re.sub(r"https?://\S+|\b[\w.-]+\.(?:com|net|example|cn)\b", "", text)
    text = re.sub(r"\b[A-Z]{1,6}/[A-Z/]*\S*", "", text)
    return {word for word in re.findall(r"[A-Za-z][A-Za-z_\-]{2,}", text) if word not in ALLOWED_LATIN}


def test_chinese_case_page_reads_in_chinese_in_the_browser(
    browser: tuple[Browser, ConsoleData], sqlite_url: str
) -> None:
    driver, data = browser
    case_id = data.cases["wording"]
    with db.session_scope(sqlite_url) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.confidence_reasons = [
            "use: product (page:price, near:standard-label, against page:byline)",
            "tie: title-only",
        ]
    driver.sign_in(data.keys["inspector"])
    driver.goto(f"/console/cases/{case_id}")
    driver.page.fill("#comment-body", "已核对存档")
    driver.page.click("#comment-form button[type=submit]")
    driver.page.wait_for_url(f"**/console/cases/{case_id}*")
    driver.shot("case-chinese")
    reasons = driver.page.inner_text("#confidence-reasons")
    assert "用途判定：产品声称（依据：页面·标有价格" in reasons and "仅有标准名称（无编号）" in reasons
    history = driver.page.inner_text("#audit-table")
    assert "置信依据：" in history and "系统（第" in history
    assert "检查员 " in driver.page.inner_text("#comments")
    # The archived page (its text, addresses and hashes) is data, not UI: the rest is read word by word.
    ui = driver.page.evaluate(
        """() => { const c = document.body.cloneNode(true);
                   c.querySelectorAll('#snapshot, code, q, iframe').forEach(e => e.remove());
                   return c.innerText; }"""
    )
    # The inspector's key name is data too.
    assert _latin_words(ui.replace("test-inspector", "")) == set()
    driver.goto("/console/no-such-page")
    assert "找不到该页面或记录。" in driver.page.inner_text("main")
    driver.shot("not-found-chinese")
    assert driver.foreign_requests == []


@pytest.mark.slow
def test_a_swept_image_claim_shows_its_box_text_and_hash_in_the_case_and_notice(
    sqlite_url: str, tmp_path: Path
) -> None:
    """End to end: a real sweep reads a label photo by OCR, the case opened from it shows the archived image
    with the claim's box and the text read, and its notice cites the image's sha256."""
    import subprocess
    import sys

    from images_support import Shop, serve_shop
    from sqlalchemy import select

    from markwatch import db
    from markwatch.cases.lifecycle import transition
    from markwatch.cases.models import Case, CaseStatus
    from sweeps.models import Finding

    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    markwatch = str(Path(sys.executable).with_name("markwatch"))
    for shop in serve_shop(Shop()):
        swept = subprocess.run(
            [markwatch, "sweep", "run", str(shop.targets(tmp_path / "targets.yaml")), "--db", sqlite_url,
             "--job-dir", str(tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false", "--cases"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert swept.returncode == 0, swept.stderr[-3000:]
    with db.session_scope(sqlite_url) as session:
        case = session.scalars(
            select(Case).where(Case.rule_id == "SHS003", Case.page_url.like("%/item/1.html"))
        ).one()
        finding = session.scalars(select(Finding).where(Finding.finding_key == case.case_key)).one()
        image = finding.evidence["image"]
        digest, bbox = image["sha256"], image["bbox"]
        for status in (CaseStatus.IN_REVIEW, CaseStatus.CONFIRMED):
            transition(session, case, status, actor="inspector:test", reason="label photo checked")
        case_id = case.id
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            b = Browser(context.new_page(), base)
            context.route("**/*", b.guard)
            b.sign_in(data.keys["inspector"])
            loaded: list[int] = []
            b.page.on(
                "response",
                lambda r: loaded.append(r.status) if f"/console/images/{digest}" in r.url else None,
            )
            b.goto(f"/console/cases/{case_id}")
            b.page.wait_for_load_state("load")
            assert loaded == [200], "the archived image was not served"
            figure = b.page.locator("figure.image-evidence").first
            rect = figure.locator("rect.ocr-box")
            drawn = [int(float(rect.get_attribute(name) or "0")) for name in ("x", "y", "width", "height")]
            assert drawn == [bbox[0], bbox[1], bbox[2] - bbox[0], bbox[3] - bbox[1]]
            shown = rect.bounding_box()
            assert shown is not None and shown["width"] > 10 and shown["height"] > 5  # visible, not collapsed
            # The text exactly as OCR read it (the claim itself is read after normalisation).
            assert "T/DEMO001-2019" in figure.locator("q.ocr-text").inner_text().replace(" ", "")
            assert digest in figure.inner_text()
            figure.scroll_into_view_if_needed()
            b.shot("19-swept-image-claim")
            # A deadline the console accepts: after today, within MARKWATCH_CONSOLE_MAX_DEADLINE_DAYS.
            deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
            b.goto(f"/console/cases/{case_id}/notice?deadline={deadline}")
            assert b.page.locator(".notice-image-sha").all_inner_texts() == [digest]
            b.shot("20-image-claim-notice")
            # Only the archived copy is shown: the shop's image hosts are never contacted by the console.
            assert b.foreign_requests == [] and b.dialogs == []
        finally:
            chromium.close()
