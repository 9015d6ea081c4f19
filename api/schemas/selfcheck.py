"""Self-check models: what an enterprise sends, and the claims and findings it gets back."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.schemas.common import CleanStr

USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"


class SelfCheckIn(BaseModel):
    """Exactly one of text, html or url; the rest is optional context about the enterprise."""

    model_config = ConfigDict(extra="forbid")

    text: CleanStr | None = Field(default=None, min_length=1, description="plain text of a listing or label")
    html: CleanStr | None = Field(default=None, min_length=1, description="an HTML page")
    url: CleanStr | None = Field(
        default=None, min_length=8, max_length=2048, description="a public http(s) page to fetch"
    )
    claimed_standard: CleanStr | None = Field(
        default=None,
        max_length=100,
        description="the standard the product implements, e.g. T/SHHJ 000003-2018",
    )
    enterprise_name: CleanStr | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, pattern=USCC_PATTERN, description="unified social credit code")

    @model_validator(mode="after")
    def _one_input(self) -> SelfCheckIn:
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of text, html or url (got {', '.join(given) or 'none'})")
        return self

    @property
    def kind(self) -> Literal["text", "html", "url"]:
        """Which input was given."""
        if self.text is not None:
            return "text"
        return "html" if self.html is not None else "url"


class EvidenceOut(BaseModel):
    """Where on the page a finding was made."""

    model_config = ConfigDict(extra="ignore")

    snippet: str | None = None
    location: str | None = None


class FindingOut(BaseModel):
    """One problem with a claim: what, why (basis) and how to fix it (remediation)."""

    model_config = ConfigDict(extra="ignore")

    rule_id: str
    rule: str | None = None
    severity: str
    standard_code: str | None = None
    claim_id: str | None = None
    message: str
    basis: str | None = None
    remediation: str | None = None
    evidence: EvidenceOut | None = None


class ClaimOut(BaseModel):
    """A use of the words or the mark found in the input."""

    model_config = ConfigDict(extra="ignore")

    id: str
    kind: str
    text: str | None = None
    standard_code: str | None = None
    standard_title: str | None = None
    claimant: str | None = None
    product_name: str | None = None
    snippet: str | None = None
    location: str | None = None
    image: dict[str, Any] | None = Field(
        default=None, description="for claims read in an image: sha256, box, OCR text and confidence"
    )


class SelfCheckOut(BaseModel):
    """A stored self-check: only the key that made it can read it back.

    `claims` and `findings` hold the first `MARKWATCH_SELFCHECK_ANSWER_ITEMS` of each; the totals say how
    many there are, and `/v1/selfcheck/{id}/claims` and `/findings` page through all of them."""

    id: int
    created_at: dt.datetime
    input_kind: str
    url: str | None
    input_sha256: str
    enterprise_name: str | None
    uscc: str | None
    claimed_standard: str | None
    verdict: Literal["ok", "problems"] = Field(description="problems when at least one finding was made")
    claims_total: int = Field(description="claims checked (at most MARKWATCH_SELFCHECK_MAX_CLAIMS)")
    findings_total: int
    claims_found: int | None = Field(
        default=None, description="claims the input held, when more than could be checked"
    )
    claims: list[ClaimOut]
    findings: list[FindingOut]
    notes: list[str] = Field(default_factory=list, description="e.g. the encoding the page was read in")

    @classmethod
    def from_result(cls, row: Any, items: int | None = None) -> SelfCheckOut:
        """Build from a stored self_checks row, carrying at most `items` claims and findings."""
        result: dict[str, Any] = row.result
        stored_findings = result.get("findings", [])
        stored_claims = result.get("claims", [])
        findings = [FindingOut.model_validate(f) for f in stored_findings[:items]]
        return cls(
            id=row.id,
            created_at=row.created_at,
            input_kind=row.input_kind,
            url=row.url,
            input_sha256=row.input_sha256,
            enterprise_name=row.enterprise_name,
            uscc=row.uscc,
            claimed_standard=row.claimed_standard,
            verdict="problems" if stored_findings else "ok",
            claims_total=len(stored_claims),
            findings_total=len(stored_findings),
            claims_found=result.get("claims_found"),
            claims=[ClaimOut.model_validate(c) for c in stored_claims[:items]],
            findings=findings,
            notes=list(result.get("notes", [])),
        )


class BatchItemIn(BaseModel):
    """One text or HTML page of a batch (URLs are checked one request at a time, under their own limits)."""

    model_config = ConfigDict(extra="forbid")

    text: CleanStr | None = Field(default=None, min_length=1)
    html: CleanStr | None = Field(default=None, min_length=1)
    claimed_standard: CleanStr | None = Field(default=None, max_length=100)
    enterprise_name: CleanStr | None = Field(default=None, max_length=200)
    uscc: str | None = Field(default=None, pattern=USCC_PATTERN)

    @model_validator(mode="after")
    def _one_input(self) -> BatchItemIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of text or html")
        return self

    @property
    def kind(self) -> Literal["text", "html"]:
        """Which input was given."""
        return "text" if self.text is not None else "html"


class BatchIn(BaseModel):
    """Up to MARKWATCH_BATCH_MAX_ITEMS texts or pages, checked and stored together."""

    model_config = ConfigDict(extra="forbid")

    items: list[BatchItemIn] = Field(min_length=1)


class BatchItemOut(BaseModel):
    """The answer for one item: its self-check, or why it could not be checked."""

    index: int
    status: Literal["checked", "failed"]
    result: SelfCheckOut | None = None
    error: str | None = None
    detail: str | None = None


class BatchOut(BaseModel):
    """One answer per item, in the order sent."""

    checked: int
    failed: int
    items: list[BatchItemOut]
