"""Hostile pages, round s30: words parted by a hidden element holding elements without end tag."""

from __future__ import annotations

import time

import pytest
from hostile_support import CODE, page

from checker.extract import extract_page, extractor
from checker.extract.gate import FindSearcher, HyperscanSearcher, families, may_mention

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# Longer than any window rule of the gate (400 bytes), so only its split rules can let the page through.
FILLER = "热卖" * 150
VOIDS = ("input", "hr", "source", "meta", "link", "col", "area", "embed", "param", "track", "base")


def _claimed(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The extractor reads the words, gate or no gate."""
    (claim,) = extract_page(raw).claims
    assert claim.text.replace("\n", "") == "上海标准" and claim.standard_code == CODE
    with monkeypatch.context() as patched:
        patched.setattr(extractor, "may_mention", lambda *_, **__: True)
        (ungated,) = extract_page(raw).claims
    assert ungated == claim


@pytest.mark.parametrize("void", VOIDS)
def test_the_gate_reads_through_an_element_without_end_tag_inside_hidden_text(
    void: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The extractor reads 上海标准 (the span is hidden); the gate stopped at the tag, which it read as the
    # start of an element whose end never came, and the page was skipped unread.
    for words in (
        f'上海<span class="h">x<{void} title="a">{FILLER}</span>标准',
        f'上海<span class="h"><{void}>{FILLER}<{void}/></span>标准',
        f'上海<span class="h">x<b>y<{void}>z</b>{FILLER}</span>标准',
    ):
        raw = page(f"<div>执行标准：{CODE}（{words}）</div>", ".h{display:none}")
        assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND), words
        _claimed(raw, monkeypatch)


@pytest.mark.parametrize("void", VOIDS)
def test_the_fallback_gate_stays_linear_with_elements_without_end_tag(void: str) -> None:
    # A start tag that may name an element without end tag is read one way only (its name spelled out letter by
    # letter): read either way, each one doubled the tries where no 标 followed.
    raw = ("海" + f"<li><{void} x>b</li><i><{void}>c</i>" * 40 + "x标").encode()
    started = time.process_time()
    assert not FIND.holds(raw, families(raw))
    assert time.process_time() - started < 1.0
