"""Everything the case page and the notice show about one case, gathered in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from checker.registry import DesignationRecord, DesignationStatus, RegistryIndex
from checker.rules.loader import LoadedRule, RuleSet
from markwatch.cases.evidence import case_findings
from markwatch.cases.lifecycle import allowed_targets
from markwatch.cases.models import Case, CaseEvent, CaseStatus
from markwatch.cases.queries import case_events, get_case
from markwatch.cases.waivers import active_waiver
from markwatch.db import utcnow

# A notice is for misuse an inspector has confirmed; before that there is nothing to notify.
NOTICE_STATUSES = frozenset(
    {CaseStatus.CONFIRMED, CaseStatus.NOTICE_SENT, CaseStatus.RECTIFICATION_DUE, CaseStatus.ESCALATED}
)


@dataclass(frozen=True)
class RegistryView:
    """The registry record a claim names, with its status on the day the page was observed."""

    record: DesignationRecord
    observed_on: dt.date
    status: DesignationStatus


@dataclass(frozen=True)
class CaseFile:
    """A case with its evidence, rule, registry record, history and the moves allowed from here."""

    case: Case
    findings: list[dict[str, Any]]
    events: list[CaseEvent]
    rule: LoadedRule | None
    registry: RegistryView | None
    allowed: list[CaseStatus]
    waived: bool

    @property
    def latest(self) -> dict[str, Any] | None:
        """The most recent finding (findings are newest first)."""
        return self.findings[0] if self.findings else None

    @property
    def snippet(self) -> str:
        """The claim snippet of the latest finding, as the crawler stored it (untrusted)."""
        latest = self.latest or {}
        evidence = latest.get("evidence") or {}
        claim = latest.get("claim") or {}
        return str(evidence.get("snippet") or claim.get("snippet") or claim.get("text") or "")

    @property
    def product(self) -> str:
        """The product the page names, as extracted (untrusted)."""
        claim = (self.latest or {}).get("claim") or {}
        return str(claim.get("product_name") or "")

    @property
    def highlight_terms(self) -> list[str]:
        """Phrases to mark in the snippet besides the mark's words: certification wording, the code."""
        claim = (self.latest or {}).get("claim") or {}
        words = [str(w) for w in claim.get("certification_words") or [] if w]
        code = claim.get("standard_code") or self.case.standard_code
        return [*words, str(code)] if code else words

    @property
    def snapshot(self) -> dict[str, Any] | None:
        """The archived page behind the latest finding."""
        latest = self.latest
        return latest.get("snapshot") if latest else None

    @property
    def notice_allowed(self) -> bool:
        """Whether a notice may be printed for the case in its current status."""
        return CaseStatus(self.case.status) in NOTICE_STATUSES


def _registry_view(
    session: Session, code: str | None, observed_at: dt.datetime | None
) -> RegistryView | None:
    if not code or observed_at is None:
        return None
    record = RegistryIndex.load(session).find(code)
    if record is None:
        return None
    day = observed_at.astimezone(dt.UTC).date()
    return RegistryView(record=record, observed_on=day, status=record.status_as_of(day))


def load_case_file(session: Session, rules: RuleSet, case_id: int) -> CaseFile:
    """The case file for `case_id` (NotFoundError when there is no such case)."""
    case = get_case(session, case_id)
    findings = case_findings(session, case)
    try:
        rule: LoadedRule | None = rules.by_id(case.rule_id)
    except KeyError:
        rule = None  # a rule retired since the finding; the stored message still explains it
    observed_at = findings[0]["observed_at"] if findings else case.last_seen_at
    return CaseFile(
        case=case,
        findings=findings,
        events=case_events(session, case.id),
        rule=rule,
        registry=_registry_view(session, case.standard_code, observed_at),
        allowed=sorted(allowed_targets(CaseStatus(case.status))),
        waived=active_waiver(case, utcnow()) is not None,
    )
