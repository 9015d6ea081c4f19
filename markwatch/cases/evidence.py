"""The evidence behind a case: its findings, each with the archived snapshot's hash, and the pages it was seen on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.store.models import Snapshot
from markwatch.cases.models import Case, CaseFinding
from sweeps.models import Finding


def case_findings(session: Session, case: Case) -> list[dict[str, Any]]:
    """Every finding linked to the case, newest first, with its snapshot reference."""
    rows = session.execute(
        select(Finding, Snapshot)
        .join(CaseFinding, CaseFinding.finding_id == Finding.id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(CaseFinding.case_id == case.id)
        .order_by(Finding.observed_at.desc(), Finding.id.desc())
    )
    return [finding_evidence(finding, snapshot) for finding, snapshot in rows]


def finding_evidence(finding: Finding, snapshot: Snapshot | None) -> dict[str, Any]:
    """One finding as evidence."""
    return {
        "finding_id": finding.id,
        "sweep_id": finding.sweep_id,
        "observed_at": finding.observed_at,
        "rule_id": finding.rule_id,
        "severity": finding.severity,
        "message": finding.message,
        "standard_code": finding.standard_code,
        "page_url": finding.page_url,
        "claimant": finding.claimant,
        "claim": finding.claim,
        "evidence": finding.evidence,
        "snapshot": None
        if snapshot is None
        else {
            "id": snapshot.id,
            "url": snapshot.url,
            "sha256": snapshot.sha256,
            "fetched_at": snapshot.fetched_at,
            # The codec the page was read with when the finding was made (its quotes are in that text).
            "decoded_as": (finding.evidence or {}).get("decoded_as"),
        },
    }


def occurrences(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pages a case was seen on (a page case: its one page), from its findings as `case_findings` lists them
    (newest first): per page its newest finding's quote and snapshot, when first and last seen, how often; in
    the order the pages were first seen."""
    pages: dict[str, dict[str, Any]] = {}
    for finding in findings:
        url = str(finding.get("page_url") or "")
        page = pages.get(url)
        if page is None:
            stored = finding.get("evidence")
            evidence: dict[str, Any] = stored if isinstance(stored, dict) else {}
            pages[url] = page = {
                "page_url": finding.get("page_url"),
                "finding_id": finding["finding_id"],
                "first_seen_at": finding["observed_at"],
                "last_seen_at": finding["observed_at"],
                "findings": 0,
                "quote": _text(evidence.get("verbatim")),
                "snippet": _text(evidence.get("snippet")),
                "snapshot": finding.get("snapshot"),
            }
        page["findings"] += 1
        page["first_seen_at"] = min(page["first_seen_at"], finding["observed_at"])
    return sorted(pages.values(), key=lambda page: (page["first_seen_at"], str(page["page_url"] or "")))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
