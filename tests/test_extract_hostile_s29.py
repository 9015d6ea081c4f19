"""Hostile pages, round s29: hidden text the extractor read as shown, and words that escaped the gate."""

from __future__ import annotations

import time

import pytest
from hostile_support import CODE, page

from checker.extract import extract_page
from checker.extract.gate import FindSearcher, HyperscanSearcher, families, may_mention

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# Longer than any window rule of the gate (400 bytes), so only its split rules can let the page through.
FILLER = "热卖" * 150

# --- The gate reads through elements nested inside a hidden one ---


@pytest.mark.parametrize(
    "words",
    [
        f'上海<span class="h"><i>x</i>{FILLER}</span>标准',  # a child element before the hidden text
        f'上海<span class="h">{FILLER}<i>x</i></span>标准',  # after it
        f'上海<span class="h">{FILLER}<!-- c -->y</span>标准',  # a comment inside
        f'上海<span class="h">x<br>{FILLER}</span>标准',  # a line break inside
        f'上海<span class="h">&amp;{FILLER}</span>标准',  # text opening with a reference
        f"上海<span hidden>x<b>{FILLER}</b>z</span>标准",
        f"上海<span hidden>\u200b\u3000{FILLER}</span>标准",  # invisible characters before its text
        f'上<b><i></i></b>海<span class="h"><!-- x --><u>{FILLER}</u>y</span>标准',
    ],
)
def test_the_gate_reads_through_elements_nested_in_hidden_text(words: str) -> None:
    # The extractor reads 上海标准 (the element is hidden); the gate stopped at the nested markup and the page
    # was skipped unread.
    raw = page(f"<p>执行标准：{CODE}（{words}）</p>", ".h{display:none}")
    assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND)
    (claim,) = extract_page(raw).claims
    assert claim.text.replace("\n", "") == "上海标准" and claim.standard_code == CODE
    assert claim.hidden is None and claim.hidden_inside is not None


@pytest.mark.parametrize(
    "piece",
    [
        "<rt>a</rt>",
        "<i>x</i><!-- c -->",
        "<li><img src=a>b</li>",
        "<i>\u200b</i>",
        "<i>\u3000</i>",
        "<i>&nbsp;</i>",
    ],
)
def test_the_fallback_gate_is_linear_where_the_words_do_not_follow(piece: str) -> None:
    # A ruby annotation was read both as an element and as two tags: 2^n tries when no 标 followed (24 of them,
    # 10 s; 40, days) for the bytes.find searcher, used where Hyperscan has no wheel.
    raw = ("海" + piece * 40 + "x标").encode()
    started = time.process_time()
    assert not FIND.holds(raw, families(raw))
    assert time.process_time() - started < 1.0


# --- Hiding written in ways the reader did not know ---

STUFFED = f"执行标准：{CODE}（上海标准）"


@pytest.mark.parametrize(
    ("style", "how"),
    [
        ("position:absolute;right:-9999px", "positioned off the screen"),
        ("position:fixed;bottom:-5000px", "positioned off the screen"),
        ("margin-left:-9999px", "negative margin off the screen"),
        ("margin:-9999px 0 0 0", "negative margin off the screen"),
        ("margin:0 0 0 -9999px", "negative margin off the screen"),
        ("transform:translate(-9999px)", "transform:translate off the screen"),
        ("transform:translate3d(0, -9999px, 0)", "transform:translate off the screen"),
        ("filter:opacity(0)", "filter:opacity(0)"),
        ("filter:blur(0) opacity(2%)", "filter:opacity(0)"),
        ("opacity:0.01", "opacity below 0.05"),
        ("opacity:3%", "opacity below 0.05"),
        ("color:hsl(0, 0%, 100%);background:#fff", "color #ffffff on background #ffffff"),
        ("color:hsla(0 0% 100% / 1);background-color:white", "color #ffffff on background #ffffff"),
        ("color:ghostwhite;background:#f8f8ff", "color #f8f8ff on background #f8f8ff"),
        ("color:white;background:hsl(0turn 0% 100%)", "color #ffffff on background #ffffff"),
        ("color:ivory;background:ivory", "color #fffff0 on background #fffff0"),
        ("font-size:1px", "font-size below 3px"),
        ("font-size:2pt", "font-size below 3px"),
    ],
)
def test_hiding_the_reader_did_not_know_is_hidden(style: str, how: str) -> None:
    # Each was read as shown: keyword stuffing no buyer sees, signed as a high finding.
    (inline,) = extract_page(page(f'<div style="{style}">{STUFFED}</div>')).claims
    assert inline.hidden == how
    (sheet,) = extract_page(page(f'<div class="k">{STUFFED}</div>', f".k{{{style}}}")).claims
    assert sheet.hidden == f"{how} (stylesheet .k)"


@pytest.mark.parametrize(
    "style",
    [
        "opacity:0.5",
        "filter:opacity(60%)",
        "font-size:3px",
        "font-size:0.1em",  # of a parent not known here
        "margin-left:-10px",
        "margin-top:-9999px;display:inline",  # a top margin moves no inline box
        "position:absolute;right:-20px",
        "transform:translate(-20px)",
        "color:hsl(0, 0%, 0%);background:#fff",
        "color:navy;background:ivory",
    ],
)
def test_what_a_buyer_still_reads_is_shown(style: str) -> None:
    (claim,) = extract_page(page(f'<div><span style="{style}">{STUFFED}</span></div>')).claims
    assert claim.hidden is None


def test_a_hidden_line_break_inside_the_words_parts_nothing() -> None:
    # display:none on a <br> breaks no line: the buyer reads 上海标准. One was read as a line inside the words,
    # two as a blank line parting them (no claim).
    (one,) = extract_page(page(f'<p>执行标准：{CODE}（上海<br style="display:none">标准）</p>')).claims
    assert one.text == "上海标准" and one.hidden is None
    two = page(f'<p>执行标准：{CODE}（上海<br class="h"><br class="h">标准）</p>', "br.h{display:none}")
    (claim,) = extract_page(two).claims
    assert claim.text == "上海标准" and claim.standard_code == CODE and claim.hidden is None
    assert extract_page(page(f"<p>执行标准：{CODE}（上海<br><br>标准）</p>")).claims == []


# --- Stylesheet rules inside at-rules ---


@pytest.mark.parametrize(
    "css",
    [
        "@media screen{.k{display:none}}",
        "@media all{.k{visibility:hidden}}",
        "@media only screen, print{.k{display:none}}",
        "@media not print{.k{display:none}}",
        "@supports (display:grid){.k{display:none}}",
        "@supports (display:grid){@media screen{.k{display:none}}}",
        "@layer base{.k{display:none}}",
        '@import url("a.css");@charset "utf-8";.k{display:none}',  # the rule after a statement
    ],
)
def test_rules_a_buyers_browser_applies_inside_at_rules_hide(css: str) -> None:
    # Skipped whole with their at-rule: stuffing the sheet hid for every screen was read as shown.
    (claim,) = extract_page(page(f'<div class="k">{STUFFED}</div>', css)).claims
    assert (claim.hidden or "").endswith("(stylesheet .k)")


@pytest.mark.parametrize(
    "css",
    [
        "@media print{.k{display:none}}",
        "@media (max-width:600px){.k{display:none}}",  # phones only: a desktop buyer sees it
        "@media screen and (min-width:1200px){.k{display:none}}",
        "@supports not (display:grid){.k{display:none}}",
        "@keyframes f{0%{opacity:0}100%{opacity:1}}",
        "@font-face{font-family:x}.k{color:red}",
    ],
)
def test_rules_for_some_buyers_or_no_rules_at_all_hide_nothing(css: str) -> None:
    (claim,) = extract_page(page(f'<div class="k">{STUFFED}</div>', css)).claims
    assert claim.hidden is None


def test_an_imported_stylesheet_is_said_not_read() -> None:
    # Never fetched: what it hides would be guessed. The page is read without it and says so.
    result = extract_page(page(f'<div class="k">{STUFFED}</div>', "@import url(/s.css);"))
    assert [c.hidden for c in result.claims] == [None]
    assert [w.code for w in result.warnings] == ["styles-imported"]
    assert extract_page(page(f"<div>{STUFFED}</div>", ".k{color:red}")).warnings == []


# --- What a buyer's browser draws: shadow roots, <noscript>, dialogs ---


@pytest.mark.parametrize("mode", ["open", "closed"])
def test_a_declarative_shadow_root_is_shown(mode: str) -> None:
    # The browser draws a <template shadowrootmode> in place of its host's content: it was dropped as inert.
    raw = page(f'<div id="host"><template shadowrootmode="{mode}"><p>{STUFFED}</p></template></div>')
    (claim,) = extract_page(raw).claims
    assert claim.hidden is None and claim.standard_code == CODE
    assert claim.location is not None and "template" in claim.location


def test_a_plain_template_is_never_read() -> None:
    assert extract_page(page(f"<template><p>{STUFFED}</p></template>")).claims == []


@pytest.mark.parametrize(
    ("body", "how"),
    [
        (f"<noscript><p>{STUFFED}</p></noscript>", "noscript"),
        (f"<dialog><p>{STUFFED}</p></dialog>", "dialog (closed)"),
    ],
)
def test_noscript_and_closed_dialogs_are_hidden(body: str, how: str) -> None:
    # A buyer's browser runs scripts (no <noscript>) and draws no dialog until a script opens it: both were
    # read as shown, a high finding on text no buyer sees.
    (claim,) = extract_page(page(body)).claims
    assert claim.hidden == how
    (opened,) = extract_page(page(f"<dialog open><p>{STUFFED}</p></dialog>")).claims
    assert opened.hidden is None


def test_noscript_inside_the_words_parts_nothing() -> None:
    (claim,) = extract_page(
        page(f"<p>执行标准：{CODE}（上海<noscript>请启用脚本</noscript>标准）</p>")
    ).claims
    assert claim.text == "上海标准" and claim.hidden is None and claim.hidden_inside == "noscript"


# --- A stylesheet that draws the words backwards ---

OVERRIDE = "unicode-bidi:bidi-override;direction:rtl"


@pytest.mark.parametrize(
    ("css", "body"),
    [
        (f".r{{{OVERRIDE}}}", f'<p class="r">{STUFFED}</p>'),
        (f".r{{{OVERRIDE}}}", f'<p>执行标准：{CODE}（<span class="r">上海标准</span>）</p>'),
        (f"@media screen{{#x{{{OVERRIDE}}}}}", f'<p id="x">{STUFFED}</p>'),
        (".r{unicode-bidi:bidi-override}", f'<p class="r" dir="rtl">{STUFFED}</p>'),
    ],
)
def test_words_a_stylesheet_draws_backwards_are_hidden(css: str, body: str) -> None:
    # A buyer reads 准标海上: the inline override was a hidden claim, the same override from a class was not.
    (claim,) = extract_page(page(body, css)).claims
    assert claim.hidden == "bidi-override"


@pytest.mark.parametrize(
    ("css", "style"),
    [
        (".r{direction:rtl}", ""),  # no override: Chinese keeps its order
        (f".r{{{OVERRIDE}}}", "unicode-bidi:normal"),  # the inline style wins over the class
        (f"@media print{{.r{{{OVERRIDE}}}}}", ""),
    ],
)
def test_no_override_in_force_draws_nothing_backwards(css: str, style: str) -> None:
    (claim,) = extract_page(page(f'<p class="r" style="{style}">{STUFFED}</p>', css)).claims
    assert claim.hidden is None


@pytest.mark.parametrize(
    ("css", "style"),
    [(f".r{{{OVERRIDE}}}", ""), ("", OVERRIDE)],
)
def test_words_written_backwards_that_an_override_shows_are_said(css: str, style: str) -> None:
    # 准标海上 under the override shows 上海标准: the page's text holds no words, and the page passed as holding
    # none (only U+202E and <bdo> were looked for).
    body = f'<p>执行标准：{CODE}（<span class="r" style="{style}">准标海上</span>）</p>'
    result = extract_page(page(body, css))
    assert result.claims == [] and [w.code for w in result.warnings] == ["bidi-override"]
    plain = extract_page(page(f"<p>执行标准：{CODE}（准标海上）</p>"))
    assert plain.claims == [] and plain.warnings == []


@pytest.mark.parametrize(
    ("shadow", "child", "how"),
    [
        (
            "<p>店铺首页</p>",
            "<p>{}</p>",
            "outside the shadow root's slots",
        ),  # no slot: the host draws only this
        ('<slot name="b"></slot>', '<p slot="a">{}</p>', "outside the shadow root's slots"),
        ("<slot></slot>", "<p>{}</p>", None),  # the default slot draws every child
        ('<slot name="a"></slot>', '<p slot="a">{}</p>', None),
    ],
)
def test_a_shadow_hosts_own_children_show_only_through_a_slot(
    shadow: str, child: str, how: str | None
) -> None:
    # A host with a declarative shadow root draws the root, not its own children: stuffing left outside any
    # <slot> was read as shown.
    raw = page(f'<div><template shadowrootmode="open">{shadow}</template>{child.format(STUFFED)}</div>')
    (claim,) = extract_page(raw).claims
    assert claim.hidden == how
