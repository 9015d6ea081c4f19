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

Runs of closed markup are read in one regex match each (_SKIP_OUTSIDE, _SKIP_INSIDE), not a Python step a tag: a
run ends before the next of the rule's characters (found by bytes.find) or at the window's bound, possibly inside
elements it opened (their names come back in its groups), and leaves the look exactly where reading tag by tag
would (tests/test_extract_gate_skip.py holds the two readings equal). What a run's match may read in vain before
it stops (an element it cannot close) is bounded per look, past which the look reads tag by tag again.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

from checker.extract.patterns import SPLIT_SPACES, VOID_NAMES, SplitRule

# How far past a first character of the words a look reads for the rest of them. Hidden text parting the words is
# keyword stuffing of a few hundred bytes to a few KB (a hidden list of hot searches); 16 KB is four times the
# largest seen; the longest stretch of markup a claim-free page holds after 上海 (a province picker, jd_item_01_gbk)
# is read to it in a few regex runs (_skip_expressions), where a Python step a tag took 0.7 ms. A look still reading hidden text or markup at this bound
# answers "may hold" (the extractor decides), so hidden text longer than this does not hide the words from the gate.
DEEP_SPLIT_WINDOW = 16 * 1024
# Elements whose content is text to their end tag, never markup (a "<" in a script opens nothing).
_RAW_TEXT = frozenset(
    {b"script", b"style", b"textarea", b"title", b"xmp", b"iframe", b"noembed", b"noframes"}
)
_VOIDS = frozenset(VOID_NAMES)
_TAG = re.compile(rb"<(/?)([A-Za-z][^\s/>]*)")
_LESS_THAN = 0x3C


def _either_case(name: bytes) -> bytes:
    """A tag name in ASCII letters of either case (_markup lowers names), as a regex: spelled out, which Python's
    regex engine reads several times faster than IGNORECASE on this expression."""
    return b"".join(b"[" + bytes([c]).lower() + bytes([c]).upper() + b"]" for c in name)


# The rest of a tag after its name (_TAG ends a name at white space, "/" or ">"), to its first ">". Written without
# lookarounds, as the expression is at every tag (a raw-text end tag aside): Python's regex engine read a lookahead
# at each tag several times slower than the rest (it saves the groups' marks at each).
_TAG_REST = rb"(?:>|[\s/][^>]*+>)"


def _skip_expressions() -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """Runs of closed markup a look reads as it would tag by tag (_markup), in one regex match: (outside every
    element opened since, inside one). A province picker after 上海 is some 700 tags of <li><a>..</a></li>: read
    one Python step a tag it was 0.9 ms of the gate's 1 ms on the page (jd_item_01_gbk).

    What a run holds changes nothing the look keeps but whether it left its elements: tags, comments and text
    (inside an element) that hold none of the rule's characters (the match ends before the next one), elements
    closed by their own end tag and nested no deeper than _SKIP_DEPTH (the look counts elements by name, which reads
    a properly nested run as a stack does), void tags, raw-text elements to their first end tag; outside every
    element, white space and end tags (which close nothing there). Tags or comments not closed before the match's
    end, end tags inside an element that do not close it and deeper nesting stop the run: the look reads them tag
    by tag. Every repetition and every element is atomic and each alternative is tried in order at a "<", so a run
    is read one way, without backtracking into it."""
    # After a "<", each branch starts with its own character (sre tries the next branch on its first byte).
    # A comment, or a doctype, <!x>, <?x>, </3> to its first ">" (_markup); "<!--" not closed is neither.
    bang = rb"!(?:--.*?-->|>|-(?:>|[^->][^>]*+>)|[^->][^>]*+>)|\?[^>]*+>"

    # Void tags, and raw-text elements (text to their first end tag of the same name, _raw_text_end, then that end
    # tag to its ">"), by first letter. Tried before an element: where one of them fails (no ">", or no end tag)
    # an element of its name fails too (or is cut before it, _read_on), so no name is read as _markup would not.
    def by_first_letter(names: Sequence[bytes], after: Callable[[bytes], bytes]) -> bytes:
        by_first: dict[bytes, list[bytes]] = {}
        for name in sorted(names):
            by_first.setdefault(name[:1], []).append(_either_case(name[1:]) + _TAG_REST + after(name))
        return b"|".join(
            _either_case(first) + b"(?:" + b"|".join(rests) + b")" for first, rests in by_first.items()
        )

    voids = by_first_letter(VOID_NAMES, lambda name: b"")
    raw_elements = by_first_letter(
        sorted(_RAW_TEXT), lambda name: rb"(?>.*?</" + _either_case(name) + rb"(?=[\s/>]))[^>]*+>"
    )

    def named_tags(closed: bool) -> bytes:
        return voids + b"|(?:" + raw_elements + b")" + (b"(?P<closed_raw>)" if closed else b"")

    named = named_tags(closed=False)
    element = b""
    for level in range(_SKIP_DEPTH):
        name = b"n%d" % level
        # A "<" that opens nothing is text (and so is the byte after it).
        after_less_than = [
            bang,
            rb"/(?:>|[^A-Za-z>][^>]*+>)",
            named,
            *([element] if element else []),
            rb"[^A-Za-z/!?<]",
        ]
        content = rb"[^<]++|<(?:" + b"|".join(after_less_than) + b")"
        # Closed by its end tag, or still open where the match ends (the next character, the window's bound): the
        # look reads on inside it, told its name by the group (and that it is open by the empty group o<level>).
        close = rb"</(?i:(?P=" + name + rb"))" + _TAG_REST
        element = (
            rb"(?>(?P<"
            + name
            + rb">[A-Za-z][^\s/>]*+)"
            + _TAG_REST
            + rb"(?>(?:"
            + content
            + rb")*)"
            + rb"(?:"
            + close
            + rb"|\Z(?P<o"
            + b"%d" % level
            + rb">)))"
        )
    flags = re.DOTALL
    # Outside every element an end tag closes nothing: to its first ">", as a bogus </3> is.
    # A raw-text element opened and closed outside every other one leaves them too (_markup counts it).
    outside_after = (bang, rb"/[^>]*+>", named_tags(closed=True), element)
    outside = re.compile(rb"(?>(?:\s++|<(?:" + b"|".join(outside_after) + rb"))*)", flags)
    inside_after = b"|".join((bang, rb"/(?:>|[^A-Za-z>][^>]*+>)", named, element, rb"[^A-Za-z/!?<]"))
    inside = re.compile(rb"(?>(?:[^<]++|<(?:" + inside_after + rb"))*)", flags)
    return outside, inside


# Elements nested deeper than this in a run are read tag by tag (each level is another copy of the expression).
_SKIP_DEPTH = 12
_SKIP_OUTSIDE, _SKIP_INSIDE = _skip_expressions()


class _SkipLevel(NamedTuple):
    name: str  # the group holding the name of the element a run opened at this depth
    open: str  # the group matched where that element is still open as the run ends


_SKIP_LEVELS = tuple(_SkipLevel(f"n{level}", f"o{level}") for level in reversed(range(_SKIP_DEPTH)))
# A run stopped at an element's start tag: its match may have read into it before failing.
_SKIP_STOPPED_AT_ELEMENT = re.compile(rb"<[A-Za-z]")


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
        self.spellings = tuple(spelling for spellings in rule.chars for spelling in spellings)
        # The rule's regex after its first character (from a trigger's "<") and after its second.
        self.after_first = re.compile(rule.rest())
        self.after_second = re.compile(rule.rest(read=2))


class _NextCharacter:
    """Where the next of the rule's characters starts, at or after offsets asked that never decrease, before a
    bound that never decreases: one bytes.find a spelling, remembered while it lies ahead (the characters' regex,
    searched, tries every offset: 0.4 ms over a 16 KB look)."""

    def __init__(self, raw: bytes, spellings: tuple[bytes, ...]) -> None:
        self._raw = raw
        self._spellings = spellings
        self._found = [-1] * len(spellings)  # where each starts next, or -1: nowhere before _searched_to
        self._searched_to = [-1] * len(spellings)

    def first(self, at: int, limit: int) -> int:
        """The first offset in [at, limit) one of the characters starts at (wholly before `limit`), or -1."""
        first = -1
        for index, spelling in enumerate(self._spellings):
            found, searched_to = self._found[index], self._searched_to[index]
            if found < at and (found != -1 or searched_to < limit):
                # None that fits before searched_to starts from `at` on: search only what the bound added (each
                # first character of the words moves it on, in a province picker some 30 times).
                since = at if found != -1 else max(at, searched_to - len(spelling) + 1)
                found = self._found[index] = self._raw.find(spelling, since, limit)
                self._searched_to[index] = limit
            if found != -1 and (first == -1 or found < first):
                first = found
        return first


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
    # The spellings that may start after the first trigger (Hyperscan saw the others nowhere there): the only
    # ones a look searches for (the rare four-byte GB18030 ones cost a search of the whole window each).
    present = (
        words.spellings
        if first_after is None
        else tuple(spelling for spelling in words.spellings if first_after.get(spelling, len(raw)) < len(raw))
    )
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
        look, read_to = _read_on(raw, words, start, wanted, spellings=present)
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


def _read_on(
    raw: bytes,
    words: _Words,
    start: int,
    wanted: int,
    *,
    skip: bool = True,
    spellings: tuple[bytes, ...] = (),
) -> tuple[_Look, int]:
    """(how the look ended, the offset it stopped at), reading from `start` with character `wanted` (an index into
    the rule's characters) next. `skip` False: markup is read tag by tag only (the same answer, slower: tests).
    `spellings`: those of the rule's characters that may start after `start` (all when empty)."""
    limit = min(len(raw), start + DEEP_SPLIT_WINDOW)
    next_character = _NextCharacter(raw, spellings or words.spellings)  # a skipped run ends before it
    # What a run's match may read in vain past where it stopped (an element it could not close), summed: past this
    # the look reads tag by tag, so a look costs at most its window's tags plus this many bytes of regex.
    skip_budget = 2 * DEEP_SPLIT_WINDOW if skip else 0
    stopped = -1  # where the last run stopped
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
        # Not again where a run stopped, nor at an end tag inside an element (no run holds one there).
        if (
            raw[at] == _LESS_THAN
            and skip_budget > 0
            and at != stopped
            and not (depth and raw.startswith(b"</", at))
        ):
            character_at = next_character.first(at, limit)
            # Not to the window's bound: a "<" just before it may open a tag read past it.
            end = character_at if character_at != -1 else limit - 1
            found = (_SKIP_INSIDE if depth else _SKIP_OUTSIDE).match(raw, at, end)
            assert found is not None  # every run matches the empty string
            run = found.end()
            if run < end and _SKIP_STOPPED_AT_ELEMENT.match(raw, run):
                skip_budget -= end - run  # the element's match may have read on to `end`
            open_names = []
            for level in _SKIP_LEVELS:  # the elements left open where the run ended, outermost first
                if found.group(level.open) is None:
                    break
                name = found.group(level.name).lower()
                if name in _RAW_TEXT:
                    # Its end tag is not before the run's end: its text is no markup, read on from its start tag.
                    run = found.start(level.name) - 1
                    break
                open_names.append(name)
            stopped = run
            if run > at:
                if depth == 0 and not left:
                    left = _left_outside(raw, at, found)
                for name in open_names:
                    opened[name] = opened.get(name, 0) + 1
                depth += len(open_names)
                at = run
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
        if skip:
            tag_at, character_at = raw.find(b"<", at + 1, limit), next_character.first(at + 1, limit)
            at = (
                min(tag_at, character_at)
                if tag_at != -1 and character_at != -1
                else max(tag_at, character_at)
            )
            at = limit if at == -1 else at
        else:
            stop = words.next_stop.search(raw, at + 1, limit)
            at = limit if stop is None else stop.start()
    if at >= len(raw):
        return _Look.PARTED, at  # the page ended: the words do not follow
    return (_Look.WRAPPED if depth and not left else _Look.UNDECIDED), at


def _left_outside(raw: bytes, at: int, run: re.Match[bytes]) -> bool:
    """Whether a run from `at` outside every element closed one it opened (the look has then left its elements).

    A group matched at each such close would cost every later step of the match a copy of the groups' marks (some
    15% of the gate on jd_item_01_gbk): the outermost element's name group tells it instead. Set and not left open,
    the last element the run opened outside all others closed; left open, the run is read again up to it (once a
    look at most: it is then left, or nothing before that element was)."""
    if run.group("closed_raw") is not None:
        return True  # a raw-text element opened and closed outside every other one
    outermost = _SKIP_LEVELS[0]
    if run.group(outermost.name) is None:
        return False
    if run.group(outermost.open) is None:
        return True
    before = run.start(outermost.name) - 1  # its "<": every element the run opened before it closed
    earlier = _SKIP_OUTSIDE.match(raw, at, before) if before > at else None
    return earlier is not None and earlier.group(outermost.name) is not None


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
