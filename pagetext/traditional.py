"""Traditional → simplified Chinese with OpenCC, for text that shows traditional characters at all.

OpenCC converts by phrases (乾燥 → 干燥 but 乾隆 stays), which a character table cannot do. It is run only on
text holding at least one character that OpenCC maps to another on its own: simplified text is left as
written (OpenCC's phrase table would turn the simplified 打坏 into 打坯), and a page with no traditional
character pays one set test per text run and no conversion.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import opencc

from pagetext.cpuclock import preparation

# Blocks holding every character OpenCC's t2s tables map (CJK unified ideographs and their extensions,
# radicals, compatibility ideographs): scanned once per process to learn which characters convert.
_CJK_BLOCKS = (
    (0x2E80, 0x2FDF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x323AF),
)
# OpenCC takes UTF-8: a lone surrogate (undecodable input kept by surrogateescape) cannot be passed to it.
_SURROGATES = re.compile("([\ud800-\udfff]+)")
# A phrase conversion can leave a character that converts again (蔣昇 → 蒋昇 → 蒋升); two more passes reach
# the fixed point on every OpenCC table entry, so normalising is idempotent.
_MAX_PASSES = 3


@dataclass(frozen=True)
class _Tables:
    converter: opencc.OpenCC
    char_map: dict[int, str]
    # A set, not a regex class: `isdisjoint` scans 250 KB in ~2 ms, a 5000-character class takes ~100 ms.
    traditional: frozenset[str]


@functools.cache
def _tables() -> _Tables:
    with preparation():  # once per process, not the work of the page that first needs it
        return _build_tables()


def _build_tables() -> _Tables:
    converter = opencc.OpenCC("t2s")
    chars = [chr(point) for low, high in _CJK_BLOCKS for point in range(low, high + 1)]
    # One call for all: the newlines keep OpenCC's phrase matching from joining neighbours.
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC changed the number of characters of its own table")
    char_map = {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b}
    return _Tables(converter, char_map, frozenset(chr(point) for point in char_map))


def to_simplified(text: str) -> str:
    """text with traditional characters converted to simplified, phrase by phrase; simplified text unchanged."""
    if text.isascii():
        return text
    tables = _tables()
    if tables.traditional.isdisjoint(text):
        return text
    for _ in range(_MAX_PASSES):
        converted = _convert(tables.converter, text)
        if converted == text or tables.traditional.isdisjoint(converted):
            return converted
        text = converted
    return text


def _convert(converter: opencc.OpenCC, text: str) -> str:
    if not _SURROGATES.search(text):
        return converter.convert(text)
    pieces = _SURROGATES.split(text)
    # Odd pieces are the surrogate runs split out by the capturing group: kept as they are.
    return "".join(piece if i % 2 else converter.convert(piece) for i, piece in enumerate(pieces))


def char_to_simplified(char: str) -> str:
    """One character converted on its own (no phrase context): for per-character folding and offset maps."""
    return char if char.isascii() else char.translate(_tables().char_map)
