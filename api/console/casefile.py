"""Everything the case page and the notice show about one case, gathered in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from api.console.archive import Location, locations_of, read_as
from api.console.bilingual import split_message
from api.console.highlight import as_written
from checker.holder_names import english_name_key
from checker.registry import DesignationRecord, DesignationStatus, RegistryIndex
from checker.rules.loader import LoadedRule, RuleSet
from markwatch.cases.evidence import case_findings, occurrences
from markwatch.cases.lifecycle import allowed_targets
from markwatch.cases.models import Case, CaseEvent, CaseStatus
from markwatch.cases.queries import case_events, get_case
from markwatch.cases.staleness import DONE_STATUSES, NotSeenSince, not_seen_since
from markwatch.cases.waivers import active_waiver
from markwatch.db import utcnow
from pagetext.normalize import compact

# A notice is for misuse an inspector has confirmed; before that there is nothing to notify.
NOTICE_STATUSES = frozenset(
    {CaseStatus.CONFIRMED, CaseStatus.NOTICE_SENT, CaseStatus.RECTIFICATION_DUE, CaseStatus.ESCALATED}
)
# Where issuing a notice may start from: it moves the case on to rectification_due with the notice's deadline.
ISSUE_STATUSES = frozenset({CaseStatus.CONFIRMED, CaseStatus.NOTICE_SENT, CaseStatus.ESCALATED})
# The registry status each status rule asserts; the card beside it must say the same (issue 18).
RULE_STATUS = {
    "SHS003": DesignationStatus.EXPIRED,
    "SHS004": DesignationStatus.REVOKED,
    "SHS005": DesignationStatus.ABOLISHED,
    "SHS007": DesignationStatus.NOT_DESIGNATED,
}
# Rules that fire because the registry holds no record: "no record" is what the card should say.
NO_RECORD_RULES = frozenset({"SHS001"})
UNKNOWN_VALUES = frozenset({"", "?", "None", "null"})


@dataclass(frozen=True)
class RegistryView:
    """The registry record a claim names, with its status on the day the page was observed."""

    record: DesignationRecord
    observed_on: dt.date
    status: DesignationStatus
    matched_by: str  # "code" | "title"


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
    # A finished sweep read the page whole again without the finding (None: not since, or the case is done).
    not_seen: NotSeenSince | None = None

    @property
    def latest(self) -> dict[str, Any] | None:
        """The most recent finding (findings are newest first)."""
        return self.findings[0] if self.findings else None

    @property
    def occurrences(self) -> list[dict[str, Any]]:
        """Every page the case was seen on, each with its newest finding's quote and snapshot."""
        return occurrences(self.findings)

    @property
    def claim(self) -> dict[str, Any]:
        """The claim behind the latest finding, as extracted (untrusted)."""
        return dict((self.latest or {}).get("claim") or {})

    @property
    def locations(self) -> list[Location]:
        """Every place on the page the latest finding's claim was seen."""
        return locations_of((self.latest or {}).get("evidence"))

    @property
    def decoded_as(self) -> str | None:
        """The codec the latest finding's page was read with, to show the archive as it was quoted."""
        return read_as((self.latest or {}).get("evidence"))

    @property
    def snippet(self) -> str:
        """The page's own text around the claim, verbatim as stored with the evidence (never re-normalised)."""
        evidence = (self.latest or {}).get("evidence") or {}
        claim = self.claim
        return str(
            evidence.get("snippet")
            or claim.get("snippet")
            or claim.get("verbatim")
            or claim.get("text")
            or ""
        )

    @property
    def product(self) -> str:
        """The product the page names, as extracted (untrusted)."""
        return str(self.claim.get("product_name") or "")

    @property
    def standard_code(self) -> str | None:
        """The disclosed code, never a placeholder."""
        code = self.case.standard_code or self.claim.get("standard_code")
        return None if code is None or str(code).strip() in UNKNOWN_VALUES else str(code)

    @property
    def standard_title(self) -> str | None:
        """The 《title》 a title-only claim names."""
        title = self.claim.get("standard_title")
        return None if title is None or str(title).strip() in UNKNOWN_VALUES else str(title)

    @property
    def standard_label(self) -> str | None:
        """What the claim names as its standard: the code, else 《the title》, else None (not disclosed)."""
        if self.standard_code:
            return self.standard_code
        return f"《{self.standard_title.strip('《》')}》" if self.standard_title else None

    @property
    def highlight_terms(self) -> list[str]:
        """Phrases to mark in the snippet besides the mark's words: certification wording, the code, verbatim."""
        words = [str(w) for w in self.claim.get("certification_words") or [] if w]
        words += [loc.verbatim for loc in self.locations if loc.verbatim]
        if self.standard_code:
            # Stored normalised; the quote shows the page's own spelling (full-width, other dashes).
            words += [self.standard_code, *as_written(self.snippet, [self.standard_code])]
        return words

    @property
    def snapshot(self) -> dict[str, Any] | None:
        """The archived page behind the latest finding."""
        latest = self.latest
        return latest.get("snapshot") if latest else None

    @property
    def notice_allowed(self) -> bool:
        """Whether a notice may be printed for the case in its current status."""
        return CaseStatus(self.case.status) in NOTICE_STATUSES

    @property
    def issue_allowed(self) -> bool:
        """Whether a notice may be issued (and the case moved on to its deadline) now."""
        return CaseStatus(self.case.status) in ISSUE_STATUSES

    def message(self, lang: str) -> str:
        """The finding's message in one language; a "?" standard (title-only claims) shows the title."""
        label = self.standard_label
        fills = {
            "zh": {"standard": label or "（未公开标准）", "unknown": "（未知）"},
            "en": {"standard": label or "(no standard disclosed)", "unknown": "(unknown)"},
        }
        return split_message(self.case.message, self.rule.rule if self.rule else None, fills)[lang]

    @property
    def registry_conflict(self) -> str | None:
        """Why the registry card and the rule disagree (the registry changed since the finding), if they do."""
        expected = RULE_STATUS.get(self.case.rule_id)
        if self.registry is None:
            return "missing" if expected is not None else None
        if self.case.rule_id in NO_RECORD_RULES:
            return "now-registered"
        if expected is not None and self.registry.status is not expected:
            return "status-changed"
        return None

    @property
    def uscc(self) -> str | None:
        """The claimant's unified social credit code when the page or the registry gives it."""
        for key in ("claimant_uscc", "uscc"):
            value = self.claim.get(key)
            if isinstance(value, str) and len(value.strip()) == 18:
                return value.strip()
        if self.registry is not None and self.case.claimant:
            name = compact(self.case.claimant)
            english = english_name_key(self.case.claimant)
            for holder in self.registry.record.holders:
                if not holder.uscc:
                    continue
                if holder.name and compact(holder.name) == name:
                    return holder.uscc
                # A claimant named by a registered English name is that holder too (checker/holder_names.py).
                if english and any(english_name_key(n) == english for n in holder.english_names):
                    return holder.uscc
        return None


def _pick(records: tuple[DesignationRecord, ...], day: dt.date) -> DesignationRecord | None:
    # As the rule facts do (checker/rules/facts.py): a designated record wins, else the first.
    for record in records:
        if record.status_as_of(day) is DesignationStatus.DESIGNATED:
            return record
    return records[0] if records else None


def registry_view(
    index: RegistryIndex, code: str | None, title: str | None, observed_at: dt.datetime | None
) -> RegistryView | None:
    """The record the claim names, by code or (title-only claims) by title, as of the observation date."""
    if observed_at is None:
        return None
    day = observed_at.astimezone(dt.UTC).date()
    record, matched_by = (index.find(code), "code") if code else (None, "code")
    if record is None and not code and title:
        record, matched_by = _pick(index.by_title(title.strip("《》")), day), "title"
    if record is None:
        return None
    return RegistryView(
        record=record, observed_on=day, status=record.status_as_of(day), matched_by=matched_by
    )


def load_case_file(
    session: Session, rules: RuleSet, case_id: int, index: RegistryIndex | None = None
) -> CaseFile:
    """The case file for `case_id` (NotFoundError when there is no such case)."""
    case = get_case(session, case_id)
    findings = case_findings(session, case)
    try:
        rule: LoadedRule | None = rules.by_id(case.rule_id)
    except KeyError:
        rule = None  # a rule retired since the finding; the stored message still explains it
    observed_at = findings[0]["observed_at"] if findings else case.last_seen_at
    claim = dict((findings[0].get("claim") if findings else None) or {})
    code = case.standard_code if case.standard_code not in UNKNOWN_VALUES else None
    title = claim.get("standard_title") if isinstance(claim.get("standard_title"), str) else None
    return CaseFile(
        case=case,
        findings=findings,
        events=case_events(session, case.id),
        rule=rule,
        registry=registry_view(index or RegistryIndex.load(session), code, title, observed_at),
        allowed=sorted(allowed_targets(CaseStatus(case.status))),
        waived=active_waiver(case, utcnow()) is not None,
        not_seen=None if case.status in DONE_STATUSES else not_seen_since(session, case),
    )
