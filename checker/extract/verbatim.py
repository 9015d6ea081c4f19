"""Quote the page as it was: map spans of normalised run text back to the page's own characters.

Matching runs on normalised text (full-width folded, 標準 -> 标准, entities and invisible characters gone),
but evidence must quote what the page showed. `OffsetMap` aligns the normalised text with the page text it
came from, character by character, so a span found in one is an exact span of the other.

The alignment does not re-implement the normaliser: it walks both texts and accepts a page character when
`fold_char` (the normaliser's per-character step) or plain equality says it produced the next normalised
characters. Characters the normaliser drops (invisible marks, entity debris, collapsed spaces) are skipped;
anything else the normaliser does across characters (an entity such as `&ldquo;` left in the text, a
phrase conversion) is bridged by re-synchronising on the next stretch both texts share.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache
from itertools import accumulate

from pagetext.normalize import ENTITY_DEBRIS, drops_mark, fold_char, normalize_text, unescape_entities

# HTML collapses these when it renders text; a quote shows them as one space, as the reader saw them.
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")
# One display character each: a run of HTML white space (shown as one space) or any other character.
_DISPLAY_CHAR = re.compile(r"[ \t\r\n\f]+|[^ \t\r\n\f]")
# How far ahead a re-synchronisation looks (page and normalised side): longer than any entity name.
_RESYNC_WINDOW = 24
# Consecutive agreeing characters that confirm a re-synchronisation point.
_CONFIRM = 2
# An entity left in the text (double-escaped in the HTML): the normaliser decodes it into one character.
_ENTITY = re.compile(r"&(?:amp;)*(?:[A-Za-z][A-Za-z0-9]{1,31};?|#\d{1,7};?|#[xX][0-9A-Fa-f]{1,6};?)")
# Alignment steps between two calls of the CPU-budget tick.
_TICK_STEPS = 8_192
# Characters whose runs the normaliser collapses into one.
_COLLAPSING = frozenset("- ")
# Characters NFKC may compose with the one before them although they are no combining mark: Hangul vowel and
# final jamo (ᄒ ᅡ ᆫ -> 한, as text copied from a Mac is written) and the half-width voiced marks (ｶﾞ -> ガ).
_COMPOSING = re.compile("[\u1160-\u11ff\ud7b0-\ud7ff\uff9e\uff9f]")
# The longest run of characters read as one composed character.
_CLUSTER_MAX = 8


# Spans of the raw text shown with their own white space (document.Run.preserved): (start, end, mode).
Preserved = tuple[tuple[int, int, str], ...]
# Where the page keeps its white space (whitespace.KEEP_ALL): each character shows, a CRLF or CR as one line break.
_KEPT_CHAR = re.compile(r"\r\n?|[\s\S]")
# white-space: pre-line (whitespace.KEEP_BREAKS): line breaks show, runs of spaces collapse to one.
_LINE_PIECE = re.compile(r"\r\n?|\n|[ \t\f]+|[^ \t\r\n\f]")


def _collapsed(raw: str, start: int, end: int, chars: list[str], positions: list[int]) -> None:
    for match in _DISPLAY_CHAR.finditer(raw, start, end):
        space = match.group()[0] in " \t\r\n\f"
        if space and chars and chars[-1] == "\n":
            continue  # white space that collapses is removed at the start of a line (after a kept line break)
        chars.append(" " if space else match.group())
        positions.append(match.start())


def _kept(raw: str, start: int, end: int, mode: str, chars: list[str], positions: list[int]) -> None:
    if mode != "pre-line":
        segment = raw[start:end]
        if "\r" not in segment:
            chars.extend(segment)  # one display character per page character: no step per character
            positions.extend(range(start, end))
            return
        for match in _KEPT_CHAR.finditer(raw, start, end):
            chars.append("\n" if match.group()[0] == "\r" else match.group())
            positions.append(match.start())
        return
    for match in _LINE_PIECE.finditer(raw, start, end):
        piece = match.group()
        if piece[0] in "\r\n":
            while chars and chars[-1] == " ":  # pre-line drops the spaces around a line break
                chars.pop()
                positions.pop()
            chars.append("\n")
        elif piece[0] in " \t\f":
            if chars and chars[-1] == "\n":
                continue
            chars.append(" ")
        else:
            chars.append(piece)
        positions.append(match.start())


def _displayed(raw: str, preserved: Preserved = ()) -> tuple[str, list[int]]:
    """display_text(raw, preserved) and, for each of its characters, where in raw it comes from."""
    if not preserved:
        collapsed = _HTML_SPACE.sub(" ", raw)
        lead = len(collapsed) - len(collapsed.lstrip())
        shown = collapsed.strip()
        positions = [match.start() for match in _DISPLAY_CHAR.finditer(raw)]
        return shown, positions[lead : lead + len(shown)]
    chars: list[str] = []
    positions = []
    cursor = 0
    for start, end, mode in (*sorted(preserved), (len(raw), len(raw), "")):
        start, end = max(start, cursor), min(max(end, cursor), len(raw))
        _collapsed(raw, cursor, start, chars, positions)
        if end > start:
            _kept(raw, start, end, mode, chars, positions)
        cursor = max(cursor, end)
    joined = "".join(chars)
    lead = len(joined) - len(joined.lstrip())
    shown = joined.strip()
    return shown, positions[lead : lead + len(shown)]


def _display_positions(raw: str, preserved: Preserved = ()) -> list[int]:
    """For each character of display_text(raw), where in raw it comes from (a run of spaces: its start)."""
    return _displayed(raw, preserved)[1]


def display_text(raw: str, preserved: Preserved = ()) -> str:
    """The page text as a browser shows it: runs of HTML white space as one space, trimmed; in `preserved`
    spans (<pre>, white-space:pre…) the page's own spaces and line breaks, as it shows them there."""
    if not preserved:
        return _HTML_SPACE.sub(" ", raw).strip()
    return _displayed(raw, preserved)[0]


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    return fold_char(char)


def _is_space(char: str) -> bool:
    return char.isspace()


def _agrees(source: str, i: int, target: str, k: int) -> bool:
    """Whether source[i] produces (the start of) target[k:], by equality, folding or as an entity."""
    char = source[i]
    if char == target[k]:
        return True
    if char == "&" and (match := _ENTITY.match(source, i)) is not None:
        decoded = unescape_entities(match.group())
        return decoded != match.group() and target.startswith("".join(_fold(c) for c in decoded), k)
    piece = _fold(char)
    return bool(piece) and target.startswith(piece, k)


class OffsetMap:
    """For each character of `normalized`, the span of `source` it came from."""

    def __init__(
        self,
        source: str,
        normalized: str,
        tick: Callable[[], None] | None = None,
        skip: frozenset[int] = frozenset(),
    ) -> None:
        self.source = source
        self.normalized = normalized
        # Source characters the normalised text was made without (text hidden from buyers): passed over, so
        # a span across them quotes them where they stand (上海xx标准 for the shown 上海标准).
        self._skip = skip
        count = len(normalized)
        self._starts = [0] * count
        self._ends = [0] * count
        # Called every _TICK_STEPS steps of the alignment: a huge run's map can be stopped by the page's
        # CPU budget (limits.Guard.check raises).
        self._tick = tick
        self._align()

    def _set(self, k: int, length: int, start: int, end: int) -> None:
        for j in range(k, min(k + length, len(self.normalized))):
            self._starts[j] = start
            self._ends[j] = end

    def _confirmed(self, i: int, k: int) -> bool:
        """Whether the texts agree from (i, k) on for _CONFIRM characters (or up to the end of both)."""
        source, target = self.source, self.normalized
        for d in range(_CONFIRM):
            if i + d >= len(source) or k + d >= len(target):
                # Running out counts only when both texts end together (the last characters agree).
                return d > 0 and i + d >= len(source) and k + d >= len(target)
            if not _agrees(source, i + d, target, k + d):
                return False
        return True

    def _resync(self, i: int, k: int) -> tuple[int, int] | None:
        """The nearest (i2, k2) past a disagreement where both texts agree again.

        Skipping page characters costs 1 each, skipping normalised ones 2: the normaliser mostly drops or
        shrinks page text (entities, invisible marks, runs of dashes) and rarely adds any."""
        for cost in range(1, 3 * _RESYNC_WINDOW + 1):
            for skip_k in range(0, min(cost // 2, _RESYNC_WINDOW) + 1):
                skip_i = cost - 2 * skip_k
                if skip_i > _RESYNC_WINDOW:
                    continue
                i2, k2 = i + skip_i, k + skip_k
                if i2 < len(self.source) and k2 < len(self.normalized) and self._confirmed(i2, k2):
                    return i2, k2
        return None

    def _entity(self, i: int, k: int) -> tuple[int, int] | None:
        """Past an entity at source[i] that the normaliser decoded into target[k:], or None."""
        match = _ENTITY.match(self.source, i)
        if match is None:
            return None
        decoded = unescape_entities(match.group())
        if decoded == match.group():
            return None
        piece = "".join(_fold(c) for c in decoded)
        if piece == "&" and not self.normalized.startswith(piece, k):
            return match.end(), k  # an ampersand glued to a quote: debris the normaliser removes
        if not self.normalized.startswith(piece, k):
            return None
        self._set(k, len(piece), i, match.end())
        return match.end(), k + len(piece)

    def _cluster(self, i: int, k: int) -> tuple[int, int] | None:
        """Past a character and the marks NFKC composed it with (e + U+0301 -> é), or None.

        fold_char sees one character at a time, so a composed character matched nothing, and the map
        re-synchronised on the next shared text or, with many in a row, drifted (the quote became other
        text)."""
        source = self.source
        end = i + 1
        while (
            end < len(source)
            and end - i < _CLUSTER_MAX
            # Invisible characters between them are dropped before NFKC composes (i + U+200B + U+0301 -> í).
            and (
                unicodedata.combining(source[end]) or _COMPOSING.match(source[end]) or not _fold(source[end])
            )
        ):
            end += 1
        if end == i + 1:
            return None
        piece = normalize_text(source[i:end])
        if not piece or not self.normalized.startswith(piece, k):
            return None
        self._set(k, len(piece), i, end)
        return end, k + len(piece)

    def _align(self) -> None:
        source, target = self.source, self.normalized
        i = k = 0
        steps = 0
        while k < len(target):
            steps += 1
            if self._tick is not None and steps % _TICK_STEPS == 0:
                self._tick()
            if i >= len(source):
                # Text the normaliser added at the very end (never seen): it maps to the end of the source.
                self._set(k, len(target) - k, len(source), len(source))
                return
            if i in self._skip:
                i += 1
                continue
            char = source[i]
            if char == "&" and (entity := self._entity(i, k)) is not None:
                i, k = entity
                continue
            if char == target[k]:
                self._set(k, 1, i, i + 1)
                i += 1
                k += 1
                continue
            if _is_space(target[k]) and (_is_space(char) or _fold(char).isspace()):
                self._set(k, 1, i, i + 1)
                i += 1
                k += 1
                continue
            piece = _fold(char)
            if k > 0 and piece and piece == target[k - 1] and piece in _COLLAPSING:
                self._ends[k - 1] = (
                    i + 1
                )  # a run the normaliser collapsed (—— to -): part of the same character
                i += 1
                continue
            if piece and target.startswith(piece, k):
                self._set(k, len(piece), i, i + 1)
                i += 1
                k += len(piece)
                continue
            if not piece or piece.isspace():
                i += 1  # dropped by the normaliser (an invisible mark, a collapsed space)
                continue
            if char == "&" and ENTITY_DEBRIS.match(source, i):
                i += 1  # an ampersand glued to a quote (&“): debris the normaliser removes
                continue
            if k > 0 and drops_mark(target[k - 1], char):
                # A mark standing after a letter, digit or ideograph (上海\u0301): the normaliser drops it. Left to
                # re-synchronisation, it pulled the next word's start back over the text in between.
                i += 1
                continue
            if (cluster := self._cluster(i, k)) is not None:
                i, k = cluster
                continue
            if self._tick is not None:
                self._tick()  # a re-synchronisation costs up to a few ms: the budget is looked at each time
            found = self._resync(i, k)
            if found is None and k == len(target) - 1:
                # The last normalised character came from all that is left (an entity such as &ldquo;).
                rest = source[i:].rstrip()
                self._set(k, 1, i, i + max(1, len(rest)))
                return
            if found is None:
                # Nothing agrees nearby: treat the two characters as one substitution and move on.
                self._set(k, 1, i, i + 1)
                i += 1
                k += 1
                continue
            i2, k2 = found
            if k2 == k:
                i = i2  # page characters the normaliser dropped (entity debris)
                continue
            self._set(k, k2 - k, i, max(i2, i + 1))
            i, k = i2, k2

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span [s, e) that normalized[start:end] came from."""
        if start >= end or not self.normalized:
            position = self._starts[start] if start < len(self._starts) else len(self.source)
            return position, position
        return self._starts[start], self._ends[end - 1]


# A quote wider than the snippet limit keeps limit // _WIDE_QUOTE_CONTEXT shown characters of context (the code).
_WIDE_QUOTE_CONTEXT = 5


def shown_counts(text: str) -> list[int]:
    """For each position of text, how many characters before it a reader sees: the ones the normaliser drops
    (zero-width, soft hyphen, controls) take no room on screen."""
    return list(accumulate((1 if _fold(char) else 0 for char in text), initial=0))


def centred(text: str, start: int, end: int, limit: int, counts: Sequence[int] | None = None) -> str:
    """The whole of text[start:end] with context centred on it, at most `limit` shown characters in all.

    `counts`: shown_counts(text) (computed once per text by the caller); without it every character counts.
    Only shown characters count: a quote holding 400 zero-width spaces was cut to 300 of them, and one 400
    characters wide was cut inside itself, so the snippet showed neither the words nor the code. A quote wider
    than `limit` keeps a fifth of it as context."""
    if len(text) <= limit:
        return text
    shown = counts if counts is not None else range(len(text) + 1)
    room = max(limit - (shown[end] - shown[start]), limit // _WIDE_QUOTE_CONTEXT)
    before, after = min(shown[start], room), min(shown[-1] - shown[end], room)
    take_before = min(before, max(room // 2, room - after))
    # The nearest cut that leaves take_before shown characters before the quote and room - take_before after.
    left = bisect_right(shown, shown[start] - take_before, 0, start + 1) - 1
    right = min(bisect_left(shown, shown[end] + room - take_before, end), len(text))
    return text[left:right]


Spans = tuple[tuple[int, int, str], ...]


def _within(spans: Spans, position: int) -> str | None:
    return next((why for start, end, why in spans if start <= position < end), None)


class Quoter:
    """Quotes of one run: the mention as written and a window around it, both in the page's own characters.

    `without`: spans of the raw text (start, end, why) that `normalized` was made without (text hidden from
    buyers, document.Run.shown); quotes keep them where they stand. `preserved`: spans shown with the page's own
    white space (document.Run.preserved); quotes keep it there."""

    def __init__(
        self,
        raw: str,
        normalized: str,
        tick: Callable[[], None] | None = None,
        without: Spans = (),
        preserved: Preserved = (),
    ) -> None:
        self.display = display_text(raw, preserved)
        self._raw = raw
        self._preserved = preserved
        self._positions: list[int] | None = None
        self._counts: list[int] | None = None
        self._map: OffsetMap | None = None
        self._normalized = normalized
        self._tick = tick
        self._without = without

    @property
    def positions(self) -> list[int]:
        """For each character of the display text, where in the raw text it comes from."""
        if self._positions is None:
            self._positions = _display_positions(self._raw, self._preserved)
        return self._positions

    @property
    def map(self) -> OffsetMap:
        """The offset map, built on first use (only runs holding a mention need one)."""
        if self._map is None:
            positions = self.positions  # increasing: each span is one slice of the display text
            skip = frozenset(
                i
                for start, end, _ in self._without
                for i in range(bisect_left(positions, start), bisect_left(positions, end))
            )
            self._map = OffsetMap(self.display, self._normalized, self._tick, skip)
        return self._map

    def raw_positions(self, start: int, end: int) -> list[int]:
        """Where in the raw text the shown characters of normalized[start:end] are (spaces left out)."""
        first, last = self.map.span(start, end)
        positions = self.positions
        display = self.display
        return [positions[i] for i in range(first, min(last, len(positions))) if display[i] not in " \t\n"]

    def left_out(self, start: int, end: int) -> str | None:
        """How the characters inside the quote of normalized[start:end] that it was read without are hidden
        (the first such character's `why`), or None when the quote holds none."""
        if not self._without:
            return None
        for at in self.raw_positions(start, end):
            if (why := _within(self._without, at)) is not None:
                return why
        return None

    def verbatim(self, start: int, end: int) -> str:
        """The page's own text for normalized[start:end]."""
        first, last = self.map.span(start, end)
        return self.display[first:last]

    def snippet(self, start: int, end: int, limit: int) -> str:
        """The page's own text for normalized[start:end], whole, in at most `limit` shown characters around it."""
        first, last = self.map.span(start, end)
        if self._counts is None and len(self.display) > limit:
            self._counts = shown_counts(self.display)  # once per run: a run may hold many mentions
        return centred(self.display, first, last, limit, self._counts)
