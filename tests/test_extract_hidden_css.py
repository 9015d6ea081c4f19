"""Hiding beyond display:none (css_hiding.py): transparent, background-coloured, off-screen, clipped, scaled or
squeezed text is hidden from buyers; each way only in the combination that really hides."""

from __future__ import annotations

import pytest
from hostile_support import CODE, page

from checker.extract import extract_page


@pytest.mark.parametrize(
    ("style", "how"),
    [
        ("opacity:0", "opacity:0"),
        ("opacity:0.0", "opacity:0"),
        ("color:transparent", "color:transparent"),
        ("color:rgba(0,0,0,0)", "color:transparent"),
        ("color:#fff0", "color:transparent"),
        ("position:absolute;left:-9999px", "positioned off the screen"),
        ("position:fixed;top:-200em", "positioned off the screen"),
        ("position:absolute;clip:rect(0,0,0,0)", "clip:rect(0,0,0,0)"),
        ("position:absolute;clip:rect(1px 1px 1px 1px)", "clip:rect(0,0,0,0)"),
        ("clip-path:inset(50%)", "clip-path:inset(50%)"),
        ("display:inline-block;transform:scale(0)", "transform:scale(0)"),
        ("display:inline-block;height:0;overflow:hidden", "height:0 with overflow hidden"),
        ("position:absolute;width:0;overflow:hidden", "width:0 with overflow hidden"),
        ("display:inline-block;text-indent:-9999px", "text-indent off the screen"),
        ("display:inline-block;content-visibility:hidden", "content-visibility:hidden"),
    ],
)
def test_characters_hidden_inside_the_words_are_read_through(style: str, how: str) -> None:
    # A buyer reads 上海标准: read as shown, 上海xx标准 was no mention and the claim was lost without a word.
    (claim,) = extract_page(
        page(f'<p>执行标准：{CODE}（上海<span style="{style}">xx</span>标准）</p>')
    ).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.hidden is None and claim.hidden_inside == how


@pytest.mark.parametrize(
    ("attrs", "how"),
    [
        ('style="opacity:0"', "opacity:0"),
        ('style="color:#fff;background:#fff"', "color #ffffff on background #ffffff"),
        ('style="text-indent:-9999px;overflow:hidden"', "text-indent off the screen"),
        ('style="text-indent:-9999px"', "text-indent off the screen"),
        ('style="height:0;overflow:hidden"', "height:0 with overflow hidden"),
        ('style="max-height:0;overflow-y:hidden"', "max-height:0 with overflow hidden"),
        ('style="transform:scale(0,0)"', "transform:scale(0)"),
        ('style="position:absolute;top:-10000px"', "positioned off the screen"),
        ('class="sr-only"', "screen-reader-only class"),
        ('class="x visually-hidden"', "screen-reader-only class"),
    ],
)
def test_keyword_stuffing_hidden_so_is_a_hidden_claim(attrs: str, how: str) -> None:
    # Read as shown, such stuffing was a high-confidence finding signed on text no buyer sees.
    (claim,) = extract_page(page(f"<div {attrs}><p>执行标准：{CODE}（上海标准）</p></div>")).claims
    assert claim.hidden == how


def test_colour_on_the_nearest_backgrounds_colour_hides_and_a_descendants_colour_shows_again() -> None:
    hidden = f'<div style="background-color:#ffffff"><p style="color:#fafafa">执行标准：{CODE}（上海标准）</p></div>'
    assert extract_page(page(hidden)).claims[0].hidden == "color #fafafa on background #ffffff"
    again = f'<div style="background:#fff;color:#fff"><p style="color:#333">执行标准：{CODE}（上海标准）</p></div>'
    assert extract_page(page(again)).claims[0].hidden is None
    painted = (
        '<div style="background:#fff;color:#fff">'
        f'<p style="background:#c00">执行标准：{CODE}（上海标准）</p></div>'
    )
    assert extract_page(page(painted)).claims[0].hidden is None


def test_the_stylesheet_hides_so_and_names_its_rule() -> None:
    css = ".k{position:absolute;left:-9999px} .w{background:#000;color:#000}"
    raw = page(f'<div class="k"><p>执行标准：{CODE}（上海标准）</p></div>', css)
    assert extract_page(raw).claims[0].hidden == "positioned off the screen (stylesheet .k)"
    raw = page(f'<div class="w"><p>执行标准：{CODE}（上海标准）</p></div>', css)
    assert extract_page(raw).claims[0].hidden == "color #000000 on background #000000 (stylesheet .w)"
    # A later rule puts it back on the screen.
    raw = page(f'<div class="k"><p>执行标准：{CODE}（上海标准）</p></div>', css + " div.k{position:static}")
    assert extract_page(raw).claims[0].hidden is None


@pytest.mark.parametrize(
    "attrs",
    [
        'style="height:0"',  # no overflow hidden: the content spills out and shows
        'style="height:0;padding-bottom:56%;overflow:hidden"',  # the aspect-ratio box: content in the padding
        'style="left:-9999px"',  # not positioned: left does nothing
        'style="clip:rect(0,0,0,0)"',  # clip works on positioned boxes only
        'style="opacity:0.5"',
        'style="color:#fff"',  # no background known (a linked sheet, the browser's default): not guessed
        'style="color:rgba(255,255,255,.5);background:#fff"',  # half transparent: not guessed
        'style="text-indent:2em"',
        'style="transform:scale(1.5)"',
        'class="sr-only-focusable-x"',
    ],
)
def test_declarations_that_do_not_hide_leave_the_claim_shown(attrs: str) -> None:
    (claim,) = extract_page(page(f"<div {attrs}><p>执行标准：{CODE}（上海标准）</p></div>")).claims
    assert claim.hidden is None


@pytest.mark.parametrize(
    "style",
    [
        "height:0;overflow:hidden",  # height and overflow do nothing on an inline span
        "transform:scale(0)",  # nor does a transform
        "text-indent:-9999px",
    ],
)
def test_box_declarations_on_inline_text_hide_nothing(style: str) -> None:
    # 上海<span>xx</span>标准 shows 上海xx标准 here: no claim is read into it.
    raw = page(f'<p>执行标准：{CODE}（上海<span style="{style}">xx</span>标准）</p>')
    assert extract_page(raw).claims == []


def test_a_background_a_linked_sheet_may_paint_is_not_known() -> None:
    # The span is named by a class: a stylesheet the page links (never read) may give it its own background.
    raw = page(
        f'<div style="background:#fff"><p>执行标准：{CODE}（上海<span class="c" style="color:#fff">xx</span>标准）</p></div>'
    )
    assert extract_page(raw).claims == []


# --- Words a stylesheet draws as generated content ---


@pytest.mark.parametrize(
    "css",
    [
        '.brand::after{content:"上海标准"}',
        ".brand:before { content: '上海' '标准' }",
        '.brand::after{content:"\\4e0a\\6d77\\6807\\51c6"} .x{color:red}',  # CSS escapes
        '.brand::after{/* x */content:/* y */"上海标准"}',
    ],
)
def test_words_only_in_generated_content_are_said(css: str) -> None:
    # A buyer reads 上海标准 where .brand stands; nothing in the document's text holds it, and the page read as
    # "no claim" without a word.
    raw = page(f'<p>执行标准：{CODE}（<span class="brand"></span>）</p><p>上海标准</p>', css)
    assert "css-content" in {w.code for w in extract_page(raw).warnings}


def test_generated_content_without_the_words_says_nothing() -> None:
    raw = page("<p>上海标准</p>", '.a::after{content:"标准"} .b::before{content:"\\201c"}')
    assert [w.code for w in extract_page(raw).warnings] == []


def test_many_unterminated_style_tags_are_read_in_linear_time() -> None:
    raw = page("<p>上海标准</p>" + "<style>content" * 100_000)
    result = extract_page(raw)
    assert "cpu-budget" not in {w.code for w in result.warnings}


def test_words_only_in_escaped_generated_content_pass_the_gate_and_are_said() -> None:
    # Nothing else on the page spells the words: the raw-bytes gate read the page as holding no mention.
    raw = page('<p>执行标准：<span class="b"></span></p>', '.b::after{content:"\\4E0A\\6D77\\6807\\51C6"}')
    assert [w.code for w in extract_page(raw).warnings] == ["css-content"]


def test_a_background_far_above_the_words_still_hides_the_characters_inside_them() -> None:
    # The pre-pass looked 8 levels up for the background: the paragraph was read as 上海xx标准 and dropped.
    raw = page(
        '<div style="background:#fff">'
        + "<div>" * 12
        + f'<p>执行标准：{CODE}（上海<span style="color:#fff">xx</span>标准）</p>'
        + "</div>" * 13
    )
    (claim,) = extract_page(raw).claims
    assert claim.text == "上海标准" and claim.hidden_inside == "color #ffffff on background #ffffff"
