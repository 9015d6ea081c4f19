"""The Finding model and its stable key."""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field

from checker.extract.models import Confidence, ImageRef
from checker.normalize import compact


class Evidence(BaseModel):
    """One place on the page where the claim behind a finding was seen."""

    snippet: str = Field(description="the page's own text around the claim (verbatim)")
    location: str = Field(description="CSS path of the element holding the claim")
    claim_id: str | None = None
    kind: str = Field(default="text", description="the claim's kind: text | logo | image-text | mark-image")
    verbatim: str = Field(
        default="", description="the mention exactly as the page wrote it (for highlighting)"
    )
    image: ImageRef | None = None


class Finding(BaseModel):
    """One thing to act on: a rule that fired for one (page, claimant, rule, standard), with every location."""

    rule_id: str
    rule: str
    severity: str
    standard_code: str | None
    claim_id: str = Field(description="the first claim behind the finding (claim_ids lists them all)")
    claim_ids: list[str] = Field(default_factory=list)
    message: str
    basis: str
    remediation: str
    evidence: Evidence = Field(description="the first location (locations lists them all)")
    locations: list[Evidence] = Field(default_factory=list)
    confidence: Confidence = Field(
        default="high", description="review: an inspector should look before acting"
    )
    confidence_reasons: list[str] = Field(default_factory=list)
    finding_key: str


def finding_key(page_url: str | None, claimant: str | None, rule_id: str, standard_key: str | None) -> str:
    """A hash stable across sweeps: the same misuse on the same page by the same claimant keeps its key."""
    parts = [page_url or "", compact(claimant) if claimant else "", rule_id, standard_key or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
