"""The split rules' regexes and the Hyperscan gate's prefilters for them: supersets, never the decision alone."""

from __future__ import annotations

import random
import re

import pytest

from checker.extract.gate import FindSearcher, HyperscanSearcher, families, may_mention
from checker.extract.patterns import SPLIT_GAP, SPLIT_PREFILTER_GAP, SPLIT_RULES

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# Longer than any window rule of the gate (400 bytes), so only its split rules can let the page through.
FILLER = "热卖" * 150
SPLITS = {rule.family: rule for rule in SPLIT_RULES if rule.name.startswith("zh-split-")}
UTF8_SPLIT = SPLITS["utf-8"]


@pytest.mark.parametrize(
    "words",
    [
        f"上海<br>{FILLER}</b>标准",  # a line break read as an element's start: the prefilter holds, no rule does
        f"上海<img src=a.png>{FILLER}</i>标准",
        f"上海<wbr>{FILLER}</span>标<br>{FILLER}</b>准",
    ],
)
def test_a_prefilter_alone_does_not_let_a_page_through(words: str) -> None:
    # Text right after a line break or an image is shown (no element holds it), so there is no mention; the
    # prefilter, which reads <br> as an element's start too, holds on such a page, and the exact rules decide.
    raw = f"<html><body><p>{words}</p></body></html>".encode()
    assert re.search(UTF8_SPLIT.prefilter(), raw)
    assert not re.search(UTF8_SPLIT.expression(), raw)
    assert not HYPERSCAN.scan(raw, families(raw)).hit
    assert not may_mention(raw, using=HYPERSCAN) and not may_mention(raw, using=FIND)


@pytest.mark.parametrize(
    "words",
    [
        f'上海<span class="h"><b>x</b>{FILLER}</span>标准',
        f"上海<i hidden>热<br>{FILLER}</i>标准",
        f"上海<!-- {FILLER} -->标<rt>biāo</rt>准",
    ],
)
def test_a_page_the_exact_split_rules_hold_on_passes_after_its_prefilter(words: str) -> None:
    raw = f"<html><body><p>{words}</p></body></html>".encode()
    assert re.search(UTF8_SPLIT.prefilter(), raw) and re.search(UTF8_SPLIT.expression(), raw)
    assert HYPERSCAN.scan(raw, families(raw)).hit
    assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND)


# Pieces a gap is made of, and pieces that break one, to build gaps at random.
_PIECES = (
    "<b>",
    "</b>",
    "<i hidden>",
    "</i>",
    '<a href="x>y">',
    "<br>",
    "<br/>",
    "<img src=a.png>",
    "<wbr>",
    "<hr>",
    "<input type=hidden>",
    "<source/>",
    "<colgroup>",
    "<i hidden>a<b>x<meta>y</b>z</i>",
    "<!-- c -->",
    "<!-- <b> -->",
    "热",
    "x",
    " ",
    "\u200b",
    "\u3000",
    "&nbsp;",
    "&#x200b;",
    "<rt>",
    "</rt>",
    "<i hidden>a<b>x<br>y</b>z</i>",  # elements two levels deep
    "<s hidden>a<u><!-- c -->z</u>b</s>",
    "<",
    ">",
    '"',
)


@pytest.mark.parametrize("family", ["utf-8", "gb18030"])
def test_every_gap_the_exact_rules_read_the_prefilter_reads(family: str) -> None:
    # A gap the prefilter missed would be a page the gate skips unread where the find searcher reads it.
    exact, loose = re.compile(SPLIT_GAP[family]), re.compile(SPLIT_PREFILTER_GAP[family])
    chosen = random.Random(30)
    gaps = 0
    for _ in range(4000):
        text = "".join(chosen.choice(_PIECES) for _ in range(chosen.randint(1, 9)))
        raw = text.encode(family)
        if exact.fullmatch(raw):
            gaps += 1
            assert loose.fullmatch(raw), text
    assert gaps > 300  # enough of them were gaps for the test to say something


@pytest.mark.parametrize("family", ["utf-8", "gb18030"])
def test_every_gap_the_split_rules_read_the_deep_look_reads(family: str) -> None:
    # The split rules' regexes are no longer tried from every trigger (quadratic on markup left open), only where
    # the deep look cannot tell: a gap they read that the look missed would be a page the gate skips unread.
    exact, rule = re.compile(SPLIT_GAP[family]), SPLITS[family]
    chosen = random.Random(32)
    gaps = 0
    for _ in range(4000):
        text = "".join(chosen.choice(_PIECES) for _ in range(chosen.randint(1, 9)))
        if exact.fullmatch(text.encode(family)):
            gaps += 1
            words = f"海{text}标准".encode(family)
            assert FIND.split_rule_holds(words, rule, regex_may_hold=False), text
    assert gaps > 300
