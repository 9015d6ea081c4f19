"""Inline <svg> text is page text: a buyer sees the words an <svg><text> draws (it was dropped with scripts)."""

from __future__ import annotations

import pytest

from checker.extract.extractor import extract_page

CODE = "T/SHHJ 000003-2018"


def _item(inner: str, head: str = "") -> bytes:
    return (
        f'<html><head><meta charset="utf-8">{head}</head><body><h1>塑胶跑道面层材料</h1><p>价格：￥99</p>'
        f"<div class='badge'>{inner}</div></body></html>"
    ).encode()


def test_words_drawn_by_an_inline_svg_are_a_claim_quoted_as_drawn() -> None:
    # Before: no claim at all (the <svg> was pruned whole), although the badge shows the words.
    page = _item(
        "<svg width='300' height='60' viewBox='0 0 300 60'><rect width='300' height='60' fill='#c00'/>"
        f"<text x='10' y='40'>本品执行{CODE}（<tspan font-weight='bold'>上海标准</tspan>）</text></svg>"
    )
    (claim,) = extract_page(page).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.verbatim == "上海标准" and f"本品执行{CODE}（上海标准）" in claim.snippet
    assert claim.hidden is None and claim.use_confidence == "high"


def test_lines_placed_apart_stay_apart_and_titles_and_definitions_are_not_drawn() -> None:
    page = _item(
        "<svg width='300' height='90'><title>上海标准 T/SHHJ 000009-2020</title>"
        "<defs><text id='t'>本品执行T/SHHJ 000008-2020（上海标准）</text></defs>"
        f"<text x='0' y='20'><tspan x='0'>本品执行{CODE}</tspan><tspan x='0' dy='24'>（上海标准）</tspan></text></svg>"
    )
    (claim,) = extract_page(page).claims
    assert claim.standard_code == CODE and claim.text == "上海标准"


@pytest.mark.parametrize(
    ("inner", "head"),
    [
        (f"<svg style='display:none'><text>本品执行{CODE}（上海标准）</text></svg>", ""),
        (f"<svg><text display='none'>本品执行{CODE}（上海标准）</text></svg>", ""),
        (f"<svg><g visibility='hidden'><text>本品执行{CODE}（上海标准）</text></g></svg>", ""),
        (f"<svg width='0' height='0'><text>本品执行{CODE}（上海标准）</text></svg>", ""),
        # Opacity below 0 is clamped to 0 (was read as shown: only a written zero hid).
        (f"<svg><text opacity='-1'>本品执行{CODE}（上海标准）</text></svg>", ""),
        (f"<svg><text style='fill-opacity:-0.5'>本品执行{CODE}（上海标准）</text></svg>", ""),
        (
            f"<svg class='off'><text>本品执行{CODE}（上海标准）</text></svg>",
            "<style>.off{display:none}</style>",
        ),
    ],
)
def test_svg_text_hidden_from_buyers_is_a_hidden_claim(inner: str, head: str) -> None:
    # The same hidden-text logic as for any element: the <svg>'s style, class and the page's stylesheet, and
    # what SVG itself hides (presentation attributes, a zero-sized <svg>).
    (claim,) = extract_page(_item(inner, head)).claims
    assert claim.standard_code == CODE and (claim.hidden or "").startswith("display:none")


def test_a_decorative_svg_without_text_changes_nothing() -> None:
    icon = "<svg width='16' height='16'><path d='M0 0L16 16'/></svg>"
    page = _item(f"{icon}<p>本品执行{CODE}（上海标准）</p>")
    (claim,) = extract_page(page).claims
    assert claim.standard_code == CODE and claim.hidden is None
