"""The Hyperscan gate's split-rule prefilters: a superset of the exact split rules, never the decision."""

from __future__ import annotations

import re

import pytest

from checker.extract.gate import FindSearcher, HyperscanSearcher, families, may_mention
from checker.extract.patterns import SPLIT_RULES

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# Longer than any window rule of the gate (400 bytes), so only its split rules can let the page through.
FILLER = "热卖" * 150
UTF8_SPLIT = next(rule for rule in SPLIT_RULES if rule.name == "zh-split-utf-8")


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
