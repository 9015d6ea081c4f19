"""Hostile pages, round s32: markup left open after every trigger, the look's bound, and children shown again."""

from __future__ import annotations

import pytest
from hostile_support import CODE, extracted_in_linear_time, page

from checker.extract import extract_page, extractor, gate
from checker.extract.gate import FindSearcher, HyperscanSearcher, Searcher, families

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# More than any window rule of the gate reads (400 bytes) between the last trigger and the rest of the words.
FAR = "x" * 600


@pytest.mark.parametrize("using", [FIND, HYPERSCAN], ids=lambda searcher: searcher.name)
@pytest.mark.parametrize(
    "piece",
    [
        "海<!-- c",  # a comment never closed
        "海<a c",  # a tag never closed
        "海</ c",  # an end tag never closed
        "海<a title='x",  # a quoted value never closed
        '海<div title="' + "y" * 200,  # a long tag never closed
        "海<script>c",
        "海<style>c",
        "海<![CDATA[ c",
    ],
)
def test_unclosed_markup_after_every_trigger_is_read_in_linear_time(
    piece: str, using: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fallback searcher's split regexes read each trigger's unclosed markup to the page's end, again from
    # every trigger: 4,000 pieces took 14-30 times what 1,000 did (a comment 1.4 s, a long tag 81 s).
    monkeypatch.setattr(gate, "searcher", lambda choice=None: using)
    result = extracted_in_linear_time(lambda pieces: page(piece * pieces + FAR + "标准"), 4000)
    # The words stand inside the unclosed markup, or after text the page shows: no claim, gate or no gate.
    assert result.claims == []
    monkeypatch.setattr(extractor, "may_mention", lambda *_, **__: True)
    assert extract_page(page(piece * 10 + FAR + "标准")).claims == []


CLAIM = f"产品执行{CODE}（上海标准）"


def _hidden(body: str, css: str = "") -> str | None:
    """How the page's one claim is hidden (None: shown), read with the gate out of the way."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(extractor, "may_mention", lambda *_, **__: True)
        (claim,) = extract_page(page(body, css)).claims
    assert claim.standard_code == CODE
    return claim.hidden


@pytest.mark.parametrize(
    ("body", "css", "hidden"),
    [
        # visibility is inherited, and a descendant that sets it visible again is shown.
        (
            f'<div style="visibility:hidden">促销<span style="visibility:visible">{CLAIM}</span></div>',
            "",
            None,
        ),
        (
            f'<div class="h">促销<p class="v">{CLAIM}</p></div>',
            ".h{visibility:hidden}.v{visibility:visible}",
            None,
        ),
        (
            f'<div style="visibility:hidden">促销<span style="visibility:initial">{CLAIM}</span></div>',
            "",
            None,
        ),
        # The hidden parent's own text stays hidden, and so does a hidden child of a shown parent.
        (
            f'<div style="visibility:hidden">{CLAIM}<span style="visibility:visible">促销</span></div>',
            "",
            "v",
        ),
        (
            f'<div style="visibility:visible">促销<span style="visibility:hidden">{CLAIM}</span></div>',
            "",
            "v",
        ),
        (
            f'<div style="visibility:hidden"><p style="visibility:visible"><b class="h">{CLAIM}</b></p></div>',
            ".h{visibility:collapse}",
            "v",
        ),
        # Values that keep the inherited visibility (inherit, unset, revert) or that a browser drops (a typo)
        # leave the child as hidden as its parent: they were read as setting it visible.
        (f'<div style="visibility:hidden"><span style="visibility:inherit">{CLAIM}</span></div>', "", "v"),
        (f'<div style="visibility:hidden"><span style="visibility:unset">{CLAIM}</span></div>', "", "v"),
        (f'<div style="visibility:hidden"><span style="visibility:revert">{CLAIM}</span></div>', "", "v"),
        (f'<div style="visibility:hidden"><span style="visibility:visibel">{CLAIM}</span></div>', "", "v"),
        (
            f'<div class="h"><span class="i">{CLAIM}</span></div>',
            ".h{visibility:hidden}.i{visibility:inherit}",
            "v",
        ),
        # font-size is inherited alike.
        (f'<div style="font-size:0"><span style="font-size:inherit">{CLAIM}</span></div>', "", "f"),
        (f'<div style="font-size:0"><span style="font-size:14px">{CLAIM}</span></div>', "", None),
        # So is the text colour: a child's color:inherit under color:transparent is as transparent.
        (f'<div style="color:transparent"><span style="color:inherit">{CLAIM}</span></div>', "", "c"),
        (f'<div style="color:transparent"><span style="color:#333">{CLAIM}</span></div>', "", None),
        # display:none is not undone by a descendant.
        (
            f'<div style="display:none"><span style="visibility:visible;display:inline">{CLAIM}</span></div>',
            "",
            "d",
        ),
    ],
)
def test_a_child_shown_again_inside_a_visibility_hidden_parent(
    body: str, css: str, hidden: str | None
) -> None:
    found = _hidden(body, css)
    if hidden is None:
        assert found is None
    else:
        expected = {
            "v": "visibility:hidden",
            "d": "display:none",
            "f": "font-size:0",
            "c": "color:transparent",
        }[hidden]
        assert found is not None and found.startswith(expected), found


def test_a_second_look_that_cannot_tell_lets_the_page_through() -> None:
    # A list of links after 上海 reads on like hidden text: at the look's bound the split regex decides, once a
    # page. A second such look answers "may hold" (the extractor decides) rather than read the regex again.
    picker = "".join(f'<li><a href="#">城市{index}</a></li>' for index in range(700))  # ~20 KB
    one = f"<ul><li>上海</li>{picker}</ul><p>热卖{FAR}</p><p>执行标准：{CODE}</p>"
    two = f"<ul><li>上海</li>{picker}</ul><p>热卖</p><ul><li>上海</li>{picker}</ul><p>{FAR}标准</p>"
    for raw, expected in ((page(one), False), (page(two), True)):
        assert FIND.holds(raw, families(raw)) is expected
        assert HYPERSCAN.holds(raw, families(raw)) is expected
