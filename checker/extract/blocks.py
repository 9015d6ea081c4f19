"""What every mention in one block needs from the block's text, read once per block.

A block can hold thousands of mentions (a spam page repeats 上海标准 T/… 2,000 times in one <p>). Reading
the block's codes, sentence ends or 《titles》 again for each mention made extraction quadratic in the
mentions of a block (QA defect #1: 4 minutes for 2,000 mentions). Here each is read once, in order, and a
mention looks its own up by position (bisect), so a page costs about linear time in its mentions.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from checker.codes import CodeMatch, find_codes
from checker.extract.patterns import NOT_A_STANDARD_TITLE, SENTENCE_END, STANDARD_TITLE, TITLE_EDITION_NOTE

# Codes are read in pieces of about this many characters, so that a huge block's reading can be stopped by
# the page's CPU budget between pieces. Blocks shorter than this (all real ones) are read in one piece.
CODE_PIECE_CHARS = 32_768
# A piece ends at a line or sentence end no further than this before CODE_PIECE_CHARS, else at a space.
_PIECE_SLACK = 4_096
_PIECE_BREAKS = ("\n", "。", "；", ";", "！", "？", " ")


def not_a_standard(title: str) -> str | None:
    """Why a 《title》 cannot name a standard (a law, a plan, a notice…), or None when it may."""
    core = TITLE_EDITION_NOTE.sub("", title).strip()
    for pattern in NOT_A_STANDARD_TITLE:
        if pattern.regex.search(core):
            return pattern.name
    return None


def first_title(text: str) -> str | None:
    """The first 《title》 in text that may name a standard."""
    for match in STANDARD_TITLE.finditer(text):
        title = match.group(1).strip()
        if not_a_standard(title) is None:
            return title
    return None


@dataclass(frozen=True)
class _Title:
    start: int
    end: int
    title: str


def _pieces(text: str) -> list[tuple[int, int]]:
    """[start, end) pieces of text of about CODE_PIECE_CHARS, cut where no code can be split."""
    if len(text) <= CODE_PIECE_CHARS:
        return [(0, len(text))]
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > CODE_PIECE_CHARS:
        limit = start + CODE_PIECE_CHARS
        cut = max(text.rfind(mark, limit - _PIECE_SLACK, limit) for mark in _PIECE_BREAKS)
        cut = cut + 1 if cut > start else limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, len(text)))
    return pieces


class BlockText:
    """One block's normalised text and, read on first use, its sentence ends, 《titles》 and codes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._sentence_ends: list[int] | None = None
        self._titles: list[_Title] | None = None
        self._title_starts: list[int] = []
        self._codes: dict[bool, list[CodeMatch]] = {}
        self._code_starts: dict[bool, list[int]] = {}
        self._code_ends: dict[bool, list[int]] = {}
        self._searched: dict[re.Pattern[str], bool] = {}

    # --- sentences -------------------------------------------------------------------------------------

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around [start, end): from just after the last sentence end before `start` to the
        first sentence end at or after `end` (tie.sentence_span, by lookup)."""
        if self._sentence_ends is None:
            self._sentence_ends = [m.start() for m in SENTENCE_END.finditer(self.text)]
        ends = self._sentence_ends
        before = bisect_left(ends, start)
        left = ends[before - 1] + 1 if before else 0
        after = bisect_left(ends, end)
        return left, ends[after] if after < len(ends) else len(self.text)

    # --- titles ----------------------------------------------------------------------------------------

    def _read_titles(self) -> list[_Title]:
        if self._titles is None:
            self._titles = [
                _Title(m.start(), m.end(), title)
                for m in STANDARD_TITLE.finditer(self.text)
                if not_a_standard(title := m.group(1).strip()) is None
            ]
            self._title_starts = [t.start for t in self._titles]
        return self._titles

    def title_within(self, start: int, end: int) -> str | None:
        """The first 《title》 that may name a standard lying wholly in text[start:end] (as first_title of
        that slice: a 《…》 holds no 《 or 》, so the slice's matches are the block's matches inside it)."""
        titles = self._read_titles()
        index = bisect_left(self._title_starts, start)
        if index < len(titles) and titles[index].end <= end:
            return titles[index].title
        return None

    @property
    def title(self) -> str | None:
        """The block's first 《title》 that may name a standard."""
        return self.title_within(0, len(self.text))

    # --- codes -----------------------------------------------------------------------------------------

    def codes(self, standard_context: bool, tick: Callable[[], None] | None = None) -> list[CodeMatch]:
        """Every code in the block, left to right (checker.codes.find_codes). `tick` is called between the
        pieces of a huge block, so the page's CPU budget can stop the reading."""
        found = self._codes.get(standard_context)
        if found is None:
            found = []
            for start, end in _pieces(self.text):
                if tick is not None:
                    tick()
                piece = self.text[start:end] if (start, end) != (0, len(self.text)) else self.text
                found.extend(
                    CodeMatch(m.code, m.start + start, m.end + start)
                    for m in find_codes(piece, standard_context=standard_context)
                )
            self._codes[standard_context] = found
            self._code_starts[standard_context] = [m.start for m in found]
            self._code_ends[standard_context] = [m.end for m in found]
        return found

    def codes_around(self, standard_context: bool, start: int, end: int) -> tuple[int, int]:
        """(i, j): codes[:i] end at or before `start`, codes[j:] start at or after `end` (codes never overlap
        one another; the words are no code, so none straddles them)."""
        codes = self.codes(standard_context)
        ends = self._code_ends[standard_context]
        before = bisect_right(ends, start)
        after = before
        while after < len(codes) and codes[after].start < end:
            after += 1
        return before, after

    def codes_within(self, standard_context: bool, start: int, end: int) -> tuple[int, int]:
        """(i, j): codes[i:j] are the codes lying wholly in text[start:end]."""
        self.codes(standard_context)
        first = bisect_left(self._code_starts[standard_context], start)
        last = bisect_right(self._code_ends[standard_context], end)
        return first, max(first, last)

    # --- whole-block searches --------------------------------------------------------------------------

    def has(self, pattern: re.Pattern[str]) -> bool:
        """Whether pattern occurs anywhere in the block (searched once per pattern)."""
        found = self._searched.get(pattern)
        if found is None:
            found = self._searched[pattern] = pattern.search(self.text) is not None
        return found


class BlockTexts:
    """The BlockText of every block of one page, made on first use."""

    def __init__(self) -> None:
        # Keyed by the text itself: every mention of a run shares the run's string (its hash is cached).
        self._blocks: dict[str, BlockText] = {}

    def of(self, text: str) -> BlockText:
        """The BlockText for a block's text."""
        block = self._blocks.get(text)
        if block is None:
            block = self._blocks[text] = BlockText(text)
        return block
