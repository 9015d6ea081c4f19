"""Each rule's confirmed precision, from inspectors' decisions on its cases.

A case counts as decided once an inspector confirmed it (confirmed and every later step of enforcement) or
dismissed it. Precision is confirmed / (confirmed + dismissed as not-a-claim or wrong-standard): a dismissal
for another reason (legitimate use, out of jurisdiction) says nothing about whether the detector was right.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from markwatch.cases.models import Case, CaseStatus, DismissalKind

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

    @property
    def precision(self) -> float | None:
        """confirmed / (confirmed + detector errors); None before any such decision."""
        judged = self.confirmed + self.not_a_claim + self.wrong_standard
        return self.confirmed / judged if judged else None


def rule_precision(session: Session, *, last_n: int = 50) -> dict[str, RulePrecision]:
    """Per rule, the counts over its last `last_n` decided cases (by decision time, newest first)."""
    rows = session.execute(
        select(Case.rule_id, Case.status, Case.dismissal_kind)
        .where(Case.status.in_((*CONFIRMED_STATES, CaseStatus.DISMISSED.value)))
        .order_by(Case.rule_id, Case.decided_at.desc().nulls_last(), Case.updated_at.desc(), Case.id.desc())
    ).all()
    tallies: dict[str, list[int]] = {}
    for rule_id, status, kind in rows:
        tally = tallies.setdefault(rule_id, [0, 0, 0, 0, 0])
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
    return {rule_id: RulePrecision(rule_id, *tally) for rule_id, tally in sorted(tallies.items())}
