"""Words parted by hidden markup nested to any depth: the raw-bytes gate's look after a split rule's triggers.

上海<span class="h">a<b>b<u>热卖…</u>c</b>d</span>标准 shows 上海标准 when the span is hidden. The split rules' regexes
(patterns.SPLIT_GAP) read elements one level deep inside a hidden one, as a regex cannot pair tags at any depth and
each level is another copy of the expression (depth 2 cost four times the gate's budget in Hyperscan). This reads
on from each trigger (patterns.SplitRule.trigger: a first character, then white space and a tag's "<", or the
second character) as a browser would, counting the elements opened since: text may stand between the words only
inside one of them (any may be hidden), and a character of the words may follow at any depth. It answers "may
hold the words", a superset: the extractor decides what a buyer sees.

Bounded and linear: a look reads at most DEEP_SPLIT_WINDOW bytes past the last first character it met, each step
moves on, and a trigger inside a stretch an earlier look read alive is not read again (the earlier look, holding
at least the elements this one would, read it as a superset). Markup never closed ends a look: nothing after it
shows. A look that reaches its bound undecided, where the rest of the words follow somewhere after:
- inside one element opened since that it never left (hidden text longer than the window, at any depth) cannot
  tell, and answers "may hold": the page goes to the extractor, which reads all of it;
- elsewhere (a list of links after 上海, a province picker, reads on like hidden text, and most claim-free pages
  hold 标准 somewhere), the split rule's regex (patterns.SPLIT_GAP: one level of elements, no bound) is read from
  that trigger, once a page: a second such look answers "may hold". The regexes were tried from every trigger,
  and read a stretch of markup left open to the page's end once per trigger (quadratic). Hidden siblings that
  each hold elements two levels deep, longer than the window together, are still not read: the look cannot tell
  them from a province picker without the page's styles, and the regex reads one level.
Both searchers of gate.py call it with the same trigger offsets, so they decide alike.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping, Sequence

from checker.extract.patterns import SPLIT_SPACES, VOID_NAMES, SplitRule

# How far past a first character of the words a look reads for the rest of them. Hidden text parting the words is
# keyword stuffing of a few hundred bytes to a few KB (a hidden list of hot searches); 16 KB is four times the
# largest seen, and at ~20 bytes a token some 800 Python steps, ~0.3 ms, on the longest stretch of markup a
# claim-free page holds after 上海 (a province picker). A look still reading hidden text or markup at this bound
# answers "may hold" (the extractor decides), so hidden text longer than this does not hide the words from the gate.
DEEP_SPLIT_WINDOW = 16 * 1024
# Elements whose content is text to their end tag, never markup (a "<" in a script opens nothing).
_RAW_TEXT = frozenset(
    {b"script", b"style", b"textarea", b"title", b"xmp", b"iframe", b"noembed", b"noframes"}
)
_VOIDS = frozenset(VOID_NAMES)
_TAG = re.compile(rb"<(/?)([A-Za-z][^\s/>]*)")
_LESS_THAN = 0x3C


class _Look(enum.Enum):
    """How one look from a trigger ended."""

    SPELLED = enum.auto()  # the words, parted only by markup and text an element opened since may hide
    PARTED = enum.auto()  # shown text, or a wrong character shown, parts them: no mention from here
    WRAPPED = enum.auto()  # at the bound inside an element opened since that it never left: cannot tell
    UNDECIDED = enum.auto()  # at the bound elsewhere (or inside a comment, tag or script closed past it)


class _Words:
    """One split rule's characters compiled for the look."""

    def __init__(self, rule: SplitRule) -> None:
        self.rule = rule
        self.count = len(rule.chars)
        self.spaces = re.compile(SPLIT_SPACES[rule.family])
        # group k + 1 is the rule's k-th character
        self.character = re.compile(b"|".join(b"(" + b"|".join(map(re.escape, s)) + b")" for s in rule.chars))
        self.next_stop = re.compile(
            b"<|" + b"|".join(re.escape(s) for spellings in rule.chars for s in spellings)
        )
        # The rule's regex after its first character (from a trigger's "<") and after its second.
        self.after_first = re.compile(rule.rest())
        self.after_second = re.compile(rule.rest(read=2))


@functools.cache
def _words(rule: SplitRule) -> _Words:
    return _Words(rule)


@functools.cache
def _raw_text_end(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"</" + re.escape(name) + rb"[\s/>]", re.IGNORECASE)


class _Needle:
    """Where a byte string next starts before a bound, for offsets asked that never decrease: each byte of the
    page is searched at most once. `known`: the first offset it starts at from `clear_from` on (len(raw) for
    none), when the Hyperscan pass told."""

    def __init__(self, raw: bytes, spelling: bytes, clear_from: int = 0, known: int | None = None) -> None:
        self._raw = raw
        self._spelling = spelling
        # No occurrence starts in [_clear_from, _clear_to); one does at _clear_to when _found.
        self._clear_from = clear_from
        self._clear_to = clear_from if known is None else known
        self._found = known is not None and known < len(raw)
        if known is not None and not self._found:
            self._clear_to = len(raw)

    def first(self, position: int, stop: int) -> int:
        """The first offset in [position, stop) the spelling starts at, or -1."""
        if not self._clear_from <= position <= self._clear_to:
            self._clear_from = self._clear_to = position
            self._found = False
        if not self._found and self._clear_to < stop:
            # bytes.find(sub, start, end) wants sub wholly inside [start, end).
            at = self._raw.find(self._spelling, self._clear_to, stop + len(self._spelling) - 1)
            self._clear_to, self._found = (stop, False) if at == -1 else (at, True)
        return self._clear_to if self._found and self._clear_to < stop else -1


def deep_split_holds(
    raw: bytes,
    rule: SplitRule,
    trigger_ends: Sequence[int],
    first_after: Mapping[bytes, int] | None = None,
    *,
    regex_may_hold: bool = True,
) -> bool:
    """Whether the rule's characters may follow one of its triggers (match end offsets, ascending) with only
    markup, hidden text at any depth of elements opened after the first character, and white space between them:
    true too where a look reached its bound still reading such markup, and the rest of the words follow.

    `first_after`, when the Hyperscan pass found it (SplitRule.after_trigger): where each spelling of the rule's
    characters after the first starts first after the end of the rule's first trigger (absent: nowhere). It only
    spares bytes.find passes (0.3M instructions over three triggers' windows on a GBK page); the answer is the
    same without it. `regex_may_hold` False: the Hyperscan pass saw the rule's prefilter (SplitRule.prefilter, a
    superset of its regex) nowhere, so the regex is not read (it would not hold: the same answer)."""
    if not trigger_ends or (
        first_after is not None and _none_within_reach(raw, rule, trigger_ends, first_after)
    ):
        return False
    words = _words(rule)
    # The first trigger's end, or its "<" (no spelling starts with "<"): where a look from it starts.
    first = trigger_ends[0] - (raw[trigger_ends[0] - 1] == _LESS_THAN)
    needles = [
        [
            _Needle(raw, spelling)
            if first_after is None
            else _Needle(raw, spelling, first, first_after.get(spelling, len(raw)))
            for spelling in spellings
        ]
        for spellings in rule.chars
    ]
    read_to = -1
    regex_read = False
    for end in trigger_ends:
        # A trigger ends with a tag's "<" (read from there, the second character wanted) or with the second one.
        start, wanted = (end - 1, 1) if raw[end - 1] == _LESS_THAN else (end, 2)
        if start < read_to or not _may_follow(needles, wanted, start, len(raw)):
            continue
        look, read_to = _read_on(raw, words, start, wanted)
        if look is _Look.SPELLED or look is _Look.WRAPPED:
            return True  # WRAPPED: cannot tell, and the rest of the words follow (_may_follow)
        if look is _Look.UNDECIDED:
            if regex_read:
                return True  # a second look that cannot tell: one regex read a page keeps the gate linear
            regex_read = True
            regex = words.after_first if wanted == 1 else words.after_second
            if regex_may_hold and regex.match(raw, start):
                return True
    return False


def _none_within_reach(
    raw: bytes, rule: SplitRule, trigger_ends: Sequence[int], first_after: Mapping[bytes, int]
) -> bool:
    """Whether, by where the Hyperscan pass saw the characters first after the first trigger, no trigger can be
    followed by the rest of the words (most pages with a trigger: no bytes.find, no needle is needed)."""

    def seen(index: int) -> bool:
        return any(first_after.get(spelling, len(raw)) < len(raw) for spelling in rule.chars[index])

    if not all(seen(index) for index in range(2, len(rule.chars))):
        return True
    # The second character is wanted after a trigger that ends with a "<" (one ending with it wants the third).
    return not seen(1) and all(raw[end - 1] == _LESS_THAN for end in trigger_ends)


def _may_follow(needles: list[list[_Needle]], wanted: int, start: int, stop: int) -> bool:
    """Whether the wanted characters start in order after `start` at all (bytes.find speed, no parse): a look that
    cannot tell within its window answers "may hold" only where they do."""
    at = start
    for spellings in needles[wanted:]:
        found = [offset for needle in spellings if (offset := needle.first(at, stop)) != -1]
        if not found:
            return False
        at = min(found) + 1
    return True


def _read_on(raw: bytes, words: _Words, start: int, wanted: int) -> tuple[_Look, int]:
    """(how the look ended, the offset it stopped at), reading from `start` with character `wanted` (an index into
    the rule's characters) next."""
    limit = min(len(raw), start + DEEP_SPLIT_WINDOW)
    alive = {wanted}  # the characters that may come next, one per first character still read on from
    opened: dict[
        bytes, int
    ] = {}  # elements opened since, by name (an end tag of another closes nothing here)
    depth = 0
    left = False  # whether the look has been back outside every element it opened
    at = start
    while at < limit:
        if depth == 0:
            at = words.spaces.match(raw, at, limit).end()  # type: ignore[union-attr]  # matches the empty string
            if at >= limit:
                break
        character = words.character.match(raw, at, limit)
        if character is not None:
            index = (character.lastindex or 1) - 1
            follows = {index + 1} if index in alive else set()
            if index == 0:
                follows.add(1)  # another first character: read on from it too, with its own window
                limit = min(len(raw), character.end() + DEEP_SPLIT_WINDOW)
            if words.count in follows:
                return _Look.SPELLED, at
            # Shown (no element opened since holds it), a character ends every look that did not want it.
            alive = alive | follows if depth else follows
            if not alive:
                return _Look.PARTED, at
            at = character.end()
            continue
        if raw[at] == _LESS_THAN:
            was = depth
            after, depth = _markup(raw, at, opened, depth)
            if after == -1:
                # The rest of the page is inside a tag, comment or script that never ends: nothing after it shows.
                return _Look.PARTED, len(raw)
            left = left or (was > 0 and depth == 0)
            if after != at:
                at = after
                continue
        if depth == 0:
            return _Look.PARTED, at  # text no element opened since can hide
        stop = words.next_stop.search(raw, at + 1, limit)
        at = limit if stop is None else stop.start()
    if at >= len(raw):
        return _Look.PARTED, at  # the page ended: the words do not follow
    return (_Look.WRAPPED if depth and not left else _Look.UNDECIDED), at


def _markup(raw: bytes, at: int, opened: dict[bytes, int], depth: int) -> tuple[int, int]:
    """(offset after the markup at `at`, the depth after it): offset -1 where it never ends, and `at` itself where
    the "<" opens nothing (it is then text, which only an element opened since can hide). Its end is searched to
    the page's end, past the look's window: a look that meets one never closed reads nothing after it, and one
    closed past the window ends the look undecided; either way the stretch is searched once, not once a trigger
    (a comment left open after every 海 was searched to the page's end from each)."""
    if raw.startswith(b"<!--", at):
        close = raw.find(b"-->", at + 4)
        return (-1, depth) if close == -1 else (close + 3, depth)
    tag = _TAG.match(raw, at)
    if tag is None:
        if raw.startswith((b"<!", b"<?", b"</"), at):  # a doctype or a bogus comment, to its ">"
            close = raw.find(b">", at)
            return (-1, depth) if close == -1 else (close + 1, depth)
        return at, depth
    close = raw.find(b">", tag.end())  # read to its first ">", as the split rules' elements are
    if close == -1:
        return -1, depth
    name = tag.group(2).lower()
    if tag.group(1):
        if opened.get(name):
            opened[name] -= 1
            depth -= 1
        return close + 1, depth
    if name in _VOIDS:
        return close + 1, depth
    opened[name] = opened.get(name, 0) + 1
    if name in _RAW_TEXT:
        # Its content is no markup: read on from its end tag (which closes it), or nothing if none comes.
        end_tag = _raw_text_end(name).search(raw, close + 1)
        return (-1, depth) if end_tag is None else (end_tag.start(), depth + 1)
    return close + 1, depth + 1
