"""Fuzz the extractor with mutated real and corpus pages: no crash, no hang, no claim lost without a word.

Each mutated page is extracted in a worker process that measures its CPU time (this thread) and its peak
resident memory (Linux: the high-water mark is reset before each page through /proc/self/clear_refs). The
parent waits for each answer with a wall-clock limit: a worker that does not answer is killed and the page
counted as a hang. A claim of the unmutated page must, on the mutated page, be found again or be covered by
a page warning, unless a mutation touched it: landed within CLAIM_MARGIN bytes of the words or the standard
code, or hid it from an independent full parse of the page (inside a new comment, script, attribute…).

`python -m bench fuzz` runs FUZZ_PAGES pages (MARKWATCH_FUZZ_PAGES overrides; --quick: 1,000); the figures
beside them: the same measures on the unmutated seed pages (the baseline of the run).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import resource
import statistics
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from bench.extraction import CLAIM_PAGES, FREE_PAGES, REALPAGES, claim_page
from checker.extract import PageClaims, extract_page
from checker.extract.limits import default_limits
from pagetext.normalize import compact

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"
FUZZ_PAGES = 10_000
SEED = 20261130
# A mutation this close to a claim's words or code, or between them, may have changed the claim itself.
CLAIM_MARGIN = 32
# Words and a code this close together may be one claim (the code tied to the words).
CLAIM_REACH = 2000
# Wall-clock seconds a page may take before the worker is killed and the page counted as a hang: the CPU
# budget plus room for a loaded machine (the CPU time itself is judged against the budget, not this).
HANG_WALL_SECONDS = 60.0
# CPU seconds over the budget a page may take: the budget is checked between steps, and one step (a libxml2
# parse of a bounded page) cannot be interrupted.
BUDGET_GRACE_SECONDS = 0.5
_WORDS = ("上海标准", "上海標準")

# Fragments that stress every part of the extractor: broken multi-byte sequences, BOMs, entities, XML
# declarations, charset labels that are no text encodings, deep nesting, huge elements, invisible characters.
NASTY: tuple[bytes, ...] = (
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x81\x30",
    b"\xe4\xb8",
    b"\xff",
    b"&\xe2\x80\x9c",
    b"<?xml version='1.0' encoding='gbk'?>",
    b"<meta charset=latin-1>",
    b"<meta charset=undefined>",
    b"<meta charset=rot13>",
    b"<meta charset=hz-gb-2312>",
    b"<meta charset=big5>",
    b"<meta charset=x-user-defined>",
    b"<script>",
    b"</table>",
    b"<!--",
    "上海标准".encode(),
    "上海标准".encode("gb18030"),
    b"Shanghai Standard",
    b"\x00",
    b"<img alt='",
    "《".encode(),
    "\u2060\u200e\u00ad".encode(),
    b"&NoBreak;&shy;",
    b"<ruby>\xe4\xb8\x8a<rt>sh\xc3\xa0ng</rt></ruby>",
    b"<div>" * 2100,
    b"<b>" * 3000,
    b"<p " + b" ".join(b"a%d=1" % i for i in range(3000)) + b">",
    b"<i></i>" * 5000,
)


@dataclass(frozen=True)
class Tracked:
    """A claim of a seed page: what identifies it and the byte spans of its words and code."""

    key: str
    code: str | None
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Seed:
    """A page to mutate, the codec its text really is in, and the claims found on it unmutated."""

    name: str
    raw: bytes
    codec: str
    declared_charset: str | None
    claims: tuple[Tracked, ...]


def _corpus_seeds() -> Iterator[tuple[str, bytes, str, str | None]]:
    for page in sorted(CORPUS.glob("*.html")):
        expected_file = page.with_name(page.stem + ".expected.yaml")
        given = (yaml.safe_load(expected_file.read_text(encoding="utf-8")) or {}).get("input") or {}
        codec = given.get("encode_as", "utf-8")
        yield page.name, page.read_text(encoding="utf-8").encode(codec), codec, given.get("declared_charset")


def _real_seeds() -> Iterator[tuple[str, bytes, str, str | None]]:
    for name in FREE_PAGES:
        raw = (REALPAGES / name).read_bytes()
        yield name, raw, "gb18030" if "gbk" in name else "utf-8", None
    for spec in CLAIM_PAGES:
        yield f"{spec[0]}+claim", claim_page(*spec), spec[1], None


def _at(raw: bytes, needle: bytes) -> list[int]:
    found = []
    at = raw.find(needle)
    while at != -1:
        found.append(at)
        at = raw.find(needle, at + 1)
    return found


def _spans(raw: bytes, words: list[bytes], code: bytes | None) -> tuple[tuple[int, int], ...]:
    """Each occurrence of the words (and of the code), and the stretch from words to a code near them."""
    word_at = [(at, at + len(word)) for word in words for at in _at(raw, word)]
    code_at = [(at, at + len(code)) for at in _at(raw, code)] if code else []
    if not word_at:
        # The words are spelled otherwise (character references, pinyin, English): guard the code's surroundings.
        return tuple((max(0, start - CLAIM_REACH // 4), end + CLAIM_REACH // 4) for start, end in code_at)
    spans = [(start - CLAIM_MARGIN, end + CLAIM_MARGIN) for start, end in (*word_at, *code_at)]
    spans += [
        (min(w[0], c[0]) - CLAIM_MARGIN, max(w[1], c[1]) + CLAIM_MARGIN)
        for w in word_at
        for c in code_at
        if abs(w[0] - c[0]) <= CLAIM_REACH
    ]
    return tuple((max(0, start), end) for start, end in spans)


def seeds() -> list[Seed]:
    """Every seed page with its claims tracked (claims whose spans cannot be located are not tracked)."""
    out = []
    for name, raw, codec, declared in (*_corpus_seeds(), *_real_seeds()):
        page = extract_page(raw, declared_charset=declared)
        tracked = []
        for claim in page.claims:
            words = [word.encode(codec, "ignore") for word in _WORDS]
            code = claim.standard_code.encode(codec, "ignore") if claim.standard_code else None
            spans = _spans(raw, words, code)
            if claim.kind == "text" and spans:
                tracked.append(Tracked(claim.standard_code or claim.text, claim.standard_code, spans))
        out.append(Seed(name, raw, codec, declared, tuple(tracked)))
    return out


@dataclass
class Mutated:
    """A mutated page and which tracked claims its mutations landed on."""

    raw: bytes
    touched: set[int] = field(default_factory=set)
    ops: list[str] = field(default_factory=list)


def mutate(rng: random.Random, seed: Seed, others: list[Seed]) -> Mutated:
    """Apply 1-12 random mutations, shifting each claim's spans and noting the claims a mutation hit."""
    data = bytearray(seed.raw)
    spans = [[list(span) for span in claim.spans] for claim in seed.claims]
    touched: set[int] = set()
    ops: list[str] = []

    def inserted(at: int, size: int) -> None:
        for number, claim_spans in enumerate(spans):
            for span in claim_spans:
                if span[0] <= at <= span[1]:
                    touched.add(number)
                span[0] += size if span[0] >= at else 0
                span[1] += size if span[1] >= at else 0

    def deleted(at: int, size: int) -> None:
        end = at + size
        for number, claim_spans in enumerate(spans):
            for span in claim_spans:
                if span[0] < end and at < span[1]:
                    touched.add(number)
                span[0] = span[0] - size if span[0] >= end else min(span[0], at)
                span[1] = span[1] - size if span[1] >= end else min(span[1], at)

    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        at = rng.randint(0, len(data))
        if op < 0.35:
            piece = rng.choice(NASTY)
            ops.append(f"insert {piece[:12]!r} at {at}")
        elif op < 0.6 and data:
            size = min(rng.randint(1, 40), len(data) - at)
            ops.append(f"delete {size} at {at}")
            deleted(at, size)
            del data[at : at + size]
            continue
        elif op < 0.8:
            piece = bytes(rng.randint(0, 255) for _ in range(rng.randint(1, 16)))
            ops.append(f"random {len(piece)} at {at}")
        else:
            other = rng.choice(others).raw
            start = rng.randint(0, len(other))
            piece = other[start : start + rng.randint(1, 200)]
            ops.append(f"splice {len(piece)} at {at}")
        inserted(at, len(piece))
        data[at:at] = piece
    return Mutated(bytes(data), touched, ops)


_INVISIBLE = frozenset(["script", "style", "noscript", "template", "textarea", "title", "xmp", "iframe"])


def visible_text(raw: bytes, codec: str) -> str:
    """The page's visible text as an independent full parse reads it (the seed's codec), compacted."""
    # A NUL reads as U+FFFD, as browsers' tokenizers read it: deleting it would mend a tag the NUL broke
    # (`</t\0itle>` closes no title, so a browser shows the rest of the page as the title, not as text).
    text = raw.decode(codec, errors="replace").replace("\x00", "\ufffd")
    try:
        root = etree.fromstring(text, etree.HTMLParser(huge_tree=True))
    except (etree.LxmlError, ValueError):
        return ""
    if root is None:
        return ""
    pieces = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            if element.tail:
                pieces.append(element.tail)
            continue
        if element.text and element.tag not in _INVISIBLE:
            pieces.append(element.text)
        if element.tail:
            pieces.append(element.tail)
    return compact(" ".join(pieces))


def missing_claims(seed: Seed, mutated: Mutated, page: PageClaims) -> list[Tracked]:
    """Claims of the seed no mutation touched that the mutated page's result does not hold."""
    if any("not treated as claims" in note for note in page.notes):
        return []  # classified as news: the mentions were seen and set aside, not lost
    # A claim without a code is found when the words are claimed at all (a mutation elsewhere may tie a code).
    found = {c.standard_code or c.text for c in page.claims} | {c.text for c in page.claims}
    found |= {o.text for o in page.occurrences}
    missing = [
        claim
        for number, claim in enumerate(seed.claims)
        if number not in mutated.touched and claim.key not in found
    ]
    # As many mentions claimed as before: a mutation elsewhere (a table tag deleted) re-tied a code, no claim
    # went missing.
    return [] if len(page.claims) >= len(seed.claims) else missing


def lost_claims(seed: Seed, mutated: Mutated, page: PageClaims) -> list[str]:
    """Claims of the seed that the mutated page still visibly holds but that were neither found nor warned."""
    candidates = missing_claims(seed, mutated, page)
    if page.warnings or not candidates:
        return []
    visible = visible_text(mutated.raw, seed.codec)
    return [
        claim.key
        for claim in candidates
        if "上海标准" in visible and (claim.code is None or compact(claim.code) in visible)
    ]


# --- worker: extract pages, measure CPU and peak memory ---


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _memory_kb() -> tuple[int, int]:
    """(resident, peak resident) in KiB from /proc/self/status; the peak from getrusage elsewhere."""
    current = peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return current, peak


@dataclass
class PageOutcome:
    """What one page did in the worker."""

    cpu: float = 0.0
    peak_kb: int = 0
    growth_kb: int = 0
    error: str | None = None
    claims: int = 0
    warnings: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    tracked: int = 0
    touched: int = 0
    missing_warned: int = 0


def _measure(seed: Seed, mutated: Mutated) -> PageOutcome:
    outcome = PageOutcome(tracked=len(seed.claims), touched=len(mutated.touched))
    _reset_peak()
    before, _ = _memory_kb()
    started = time.thread_time()
    try:
        page = extract_page(mutated.raw, declared_charset=seed.declared_charset)
    except BaseException as exc:  # a crash is what this benchmark looks for: record it, keep going
        outcome.cpu = time.thread_time() - started
        outcome.error = "".join(traceback.format_exception_only(exc)).strip()[:500]
        return outcome
    outcome.cpu = time.thread_time() - started
    _, peak = _memory_kb()
    outcome.peak_kb, outcome.growth_kb = peak, max(0, peak - before)
    outcome.claims = len(page.claims)
    outcome.warnings = [w.code for w in page.warnings]
    outcome.lost = lost_claims(seed, mutated, page)
    if page.warnings:
        outcome.missing_warned = len(missing_claims(seed, mutated, page))
    return outcome


def _worker(conn: Connection, pool: list[Seed]) -> None:
    while True:
        job = conn.recv()
        if job is None:
            return
        seed_index, page_seed, mutate_it = job
        seed = pool[seed_index]
        mutated = mutate(random.Random(page_seed), seed, pool) if mutate_it else Mutated(seed.raw)
        conn.send(_measure(seed, mutated))


class _Worker:
    def __init__(self, pool: list[Seed]) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, pool), daemon=True)
        self.process.start()

    def run(self, job: tuple[int, int, bool], timeout: float) -> PageOutcome | None:
        self.conn.send(job)
        if self.conn.poll(timeout):
            try:
                answer: PageOutcome = self.conn.recv()
                return answer
            except EOFError:
                return None  # the worker died (a crash in C code): reported as a crash by the caller
        return None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


@dataclass
class Tally:
    """Figures over a run of pages."""

    pages: int = 0
    crashes: list[str] = field(default_factory=list)
    hangs: list[str] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_kb: int = 0
    growth_kb: int = 0
    claims_tracked: int = 0
    claims_untouched: int = 0
    claims_missing_warned: int = 0
    warnings: Counter[str] = field(default_factory=Counter)

    def add(self, label: str, outcome: PageOutcome | None, budget: float) -> None:
        self.pages += 1
        if outcome is None:
            self.hangs.append(label)
            return
        if outcome.error:
            self.crashes.append(f"{label}: {outcome.error}")
        self.cpu.append(outcome.cpu)
        if outcome.cpu > budget + BUDGET_GRACE_SECONDS:
            self.over_budget.append(f"{label}: {outcome.cpu:.2f} s")
        self.peak_kb = max(self.peak_kb, outcome.peak_kb)
        self.growth_kb = max(self.growth_kb, outcome.growth_kb)
        self.claims_tracked += outcome.tracked
        self.claims_untouched += outcome.tracked - outcome.touched
        self.claims_missing_warned += outcome.missing_warned
        self.warnings.update(outcome.warnings)
        self.lost += [f"{label}: {key}" for key in outcome.lost]

    def figures(self) -> dict[str, Any]:
        cpu = sorted(self.cpu) or [0.0]
        return {
            "pages": self.pages,
            "crashes": len(self.crashes),
            "hangs": len(self.hangs),
            "pages_over_cpu_budget": len(self.over_budget),
            "claims_lost_without_warning": len(self.lost),
            "max_cpu_s_per_page": round(cpu[-1], 3),
            "p99_cpu_s_per_page": round(cpu[min(len(cpu) - 1, int(len(cpu) * 0.99))], 3),
            "median_cpu_ms_per_page": round(statistics.median(cpu) * 1000, 2),
            "peak_rss_mb_any_page": round(self.peak_kb / 1024, 1),
            "max_peak_growth_mb_per_page": round(self.growth_kb / 1024, 1),
            "claims_tracked": self.claims_tracked,
            "claims_untouched_by_mutation": self.claims_untouched,
            # Of those: not found again, but the page says what it could not read.
            "claims_untouched_missing_with_warning": self.claims_missing_warned,
            "warnings_by_code": dict(self.warnings.most_common()),
            "examples": {
                "crashes": self.crashes[:5],
                "hangs": self.hangs[:5],
                "over_budget": self.over_budget[:5],
                "lost": self.lost[:5],
            },
        }


def fuzz(count: int, seed: int = SEED, mutate_pages: bool = True) -> Tally:
    """Extract `count` pages (mutated, or the seeds themselves) in a worker process and tally them."""
    pool = seeds()
    budget = default_limits().cpu_budget_seconds
    rng = random.Random(seed)
    tally = Tally()
    worker = _Worker(pool)
    try:
        for number in range(count):
            index = number % len(pool) if not mutate_pages else rng.randrange(len(pool))
            page_seed = rng.randrange(1 << 30)
            label = f"{pool[index].name}#{page_seed}"
            outcome = worker.run((index, page_seed, mutate_pages), HANG_WALL_SECONDS)
            if outcome is None:
                worker.stop()
                worker = _Worker(pool)
            tally.add(label, outcome, budget)
    finally:
        worker.conn.send(None)
        worker.stop()
    return tally


def run() -> dict[str, Any]:
    """Measure and return every figure (also printed by `python -m bench fuzz`)."""
    quick = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
    count = int(os.environ.get("MARKWATCH_FUZZ_PAGES", "1000" if quick else str(FUZZ_PAGES)))
    started = time.perf_counter()
    mutated = fuzz(count).figures()
    seconds = time.perf_counter() - started
    pool_size = len(seeds())
    baseline = fuzz(pool_size, mutate_pages=False).figures()
    return {
        **mutated,
        "pages_per_s": round(count / seconds, 1),
        "cpu_budget_s": default_limits().cpu_budget_seconds,
        # The unmutated seeds in the same worker: what the pages cost before any mutation.
        "seed_pages": baseline["pages"],
        "seed_max_cpu_s_per_page (baseline)": baseline["max_cpu_s_per_page"],
        "seed_peak_rss_mb_any_page (baseline)": baseline["peak_rss_mb_any_page"],
        "targets": "0 crashes, 0 hangs, 0 pages over the CPU budget, 0 claims lost without a warning",
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=2))
