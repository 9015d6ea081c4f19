"""The Finding model and its stable key."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from checker.normalize import compact


class Evidence(BaseModel):
    """Where the finding was seen."""

    snippet: str
    location: str


class Finding(BaseModel):
    """One rule that fired for one claim, with the evidence travelling with it."""

    rule_id: str
    rule: str
    severity: str
    standard_code: str | None
    claim_id: str
    message: str
    basis: str
    remediation: str
    evidence: Evidence
    finding_key: str


def finding_key(page_url: str | None, claimant: str | None, rule_id: str, standard_key: str | None) -> str:
    """A hash stable across sweeps: the same misuse on the same page by the same claimant keeps its key."""
    parts = [page_url or "", compact(claimant) if claimant else "", rule_id, standard_key or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
