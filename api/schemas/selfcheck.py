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
    """A stored self-check: only the key that made it can read it back."""

    id: int
    created_at: dt.datetime
    input_kind: str
    url: str | None
    input_sha256: str
    enterprise_name: str | None
    uscc: str | None
    claimed_standard: str | None
    verdict: Literal["ok", "problems"] = Field(description="problems when at least one finding was made")
    claims: list[ClaimOut]
    findings: list[FindingOut]
    notes: list[str] = Field(default_factory=list, description="e.g. the encoding the page was read in")

    @classmethod
    def from_result(cls, row: Any) -> SelfCheckOut:
        """Build from a stored self_checks row."""
        result: dict[str, Any] = row.result
        findings = [FindingOut.model_validate(f) for f in result.get("findings", [])]
        return cls(
            id=row.id,
            created_at=row.created_at,
            input_kind=row.input_kind,
            url=row.url,
            input_sha256=row.input_sha256,
            enterprise_name=row.enterprise_name,
            uscc=row.uscc,
            claimed_standard=row.claimed_standard,
            verdict="problems" if findings else "ok",
            claims=[ClaimOut.model_validate(c) for c in result.get("claims", [])],
            findings=findings,
            notes=list(result.get("notes", [])),
        )
