"""The Finding model and its stable key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, Field

from checker.extract.models import Confidence, ImageRef
from pagetext.normalize import compact

# page: the finding is about what its page shows (a product, or a claim whose subject is not sure): its case is
# the page's. organisation: every claim behind it is an organisation speaking of itself (an employer's company
# box, an about block), surely so, with no product named: the same claim on other pages of the site is the same
# thing to act on, and one case lists every page (markwatch/cases/ingest.py).
FindingSubject = Literal["page", "organisation"]
ORGANISATION_KEY_PREFIX = "org-"


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
    standard_code: str | None = Field(description="the code the claim names (None for a title-only claim)")
    standard_title: str | None = Field(default=None, description="the 《title》 disclosed with the claim")
    record_id: int | None = Field(
        default=None, description="id of the registry record the rule judged (exact code or title match)"
    )
    record_code: str | None = Field(
        default=None, description="code of that record: what a registry card beside the finding must show"
    )
    record_match: Literal["exact", "other-edition", "title", "none"] = Field(
        default="none", description="how the claim was tied to the registry"
    )
    title_score: int | None = Field(
        default=None,
        description="title-only claims: similarity 0-100 to the nearest registered title (matched or not)",
    )
    patterns: list[str] = Field(
        default_factory=list, description="the extractor patterns that found the claims behind the finding"
    )
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
    subject: FindingSubject = Field(
        default="page", description="organisation: an organisation's own claim, one case across its pages"
    )
    subject_text: str | None = Field(
        default=None, description="organisation findings: the claim as normalised, part of the case key"
    )
    standard_key: str | None = Field(default=None, description="edition key of the claim's code")

    def stored_evidence(self) -> dict[str, Any]:
        """The evidence JSON a sweep stores with the finding: the first location's fields at the top (as
        before), then every location, the claims, patterns, confidence and the registry record judged."""
        return {
            **self.evidence.model_dump(mode="json"),
            "locations": [item.model_dump(mode="json") for item in self.locations],
            "claim_ids": list(self.claim_ids),
            "patterns": list(self.patterns),
            "confidence": self.confidence,
            "confidence_reasons": list(self.confidence_reasons),
            "standard_title": self.standard_title,
            "record_id": self.record_id,
            "record_code": self.record_code,
            "record_match": self.record_match,
            "title_score": self.title_score,
            "subject": self.subject,
            "subject_text": self.subject_text,
            "standard_key": self.standard_key,
        }


def finding_key(page_url: str | None, claimant: str | None, rule_id: str, standard_key: str | None) -> str:
    """A hash stable across sweeps: the same misuse on the same page by the same claimant keeps its key."""
    parts = [page_url or "", compact(claimant) if claimant else "", rule_id, standard_key or ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def finding_subject(claims: Iterable[Mapping[str, Any]]) -> FindingSubject:
    """organisation when every claim behind a finding is surely an organisation's own, names its claimant and
    names no product; page otherwise (precision first: two things to act on are never one case)."""
    listed = list(claims)
    surely_organisation = all(
        claim.get("use") == "organisation"
        and claim.get("use_confidence") == "high"
        and claim.get("claimant")
        and not claim.get("product_name")
        for claim in listed
    )
    return "organisation" if listed and surely_organisation else "page"


def subject_text(snippets: Iterable[str]) -> str:
    """The claim as normalised for the organisation key: each distinct text around it, spacing ignored."""
    return "\n".join(sorted({compact(text) for text in snippets if text}))


def organisation_key(
    site: str, claimant: str, rule_id: str, standard_key: str | None, claim_text: str
) -> str:
    """The case key of an organisation's claim: one per (site, claimant, rule, standard, claim), whichever of
    the site's pages it is seen on; prefixed so it never equals a page's finding_key."""
    parts = [site.lower(), compact(claimant), rule_id, standard_key or "", claim_text]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
    return ORGANISATION_KEY_PREFIX + digest
