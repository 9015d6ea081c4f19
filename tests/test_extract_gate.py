"""The raw-bytes gate: its rule table, both searchers deciding alike, the window edge and the new spellings."""

from __future__ import annotations

import random
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.extract import extract_page
from checker.extract.gate import (
    GATE_ENV,
    FindSearcher,
    HyperscanSearcher,
    Searcher,
    families,
    may_mention,
    searcher,
)
from checker.extract.patterns import GATE_RULES, GATE_WINDOW, GateRule
from markwatch.errors import InputError

REALPAGES = Path(__file__).parent / "data" / "realpages"
FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
FAMILY_SETS = (
    ("utf-8", "ascii"),
    ("gb18030", "ascii"),
    ("big5", "ascii"),
    ("utf-8", "gb18030", "big5", "ascii"),
    ("ascii",),
)


def test_rule_table_is_well_formed() -> None:
    names = [rule.name for rule in GATE_RULES]
    assert len(names) == len(set(names))
    for rule in GATE_RULES:
        assert rule.family in ("utf-8", "gb18030", "big5", "ascii"), rule.name
        assert rule.anchors and rule.confirms and rule.why and rule.window > 0, rule.name
        if rule.caseless:
            # Both searchers fold the page to lower case for these: upper-case sequences would never match.
            assert all(s == s.lower() for s in (*rule.anchors, *rule.confirms)), rule.name


def test_auto_picks_hyperscan_when_it_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(GATE_ENV, raising=False)
    searcher.cache_clear()
    try:
        assert searcher().name == "hyperscan"
    finally:
        searcher.cache_clear()


def test_unknown_gate_choice_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GATE_ENV, "regex")
    searcher.cache_clear()
    try:
        with pytest.raises(InputError, match=r"MARKWATCH_GATE: regex: must be one of auto, hyperscan, find"):
            searcher()
    finally:
        searcher.cache_clear()


# Pieces a page is built from: every anchor and confirm (and their case variants), near misses, filler.
_PIECES = sorted(
    {piece for rule in GATE_RULES for piece in (*rule.anchors, *rule.confirms)}
    | {piece.upper() for rule in GATE_RULES if rule.caseless for piece in (*rule.anchors, *rule.confirms)}
    | {"上海".encode(), "標".encode(), "标".encode("gb18030"), b"Shang", b"<b>", b"</span>", b"&#", b"%E6"}
)
_FILLER_SIZES = (0, 1, 7, GATE_WINDOW - 9, GATE_WINDOW - 1, GATE_WINDOW, GATE_WINDOW + 1)
_PART = st.one_of(
    st.sampled_from(_PIECES),
    st.sampled_from(_FILLER_SIZES).map(lambda n: b"x" * n),
    st.binary(max_size=12),
)


@settings(max_examples=1000, deadline=None)
@given(parts=st.lists(_PART, max_size=8), page_families=st.sampled_from(FAMILY_SETS))
def test_both_searchers_decide_alike(parts: list[bytes], page_families: tuple[str, ...]) -> None:
    raw = b"".join(parts)
    assert HYPERSCAN.holds(raw, page_families) == FIND.holds(raw, page_families)


@pytest.mark.parametrize("searcher_", [FIND, HYPERSCAN], ids=["find", "hyperscan"])
@pytest.mark.parametrize("rule", GATE_RULES, ids=[rule.name for rule in GATE_RULES])
def test_window_edge(searcher_: Searcher, rule: GateRule) -> None:
    anchor, confirm = rule.anchors[0], rule.confirms[0]
    page_families = (rule.family, "ascii") if rule.family != "ascii" else ("ascii",)

    def page(gap: int) -> bytes:
        filler = b" " * gap
        return anchor + filler + confirm if rule.forward else confirm + filler + anchor

    assert searcher_.holds(page(0), page_families)
    assert searcher_.holds(page(rule.window), page_families)
    assert not searcher_.holds(page(rule.window + 1), page_families)
    # The other order is no mention.
    assert not searcher_.holds(confirm + anchor if rule.forward else anchor + confirm, page_families)


# What stood between anchor and confirm where the hyperscan 0.9.1 wheel lost a bounded-gap match (gate.py,
# anchor_expression): UTF-8 海, spaces, markup, GB18030 海, a lone lead byte, a half reference.
_GAP_PIECES = (b"\xe6\xb5\xb7", b"x", b"<b>", b"\xba\xa3", b" ", b"\xd7", b"&#")


@pytest.mark.parametrize("rule", GATE_RULES, ids=[rule.name for rule in GATE_RULES])
def test_every_anchor_gap_and_confirm_decides_alike(rule: GateRule) -> None:
    draw = random.Random(rule.name)  # the same pages on every run
    gaps = [*range(0, 64), rule.window - 1, rule.window, rule.window + 1]
    disagree = []
    for anchor in rule.anchors:
        for confirm in rule.confirms:
            for gap in gaps:
                filler = b"".join(draw.choice(_GAP_PIECES) for _ in range(gap))[:gap]
                words = anchor + filler + confirm if rule.forward else confirm + filler + anchor
                raw = draw.choice((b"", b"yy")) + words + draw.choice((b"", b"zz", b"\n"))
                if HYPERSCAN.scan(raw, families(raw)) != FIND.scan(raw, families(raw)):
                    disagree.append(raw)
    assert disagree == []


def test_a_gbk_anchor_then_utf8_bytes_then_its_confirm_is_a_hit() -> None:
    # Drawn by hypothesis (test_extract_gate_deep): 海标, five UTF-8 海, 准 in GB18030 was no hit by Hyperscan.
    raw = "海标".encode("gb18030") + "海".encode() * 5 + "准".encode("gb18030")
    assert HYPERSCAN.scan(raw, families(raw)).hit
    assert FIND.scan(raw, families(raw)).hit


@pytest.mark.parametrize(
    "html",
    [
        "<li>&#19978;&#28023;&#26631;&#20934;</li>",  # decimal character references
        "<li>&#x4E0A;&#x6D77;&#x6A19;&#x6E96;</li>",  # hex, traditional 標準
        "<li>&#19978;&#28023;标准</li>",  # references, then text (a CMS turned a few characters into them)
        "<li>上海&#x6807;&#X51C6;</li>",  # text, then references
        "<li>执行标准：T/ABC 001-2020（上&#x6D77;標準）</li>",
        "<img src='/i/SHANGHAI-BIAOZHUN.png'>",  # pinyin file name, any case
        "<img src='/i/%e4%b8%8a%e6%b5%b7%e6%a0%87%e5%87%86.png'>",  # percent-encoded UTF-8
        "<p>Ｓｈａｎｇｈａｉ Ｓｔａｎｄａｒｄ</p>",  # full-width English
        "<p>sHaNgHaI sTaNdArD</p>",  # English in any mix of case
        "<p>上海<span class='x'>标</span>准</p>",
        # References without their semicolon: browsers read them all the same.
        "<li>&#19978&#28023&#26631&#20934</li>",
        "<li>执行标准：T/ABC 001-2020（上&#28023标准）</li>",
        "<li>上海&#x6807&#X51C6</li>",
        "<li>执行标准：T/ABC 001-2020（上\ufa45标准）</li>",  # a compatibility ideograph NFKC reads as 海
    ],
)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_every_spelling_passes_the_gate(gate: Searcher, html: str, encoding: str) -> None:
    raw = f"<html><body>{html}</body></html>".encode(encoding)
    assert may_mention(raw)
    assert extract_page(raw).claims, gate.name


@pytest.mark.parametrize(
    "html",
    ["<p>上海品牌</p>", "<img src='/i/biaozhun.png'>", "<img src='/i/shanghai.png'>", "<p>&#28023;</p>", ""],
)
def test_pages_without_the_words_stay_closed(gate: Searcher, html: str) -> None:
    assert not may_mention(f"<html><body>{html}</body></html>".encode())


def test_gate_is_a_prefilter_the_extractor_decides(gate: Searcher) -> None:
    # Two file names within the window open the gate; neither names the mark, so no claim.
    raw = b"<html><body><img src='/i/shanghai.png'><img src='/i/biaozhun.png'></body></html>"
    assert may_mention(raw)
    assert extract_page(raw).claims == []


@pytest.mark.parametrize("name", sorted(p.name for p in REALPAGES.glob("*.htm*")))
def test_real_pages_decide_alike(name: str) -> None:
    raw = (REALPAGES / name).read_bytes()
    assert HYPERSCAN.holds(raw, families(raw)) == FIND.holds(raw, families(raw))


def test_hyperscan_searcher_is_safe_across_threads() -> None:
    pages = [(REALPAGES / name).read_bytes() for name in sorted(p.name for p in REALPAGES.glob("*.htm*"))]
    pages += [p[:1000] + "执行标准：T/A 1-2020（上海标准）".encode() + p[1000:] for p in pages]
    expected = [FIND.holds(raw, families(raw)) for raw in pages]
    assert set(expected) == {True, False}  # both kinds of page are in the mix
    results: list[list[bool]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append([HYPERSCAN.holds(raw, families(raw)) for raw in pages * 5])
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [expected * 5] * 8


# Pieces the split and squeeze rules read: markup between the characters, invisible characters, references.
_SPLIT_PIECES = [
    "海".encode(),
    "标".encode(),
    "准".encode(),
    "海".encode("gb18030"),
    "標".encode("gb18030"),
    "準".encode("gb18030"),
    "\ufa45".encode(),
    b"<span class='a>b'>",
    b'<b title="x">',
    b"</b>",
    b"<!-- c -- d -> -->",
    b"<rt>hai</rt>",
    b"<rp>(</rp>",
    b"<u>x<i>y",  # elements nested deeper than the split rules' regexes read (deep_split.py)
    b"</i>z</u>",
    b"&nbsp;",
    b"&shy;",
    b"&#173;",
    b"&#x200b;",
    "\u2060".encode(),
    "\u00ad".encode(),
    "\u3000".encode("gb18030"),
    b"Stan",
    b"dard",
    b"Shang",
    b"hai ",
    b"<",
    b"'",
    b'"',
]
_SPLIT_PART = st.one_of(st.sampled_from(_SPLIT_PIECES), st.binary(max_size=6))


@settings(max_examples=1500, deadline=None)
@given(parts=st.lists(_SPLIT_PART, max_size=12))
def test_both_searchers_scan_alike(parts: list[bytes]) -> None:
    raw = b"".join(parts)
    page_families = families(raw)
    assert HYPERSCAN.scan(raw, page_families) == FIND.scan(raw, page_families)
    assert may_mention(raw, using=HYPERSCAN) == may_mention(raw, using=FIND)


_GAPS = st.lists(
    st.sampled_from(
        [
            "<span style='" + "x" * 500 + "'>",
            "</span>",
            "<!-- " + "a>b " * 120 + "-->",
            "<rt>hǎi</rt>",
            "\u2060",
            "&NoBreak;",
            "\u200e",
            " ",
            "&#8203;",
            '<b title="&gt;>">',
            # Text hidden from buyers inside the words, longer than any window rule (上海<i hidden>…</i>标准).
            '<span style="display:none">' + "热卖" * 150 + "</span>",
            "<i hidden>" + "x" * 450 + "</i>",
            '<em style="font-size: 0">' + "热卖" * 150 + "</em>",
        ]
    ),
    max_size=4,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(gaps=st.lists(_GAPS, min_size=3, max_size=3), encoding=st.sampled_from(["utf-8", "gb18030"]))
def test_gate_passes_whatever_the_extractor_reads(gaps: list[str], encoding: str) -> None:
    # The gate and the extractor agree: markup, ruby or invisible characters of any length between the
    # characters never make the gate skip a page the extractor would read a claim on.
    words = "上" + gaps[0] + "海" + gaps[1] + "标" + gaps[2] + "准"
    raw = f"<html><body><p>执行标准：T/A 1-2020（{words}）</p></body></html>".encode(encoding)
    claims = extract_page(raw).claims
    if claims:
        assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND)
    assert claims, "the extractor reads every such spelling"
