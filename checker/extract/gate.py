"""A raw-bytes gate: can this page hold a mention at all? Decides before any decode or parse.

Most pages in a sweep hold no mention, so this is the whole cost of most pages. Two searchers read the
same rule table (patterns.GATE_RULES) and decide alike:

- `hyperscan`: every rule of the page's byte families compiled into one Hyperscan database, one pass over
  the page whatever the number of rules (SIMD multi-pattern matching, as in intrusion-detection engines);
- `find`: one `bytes.find` pass per anchor, the fallback where Hyperscan has no wheel (it is optional).

`MARKWATCH_GATE=auto|hyperscan|find` picks one; `auto` (the default) takes Hyperscan when it imports.
"""

from __future__ import annotations

import codecs
import functools
import logging
import os
import threading
from typing import TYPE_CHECKING, Protocol

from checker.extract.patterns import GATE_RULES, GATE_SAMPLES, GATE_SNIFF_BYTES, GATE_WINDOW, GateRule
from markwatch.errors import InputError

if TYPE_CHECKING:
    import hyperscan

log = logging.getLogger(__name__)
GATE_ENV = "MARKWATCH_GATE"
GATE_CHOICES = ("auto", "hyperscan", "find")


def _sample(raw: bytes) -> bytes | None:
    # Rendered pages open with long ASCII scripts, so look at a few spread-out slices, not just the head.
    step = max(len(raw) // GATE_SAMPLES, 1)
    for start in range(0, len(raw), step):
        piece = raw[start : start + GATE_SNIFF_BYTES]
        if not piece.isascii():
            # A slice may open inside a UTF-8 character: drop its continuation bytes.
            skip = 0
            while skip < 3 and skip < len(piece) and 0x80 <= piece[skip] <= 0xBF:
                skip += 1
            return piece[skip:]
    return None


def families(raw: bytes) -> tuple[str, ...]:
    """Byte families to search: a sample that is valid UTF-8 rules out GB18030 bytes, and the reverse."""
    sample = _sample(raw)
    if sample is None:
        # No sampled slice has a high byte: a pure-ASCII page can only hold the ASCII spellings.
        return ("ascii",) if raw.isascii() else ("utf-8", "gb18030", "ascii")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return ("gb18030", "ascii")
    return ("utf-8", "ascii")


def rules_for(page_families: tuple[str, ...]) -> tuple[GateRule, ...]:
    """The rules that apply to a page of these byte families."""
    return tuple(rule for rule in GATE_RULES if rule.family in page_families)


class Searcher(Protocol):
    """Decides whether any rule holds somewhere in a page."""

    name: str

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool: ...


class FindSearcher:
    """One bytes.find pass per anchor, and a bounded find for the confirms beside each hit."""

    name = "find"

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool:
        folded: bytes | None = None
        for rule in rules_for(page_families):
            page = raw
            if rule.caseless:
                # bytes.lower folds ASCII letters only and keeps every offset, as Hyperscan's caseless does.
                page = folded = raw.lower() if folded is None else folded
            if self._rule_holds(page, rule):
                return True
        return False

    @staticmethod
    def _rule_holds(raw: bytes, rule: GateRule) -> bool:
        for anchor in rule.anchors:
            at = raw.find(anchor)
            while at != -1:
                end = at + len(anchor)
                for confirm in rule.confirms:
                    # bytes.find(sub, start, stop) wants sub wholly inside [start, stop).
                    if rule.forward:
                        found = raw.find(confirm, end, end + GATE_WINDOW + len(confirm))
                    else:
                        found = raw.find(confirm, max(0, at - GATE_WINDOW - len(confirm)), at)
                    if found != -1:
                        return True
                at = raw.find(anchor, at + 1)
        return False


def _literal(needle: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in needle)


def expressions(rule: GateRule) -> list[bytes]:
    """Hyperscan expressions that together match exactly where FindSearcher finds the rule.

    One per anchor and confirm, so the window arithmetic stays that of FindSearcher per pair.
    """
    gap = b"[\\s\\S]{0,%d}" % GATE_WINDOW
    pairs = [(_literal(a), _literal(c)) for a in rule.anchors for c in rule.confirms]
    return [a + gap + c if rule.forward else c + gap + a for a, c in pairs]


class HyperscanSearcher:
    """The rules of the page's byte families in one Hyperscan database: one pass over the page."""

    name = "hyperscan"

    def __init__(self) -> None:
        import hyperscan

        self._hs = hyperscan
        self._databases: dict[tuple[str, ...], hyperscan.Database] = {}
        self._compiling = threading.Lock()
        # Hyperscan releases the GIL while scanning, and a scratch space serves one scan at a time.
        self._local = threading.local()
        # Fail here, not on a page, where Hyperscan cannot run on this CPU (it needs SSSE3 or NEON).
        probe = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        probe.compile(expressions=[b"probe"], ids=[0], elements=1, flags=[0])

    def _database(self, page_families: tuple[str, ...]) -> hyperscan.Database:
        database = self._databases.get(page_families)
        if database is not None:
            return database
        with self._compiling:
            if page_families not in self._databases:
                # A few hundred ms (the bounded gaps), once per family set and process: one database per
                # set keeps GB18030 rules from firing on the bytes of UTF-8 text, and the reverse.
                hs = self._hs
                patterns: list[bytes] = []
                flags: list[int] = []
                for rule in rules_for(page_families):
                    found = expressions(rule)
                    rule_flags = hs.HS_FLAG_SINGLEMATCH | (hs.HS_FLAG_CASELESS if rule.caseless else 0)
                    patterns += found
                    flags += [rule_flags] * len(found)
                database = hs.Database(mode=hs.HS_MODE_BLOCK)
                database.compile(
                    expressions=patterns, ids=list(range(len(patterns))), elements=len(patterns), flags=flags
                )
                self._databases[page_families] = database
            return self._databases[page_families]

    def _scratch(self, page_families: tuple[str, ...]) -> hyperscan.Scratch:
        scratches: dict[tuple[str, ...], hyperscan.Scratch] | None = getattr(self._local, "scratches", None)
        if scratches is None:
            scratches = self._local.scratches = {}
        if page_families not in scratches:
            scratches[page_families] = self._hs.Scratch(self._database(page_families))
        return scratches[page_families]

    def holds(self, raw: bytes, page_families: tuple[str, ...]) -> bool:
        if not raw:
            return False
        database = self._database(page_families)
        try:
            # The sentinel byte works around a bug of the library in the hyperscan 0.9.1 wheel: with two
            # bounded-gap expressions sharing an anchor, a match that ends the data after a gap of ~50 bytes or
            # more is not reported (tests/test_extract_gate.py, test_window_edge). No expression ends with the
            # byte, so it cannot add a match; the copy costs ~0.05 ms per MB.
            database.scan(raw + b"\n", match_event_handler=_stop, scratch=self._scratch(page_families))
        except self._hs.ScanTerminated:
            return True
        return False


def _stop(rule_id: int, start: int, end: int, flags: int, context: object) -> bool:
    return True  # one hit decides the page: stop the scan


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


def may_mention(raw: bytes, *, using: Searcher | None = None) -> bool:
    """True when some gate rule holds: an anchor with a confirming sequence within GATE_WINDOW bytes."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True  # UTF-16: anchors are not byte-comparable; decode and look
    return (using or searcher()).holds(raw, families(raw))
