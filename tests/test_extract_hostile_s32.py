"""Hostile pages, round s32: markup left unclosed after every trigger, and hidden text past the deep look's window."""

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


def test_a_second_look_that_cannot_tell_lets_the_page_through() -> None:
    # A list of links after 上海 reads on like hidden text: at the look's bound the split regex decides, once a
    # page. A second such look answers "may hold" (the extractor decides) rather than read the regex again.
    picker = "".join(f'<li><a href="#">城市{index}</a></li>' for index in range(700))  # ~20 KB
    one = f"<ul><li>上海</li>{picker}</ul><p>热卖{FAR}</p><p>执行标准：{CODE}</p>"
    two = f"<ul><li>上海</li>{picker}</ul><p>热卖</p><ul><li>上海</li>{picker}</ul><p>{FAR}标准</p>"
    for raw, expected in ((page(one), False), (page(two), True)):
        assert FIND.holds(raw, families(raw)) is expected
        assert HYPERSCAN.holds(raw, families(raw)) is expected
