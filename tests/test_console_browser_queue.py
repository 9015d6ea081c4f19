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
