"""A raw-bytes gate: can this page hold a mention at all? Decides before any decode or parse.

Most pages in a sweep hold no mention, so this is the whole cost of most pages. Two searchers read the
same rule tables (patterns.GATE_RULES, patterns.SPLIT_RULES, patterns.SQUEEZE_TRIGGERS) and decide alike:

- `hyperscan`: every rule of the page's byte families compiled into one Hyperscan database, one pass over
  the page whatever the number of rules (SIMD multi-pattern matching, as in intrusion-detection engines); it
  reports the split rules' triggers, and the split rules are read on from them (deep_split.py), their regexes
  only on a page where a cheaper superset of them held (SplitRule.prefilter);
- `find`: one `bytes.find` pass per anchor and Python regexes beside each hit, the fallback where Hyperscan
  has no wheel (it is optional).

The answer never depends on decoding: a page with any non-ASCII byte is searched for the UTF-8, GB18030 and
Big5 spellings alike, so one stray byte (or a missing charset) cannot hide a mention. `MARKWATCH_GATE=auto|hyperscan|find`
picks the searcher; `auto` (the default) takes Hyperscan when it imports.
"""

from __future__ import annotations

import bisect
import functools
import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, Protocol

from checker.extract.deep_split import deep_split_holds
from checker.extract.gate_cache import cache_dir, load_or_compile
from checker.extract.patterns import (
    GATE_RULES,
    IGNORABLE_ENTITIES,
    MULTIBYTE_FAMILIES,
    SPLIT_RULES,
    SQUEEZE_RUN,
    SQUEEZE_TRIGGERS,
    GateRule,
    SplitRule,
)
from markwatch.errors import InputError
from pagetext import charsets
from pagetext.cpuclock import preparation
from pagetext.ignorables import is_default_ignorable
from pagetext.sniff import utf16_without_bom

if TYPE_CHECKING:
    import hyperscan

log = logging.getLogger(__name__)
GATE_ENV = "MARKWATCH_GATE"
GATE_CHOICES = ("auto", "hyperscan", "find")
ALL_FAMILIES = (*MULTIBYTE_FAMILIES, "ascii")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def families(raw: bytes) -> tuple[str, ...]:
    """Byte families to search: all of them, unless the page is pure ASCII (then only the ASCII spellings)."""
    return ("ascii",) if raw.isascii() else ALL_FAMILIES


def rules_for(page_families: tuple[str, ...]) -> tuple[GateRule, ...]:
    """The window rules that apply to a page of these byte families."""
    return tuple(rule for rule in GATE_RULES if rule.family in page_families)


def split_rules_for(page_families: tuple[str, ...]) -> tuple[SplitRule, ...]:
    """The split rules that apply to a page of these byte families."""
    return tuple(rule for rule in SPLIT_RULES if rule.family in page_families)


class Scan(NamedTuple):
    """One pass over a page: did a rule hold, and are there invisible characters inside English words."""

    hit: bool
    squeeze: bool


class Searcher(Protocol):
    """Decides whether any rule holds somewhere in a page."""

    name: str

    def scan(self, raw: bytes, page_families: tuple[str, ...]) -> Scan: ...

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool: ...


_TRIGGERS = tuple(re.compile(b"|".join(group), re.IGNORECASE) for group in SQUEEZE_TRIGGERS)


class FindSearcher:
    """One bytes.find pass per anchor, a bounded find for the confirms beside each hit, regexes for the rest."""

    name = "find"

    def __init__(self) -> None:
        self._split_triggers = {rule.name: re.compile(rule.trigger()) for rule in SPLIT_RULES}

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool:
        folded: bytes | None = None
        for rule in rules_for(page_families):
            page = raw
            if rule.caseless:
                # bytes.lower folds ASCII letters only and keeps every offset, as Hyperscan's caseless does.
                page = folded = raw.lower() if folded is None else folded
            if self._rule_holds(page, rule):
                return True
        return self.split_holds(raw, page_families)

    def split_holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool:
        """Whether a split rule holds: the words with only markup between them."""
        return any(self.split_rule_holds(raw, rule) for rule in split_rules_for(page_families))

    def scan(self, raw: bytes, page_families: tuple[str, ...]) -> Scan:
        if self.holds(raw, page_families):
            return Scan(True, False)
        return Scan(False, any(trigger.search(raw) for trigger in _TRIGGERS))

    @staticmethod
    def _rule_holds(raw: bytes, rule: GateRule) -> bool:
        window = rule.window
        for anchor in rule.anchors:
            at = raw.find(anchor)
            while at != -1:
                end = at + len(anchor)
                for confirm in rule.confirms:
                    # bytes.find(sub, start, stop) wants sub wholly inside [start, stop).
                    if rule.forward:
                        found = raw.find(confirm, end, end + window + len(confirm))
                    else:
                        found = raw.find(confirm, max(0, at - window - len(confirm)), at)
                    if found != -1:
                        return True
                at = raw.find(anchor, at + 1)
        return False

    def split_rule_holds(
        self,
        raw: bytes,
        rule: SplitRule,
        found: tuple[list[int], Mapping[bytes, int]] | None = None,
        *,
        regex_may_hold: bool = True,
    ) -> bool:
        """Whether one split rule may hold somewhere in the page: its characters parted by markup or hidden text
        nested to any depth, read on from the rule's triggers (deep_split.py). `found`, from the Hyperscan pass:
        the triggers' match end offsets (ascending) and where the rule's later characters first start after the
        first (SplitRule.after_trigger); found here when not given. `regex_may_hold` False: the rule's prefilter
        held nowhere in the Hyperscan pass, so its regex would not hold either."""
        # The rules' regexes (SplitRule.expression) are no longer tried from each trigger: they read a stretch of
        # markup left open to the page's end once per trigger. The deep look reads them from one at most.
        trigger_ends, first_after = (self.trigger_ends(raw, rule), None) if found is None else found
        return deep_split_holds(raw, rule, trigger_ends, first_after, regex_may_hold=regex_may_hold)

    def trigger_ends(self, raw: bytes, rule: SplitRule) -> list[int]:
        """The end offsets of the rule's triggers (SplitRule.trigger) in the page, ascending."""
        return [found.end() for found in self._split_triggers[rule.name].finditer(raw)]


def _literal(needle: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in needle)


def expressions(rule: GateRule) -> list[bytes]:
    """Hyperscan expressions that together match exactly where FindSearcher finds the rule.

    One per anchor and confirm, so the window arithmetic stays that of FindSearcher per pair.
    """
    gap = b"[\\s\\S]{0,%d}" % rule.window
    pairs = [(_literal(a), _literal(c)) for a in rule.anchors for c in rule.confirms]
    return [a + gap + c if rule.forward else c + gap + a for a, c in pairs]


class WindowLiteral(NamedTuple):
    """One anchor or confirm of a window rule, compiled alone as a literal."""

    rule: int  # index in rules_for(page_families)
    confirm: bool
    length: int


def window_literals(rules: tuple[GateRule, ...]) -> list[tuple[bytes, WindowLiteral]]:
    """The window rules' anchors and confirms as literal expressions, for a database of their own.

    It backs the bounded-gap expressions up, whose windows are joined again in Python from the offsets it
    reports (window_rule_holds). In the hyperscan wheels (0.7.30, 0.8.2, 0.9.1 alike) expressions sharing a
    prefix lose matches in a database with other expressions: the window rule's ten expressions on 海 (GB18030),
    five UTF-8 海 and 准 reported nothing while one of them alone matched (46 of 6,900 drawn anchor-gap-confirm
    pages), and adding these very literals to the main database made it lose a split rule's after-trigger
    matches. A match lost is a page skipped unread. Literals alone are Hyperscan's plainest case."""
    return [
        (_literal(needle), WindowLiteral(index, confirm, len(needle)))
        for index, rule in enumerate(rules)
        for confirm, needles in ((False, rule.anchors), (True, rule.confirms))
        for needle in needles
    ]


def window_rule_holds(
    rule: GateRule, anchors: list[tuple[int, int]], confirms: list[tuple[int, int]]
) -> bool:
    """Whether a confirm stands within the window of an anchor, as FindSearcher._rule_holds reads it: wholly
    after the anchor, starting at most `window` bytes after its end, or wholly before it, ending at most `window`
    bytes before its start. Both lists hold (end offset, length) pairs."""
    if rule.forward:
        starts = sorted(end - length for end, length in confirms)
        for anchor_end, _ in anchors:
            at = bisect.bisect_left(starts, anchor_end)
            if at < len(starts) and starts[at] - anchor_end <= rule.window:
                return True
        return False
    ends = sorted(end for end, _ in confirms)
    for anchor_end, length in anchors:
        anchor_start = anchor_end - length
        at = bisect.bisect_left(ends, anchor_start - rule.window)
        if at < len(ends) and ends[at] <= anchor_start:
            return True
    return False


class _Database(NamedTuple):
    database: hyperscan.Database
    windows: hyperscan.Database  # the window rules' anchors and confirms, literals alone (window_literals)
    window_literals: tuple[WindowLiteral, ...]  # by id in `windows`
    first_split: int  # ids from here on are split-rule prefilters (SplitRule.prefilter), not decisive
    first_split_trigger: (
        int  # ids from here on: split-rule triggers (SplitRule.trigger), every match reported
    )
    after_trigger: tuple[tuple[int, bytes], ...]  # ids after the triggers: (split rule index, spelling)
    first_trigger: int  # ids from here on are SQUEEZE_TRIGGERS, not rules


class HyperscanSearcher:
    """The rules of the page's byte families in one Hyperscan database: one pass over the page."""

    name = "hyperscan"

    def __init__(self) -> None:
        import hyperscan

        self._hs = hyperscan
        self._databases: dict[tuple[str, ...], _Database] = {}
        # The split rules are read on from the triggers this pass reports by the find searcher's deep look, so
        # both searchers decide alike.
        self._splits = FindSearcher()
        self._compiling = threading.Lock()
        # Hyperscan releases the GIL while scanning, and a scratch space serves one scan at a time.
        self._local = threading.local()
        # Fail here, not on a page, where Hyperscan cannot run on this CPU (it needs SSSE3 or NEON).
        probe = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        probe.compile(expressions=[b"probe"], ids=[0], elements=1, flags=[0])

    def _compile(self, patterns: list[bytes], flags: list[int]) -> hyperscan.Database:
        hs = self._hs
        ids = list(range(len(patterns)))

        def compile_database() -> hyperscan.Database:
            database = hs.Database(mode=hs.HS_MODE_BLOCK)
            database.compile(expressions=patterns, ids=ids, elements=len(patterns), flags=flags)
            return database

        return load_or_compile(hs, hs.HS_MODE_BLOCK, patterns, ids, flags, compile_database, cache_dir())

    def _database(self, page_families: tuple[str, ...]) -> _Database:
        found = self._databases.get(page_families)
        if found is not None:
            return found
        with self._compiling, preparation():
            if page_families not in self._databases:
                # 1-2 s of CPU (the bounded gaps), once per family set and process (unless gate_cache has it):
                # not the page's work.
                hs = self._hs
                patterns: list[bytes] = []
                flags: list[int] = []
                for rule in rules_for(page_families):
                    found_expressions = expressions(rule)
                    rule_flags = hs.HS_FLAG_SINGLEMATCH | (hs.HS_FLAG_CASELESS if rule.caseless else 0)
                    patterns += found_expressions
                    flags += [rule_flags] * len(found_expressions)
                # Where a split rule's regex may hold (deep_split.py reads it only there): a superset, linear.
                first_split = len(patterns)
                for split in split_rules_for(page_families):
                    patterns.append(split.prefilter())
                    flags.append(hs.HS_FLAG_SINGLEMATCH)
                # Every end of a trigger: where the exact split rules and the deep look read from.
                first_split_trigger = len(patterns)
                for split in split_rules_for(page_families):
                    patterns.append(split.trigger())
                    flags.append(0)
                # Where the deep look's characters first start after a rule's first trigger (deep_split.py):
                # bytes.find over each trigger's window cost 0.3M instructions on a GBK page (jd_item_01_gbk),
                # reporting every start 8K instructions a callback.
                after_trigger: list[tuple[int, bytes]] = []
                for index, split in enumerate(split_rules_for(page_families)):
                    for spelling, expression in split.after_trigger():
                        after_trigger.append((index, spelling))
                        patterns.append(expression)
                        flags.append(hs.HS_FLAG_SINGLEMATCH)
                # Last: the triggers of a second look without invisible characters (not hits by themselves).
                first_trigger = len(patterns)
                triggers = [expression for group in SQUEEZE_TRIGGERS for expression in group]
                patterns += triggers
                flags += [hs.HS_FLAG_SINGLEMATCH | hs.HS_FLAG_CASELESS] * len(triggers)
                database = self._compile(patterns, flags)
                window_rules = rules_for(page_families)
                literals = window_literals(window_rules)
                windows = self._compile(
                    [expression for expression, _ in literals],
                    [hs.HS_FLAG_CASELESS if window_rules[lit.rule].caseless else 0 for _, lit in literals],
                )
                self._databases[page_families] = _Database(
                    database,
                    windows,
                    tuple(lit for _, lit in literals),
                    first_split,
                    first_split_trigger,
                    tuple(after_trigger),
                    first_trigger,
                )
            return self._databases[page_families]

    def _scratch(self, page_families: tuple[str, ...]) -> hyperscan.Scratch:
        return self._scratch_of(page_families, "scratches", self._database(page_families).database)

    def _window_scratch(self, page_families: tuple[str, ...]) -> hyperscan.Scratch:
        return self._scratch_of(page_families, "window_scratches", self._database(page_families).windows)

    def _scratch_of(
        self, page_families: tuple[str, ...], name: str, database: hyperscan.Database
    ) -> hyperscan.Scratch:
        scratches: dict[tuple[str, ...], hyperscan.Scratch] | None = getattr(self._local, name, None)
        if scratches is None:
            scratches = {}
            setattr(self._local, name, scratches)
        if page_families not in scratches:
            scratches[page_families] = self._hs.Scratch(database)
        return scratches[page_families]

    def scan(self, raw: bytes, page_families: tuple[str, ...]) -> Scan:
        if not raw:
            return Scan(False, False)
        found = self._database(page_families)
        first_split, first_split_trigger, first_trigger = (
            found.first_split,
            found.first_split_trigger,
            found.first_trigger,
        )
        squeeze: list[bool] = []
        prefiltered: set[int] = set()
        splits = split_rules_for(page_families)
        first_spelling = first_split_trigger + len(splits)
        trigger_ends: list[list[int]] = [[] for _ in splits]
        first_after: list[dict[bytes, int]] = [{} for _ in splits]

        def on_match(rule_id: int, start: int, end: int, flags: int, context: object) -> bool:
            if rule_id >= first_trigger:
                squeeze.append(True)
                return False  # not a hit: keep looking for one
            if rule_id >= first_spelling:
                index, spelling = found.after_trigger[rule_id - first_spelling]
                first_after[index][spelling] = end - len(spelling)
                return False  # where the deep look starts its searches
            if rule_id >= first_split_trigger:
                trigger_ends[rule_id - first_split_trigger].append(end)
                return False  # where a split may start: read on from it after the scan
            if rule_id >= first_split:
                prefiltered.add(rule_id - first_split)
                return False  # a split rule's regex may hold: deep_split.py may read it
            return True  # one hit decides the page: stop the scan

        try:
            found.database.scan(raw, match_event_handler=on_match, scratch=self._scratch(page_families))
        except self._hs.ScanTerminated:
            return Scan(True, False)
        if self._windows_hold(raw, found, page_families):
            return Scan(True, False)
        if not any(trigger_ends):
            return Scan(False, bool(squeeze))
        if any(
            self._splits.split_rule_holds(
                raw, rule, (sorted(ends), first_after[index]), regex_may_hold=index in prefiltered
            )
            for index, (rule, ends) in enumerate(zip(splits, trigger_ends, strict=True))
            if ends
        ):
            return Scan(True, False)
        return Scan(False, bool(squeeze))

    def _windows_hold(self, raw: bytes, found: _Database, page_families: tuple[str, ...]) -> bool:
        """Whether a window rule holds, from the literal database's offsets: where the main database's
        bounded-gap expressions lost the match (window_literals)."""
        anchors: dict[int, list[tuple[int, int]]] = defaultdict(list)
        confirms: dict[int, list[tuple[int, int]]] = defaultdict(list)
        literals = found.window_literals

        def on_match(literal_id: int, start: int, end: int, flags: int, context: object) -> bool:
            literal = literals[literal_id]
            (confirms if literal.confirm else anchors)[literal.rule].append((end, literal.length))
            return False

        found.windows.scan(raw, match_event_handler=on_match, scratch=self._window_scratch(page_families))
        window_rules = rules_for(page_families)
        return any(
            window_rule_holds(window_rules[index], anchors[index], confirms[index]) for index in anchors
        )

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool:
        return self.scan(raw, page_families).hit


def _make(choice: str) -> Searcher:
    if choice == "find":
        return FindSearcher()
    try:
        return HyperscanSearcher()
    except Exception as exc:  # ImportError, or hyperscan.error on a CPU it does not support
        if choice == "hyperscan":
            raise InputError(
                f"Hyperscan is unusable here: {exc}", source=GATE_ENV, where="hyperscan"
            ) from exc
        log.warning("raw-bytes gate: Hyperscan unusable (%s); using one bytes.find pass per anchor", exc)
        return FindSearcher()


@functools.cache
def searcher(choice: str | None = None) -> Searcher:
    """The searcher in use: `choice`, else MARKWATCH_GATE, else Hyperscan when it imports."""
    choice = (choice or os.environ.get(GATE_ENV) or "auto").strip().lower()
    if choice not in GATE_CHOICES:
        raise InputError(f"must be one of {', '.join(GATE_CHOICES)}", source=GATE_ENV, where=choice)
    return _make(choice)


_RUN = re.compile(rb"(?<=[a-zA-Z])" + SQUEEZE_RUN + rb"(?=[a-zA-Z])", re.IGNORECASE)
_RUN_PIECE = re.compile(
    rb"&#[xX]([0-9a-fA-F]{1,8});|&#([0-9]{1,8});|&(?:"
    + b"|".join(name.encode() for name in IGNORABLE_ENTITIES)
    + rb");?|[\x80-\xff]+",
    re.IGNORECASE,
)


def _ignorable_piece(piece: re.Match[bytes]) -> bool:
    hex_value, decimal = piece.group(1), piece.group(2)
    if hex_value or decimal:
        return is_default_ignorable(int(hex_value or decimal, 16 if hex_value else 10))
    # A named reference matched here is one of IGNORABLE_ENTITIES; raw bytes matched here are
    # default-ignorable code points (the run regex lets no other through).
    return True


def _squeezed(run: re.Match[bytes]) -> bytes:
    pieces = list(_RUN_PIECE.finditer(run.group()))
    return b"" if all(_ignorable_piece(piece) for piece in pieces) else run.group()


def squeeze(raw: bytes) -> bytes:
    """The page with runs of invisible characters (and their references) between two letters removed."""
    return _RUN.sub(_squeezed, raw)


def may_mention(raw: bytes, *, declared_charset: str | None = None, using: Searcher | None = None) -> bool:
    """True when some gate rule holds (or the page is in an encoding the rules cannot read)."""
    if raw[:2] in _UTF16_BOMS or utf16_without_bom(raw) is not None:
        return True  # UTF-16: anchors are not byte-comparable; decode and look
    declared = charsets.resolve(declared_charset)
    if declared is not None and declared.name in charsets.UNSEARCHED:
        return True  # the header names an encoding whose bytes no rule reads: decode and look
    chosen = using or searcher()
    page_families = families(raw)
    found = chosen.scan(raw, page_families)
    if found.hit:
        return True
    # Invisible characters inside English words: look once more without them.
    return found.squeeze and chosen.holds(squeeze(raw), page_families)
