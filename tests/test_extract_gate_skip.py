"""The deep look skips runs of closed markup with one regex match (deep_split.py) and reads as it did tag by tag."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.extract import deep_split
from checker.extract.gate import FindSearcher, HyperscanSearcher, families
from checker.extract.patterns import SPLIT_RULES

REALPAGES = Path(__file__).parent / "data" / "realpages"


def _looks(raw: bytes) -> list[tuple[str, int, int]]:
    """Every (rule, start, wanted) a look may start from in the page: after each trigger of each split rule."""
    starts = []
    finder = FindSearcher()
    for rule in SPLIT_RULES:
        for end in finder.trigger_ends(raw, rule):
            start, wanted = (end - 1, 1) if raw[end - 1] == 0x3C else (end, 2)
            starts.append((rule.name, start, wanted))
    return starts


def _both_readings(raw: bytes) -> None:
    rules = {rule.name: rule for rule in SPLIT_RULES}
    for name, start, wanted in _looks(raw):
        words = deep_split._words(rules[name])
        fast = deep_split._read_on(raw, words, start, wanted)
        slow = deep_split._read_on(raw, words, start, wanted, skip=False)
        assert fast == slow, (name, start, raw[start : start + 200])


def test_the_province_picker_is_skipped_not_read_tag_by_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    # jd_item_01_gbk: after 上海 a province picker of some 700 tags, read one Python step a tag (0.9 ms of the gate's
    # 1 ms on the page). Runs of closed elements are now one regex match: a few dozen tags are read one by one.
    raw = (REALPAGES / "jd_item_01_gbk.html").read_bytes()
    read = []
    markup = deep_split._markup

    def counted(*args: object, **kwargs: object) -> tuple[int, int]:
        read.append(1)
        return markup(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(deep_split, "_markup", counted)
    for searcher in (FindSearcher(), HyperscanSearcher()):
        read.clear()
        assert not searcher.scan(raw, families(raw)).hit
        assert 0 < len(read) < 80, (searcher.name, len(read))


@pytest.mark.parametrize("path", sorted(REALPAGES.glob("*.*ml")) + sorted(REALPAGES.glob("*.php")))
def test_the_skip_reads_real_pages_as_tag_by_tag(path: Path) -> None:
    _both_readings(path.read_bytes())


_PIECES = [
    *(char.encode(family) for char in "上海标准" for family in ("utf-8", "gb18030")),
    "標".encode("big5"),
    "海".encode("big5"),
    b"<b>",
    b"</b>",
    b"<B >",
    b"</B>",
    b"<li class=x>",
    b"</li>",
    b"<lix>",
    b"</li/>",
    b"<a href='>'>",
    b"</a>",
    b"<br>",
    b"<br/>",
    b"</br>",
    b"<img src=x>",
    b"<!-- c -->",
    b"<!--",
    b"-->",
    b"<!x>",
    b"<?x>",
    b"</3>",
    b"<script>",
    b"</script>",
    b"<SCRIPT>",
    b"</Script >",
    b"<div>",
    b"</div>",
    b"<title>",
    b"</title>",
    b"x",
    b"\xe7\x83\xad",
    b"&nbsp;",
    b" ",
    b"\n",
    "\u200b".encode(),
    b"<",
    b"<3",
    b">",
    b"'",
    b"/",
]
_PART = st.one_of(st.sampled_from(_PIECES), st.binary(max_size=3))


@settings(max_examples=3000, deadline=None)
@given(parts=st.lists(_PART, max_size=40))
def test_the_skip_reads_any_markup_as_tag_by_tag(parts: list[bytes]) -> None:
    _both_readings(b"".join(parts))


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_PART, max_size=40), repeat=st.integers(1, 60))
def test_the_skip_reads_long_pages_as_tag_by_tag(parts: list[bytes], repeat: int) -> None:
    # Small windows, so that looks meet their bound inside and around skipped runs.
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(deep_split, "DEEP_SPLIT_WINDOW", 64)
        _both_readings("上海".encode() + b"".join(parts) * repeat + "标准".encode())
        _both_readings("上海".encode("gb18030") + b"".join(parts) * repeat + "标准".encode("gb18030"))


@pytest.mark.parametrize("between", ["<script>{}</script>", "<b>{}</b>", "<style>{}</style><i>{}</i>"])
@pytest.mark.parametrize("count", range(3, 14))
def test_elements_closed_before_the_bound_are_left_alike(between: str, count: int) -> None:
    # An element (a script too) closed outside every other one, then one still open at the window's bound: the
    # look has left its elements (undecided there, not wrapped). The skip read a closed script as never opened.
    filler = "上" * count
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(deep_split, "DEEP_SPLIT_WINDOW", 64)
        _both_readings(("上海" + between.format(filler, filler) * 3 + "标准").encode())
