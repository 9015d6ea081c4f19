"""Turn a sweep's findings into cases, so decisions survive re-runs.

A case is keyed by its finding_key (one page, claimant, rule and standard), except an organisation's own claim
(checker.findings.finding_subject): keyed by site, claimant, rule, standard and the claim's words, one case
lists every page of the site it is seen on (an employer's company box on each of its vacancies)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from checker.confidence import ReviewPolicy, reason, reason_code
from checker.findings import organisation_key
from crawler.store.models import Snapshot, Sweep, SweepPage
from markwatch.cases.audit import append_event, serialise_case_writes
from markwatch.cases.derive import IDENTITY
from markwatch.cases.lifecycle import AWAITING_RECTIFICATION, recheck, reopen
from markwatch.cases.models import CONFIDENCES, Case, CaseFinding, CaseScope, CaseStatus
from markwatch.cases.precision import PrecisionPolicy, review_policy
from markwatch.db import utcnow
from markwatch.errors import ConflictError, NotFoundError
from sweeps.bookkeeping import is_given_up
from sweeps.models import Finding


@dataclass
class IngestReport:
    """What one ingest did."""

    sweep_id: int
    findings: int = 0
    created: int = 0
    updated: int = 0
    reopened: int = 0
    escalated: int = 0
    closed: int = 0
    review: int = 0  # cases left (or made) "review" by this ingest


def ingest_sweep(
    session: Session,
    sweep_id: int,
    precision: PrecisionPolicy | None = None,
    *,
    allow_incomplete: bool = False,
) -> IngestReport:
    """Link the sweep's new findings to cases (creating, reopening, escalating) and close re-checked ones.

    Each case takes the confidence of its newest finding, sent to review when inspectors' decisions put
    the rule (or every extractor pattern behind the finding) below the precision floor (`precision`,
    default from the environment: PrecisionPolicy.from_env).

    Only a finished sweep is ingested, unless `allow_incomplete`: then its cases are marked (a confidence
    reason and the event payload name the incomplete sweep) and none is closed by re-check."""
    sweep = session.get(Sweep, sweep_id)
    if sweep is None:
        raise NotFoundError(f"no sweep {sweep_id}")
    incomplete = sweep.state != "finished"
    if incomplete and not allow_incomplete:
        raise ConflictError(
            f"sweep {sweep_id} is {sweep.state}, not finished: resume it with `markwatch sweep resume "
            f"{sweep_id}`, or open cases from it anyway with --allow-incomplete"
        )
    # Read before the lock: it reads every decided case and its newest finding's claim and evidence, which no
    # other writer should wait for (a decision made meanwhile counts from the next sweep).
    review = review_policy(session, precision or PrecisionPolicy.from_env())
    # Before reading the cases this ingest changes: a decision taken meanwhile is then seen, not overwritten.
    serialise_case_writes(session)
    actor = f"system:sweep#{sweep_id}" + (" (incomplete)" if incomplete else "")
    report = IngestReport(sweep_id=sweep_id)
    already = select(CaseFinding.finding_id)
    fresh = session.scalars(
        select(Finding)
        .where(Finding.sweep_id == sweep_id, Finding.id.not_in(already))
        .order_by(Finding.observed_at, Finding.id)
    ).all()
    groups: dict[tuple[str, CaseScope], list[Finding]] = defaultdict(list)
    for finding, case_key in _case_keys(session, list(fresh)).items():
        groups[case_key].append(finding)
    marks = [f"from incomplete sweep {sweep_id}"] if incomplete else []
    for (key, scope), findings in groups.items():
        _ingest_group(session, key, scope, findings, actor, report, review, marks)
    if not incomplete:
        _close_rechecked(session, sweep_id, actor, report)
    session.flush()
    return report


def case_key_of(finding: Finding) -> tuple[str, CaseScope]:
    """The case a finding belongs to by its own content: its organisation's claim, or its page."""
    evidence: dict[str, Any] = finding.evidence if isinstance(finding.evidence, dict) else {}
    text = evidence.get("subject_text")
    if evidence.get("subject") == "organisation" and finding.site and finding.claimant and text:
        standard = evidence.get("standard_key")
        key = organisation_key(
            finding.site, finding.claimant, finding.rule_id, str(standard) if standard else None, str(text)
        )
        return key, CaseScope.ORGANISATION
    return finding.finding_key, CaseScope.PAGE


def _case_keys(session: Session, findings: list[Finding]) -> dict[Finding, tuple[str, CaseScope]]:
    """Each finding's case key, in order. A page's own case opened before organisation keys existed (an upgraded
    database) keeps its page's findings: its decisions and deadline stay with the evidence they were made on."""
    keys = {finding: case_key_of(finding) for finding in findings}
    moved = [f.finding_key for f, (key, _) in keys.items() if key != f.finding_key]
    kept = (
        set(session.scalars(select(Case.case_key).where(Case.case_key.in_(set(moved))))) if moved else set()
    )
    return {
        finding: (finding.finding_key, CaseScope.PAGE) if finding.finding_key in kept else key
        for finding, key in keys.items()
    }


def finding_confidence(finding: Finding, review: ReviewPolicy) -> tuple[str, list[str]]:
    """A stored finding's confidence and reasons, with the demotions inspectors' decisions call for.

    Findings stored before confidence existed carry none: they count as high, as they were treated then."""
    evidence: dict[str, Any] = finding.evidence if isinstance(finding.evidence, dict) else {}
    stored = evidence.get("confidence")
    confidence = stored if stored in CONFIDENCES else "high"
    reasons = [str(r) for r in evidence.get("confidence_reasons") or [] if r]
    codes = {reason_code(r) for r in reasons}
    if finding.rule_id in review.rules and "rule-precision-low" not in codes:
        reasons.append(reason("rule-precision-low", review.rules[finding.rule_id]))
        confidence = "review"
    patterns = [p for p in evidence.get("patterns") or [] if isinstance(p, str)]
    claim_pattern = finding.claim.get("pattern") if isinstance(finding.claim, dict) else None
    if not patterns and isinstance(claim_pattern, str):
        patterns = [claim_pattern]
    # Like the checker: the surest occurrence decides, so only when every pattern behind it is doubtful.
    demoted = [(finding.rule_id, p) for p in patterns if (finding.rule_id, p) in review.patterns]
    if patterns and len(demoted) == len(patterns) and "pattern-precision-low" not in codes:
        reasons.extend(reason("pattern-precision-low", review.patterns[key]) for key in demoted)
        confidence = "review"
    return confidence, reasons


def _case_standard(finding: Finding) -> str | None:
    # A title-only claim names no code; the case carries the code of the record its title matched, so the
    # registry card beside the case shows the record the rule judged (never "no record" beside "expired").
    if finding.standard_code:
        return finding.standard_code
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    code = evidence.get("record_code") if evidence.get("record_match") == "title" else None
    return str(code) if code else None


def _set_confidence(
    session: Session, case: Case, confidence: str, reasons: list[str], actor: str, finding: Finding
) -> None:
    # A case follows its newest evidence, in both directions, but never silently: every change of
    # confidence or of its reasons after opening is an audit entry naming the finding and the new values
    # (`audit verify` recomputes both from the entries).
    if case.confidence == confidence and list(case.confidence_reasons or []) == reasons:
        return
    previous = case.confidence
    case.confidence, case.confidence_reasons = confidence, reasons
    append_event(
        session,
        case_id=case.id,
        kind="confidence_changed",
        actor=actor,
        payload={
            "from": previous,
            "to": confidence,
            "reasons": reasons,
            "finding_id": finding.id,
            "sweep_id": finding.sweep_id,
        },
    )


def _ingest_group(
    session: Session,
    key: str,
    scope: CaseScope,
    findings: list[Finding],
    actor: str,
    report: IngestReport,
    review: ReviewPolicy,
    marks: list[str],
) -> Case:
    latest = findings[-1]
    confidence, reasons = finding_confidence(latest, review)
    reasons = [*reasons, *marks]
    case = session.scalar(select(Case).where(Case.case_key == key))
    if case is None:
        case = Case(
            case_key=key,
            scope=scope.value,
            status=CaseStatus.OPEN.value,
            rule_id=latest.rule_id,
            severity=latest.severity,
            standard_code=_case_standard(latest),
            page_url=latest.page_url,
            site=latest.site,
            claimant=latest.claimant,
            message=latest.message,
            first_seen_at=findings[0].observed_at,
            last_seen_at=latest.observed_at,
            reopen_count=0,
            confidence=confidence,
            confidence_reasons=reasons,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(case)
        session.flush()
        append_event(
            session,
            case_id=case.id,
            kind="opened",
            actor=actor,
            to_status=CaseStatus.OPEN.value,
            payload={
                "finding_ids": [f.id for f in findings],
                "sweep_id": latest.sweep_id,
                "confidence": confidence,
                "confidence_reasons": reasons,
                # What the case is about, as opened: `audit verify` finds a row edited since.
                "case": {name: getattr(case, name) for name in IDENTITY},
            },
        )
        report.created += 1
    else:
        case.last_seen_at = max(case.last_seen_at, latest.observed_at)
        case.severity, case.message = latest.severity, latest.message
        case.updated_at = utcnow()
        _set_confidence(session, case, confidence, reasons, actor, latest)
        report.updated += 1
    report.review += case.confidence == "review"
    for finding in findings:
        session.add(
            CaseFinding(
                case_id=case.id,
                finding_id=finding.id,
                sweep_id=finding.sweep_id,
                observed_at=finding.observed_at,
            )
        )
    report.findings += len(findings)
    session.flush()
    evidence: dict[str, object] = {"finding_id": latest.id, "sweep_id": latest.sweep_id}
    if reopen(session, case, observed_at=latest.observed_at, actor=actor, evidence=evidence):
        report.reopened += 1
    elif recheck(
        session, case, misuse_seen=True, observed_at=latest.observed_at, actor=actor, evidence=evidence
    ):
        report.escalated += 1
    return case


def _close_rechecked(session: Session, sweep_id: int, actor: str, report: IngestReport) -> None:
    # A page fetched again in this sweep that no longer shows the misuse is the re-check of its case; an
    # organisation's case is re-checked only when this sweep read every page it was seen on, none showing it.
    pages = _fetched_pages(session, sweep_id)
    if not pages:
        return
    found = session.scalars(select(Finding).where(Finding.sweep_id == sweep_id)).all()
    seen = {f.finding_key for f in found} | {case_key_of(f)[0] for f in found}
    # The same rule and standard on the same page under another key is the misuse still there, named for
    # another claimant (a newer extractor reads the page's seller or maker differently): never "rectified".
    still_there = {(f.page_url, f.rule_id, f.standard_code) for f in found}
    # Few cases wait for rectification at any time; a sweep can fetch many thousands of pages.
    waiting = session.scalars(select(Case).where(Case.status.in_([s.value for s in AWAITING_RECTIFICATION])))
    for case in waiting:
        if case.case_key in seen:
            continue
        occurrences = _occurrence_pages(session, case)
        fetched = [_fetched_at(pages, urls) for urls in occurrences]
        if not fetched or any(when is None for when in fetched):
            continue
        if any((page, case.rule_id, case.standard_code) in still_there for page, _ in occurrences):
            continue
        # Every page's fetch must be after the deadline: the earliest one decides.
        fetched_at = min(when for when in fetched if when is not None)
        evidence: dict[str, object] = {"sweep_id": sweep_id, "page_url": case.page_url}
        if case.scope == CaseScope.ORGANISATION.value:
            evidence["pages"] = sorted(page for page, _ in occurrences)
        if recheck(session, case, misuse_seen=False, observed_at=fetched_at, actor=actor, evidence=evidence):
            report.closed += 1


def _occurrence_pages(session: Session, case: Case) -> list[tuple[str, str | None]]:
    """The pages a case was seen on, as (page URL, URL requested), one per page URL; a page case's own page."""
    if case.scope != CaseScope.ORGANISATION.value:
        return [(case.page_url, None)] if case.page_url else []
    rows = session.execute(
        select(Finding.page_url, Snapshot.requested_url)
        .join(CaseFinding, CaseFinding.finding_id == Finding.id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(CaseFinding.case_id == case.id)
        .order_by(Finding.id)
    )
    pages: dict[str, str | None] = {}
    for page_url, requested in rows:
        if page_url:
            pages.setdefault(page_url, requested)
    return list(pages.items())


def _fetched_at(pages: dict[str, dt.datetime], urls: tuple[str, str | None]) -> dt.datetime | None:
    page_url, requested = urls
    return pages.get(page_url) or (pages.get(requested) if requested else None)


def _fetched_pages(session: Session, sweep_id: int) -> dict[str, dt.datetime]:
    """URL -> fetch time for pages this sweep checked successfully, under both requested and final URL."""
    rows = session.execute(
        select(SweepPage.url, Snapshot.final_url, Snapshot.fetched_at, SweepPage.checked_at)
        .outerjoin(Snapshot, Snapshot.id == SweepPage.snapshot_id)
        .where(SweepPage.sweep_id == sweep_id, SweepPage.status == "ok")
    )
    pages: dict[str, dt.datetime] = {}
    for url, final_url, fetched_at, checked_at in rows:
        when = fetched_at or checked_at
        pages[url] = when
        if final_url:
            pages[final_url] = when
    return pages


def ingest_finished_since(session: Session, target: str, since: dt.datetime) -> list[IngestReport]:
    """Ingest every finished sweep of `target` that ended at or after `since` (after a triggered run)."""
    sweep_ids = session.scalars(
        select(Sweep.id)
        .where(Sweep.target == target, Sweep.state == "finished", Sweep.finished_at >= since)
        .order_by(Sweep.id)
    ).all()
    return [ingest_sweep(session, sweep_id) for sweep_id in sweep_ids]


def ingest_given_up(session: Session, target: str) -> IngestReport | None:
    """The target's newest sweep when it is incomplete with nothing left to retry (every item markwatch failed
    itself used its MARKWATCH_MAX_ATTEMPTS attempts): its findings as cases marked as from an incomplete sweep,
    none closed by re-check, as the scheduler does after such a run. None for any other sweep (an incomplete
    sweep with items left to retry is resumed by the next run instead). Ingesting one twice changes nothing."""
    newest = session.scalars(
        select(Sweep).where(Sweep.target == target).order_by(Sweep.id.desc()).limit(1)
    ).first()
    if newest is None or not is_given_up(newest):
        return None
    return ingest_sweep(session, newest.id, allow_incomplete=True)
