"""Bidi controls in quoted page evidence are shown as visible markers in real Chromium, never obeyed.

A page can write `T/DEMO 001-‮9102‬` so that a browser shows "2019" where the text says "9102" (U+202E
RIGHT-TO-LEFT OVERRIDE ... U+202C POP DIRECTIONAL FORMATTING). Evidence shown that way reads as something it
is not. The console shows each such character as a marker of its own (⟨U+202E⟩) and the text around it in its
stored order; the stored evidence keeps the characters as the page had them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from console_support import NOW, _finding, case_in_chromium

from crawler.store.models import Sweep
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import Case
from sweeps.models import Finding

pytestmark = pytest.mark.browser

RLO, PDF, LRI, PDI, RLM = "\u202e", "\u202c", "\u2066", "\u2069", "\u200f"
SNIPPET = f"执行标准：T/DEMO 001-{RLO}9102{PDF}（上海标准）{LRI}型号{PDI}{RLM}"
CLAIMANT = f"上海{RLO}司公丙{PDF}"
CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _seed(url: str) -> int:
    with db.session_scope(url) as session:
        sweep = Sweep(target="bidi", state="finished", started_at=NOW)
        session.add(sweep)
        session.flush()
        _finding(
            session,
            sweep,
            key="bidi",
            rule_id="SHS001",
            severity="high",
            url="https://shop.example.com/item/rlo",
            site="shop.example.com",
            claimant=CLAIMANT,
            snippet=SNIPPET,
            code="T/DEMO 001-9102",
            observed_at=NOW,
            body=f"<html><body><p>{SNIPPET}</p></body></html>",
            message="unregistered",
            locations=(("html > body > p:nth-of-type(1)", "上海标准"),),
        )
        ingest_sweep(session, sweep.id)
        return int(session.query(Case).filter_by(case_key="bidi").one().id)


@pytest.fixture
def case_page(sqlite_url: str) -> Iterator[tuple[Any, str]]:
    with case_in_chromium(sqlite_url, _seed(sqlite_url)) as page:
        yield page, sqlite_url


# Where each character of the first text node holding `needle` is drawn, left to right on screen.
_CHAR_LEFTS = """(root, needle) => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const lefts = [];
    for (let i = 0; i < needle.length; i++) {
      const range = document.createRange();
      range.setStart(node, at + i);
      range.setEnd(node, at + i + 1);
      lefts.push(range.getBoundingClientRect().left);
    }
    return lefts;
  }
  return null;
}"""


def test_bidi_controls_in_a_quote_are_shown_as_markers_and_do_not_reorder_it(
    case_page: tuple[Any, str],
) -> None:
    page, url = case_page
    snippet = page.locator("#snippet")
    # Each control is a marker of its own, in a span styled apart from the quote.
    markers = snippet.locator(".bidi-control")
    assert markers.all_inner_texts() == ["⟨U+202E⟩", "⟨U+202C⟩", "⟨U+2066⟩", "⟨U+2069⟩", "⟨U+200F⟩"]
    assert "RIGHT-TO-LEFT OVERRIDE" in (markers.first.get_attribute("title") or "")
    quote_colour = snippet.evaluate("e => getComputedStyle(e).color")
    assert markers.first.evaluate("e => getComputedStyle(e).color") != quote_colour
    # None of the characters themselves reaches the page, so nothing is drawn out of order: "9102" reads
    # 9, 1, 0, 2 from left to right, as stored (the override drew it as "2019").
    assert CONTROLS.search(snippet.inner_text()) is None
    assert CONTROLS.search(page.content()) is None
    lefts = snippet.evaluate(_CHAR_LEFTS, "9102")
    assert lefts is not None and lefts == sorted(lefts) and len(set(lefts)) == 4, lefts
    # The location list quotes the page too, and the claimant is the page's own words.
    assert page.locator(".loc-snippet .bidi-control").count() == 5
    assert page.locator("#claimant .bidi-control").all_inner_texts() == ["⟨U+202E⟩", "⟨U+202C⟩"]
    # The stored evidence is the page's text, controls and all.
    with db.session_scope(url) as session:
        finding = session.query(Finding).filter_by(finding_key="bidi").one()
        assert finding.claim["snippet"] == SNIPPET
        assert finding.evidence["snippet"] == SNIPPET
