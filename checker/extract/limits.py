"""How much work one page may cost the extractor, and what the page is told when it hits a bound.

A crawled page is hostile input: an element with 80,000 attributes, 100,000 siblings or 5,000 levels of
nesting must not stall a sweep. Each bound is a setting (MARKWATCH_EXTRACT_<NAME>, read once per process);
a page that hits one is still read as far as the bound allows, and carries a PageWarning that says what was
given up, so "no claim found" never looks like "could not read the whole page".
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from dataclasses import dataclass, field

from checker.extract.models import PageWarning
from markwatch.errors import ExecutionError, InputError
from pagetext.cpuclock import page_clock

ENV_PREFIX = "MARKWATCH_EXTRACT_"
TOO_COMPLEX = "too-complex"
CPU_BUDGET = "cpu-budget"
DEPTH_CUT = "depth-cut"
# The page's inline stylesheets were read only up to their bound (stylesheet.py).
STYLES_CUT = "styles-cut"
# The page imports a stylesheet (@import), which is never fetched: what it hides was read as shown.
STYLES_IMPORTED = "styles-imported"
# libxml2 stops building the tree past this depth even with huge_tree (and drops the rest of the page).
PARSER_MAX_DEPTH = 2048


@dataclass(frozen=True)
class ExtractLimits:
    """Bounds on the work spent on one page; each can be set as MARKWATCH_EXTRACT_<FIELD NAME IN CAPITALS>."""

    # Decoded characters read; the rest of a longer page is not read (8 MB pages are the fetch caps).
    max_text_chars: int = 6_000_000
    # Elements parsed (counted as tags before parsing); the page is read up to that tag.
    max_elements: int = 250_000
    # Attributes kept per element: libxml2 compares each attribute with every earlier one, so 40,000
    # attributes on one element cost 10 s of CPU; real elements carry a few dozen.
    max_attributes: int = 256
    # Nesting kept as structure when a page is deeper than the parser can hold (2,048 levels): deeper start
    # and end tags are dropped, their text kept in place.
    max_depth: int = 1024
    # Mention blocks (and, apart, context rows) kept for the full parse; a page with more is read up to that many.
    max_kept_blocks: int = 4_000
    # Elements inside the kept blocks; above it the blocks' inner markup is flattened to text.
    max_kept_elements: int = 60_000
    # CPU seconds (this thread's) one page may take; past it the extractor stops and says where.
    cpu_budget_seconds: float = 2.0

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            if getattr(self, item.name) <= 0:
                raise InputError("must be above zero", source=ENV_PREFIX + item.name.upper())
        if self.max_depth >= PARSER_MAX_DEPTH:
            raise InputError(f"must be below {PARSER_MAX_DEPTH}", source=ENV_PREFIX + "MAX_DEPTH")


def limits_from_env(environ: dict[str, str] | os._Environ[str] | None = None) -> ExtractLimits:
    """Limits with MARKWATCH_EXTRACT_* overrides; a malformed value is an InputError naming the variable."""
    environ = os.environ if environ is None else environ
    values: dict[str, int | float] = {}
    for item in dataclasses.fields(ExtractLimits):
        name = ENV_PREFIX + item.name.upper()
        raw = environ.get(name)
        if raw is None or not raw.strip():
            continue
        kind = float if item.type in (float, "float") else int
        try:
            values[item.name] = kind(raw.strip().replace("_", ""))
        except ValueError:
            raise InputError(
                f"must be a {'number' if kind is float else 'whole number'}, got {raw!r}", source=name
            ) from None
    return ExtractLimits(**values)  # type: ignore[arg-type]


@functools.cache
def default_limits() -> ExtractLimits:
    """The process-wide limits (environment read once)."""
    return limits_from_env()


class BudgetExceeded(ExecutionError):
    """A page used up its CPU budget (caught inside extract_page, never raised to callers)."""

    def __init__(self, stage: str, used: float, budget: float) -> None:
        self.detail = f"stopped during {stage} after {used:.2f} s of CPU (budget {budget:g} s)"
        super().__init__(self.detail)
        self.stage = stage


def _page_clock() -> float:
    # A full collection scans the whole process's heap: in a long sweep or a test run that is seconds spent on
    # other pages' garbage, and charged to whichever page triggered it, it cut that page's claims (seen in CI:
    # a 100,000-element page that takes 0.25 s stopped at its 2 s budget). One-time preparation (the gate's
    # Hyperscan database) is not the page's work either: pagetext/cpuclock.py.
    return page_clock()


@dataclass
class Guard:
    """One page's limits, CPU budget and the warnings raised so far."""

    limits: ExtractLimits
    started: float = field(default_factory=_page_clock)
    # A thread cannot use more CPU than the wall time that passed: while the wall clock is within the budget,
    # the CPU clock (a system call, and a point where a loaded server's thread gets descheduled) is not read.
    # A short page is checked about ten times; this leaves one CPU clock read per page (py-spy on a loaded
    # API worker: 16-20% of its samples were in the CPU clock).
    wall_started: float = field(default_factory=time.perf_counter)
    warnings: list[PageWarning] = field(default_factory=list)

    @classmethod
    def start(cls, limits: ExtractLimits | None = None) -> Guard:
        """A guard whose budget starts now (CPU time of the calling thread)."""
        return cls(limits or default_limits())

    def used(self) -> float:
        """CPU seconds this page has taken so far (garbage collection excluded)."""
        return _page_clock() - self.started

    def check(self, stage: str) -> None:
        """Raise BudgetExceeded when the page has used its CPU budget."""
        if time.perf_counter() - self.wall_started <= self.limits.cpu_budget_seconds:
            return
        used = self.used()
        if used > self.limits.cpu_budget_seconds:
            raise BudgetExceeded(stage, used, self.limits.cpu_budget_seconds)

    def warn(self, code: str, message: str) -> None:
        """Record that part of the page was not read (once per code and message)."""
        warning = PageWarning(code=code, message=message)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def over_budget(self, exc: BudgetExceeded) -> None:
        """Record the budget stop as a warning."""
        self.warn(CPU_BUDGET, f"page not fully read: {exc.detail}")
