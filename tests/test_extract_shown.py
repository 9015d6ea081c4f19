"""The words as a buyer sees them: characters hidden inside them are read through (the quote keeps them), and
words a right-to-left override shows reversed are not what a buyer reads."""

from __future__ import annotations

import pytest

from checker.extract.extractor import extract_page
from checker.extract.gate import may_mention

CODE = "T/SHHJ 000003-2018"


def _item(words: str) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"></head><body><h1>塑胶跑道面层材料</h1><p>价格：￥99</p>'
        f"<p>本品执行{CODE}（{words}）</p></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("words", "how"),
    [
        ('上海<span style="display:none">xx</span>标准', "display:none"),
        ("上海<span hidden>xx</span>标准", "[hidden]"),
        ('上海<span style="font-size:0">xx</span>标准', "font-size:0"),
        ('上海<span style="visibility: hidden">xx</span>标准', "visibility:hidden"),
        ('上海<i style="display:none">牌</i>标准', "display:none"),  # an <i> that looks empty
        ("上<b hidden>·</b>海<b hidden>·</b>标<b hidden>·</b>准", "[hidden]"),
        ('上海<span style="display:none"><b>地区</b></span>标准', "display:none"),
        ('上海<span style="DISPLAY: NONE !important">热卖</span>标准', "display:none"),
    ],
)
def test_characters_hidden_inside_the_words_are_read_through(words: str, how: str) -> None:
    (claim,) = extract_page(_item(words)).claims
    assert claim.text == "上海标准"
    assert claim.standard_code == CODE and claim.tie == "annotation"
    # The quote is the page's own text, hidden characters where they stand (the console finds it in the
    # element's text, the notice quotes what the page holds); hidden_inside says they were read through.
    shown_debris = words.replace("<b>", "").replace("</b>", "")
    for tag in (
        '<span style="display:none">',
        "<span hidden>",
        '<span style="font-size:0">',
        '<span style="visibility: hidden">',
        '<i style="display:none">',
        "<b hidden>",
        '<span style="DISPLAY: NONE !important">',
        "</span>",
        "</i>",
        "</b>",
    ):
        shown_debris = shown_debris.replace(tag, "")
    assert claim.verbatim == shown_debris
    assert shown_debris in claim.snippet
    assert claim.hidden is None and claim.hidden_inside == how
    assert claim.use_confidence == "high"


def test_long_hidden_text_inside_the_words_passes_the_gate() -> None:
    # More than any window rule of the gate holds: the gate reads a hidden element as a gap too.
    raw = _item('上海<span style="display:none">' + "热卖爆款" * 60 + "</span>标准")
    assert may_mention(raw)
    (claim,) = extract_page(raw).claims
    assert claim.text == "上海标准" and claim.hidden_inside == "display:none"


def test_words_only_hidden_debris_joins_are_read_outside_a_labelled_row() -> None:
    # No 执行标准 label keeps the paragraph: the pre-pass itself reads the shown text.
    raw = "<html><body><h1>跑道</h1><div><p>符合上海<span hidden>地区</span>标准要求</p></div></body></html>"
    (claim,) = extract_page(raw.encode()).claims
    assert claim.text == "上海标准" and claim.verbatim == "上海地区标准"


@pytest.mark.parametrize(
    "words",
    [
        # The buyer sees a trap: 上海标准件 (fasteners), 上海标准化研究院.
        '上海标准<span style="display:none">热卖</span>件',
        "上海标准<i hidden>x</i>化研究院",
    ],
)
def test_what_a_buyer_sees_decides_traps(words: str) -> None:
    page = extract_page(_item(words))
    assert [c.text for c in page.claims] == []


def test_hidden_words_are_still_hidden_claims_and_shown_ones_beside_them_are_not() -> None:
    raw = (
        _item("上海<span hidden>地区</span>标准")
        + b'<div style="display:none">\xe4\xb8\x8a\xe6\xb5\xb7\xe6\xa0\x87\xe5\x87\x86</div>'
    )
    claims = extract_page(raw).claims
    assert [(c.text, c.hidden, c.hidden_inside) for c in claims] == [
        ("上海标准", None, "[hidden]"),
        ("上海标准", "display:none", None),
    ]
    # Partly hidden words are hidden claims, as before (a buyer sees 标准).
    (partly,) = extract_page(_item('<span style="font-size:0">上海</span>标准')).claims
    assert partly.hidden == "font-size:0" and partly.hidden_inside is None
    # A hidden character of the words themselves: the buyer sees 上海准, a hidden claim.
    (inner,) = extract_page(_item("上海<span hidden>标</span>准")).claims
    assert inner.hidden == "[hidden]" and inner.hidden_inside is None


@pytest.mark.parametrize(
    "words",
    [
        "\u202e上海标准\u202c",
        "&#x202E;上海标准&#x202C;",
        "<bdo dir=rtl>上海标准</bdo>",
        '<span style="unicode-bidi: bidi-override; direction: rtl">上海标准</span>',
        "\u202e上海\u202c标准",  # shows 海上标准
        "\u202e上海<br>标准",  # 海上, then 标准 on the next line
        "عسل السدر \u202e上海标准",  # an Arabic product name before an unterminated override
    ],
)
def test_words_an_override_draws_backwards_are_a_hidden_claim(words: str) -> None:
    # A buyer sees 准标海上: the words are in the page's text (search engines read them) but not shown.
    (claim,) = extract_page(_item(words)).claims
    assert claim.hidden == "bidi-override"
    assert "\u202e" in claim.snippet or "上海" in claim.verbatim  # the page's characters, not reordered


@pytest.mark.parametrize(
    "words",
    [
        "上海标准",
        "\u202b上海标准\u202c",  # an embedding: Chinese stays left to right
        "\u2067上海标准\u2069",  # an isolate
        "\u202e上\u202c\u202e海\u202c标准",  # one character per override: each drawn where it stands
        "\u202e\u202d上海标准\u202c\u202c",  # a left-to-right override inside it
        "<bdo dir=rtl><bdo dir=ltr>上海标准</bdo></bdo>",
        '<span dir="rtl">上海标准</span>',
        "عسل السدر \u200f上海标准",  # a right-to-left mark after an Arabic name: no override
        "\u202e注意\u202c 上海标准",  # the override ends before the words
    ],
)
def test_words_shown_forwards_are_read_as_shown(words: str) -> None:
    (claim,) = extract_page(_item(words)).claims
    assert claim.hidden is None and claim.standard_code == CODE
