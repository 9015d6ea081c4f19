"""The raw-bytes gate reads words parted by hidden markup nested to any depth (deep_split.py), as both searchers."""

from __future__ import annotations

import re
import time

import hyperscan
import pytest
from hostile_support import CODE
from hypothesis import example, given, settings
from hypothesis import strategies as st

from checker.extract import extract_page, extractor
from checker.extract.deep_split import DEEP_SPLIT_WINDOW
from checker.extract.gate import FindSearcher, HyperscanSearcher, families, may_mention
from checker.extract.patterns import SPLIT_RULES

FIND = FindSearcher()
HYPERSCAN = HyperscanSearcher()
# Longer than any window rule of the gate (400 bytes), so only its split rules can let the page through.
FILLER = {"utf-8": "热卖" * 150, "gb18030": "热卖" * 150, "big5": "熱賣" * 150}
WORDS = {"utf-8": "上海标准", "gb18030": "上海标准", "big5": "上海標準"}
# Hidden text nested two, three and five levels deep, and with what shows nothing around it.
DEEP = (
    '<span class="h">a<b>b<u>{filler}</u>c</b>d</span>',
    '<span class="h"><b><i><u>{filler}</u></i></b></span>',
    '<span class="h">x<em>y<b><i><s><u>{filler}</u></s></i>z</b></em><!-- c --><br></span>',
    '<span class="h"><b title="a">b<u>{filler}<br>x</u></b></span>',
    '<span class="h"><style>.x{{color:red}}</style><b>x<u>{filler}</u></b></span>',
)
AROUND = ("{deep}", "&nbsp;{deep}", "<!-- c -->{deep}", "{invisible}{deep}", "{deep}<i></i> ", "</a>{deep}")
INVISIBLE = {"utf-8": "\u200b", "gb18030": "\u200b", "big5": "\u3000"}  # Big5 spells no zero-width space


def _split(words: str, between: int, gap: str) -> str:
    return words[:between] + gap + words[between:]


def _page(body: str, encoding: str, declared: bool = True) -> bytes:
    meta = f'<meta charset="{"gbk" if encoding == "gb18030" else encoding}">' if declared else ""
    return (
        f"<html><head>{meta}<style>.h{{display:none}}</style></head><body><h1>跑道</h1>{body}</body></html>"
    ).encode(encoding)


@pytest.mark.parametrize("deep", DEEP)
@pytest.mark.parametrize("between", [1, 2, 3])
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5"])
def test_the_gate_reads_through_hidden_markup_nested_deep(deep: str, between: int, encoding: str) -> None:
    # Both searchers skipped such a page unread: the split rules read elements one level deep only.
    for around in AROUND:
        gap = around.format(deep=deep.format(filler=FILLER[encoding]), invisible=INVISIBLE[encoding])
        words = _split(WORDS[encoding], between, gap)
        # Big5 is read on a page that declares nothing (one declaring Big5 is decoded whatever its bytes).
        raw = _page(f"<p>{CODE}（{words}）</p>", encoding, declared=encoding != "big5")
        assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND), (encoding, words)


@pytest.mark.parametrize("deep", DEEP)
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_the_extractor_reads_what_the_deep_gate_lets_through(
    deep: str, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _page(f"<p>执行标准：{CODE}（上海{deep.format(filler=FILLER[encoding])}标准）</p>", encoding)
    (claim,) = extract_page(raw).claims
    assert claim.text.replace("\n", "") == "上海标准" and claim.standard_code == CODE
    with monkeypatch.context() as patched:
        patched.setattr(extractor, "may_mention", lambda *_, **__: True)
        assert extract_page(raw).claims == [claim]


@pytest.mark.parametrize(
    "words",
    [
        "上海<b>a<i>b</i></b>{filler}标准",  # text after the element, shown
        "上海</span>{filler}<b>x</b>标准",  # text of an element opened before the words, shown
        "上海<br>{filler}<b>x<i>y</i></b>标准",
        "上海<b>x<i>y</i></b>{filler}<b>x</b>标准",
        "上海<b>a<i>b</i></b><span>x</span>{filler}准标",  # the characters out of order
        "上海<script>var a='<b>';</script>{filler}标准",
    ],
)
def test_words_parted_by_shown_text_stay_closed(words: str) -> None:
    raw = _page(f"<p>{words.format(filler=FILLER['utf-8'])}</p>", "utf-8")
    assert not may_mention(raw, using=HYPERSCAN) and not may_mention(raw, using=FIND)


def test_hidden_text_longer_than_the_window_lets_the_page_through(monkeypatch: pytest.MonkeyPatch) -> None:
    # A look that reaches its bound (deep_split.DEEP_SPLIT_WINDOW) still inside hidden text cannot tell: the page
    # goes to the extractor. It was skipped unread, and the hidden text kept the words from the extractor.
    inside = '<span class="h">a<b>b<u>{}</u></b></span>'
    for filler in (
        "x" * (DEEP_SPLIT_WINDOW - 200),
        "x" * (DEEP_SPLIT_WINDOW + 10),
        "x" * (4 * DEEP_SPLIT_WINDOW),
    ):
        raw = _page(f"<p>执行标准：{CODE}（上海{inside.format(filler)}标准）</p>", "utf-8")
        assert may_mention(raw, using=HYPERSCAN) and may_mention(raw, using=FIND)
        with monkeypatch.context() as patched:
            patched.setattr("checker.extract.gate.searcher", lambda choice=None: FIND)
            (claim,) = extract_page(raw).claims
        assert claim.text.replace("\n", "") == "上海标准" and claim.standard_code == CODE
        assert claim.hidden is None and claim.hidden_inside  # read as shown, the hidden text known as hidden


def _decisions_in_linear_time(raw: bytes) -> set[bool]:
    """Both searchers' decisions on a pathological page, each taken within a CPU bound only a linear reading meets
    (a quadratic one takes minutes on these pages)."""
    decisions = set()
    for searcher in (FIND, HYPERSCAN):
        searcher.holds(
            "海".encode(), families(raw)
        )  # Hyperscan compiles its database once, not the page's work
        started = time.process_time()
        decisions.add(searcher.holds(raw, families(raw)))
        assert time.process_time() - started < 1.5, searcher.name
    return decisions


@pytest.mark.parametrize(
    "piece",
    [
        "海<b>x<i>y</i>z",  # a trigger in every piece, elements left open: the looks read on together
        "海<b>x</b>标<i>y",
        "海<a title='<b>x",  # a tag never closed
        "海<script>x",
        "<b>" * 3 + "海<" + "</i>" * 3,
        "海 <u>标</u>",
    ],
)
def test_the_deep_look_is_linear_with_many_triggers(piece: str) -> None:
    # ~400 KB of triggers, the rest of the words after the last window rule's reach: every look reads on to them
    # (the precheck passes), and a stretch one look read is not read again.
    raw = (piece * (400_000 // len(piece.encode())) + "x" * 500 + "标准").encode()
    decisions = _decisions_in_linear_time(raw)
    assert len(decisions) == 1


def test_the_deep_look_is_linear_with_deep_nesting() -> None:
    raw = ("海" + "<b>x" * 100_000 + "标" + "</b>y" * 100_000 + "准").encode()
    decisions = _decisions_in_linear_time(raw)
    assert decisions == {True}  # 准 is past the window, the look still inside elements that may be hidden


# Pieces of pages: the characters in each family, tags that nest, text, what shows nothing.
_PIECES = [
    *(char.encode(family) for char in "海标准" for family in ("utf-8", "gb18030")),
    "標".encode("big5"),
    "準".encode("big5"),
    "海".encode("big5"),
    b"<b>",
    b"</b>",
    b"<u class=h>",
    b"</u>",
    b"<i>",
    b"</i>",
    b"<br>",
    b"<!-- c -->",
    b"<script>",
    b"</script>",
    b"x",
    b"\xe7\x83\xad",
    b"&nbsp;",
    b" ",
    "\u200b".encode(),
    b"<",
    b">",
    b"'",
]
_PART = st.one_of(st.sampled_from(_PIECES), st.binary(max_size=4))
_TRIGGERS = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
_TRIGGERS.compile(
    expressions=[rule.trigger() for rule in SPLIT_RULES],
    ids=list(range(len(SPLIT_RULES))),
    elements=len(SPLIT_RULES),
    flags=[0] * len(SPLIT_RULES),
)


def _hyperscan_trigger_ends(raw: bytes) -> list[list[int]]:
    ends: list[list[int]] = [[] for _ in SPLIT_RULES]

    def on_match(rule_id: int, start: int, end: int, flags: int, context: object) -> None:
        ends[rule_id].append(end)

    _TRIGGERS.scan(raw, match_event_handler=on_match)
    return [sorted(found) for found in ends]


@settings(max_examples=1500, deadline=None)
@given(parts=st.lists(_PART, max_size=16))
# Hyperscan lost the window rule's match (gate.window_literals): GB18030 海标, five UTF-8 海, GB18030 准.
@example(parts=[b"\xba\xa3", b"\xb1\xea", *[b"\xe6\xb5\xb7"] * 5, b"\xd7\xbc"])
def test_both_searchers_find_the_same_triggers_and_decide_alike(parts: list[bytes]) -> None:
    raw = b"".join(parts)
    page_families = families(raw)
    assert HYPERSCAN.scan(raw, page_families) == FIND.scan(raw, page_families)
    assert may_mention(raw, using=HYPERSCAN) == may_mention(raw, using=FIND)
    for rule, hyperscan_ends in zip(SPLIT_RULES, _hyperscan_trigger_ends(raw), strict=True):
        ends = FIND.trigger_ends(raw, rule)
        assert ends == hyperscan_ends  # the offsets both searchers read on from
        # Wherever the rule's regex (one level of elements, no bound) holds, the deep look read from the
        # triggers holds too: it is the only reading of the split rules.
        if re.search(rule.expression(), raw):
            assert FIND.split_rule_holds(raw, rule) and HYPERSCAN.holds(raw, page_families)
