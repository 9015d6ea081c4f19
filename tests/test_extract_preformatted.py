"""Quotes keep the page's own white space where the page shows it (<pre>, white-space: pre / pre-wrap / pre-line):
a browser draws those line breaks and runs of spaces, so the evidence quotes them. Matching still reads the
normalised text, where they are one space each (the claims found are the same as before)."""

from __future__ import annotations

import pytest
from hostile_support import extracted_in_linear_time
from hypothesis import example, given
from hypothesis import strategies as st

from checker.extract import extract_page
from checker.extract.models import Claim
from checker.extract.verbatim import OffsetMap, Quoter, display_text
from pagetext.normalize import compact, normalize_text

CODE = "T/DEMO 001-2022"


def _claims(body: str) -> list[Claim]:
    return extract_page(f"<html><body><h1>电热水壶</h1>{body}</body></html>".encode()).claims


@pytest.mark.parametrize(
    ("open_tag", "close_tag"),
    [
        ("<pre>", "</pre>"),
        ("<div style='white-space: pre'>", "</div>"),
        ("<div style='color:red;white-space:pre-wrap'>", "</div>"),
        ("<p style='WHITE-SPACE: break-spaces'>", "</p>"),
        ("<div style='white-space: pre-wrap'><span>", "</span></div>"),  # inherited by the text's parent
        ("<xmp>", "</xmp>"),  # a legacy raw-text element, read as <pre>
    ],
    ids=["pre", "style-pre", "style-pre-wrap", "style-break-spaces", "inherited", "xmp"],
)
def test_a_preformatted_quote_keeps_the_page_line_breaks_and_spaces(open_tag: str, close_tag: str) -> None:
    body = f"{open_tag}产品名称：电热水壶\n执行标准：{CODE}\n    （上海\n  标准）\t型号：A1{close_tag}"
    (claim,) = _claims(body)
    assert claim.verbatim == "上海\n  标准"
    assert "执行标准：T/DEMO 001-2022\n    （上海\n  标准）\t型号：A1" in claim.snippet
    # Matching reads the normalised text, as before: one space for each run.
    assert claim.standard_code == CODE
    assert "(上海 标准) 型号:A1" in claim.snippet_normalized


def test_pre_line_keeps_line_breaks_and_collapses_spaces() -> None:
    (claim,) = _claims(
        f"<div style='white-space:pre-line'>执行标准：{CODE}   \n（上海   标准）\n\n型号：A1</div>"
    )
    assert claim.verbatim == "上海 标准"
    assert f"执行标准：{CODE}\n（上海 标准）\n\n型号：A1" in claim.snippet


def test_collapsible_spaces_after_a_kept_line_break_are_not_shown() -> None:
    # A browser removes them at the start of the line: "…2022\n （上海" showed a space that is not on screen.
    body = f"<div style='white-space:pre-line'>执行标准：{CODE}\n<b style='white-space:normal'>  （上海\n标准）</b></div>"
    (claim,) = _claims(body)
    assert f"执行标准：{CODE}\n（上海 标准）" in claim.snippet


@pytest.mark.parametrize(
    "body",
    [
        f"<p>执行标准：{CODE}\n    （上海\n  标准）</p>",
        # white-space: normal below a <pre> collapses again
        f"<pre><span style='white-space: normal'>执行标准：{CODE}\n    （上海\n  标准）</span></pre>",
        f"<div style='white-space:nowrap'>执行标准：{CODE}\n    （上海\n  标准）</div>",
    ],
    ids=["paragraph", "normal-inside-pre", "nowrap"],
)
def test_elsewhere_white_space_is_collapsed_as_before(body: str) -> None:
    (claim,) = _claims(body)
    assert claim.verbatim == "上海 标准"
    assert f"执行标准：{CODE} （上海 标准）" in claim.snippet


def test_a_quote_split_by_a_line_break_in_pre_and_one_by_br_read_alike() -> None:
    # The same claim written in a <pre> and with <br>: found alike, quoted as each page shows it.
    (pre,) = _claims(f"<pre>执行标准：{CODE}（上海\n标准）</pre>")
    (br,) = _claims(f"<p>执行标准：{CODE}（上海<br>标准）</p>")
    assert (pre.verbatim, br.verbatim) == ("上海\n标准", "上海 标准")
    assert pre.standard_code == br.standard_code == CODE
    assert compact(pre.text) == compact(br.text) == "上海标准"


_PIECES = st.sampled_from(
    [
        "上海",
        "标准",
        "標準",
        "\n",
        "  ",
        "\t",
        " ",
        "\r\n",
        "\u3000",
        "\u200b",
        "&ldquo;",
        "—",
        "Ｔ",
        "A1",
        "（",
    ]
)


@given(st.lists(_PIECES, max_size=30), st.sampled_from(["pre", "pre-line"]))
@example(["上海", "\n", "  ", "标准"], "pre")
@example(["\n", "上海", "\t", "\n", "标准", "  "], "pre-line")
def test_preformatted_display_maps_back_token_by_token(pieces: list[str], mode: str) -> None:
    # The quote map stays consistent when the display text keeps the page's white space: every token of the
    # normalised text maps to page text that normalises to it, and the display keeps every shown character.
    raw = "".join(pieces)
    preserved = ((0, len(raw), mode),)
    display = display_text(raw, preserved)
    normalized = normalize_text(raw)
    offsets = OffsetMap(display, normalized)
    for token in normalized.split():
        at = normalized.index(token)
        first, last = offsets.span(at, at + len(token))
        assert 0 <= first <= last <= len(display)
        assert compact(display[first:last]) == compact(token)
    assert compact(display) == compact(raw)
    if mode == "pre":
        assert display == raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def test_quoter_positions_point_at_the_raw_characters_in_pre() -> None:
    raw = "前 文  执行标准\n  （上海\n  标准）"
    preserved = ((4, len(raw), "pre"),)
    quoter = Quoter(raw, normalize_text(raw), preserved=preserved)
    normalized = normalize_text(raw)
    start = normalized.index("上海")
    end = normalized.index("标准)") + 2
    assert quoter.verbatim(start, end) == "上海\n  标准"
    assert "".join(raw[i] for i in quoter.raw_positions(start, end)) == "上海标准"


def test_a_long_pre_is_quoted_in_linear_time() -> None:
    # The kept white space was built one character at a time: a 1.2 MB <pre> ran out of the page's CPU budget
    # while quoting, where the same text in a <p> did not.
    def page_of(lines: int) -> bytes:
        body = "说明文字 \n" * lines
        return f"<html><body><h1>x</h1><pre>{body}执行标准：{CODE}（上海标准）{body}</pre></body></html>".encode()

    result = extracted_in_linear_time(page_of, 2_000)
    assert [claim.verbatim for claim in result.claims] == ["上海标准"]
