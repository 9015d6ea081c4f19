"""Each rule's confirmed precision, from inspectors' decisions on its cases.

A case counts as decided once an inspector confirmed it (confirmed and every later step of enforcement) or
dismissed it. Precision is confirmed / (confirmed + dismissed as not-a-claim or wrong-standard): a dismissal
for another reason (legitimate use, out of jurisdiction) says nothing about whether the detector was right.
Counted per rule and per (rule, extractor pattern); a rule or pattern whose precision falls below a floor
has its new findings sent to review (`review_policy`, settings from the environment: `PrecisionPolicy`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checker.confidence import ReviewPolicy
from markwatch.cases.models import Case, CaseFinding, CaseStatus, DismissalKind
from markwatch.errors import InputError
from sweeps.models import Finding

CONFIRMED_STATES = (
    CaseStatus.CONFIRMED.value,
    CaseStatus.NOTICE_SENT.value,
    CaseStatus.RECTIFICATION_DUE.value,
    CaseStatus.ESCALATED.value,
    CaseStatus.CLOSED.value,
)
DETECTOR_ERRORS = (DismissalKind.NOT_A_CLAIM.value, DismissalKind.WRONG_STANDARD.value)


@dataclass(frozen=True)
class RulePrecision:
    """Decisions on one rule's most recently decided cases."""

    rule_id: str
    decided: int
    confirmed: int
    not_a_claim: int
    wrong_standard: int
    dismissed_other: int
    pattern: str | None = None  # set for a (rule, extractor pattern) tally

    @property
    def judged(self) -> int:
        """Decisions that say whether the detector was right (confirmed, not a claim, wrong standard)."""
        return self.confirmed + self.not_a_claim + self.wrong_standard

    @property
    def precision(self) -> float | None:
        """confirmed / (confirmed + detector errors); None before any such decision."""
        return self.confirmed / self.judged if self.judged else None


_DECIDED = (*CONFIRMED_STATES, CaseStatus.DISMISSED.value)


def _newest_decided_first() -> Any:
    return (
        select(Case.id, Case.rule_id, Case.status, Case.dismissal_kind)
        .where(Case.status.in_(_DECIDED))
        .order_by(Case.decided_at.desc().nulls_last(), Case.updated_at.desc(), Case.id.desc())
    )


def _tally(rows: Iterable[tuple[Any, str, str | None]], last_n: int) -> dict[Any, list[int]]:
    """key -> [decided, confirmed, not-a-claim, wrong-standard, other] over each key's newest last_n rows."""
    tallies: dict[Any, list[int]] = {}
    for key, status, kind in rows:
        tally = tallies.setdefault(key, [0, 0, 0, 0, 0])
        if tally[0] >= last_n:
            continue
        tally[0] += 1
        if status in CONFIRMED_STATES:
            tally[1] += 1
        elif kind == DismissalKind.NOT_A_CLAIM.value:
            tally[2] += 1
        elif kind == DismissalKind.WRONG_STANDARD.value:
            tally[3] += 1
        else:
            tally[4] += 1
    return tallies


def _precision(rule_id: str, tally: list[int], pattern: str | None = None) -> RulePrecision:
    decided, confirmed, not_a_claim, wrong_standard, other = tally
    return RulePrecision(rule_id, decided, confirmed, not_a_claim, wrong_standard, other, pattern)


def rule_precision(session: Session, *, last_n: int = 50) -> dict[str, RulePrecision]:
    """Per rule, the counts over its last `last_n` decided cases (by decision time, newest first)."""
    rows = session.execute(_newest_decided_first()).all()
    tallies = _tally(((rule_id, status, kind) for _id, rule_id, status, kind in rows), last_n)
    return {rule_id: _precision(rule_id, tally) for rule_id, tally in sorted(tallies.items())}


def _chunks(items: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def case_patterns(session: Session, case_ids: Sequence[int]) -> dict[int, set[str]]:
    """case id -> the extractor patterns of the claims behind its newest finding (stored with each finding).

    Only the newest finding of each case is read: a case is seen again sweep after sweep, and reading every
    observation of every decided case would grow with the number of sweeps, not of decisions."""
    patterns: dict[int, set[str]] = {}
    for chunk in _chunks(case_ids):
        newest = (
            select(CaseFinding.case_id, func.max(CaseFinding.finding_id).label("finding_id"))
            .where(CaseFinding.case_id.in_(chunk))
            .group_by(CaseFinding.case_id)
            .subquery()
        )
        rows = session.execute(
            select(newest.c.case_id, Finding.claim, Finding.evidence).join(
                Finding, Finding.id == newest.c.finding_id
            )
        )
        for case_id, claim, evidence in rows:
            found = patterns.setdefault(case_id, set())
            if isinstance(claim, dict) and isinstance(claim.get("pattern"), str):
                found.add(claim["pattern"])
            if isinstance(evidence, dict):
                found.update(p for p in evidence.get("patterns") or () if isinstance(p, str))
    return patterns


def pattern_precision(session: Session, *, last_n: int = 50) -> dict[tuple[str, str], RulePrecision]:
    """Per (rule, extractor pattern), the counts over the last `last_n` decided cases whose findings came
    from that pattern (a case found by two patterns counts for both)."""
    rows = session.execute(_newest_decided_first()).all()
    patterns = case_patterns(session, [row[0] for row in rows])
    tallies = _tally(
        (
            ((rule_id, pattern), status, kind)
            for case_id, rule_id, status, kind in rows
            for pattern in sorted(patterns.get(case_id, ()))
        ),
        last_n,
    )
    return {key: _precision(key[0], tally, key[1]) for key, tally in sorted(tallies.items())}


FLOOR_ENV = "MARKWATCH_PRECISION_FLOOR"
WINDOW_ENV = "MARKWATCH_PRECISION_WINDOW"
MIN_DECIDED_ENV = "MARKWATCH_PRECISION_MIN_DECIDED"


@dataclass(frozen=True)
class PrecisionPolicy:
    """When inspectors' decisions send a rule's (or a pattern's) new findings to review.

    floor: confirmed precision below this (0-1) sends them to review; 0 turns the switch off.
    last_n: how many of the newest decided cases count. min_judged: fewer decisions that speak about the
    detector (confirmed, not a claim, wrong standard) than this are too few to judge it."""

    floor: float = 0.5
    last_n: int = 50
    min_judged: int = 10

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PrecisionPolicy:
        """MARKWATCH_PRECISION_FLOOR, MARKWATCH_PRECISION_WINDOW, MARKWATCH_PRECISION_MIN_DECIDED."""
        env = os.environ if environ is None else environ
        floor = _number(env, FLOOR_ENV, cls.floor, float)
        if not 0.0 <= floor <= 1.0:
            raise InputError(f"must be between 0 and 1, got {floor}", source=FLOOR_ENV)
        last_n = int(_number(env, WINDOW_ENV, cls.last_n, int))
        min_judged = int(_number(env, MIN_DECIDED_ENV, cls.min_judged, int))
        if last_n < 1 or min_judged < 1:
            raise InputError(
                "must be a whole number of at least 1", source=WINDOW_ENV if last_n < 1 else MIN_DECIDED_ENV
            )
        return cls(floor=floor, last_n=last_n, min_judged=min_judged)

    def below(self, tally: RulePrecision) -> bool:
        """Whether enough decisions say the detector is mostly wrong."""
        precision = tally.precision
        return tally.judged >= self.min_judged and precision is not None and precision < self.floor

    def detail(self, tally: RulePrecision) -> str:
        """The reason detail: the figures behind a demotion."""
        return (
            f"{tally.precision or 0.0:.2f} < {self.floor:.2f} over the last {tally.decided} decided cases "
            f"({tally.confirmed} confirmed, {tally.not_a_claim} not a claim, {tally.wrong_standard} wrong standard)"
        )


def _number(env: Any, name: str, default: float, kind: type) -> float:
    raw = env.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        return float(kind(str(raw).strip()))
    except ValueError:
        raise InputError(f"not a {'whole ' if kind is int else ''}number: {raw!r}", source=name) from None


def review_policy(session: Session, policy: PrecisionPolicy | None = None) -> ReviewPolicy:
    """The rules and (rule, pattern) pairs whose new findings go to review, from inspectors' decisions."""
    policy = policy or PrecisionPolicy()
    rules = {
        rule_id: policy.detail(tally)
        for rule_id, tally in rule_precision(session, last_n=policy.last_n).items()
        if policy.below(tally)
    }
    patterns = {
        key: f"{key[1]} " + policy.detail(tally)
        for key, tally in pattern_precision(session, last_n=policy.last_n).items()
        if policy.below(tally)
    }
    return ReviewPolicy(rules=rules, patterns=patterns)
