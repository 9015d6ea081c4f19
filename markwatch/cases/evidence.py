"""The evidence behind a case: its findings, each with the archived snapshot's hash."""

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
