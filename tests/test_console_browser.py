"""The console in a real browser: Debian's headless Chromium driven by Playwright against a live uvicorn.

Nothing leaves 127.0.0.1: every request to another host is aborted and recorded, and the tests assert
there were none. Screenshots and the downloaded PDF are kept under test-artifacts/console/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cases_support import LiveServer
from console_support import ConsoleData, console_app, pdf_text, require_chromium, seed

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
    page.locator("#move-in_review button").click()
    page.wait_for_selector("#flash")
    page.fill("#move-confirmed input[name=reason]", "商品页将上海标准表述为认证")
    page.locator("#move-confirmed button").click()
    page.wait_for_selector('#case-status[data-status="confirmed"]')
    entry = page.locator('tr.audit-entry[data-to="confirmed"]')
    assert entry.count() == 1
    assert "inspector:test-inspector#" in entry.inner_text()
    assert "商品页将上海标准表述为认证" in entry.inner_text()
    b.shot("03-case-confirmed")

    page.fill("#notice-form input[name=deadline]", "2099-03-01")
    page.click("#open-notice")
    page.wait_for_url(f"**/console/cases/{data.cases['wording']}/notice?*")
    assert page.inner_text("#notice-enterprise") == "上海乙贸易有限公司"
    assert page.inner_text("#notice-deadline") == "2099-03-01"
    b.shot("04-notice")

    with page.expect_download() as download_info:
        page.click("#notice-pdf")
    target = ARTIFACTS / "notice.pdf"
    download_info.value.save_as(str(target))
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000
    text = pdf_text(pdf)
    assert "上海乙贸易有限公司" in text and "2099-03-01" in text

    b.goto("/console/dashboard?lang=en")
    assert page.locator("svg.chart").count() == 3
    assert page.inner_text("h1") == "Dashboard"
    b.shot("05-dashboard-en")
    b.goto("/console/sweeps")
    assert page.locator("#sweep-table tr[data-sweep-id]").count() == 2
    b.shot("06-sweeps-en")
    page.click("#sign-out")
    page.wait_for_url("**/console/login")
    b.goto("/console/cases")
    assert "/console/login" in page.url
    assert b.dialogs == [] and b.foreign_requests == []


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
    archive = next(f for f in page.frames if f.url.endswith("/body"))
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
    b.shot("07-hostile-case")
    assert _pwned(page) is None
    assert _pwned(archive) is None
    assert b.dialogs == []

    # Even opened on its own, the archived page is sandboxed by its CSP.
    b.goto(archive.url.removeprefix(b.base))
    page.wait_for_load_state("load")
    assert "上海标准认证" in page.inner_text("body")
    assert _pwned(page) is None
    b.shot("08-archive-top-level")

    # The as-text view and the notice of the hostile case are inert too.
    b.goto(archive.url.removeprefix(b.base).replace("/body", "/source"))
    assert "<script>window.parent.__pwned" in page.inner_text("#page-source")
    assert _pwned(page) is None
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    for target in ("in_review", "confirmed"):
        response = page.request.post(
            f"{b.base}/console/cases/{data.cases['hostile']}/transition",
            form={"to": target, "csrf_token": token or ""},
            headers={"Origin": b.base},
        )
        assert response.ok
    b.goto(f"/console/cases/{data.cases['hostile']}/notice")
    assert "<script>" in page.inner_text("#notice-enterprise")
    assert _pwned(page) is None
    b.shot("09-hostile-notice")
    assert b.dialogs == [] and b.foreign_requests == []


def test_control_the_payloads_do_run_when_nothing_stops_them(browser: tuple[Browser, ConsoleData]) -> None:
    # Without this control, "nothing ran" could mean the payloads or the detectors were broken.
    from console_support import HOSTILE_BODY

    b, _ = browser
    b.page.set_content(HOSTILE_BODY)
    b.page.wait_for_timeout(300)
    assert _pwned(b.page) is not None
    assert b.dialogs, "the unsandboxed payload should have opened a dialog"
