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


@pytest.mark.parametrize("piece", ["<rt>a</rt>", "<i>x</i><!-- c -->", "<li><img src=a>b</li>"])
def test_the_fallback_gate_is_linear_where_the_words_do_not_follow(piece: str) -> None:
    # A ruby annotation was read both as an element and as two tags: 2^n tries when no 标 followed (24 of them,
    # 10 s; 40, days) for the bytes.find searcher, used where Hyperscan has no wheel.
    raw = ("海" + piece * 40 + "x标").encode()
    started = time.process_time()
    assert not FIND.holds(raw, families(raw))
    assert time.process_time() - started < 1.0
