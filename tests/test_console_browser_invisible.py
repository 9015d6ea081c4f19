"""Invisible characters in quoted evidence are shown, escaped, in real Chromium: an inspector sees why a naive
search missed the words (上海<U+200B>标准), and what a long run was stored as (⟦U+200B×100000⟧).

Each zero-width character, soft hyphen, joiner or control character the quote holds is drawn as a marker of its
own (⟨U+200B⟩, a run of one character as ⟨U+200B×40⟩), with a title naming the code point; none of the characters
themselves reaches the page, nor any of the page's markup. The quote keeps the page's line breaks where it kept
them (<pre>), and is isolated from the text around it.
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
from pagetext.invisible import INVISIBLE

ZWSP, SHY, ZWJ, WJ = "\u200b", "\u00ad", "\u200d", "\u2060"
SNIPPET = (
    f"执行标准：T/DEMO 001-2022\n  （上{ZWSP}海{SHY}标{ZWJ}准）"
    f"型号{WJ * 40}A1\x01<script>window.__pwned=1</script>&lt;b&gt;"
    "上⟦U+200B×100000 U+00AD×5⟧海标准"
)


def _seed(url: str) -> int:
    with db.session_scope(url) as session:
        sweep = Sweep(target="invisible", state="finished", started_at=NOW)
        session.add(sweep)
        session.flush()
        _finding(
            session,
            sweep,
            key="invisible",
            rule_id="SHS001",
            severity="high",
            url="https://shop.example.com/item/zw",
            site="shop.example.com",
            claimant=f"上海{ZWSP}甲公司",
            snippet=SNIPPET,
            code="T/DEMO 001-2022",
            observed_at=NOW,
            body=f"<html><body><pre>{SNIPPET}</pre></body></html>",
            message="unregistered",
            locations=(("html > body > pre:nth-of-type(1)", f"上{ZWSP}海{SHY}标{ZWJ}准"),),
        )
        ingest_sweep(session, sweep.id)
        return int(session.query(Case).filter_by(case_key="invisible").one().id)


@pytest.fixture
def case_page(sqlite_url: str) -> Iterator[Any]:
    with case_in_chromium(sqlite_url, _seed(sqlite_url)) as page:
        yield page


def test_invisible_characters_in_a_quote_are_shown_as_markers(case_page: Any) -> None:
    page = case_page
    snippet = page.locator("#snippet")
    markers = snippet.locator(".invisible-char")
    assert markers.all_inner_texts() == ["⟨U+200B⟩", "⟨U+00AD⟩", "⟨U+200D⟩", "⟨U+2060×40⟩", "⟨U+0001⟩"]
    assert "ZERO WIDTH SPACE" in (markers.first.get_attribute("title") or "")
    assert "40" in (markers.nth(3).get_attribute("title") or "")
    # Each is drawn: it takes room on screen, in a colour apart from the quote's.
    for box in markers.evaluate_all("els => els.map(e => e.getBoundingClientRect().width)"):
        assert box > 4
    assert markers.first.evaluate("e => getComputedStyle(e).color") != snippet.evaluate(
        "e => getComputedStyle(e).color"
    )
    # The quoted words are still marked as one, markers inside.
    assert "上⟨U+200B⟩海⟨U+00AD⟩标⟨U+200D⟩准" in snippet.locator("mark").all_inner_texts()
    # A long run stored as its marker is shown as one, saying what it stands for.
    run = snippet.locator(".invisible-run")
    assert run.all_inner_texts() == ["⟦U+200B×100000 U+00AD×5⟧"]
    assert "100005" in (run.first.get_attribute("title") or "")
    # None of the characters, and none of the page's markup, reaches the page: its text only.
    assert INVISIBLE.search(page.content()) is None
    tags = set(snippet.locator("*").evaluate_all("els => els.map(e => e.tagName)"))
    assert tags <= {"MARK", "SPAN"} and page.evaluate("window.__pwned || null") is None
    assert "<script>window.__pwned=1</script>&lt;b&gt;" in snippet.inner_text()
    # The claimant is the page's words too.
    assert page.locator("#claimant .invisible-char").all_inner_texts() == ["⟨U+200B⟩"]


def test_a_quote_keeps_its_line_breaks_and_is_isolated(case_page: Any) -> None:
    page = case_page
    snippet = page.locator("#snippet")
    # The stored line break of a <pre> shows as one: the code and the words are on two lines.
    tops = snippet.evaluate(
        """e => ['T/DEMO', '型号'].map(needle => {
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              const at = n.data.indexOf(needle);
              if (at < 0) continue;
              const range = document.createRange();
              range.setStart(n, at); range.setEnd(n, at + 1);
              return range.getBoundingClientRect().top;
            }
            return null;
        })"""
    )
    assert tops[0] is not None and tops[1] is not None and tops[1] > tops[0]
    assert re.search(r"T/DEMO 001-2022\n {2}（上", snippet.inner_text())
    for selector in ("#snippet", ".loc-snippet", "#claimant"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).unicodeBidi") == "isolate"
