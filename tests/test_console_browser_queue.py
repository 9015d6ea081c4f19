"""The queue and the case page as an inspector working through many cases sees them, in real Chromium:
several cases moved at once from the queue (each on its own, each result shown), and an audit history whose
columns stay readable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cases_support import LiveServer
from console_support import ConsoleData, console_app, require_chromium, seed

pytestmark = pytest.mark.browser


@pytest.fixture
def inspector(sqlite_url: str) -> Iterator[tuple[Any, str, ConsoleData, str]]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    data = seed(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.goto(base + "/console/cases")
            page.fill("#api_key", data.keys["inspector"])
            page.click("#sign-in")
            page.wait_for_url("**/console/cases")
            yield page, base, data, sqlite_url
        finally:
            chromium.close()


def _lines(page: Any, selector: str) -> float:
    """How many lines of text the first element matching `selector` takes."""
    return float(
        page.eval_on_selector(
            selector,
            "el => el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '20')",
        )
    )


def test_audit_event_names_stay_on_one_line(inspector: tuple[Any, str, ConsoleData, str]) -> None:
    """The event column is never squeezed to one character a line by long details beside it (立案 read as
    立 / 案), in either language."""
    page, base, data, _ = inspector
    page.set_viewport_size({"width": 1024, "height": 800})  # a laptop beside the evidence
    for lang in ("zh", "en"):
        page.goto(f"{base}/console/cases/{data.cases['hostile']}?lang={lang}")
        page.wait_for_selector('tr.audit-entry[data-kind="opened"] td.event-kind')
        kind = 'tr.audit-entry[data-kind="opened"] td.event-kind'
        lines = page.eval_on_selector(
            kind,
            """el => { const r = document.createRange(); r.selectNodeContents(el);
                       return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size; }""",
        )
        assert lines == 1, (lang, page.inner_text(kind))


def test_bulk_start_review_and_assign_with_the_keyboard(inspector: tuple[Any, str, ConsoleData, str]) -> None:
    """Select two cases with the space bar, start review on them with Enter, see each case's outcome; then
    assign by typing a name and pressing Enter (the form's first button is assign, never review)."""
    page, _, data, _ = inspector
    first, second = data.cases["expired"], data.cases["wording"]
    page.focus(f"#select-{first}")
    page.keyboard.press("Space")
    page.focus(f"#select-{second}")
    page.keyboard.press("Space")
    assert page.is_checked(f"#select-{first}") and page.is_checked(f"#select-{second}")
    assert not page.is_checked(f"#select-{data.cases['hostile']}")
    page.focus("#bulk-review")
    page.keyboard.press("Enter")
    page.wait_for_selector("#bulk-results")
    rows = page.locator("#bulk-results tbody tr")
    assert rows.count() == 2
    assert {rows.nth(i).get_attribute("data-outcome") for i in range(2)} == {"done"}
    assert "2 件已处理，0 件被拒绝" in page.inner_text("#bulk-summary")
    page.keyboard.press("Tab")  # the page is usable from the keyboard: the skip link comes first
    page.click("#back-to-queue")
    page.wait_for_url("**/console/cases*")
    statuses = {
        row.get_attribute("data-case-id"): row.locator(".status").first.inner_text()
        for row in page.locator("#case-table tbody tr[data-case-id]").all()
    }
    assert statuses[str(first)] == statuses[str(second)] == "审查中"
    page.click("#select-page")
    page.wait_for_url("**select=page*")
    page.fill("#bulk-assignee", "张三")
    page.press("#bulk-assignee", "Enter")
    page.wait_for_selector("#bulk-results")
    assert "分派给 张三：3 件已处理" in page.inner_text("#bulk-summary")
    page.screenshot(path=str(_artifacts() / "10-bulk-results.png"), full_page=True)


def _artifacts() -> Any:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "test-artifacts" / "console"
    path.mkdir(parents=True, exist_ok=True)
    return path
