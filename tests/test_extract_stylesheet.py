"""The page's own <style> blocks hide text too: characters inside the words are read through, a claim they hide
is a hidden claim; only simple selectors are evaluated, within bounds, and a popup the page opens is no hiding."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from checker.extract.extractor import extract_page
from checker.extract.gate import may_mention
from checker.extract.limits import default_limits
from checker.extract.stylesheet import MAX_CSS_CHARS, MAX_RULES, MAX_RULES_PER_NAME, read_sheet

CODE = "T/SHHJ 000003-2018"


def _item(css: str, body: str) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><style>{css}</style></head><body><h1>塑胶跑道面层材料</h1>'
        f"<p>价格：￥99</p>{body}</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("css", "words", "how"),
    [
        (".h{display:none}", '上海<i class="h">xx</i>标准', "display:none (stylesheet .h)"),
        ("#z{visibility:hidden}", '上海<span id="z">热卖</span>标准', "visibility:hidden (stylesheet #z)"),
        ("s{font-size:0px}", "上海<s>爆款</s>标准", "font-size:0 (stylesheet s)"),
        ("em.a.b{display:none}", '上海<em class="b a">xx</em>标准', "display:none (stylesheet em.a.b)"),
        (
            ".x, .y { display : none !important }",
            '上海<b class="y">xx</b>标准',
            "display:none (stylesheet .y)",
        ),
        (
            "/* } */ .q{content:'}';display:none}",
            '上海<b class="q">xx</b>标准',
            "display:none (stylesheet .q)",
        ),
    ],
)
def test_characters_a_stylesheet_hides_inside_the_words_are_read_through(
    css: str, words: str, how: str
) -> None:
    (claim,) = extract_page(_item(css, f"<p>本品执行{CODE}（{words}）</p>")).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE
    assert claim.hidden is None and claim.hidden_inside == how


def test_long_text_a_stylesheet_hides_inside_the_words_passes_the_gate() -> None:
    raw = _item(".h{display:none}", f'<p>本品执行{CODE}（上海<i class="h">{"热卖爆款" * 60}</i>标准）</p>')
    assert may_mention(raw)
    (claim,) = extract_page(raw).claims
    assert claim.text == "上海标准" and claim.hidden_inside == "display:none (stylesheet .h)"


def test_keyword_stuffing_a_stylesheet_hides_is_a_hidden_claim() -> None:
    raw = _item(".k{display:none}", f'<div class="k">执行标准：{CODE}（上海标准）</div>')
    (claim,) = extract_page(raw).claims
    assert claim.hidden == "display:none (stylesheet .k)"


@pytest.mark.parametrize(
    ("css", "attrs"),
    [
        ("div .k{display:none}", 'class="k"'),  # a combinator: not evaluated
        (".k:first-child{display:none}", 'class="k"'),  # a pseudo-class
        ("[data-k]{display:none}", "data-k"),  # an attribute selector
        ("@media print{.k{display:none}}", 'class="k"'),  # a media query
        ("@media screen{.a{x:1}} .k{display:none} .k{display:block}", 'class="k"'),  # a later rule shows it
        (".k.j{display:none}", 'class="k"'),  # a compound the element does not match
        ("#k{display:none} .k{display:block}", 'class="k"'),
        (
            ".k{display:none!important}",
            'class="k" style="display:block !important"',
        ),  # inline !important wins
    ],
)
def test_rules_not_evaluated_or_overridden_leave_the_claim_shown(css: str, attrs: str) -> None:
    (claim,) = extract_page(_item(css, f"<div {attrs}>执行标准：{CODE}（上海标准）</div>")).claims
    assert claim.hidden is None


def test_an_important_rule_beats_an_inline_style_and_specificity_decides() -> None:
    raw = _item(
        ".k{display:none!important}",
        f'<div class="k" style="display:block">执行标准：{CODE}（上海标准）</div>',
    )
    assert extract_page(raw).claims[0].hidden == "display:none (stylesheet .k)"
    raw = _item(
        "#d{display:none} div.k{display:block}", f'<div id="d" class="k">执行标准：{CODE}（上海标准）</div>'
    )
    assert extract_page(raw).claims[0].hidden == "display:none (stylesheet #d)"


def test_a_block_the_page_opens_on_a_click_or_hover_is_not_hidden() -> None:
    # A dropdown or popup: hidden by a simple rule, shown again by a rule of a state a buyer brings about on an
    # element the page holds (the menu item hovered, the dropdown whose toggle sets .open).
    row = f'<div class="pop">执行标准：{CODE}（上海标准）</div>'
    for shown_by, around in (
        (".more:hover .pop{display:block}", '<div class="more">更多{}</div>'),
        (".open > .pop{display:block}", '<div><a data-toggle="dropdown">参数</a>{}</div>'),
        (".dropdown.open .pop{opacity:1}", '<li class="dropdown">参数{}</li>'),
        ("input:checked ~ .pop{display:block}", '<div><input type="checkbox">{}</div>'),
    ):
        css = ".pop{display:none}" if "opacity" not in shown_by else ".pop{opacity:0}"
        raw = _item(f"{css} {shown_by}", around.format(row))
        assert extract_page(raw).claims[0].hidden is None, shown_by
    # A state rule that shows something else opens nothing.
    raw = _item(".pop{display:none} .open .menu{display:block}", row)
    assert extract_page(raw).claims[0].hidden == "display:none (stylesheet .pop)"
    # Characters inside the words are never opened: a tooltip's text is not part of what a buyer reads.
    raw = _item(
        ".tip{display:none} a:hover .tip{display:inline}",
        f'<p>本品执行{CODE}（<a>上海<span class="tip">xx</span>标准</a>）</p>',
    )
    (claim,) = extract_page(raw).claims
    assert claim.hidden_inside == "display:none (stylesheet .tip)"


@pytest.mark.parametrize(
    ("css", "body"),
    [
        # An unused state rule: nothing on the page carries .open, nothing sets it.
        (".k{display:none} .open .k{display:block}", '<div class="k">{}</div>'),
        (".k{display:none} .open > .k{display:block}", '<div><div class="k">{}</div></div>'),
        # The state on the hidden element itself: a hidden block is never hovered or clicked.
        (".k{display:none} .k:hover{display:block}", '<div class="k">{}</div>'),
        (".k{display:none} .k.show{display:block}", '<div class="k">{}</div>'),
        # The hovered element named by the rule is not on the page around it.
        (
            ".k{display:none} .nav:hover .k{display:block}",
            '<div class="menu">菜单<div class="k">{}</div></div>',
        ),
        # A script's state class on an ancestor holding text but no control that sets it.
        (".k{display:none} .open .k{display:block}", '<div>热卖<div class="k">{}</div></div>'),
        # The hovered ancestor is hidden itself.
        (
            ".k{display:none} .nav:hover .k{display:block}",
            '<div class="nav" style="display:none">菜单<div class="k">{}</div></div>',
        ),
    ],
)
def test_a_state_rule_no_buyer_can_bring_about_opens_nothing(css: str, body: str) -> None:
    # Read as a dropdown, keyword stuffing hidden by .k counted as shown (a high finding on hidden text).
    raw = _item(css, body.format(f"执行标准：{CODE}（上海标准）"))
    assert (extract_page(raw).claims[0].hidden or "").startswith("display:none")


def test_a_frames_stylesheet_does_not_style_the_page() -> None:
    frame = '<iframe srcdoc="&lt;style&gt;.k{display:none}&lt;/style&gt;&lt;p&gt;框架&lt;/p&gt;"></iframe>'
    raw = _item("", f'{frame}<div class="k">执行标准：{CODE}（上海标准）</div>')
    assert extract_page(raw).claims[0].hidden is None


def test_the_reader_is_bounded_and_a_page_cut_short_says_so() -> None:
    sheet = read_sheet([".a{display:none}" * (MAX_RULES + 10)])
    assert sheet.cut is not None and sum(map(len, sheet.by_class.values())) == MAX_RULES_PER_NAME
    sheet = read_sheet([",".join(f".a{i}" for i in range(MAX_RULES + 10)) + "{display:none}"])
    assert sheet.cut is not None and sum(map(len, sheet.by_class.values())) == MAX_RULES
    huge = "." + "x" * (MAX_CSS_CHARS + 10) + "{display:none}"
    assert read_sheet([huge]).cut is not None
    raw = _item(huge, f"<p>执行标准：{CODE}（上海标准）</p>")
    assert "styles-cut" in {w.code for w in extract_page(raw).warnings}
    assert not extract_page(_item(".a{display:none}", f"<p>执行标准：{CODE}（上海标准）</p>")).warnings
    # One name's rules are bounded too: every element of that name is matched against each of them.
    raw = _item("p{display:block}" * 5_000, f"<p>执行标准：{CODE}（上海标准）</p>" * 2_000)
    # The bound, not the clock: a budget no slow machine reaches, so the page is read whole.
    result = extract_page(raw, limits=dataclasses.replace(default_limits(), cpu_budget_seconds=120.0))
    assert len(result.claims) == 2_000 and [w.code for w in result.warnings] == ["styles-cut"]


def test_a_hostile_stylesheet_is_read_in_linear_time() -> None:
    import time

    css = (
        "{" * 200_000
        + "}" * 200_000
        + ",".join(f".c{i}" for i in range(20_000))
        + "{display:none}"
        + "'" * 5000
        + ".a" * 150_000
        + " !{display:block}.open "
        + ".b" * 50_000
        + "{display:block}"
    )
    started = time.process_time()
    read_sheet([css])
    assert time.process_time() - started < 1.0


def test_real_pages_stylesheets_leave_injected_claims_shown(realpages_dir: Path) -> None:
    # Taobao's and JD's rendered pages ship inline CSS that hides video controls, error boxes and menus by class:
    # a claim in the pages' own attribute lists stays shown (tests/test_extract_realpages.py injects them).
    for name, anchor in (
        ("taobao_item_01.html", '<ul class="attributes-list">'),
        ("jd_item_02_derived_jsp.html", '<ul class="parameter2 p-parameter-list">'),
        ("tmall_item_01.html", '<ul id="J_AttrUL">'),
    ):
        text = (realpages_dir / name).read_bytes().decode("utf-8")
        assert "<style" in text
        raw = text.replace(anchor, anchor + f"<li>执行标准：{CODE}（上海标准）</li>", 1).encode()
        (claim,) = extract_page(raw).claims
        assert claim.hidden is None, name
