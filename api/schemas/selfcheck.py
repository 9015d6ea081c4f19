"""Self-check models: what an enterprise sends, and the claims and findings it gets back."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api.schemas.common import CleanStr, clean_text
from api.schemas.selfcheck_examples import CLAIM_EXAMPLE, FINDING_EXAMPLE
from checker.codes import parse_code
from checker.confidence import describe, reason_code, sends_to_review
from markwatch.errors import CodeParseError

# Answer vocabularies: the checker's, plus `discussion`, which a claim never is today but an occurrence can be.
ClaimUse = Literal["product", "organisation", "discussion"]
Confidence = Literal["high", "review"]
USCC_PATTERN = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_TITLE = re.compile(r"《[^《》]{1,98}》")
CLAIMED_STANDARD_HELP = (
    "the standard the product implements: its code (T/SHHJ 000003-2018), its 《title》, or both "
    "(T/SHHJ 000003-2018《…》); it is checked as if the page disclosed it next to the words"
)


def _is_code(text: str) -> bool:
    try:
        parse_code(text)
    except CodeParseError:
        return False
    return True


def _standard_reference(value: str) -> str:
    # Anything else would be checked as a claim naming no standard: a second "not disclosed" finding for
    # what is really a typo in this field (QA #20).
    text = value.strip()
    titles = _TITLE.findall(text)
    code = _TITLE.sub(" ", text).strip()
    names_one_standard = len(titles) <= 1 and bool(code or titles) and (not code or _is_code(code))
    if not names_one_standard:
        raise ValueError(
            "not a standard code (e.g. T/SHHJ 000003-2018), a 《title》, or a code and its 《title》"
        )
    return text


# The length is checked first: the parser reads text in linear time, but 2 MB of it takes seconds.
ClaimedStandard = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(clean_text),
    AfterValidator(_standard_reference),
]


class SelfCheckIn(BaseModel):
    """Exactly one of text, html or url; the rest is optional context about the enterprise."""

    model_config = ConfigDict(extra="forbid")

    text: CleanStr | None = Field(default=None, min_length=1, description="plain text of a listing or label")
    html: CleanStr | None = Field(default=None, min_length=1, description="an HTML page")
    url: CleanStr | None = Field(
        default=None, min_length=8, max_length=2048, description="a public http(s) page to fetch"
    )
    claimed_standard: ClaimedStandard | None = Field(default=None, description=CLAIMED_STANDARD_HELP)
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

    snippet: str | None = Field(default=None, description="the page's own text around the claim")
    location: str | None = Field(
        default=None, description="CSS path of the element holding the claim; claimed_standard for that field"
    )
    claim_id: str | None = Field(default=None, description="the claim found there")
    kind: str | None = Field(default=None, description="text | logo | image-text | mark-image")
    verbatim: str | None = Field(default=None, description="the words exactly as written (for highlighting)")


class ConfidenceReasonOut(BaseModel):
    """One reason behind a finding's confidence: a stable code, its detail, and how a reader sees it."""

    model_config = ConfigDict(extra="ignore")

    code: str = Field(description="stable reason code, e.g. use, tie, title-similar, ocr-low")
    detail: str | None = Field(default=None, description="signals, scores, titles or codes (not translated)")
    sends_to_review: bool = Field(description="whether this reason alone makes the finding `review`")
    en: str = Field(description="the reason in English: the code's label, then the detail")
    zh: str = Field(description="the reason in Chinese: the code's label, then the detail")

    @classmethod
    def from_reason(cls, text: str) -> ConfidenceReasonOut:
        """Build from the checker's `code: detail` string."""
        detail = text.split(":", 1)[1].strip() if ":" in text else ""
        return cls(
            code=reason_code(text),
            detail=detail or None,
            sends_to_review=sends_to_review(text),
            en=describe(text, "en"),
            zh=describe(text, "zh"),
        )


class FindingOut(BaseModel):
    """One problem with a claim: what, why (basis) and how to fix it (remediation)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [FINDING_EXAMPLE]})

    rule_id: str
    rule: str | None = None
    severity: str
    standard_code: str | None = None
    standard_title: str | None = Field(default=None, description="the 《title》 disclosed with the claim")
    claim_id: str | None = Field(default=None, description="the first claim behind the finding")
    claim_ids: list[str] = Field(
        default_factory=list, description="every claim behind the finding (one finding per product and rule)"
    )
    message: str
    basis: str | None = None
    remediation: str | None = None
    evidence: EvidenceOut | None = Field(default=None, description="the first location")
    locations: list[EvidenceOut] = Field(default_factory=list, description="every location, in page order")
    confidence: Confidence | None = Field(
        default=None,
        description="high: the finding stands on what the page says; review: a person should look first "
        "(null for self-checks stored before confidence was answered)",
    )
    confidence_reasons: list[ConfidenceReasonOut] = Field(default_factory=list)

    @field_validator("confidence_reasons", mode="before")
    @classmethod
    def _readable_reasons(cls, value: Any) -> Any:
        # The checker gives `code: detail` strings; stored answers already hold the objects.
        if isinstance(value, list):
            return [ConfidenceReasonOut.from_reason(v) if isinstance(v, str) else v for v in value]
        return value


class ClaimOut(BaseModel):
    """A use of the words or the mark found in the input."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [CLAIM_EXAMPLE]})

    id: str
    kind: str
    text: str | None = Field(default=None, description="the mention as normalised")
    verbatim: str | None = Field(default=None, description="the mention exactly as the input wrote it")
    use: ClaimUse | None = Field(
        default=None,
        description="product: used for a product offered (every rule applies); organisation: an announcement "
        "that a standard was designated (only what an announcement can break); discussion: news or guides "
        "about the scheme (never judged). Null for self-checks stored before the use was answered",
    )
    use_signals: list[str] = Field(
        default_factory=list,
        description="what decided `use`: page:… signals read off the whole page, near:… off the mention's "
        "surroundings, e.g. page:price, near:standard-label, near:byline",
    )
    use_confidence: Confidence | None = Field(
        default=None, description="review when the use was a close call"
    )
    standard_code: str | None = None
    standard_title: str | None = None
    claimant: str | None = None
    product_name: str | None = None
    snippet: str | None = None
    location: str | None = None
    image: dict[str, Any] | None = Field(
        default=None, description="for claims read in an image: sha256, box, OCR text and confidence"
    )


class PageWarningOut(BaseModel):
    """Part of the input the checker could not read: with one, "no finding" does not mean "nothing wrong"."""

    code: str = Field(
        description="too-complex | cpu-budget | undecodable-bytes | depth-cut | charset-guessed | …"
    )
    message: str = Field(description="what was given up and why")


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
    verdict: Literal["ok", "problems", "incomplete"] = Field(
        description="problems: at least one finding; incomplete: no finding, but part of the input could not "
        "be read (see warnings); ok: no finding in an input read whole"
    )
    claims_total: int = Field(description="claims checked (at most MARKWATCH_SELFCHECK_MAX_CLAIMS)")
    findings_total: int
    claims_found: int | None = Field(
        default=None, description="claims the input held, when more than could be checked"
    )
    claims: list[ClaimOut]
    findings: list[FindingOut]
    notes: list[str] = Field(default_factory=list, description="e.g. the encoding the page was read in")
    decoded_as: str | None = Field(
        default=None,
        description="the codec the input was read with (its quotes are in that text); null when the input "
        "could hold no mention and was not decoded",
    )
    shown_as: str | None = Field(
        default=None,
        description="the charset label a browser obeys (the Content-Type header's, else the <meta>'s) when it "
        "shows the page's quotes otherwise than `decoded_as` read them: the label lies about the bytes (GBK "
        "bytes labelled utf-8), markwatch read them for what they are, and buyers saw those quotes garbled "
        "(a note says so too); null when the label agrees with the bytes, or for text and html input",
    )
    warnings: list[PageWarningOut] = Field(
        default_factory=list, description="what could not be read (the findings then go to review)"
    )

    @classmethod
    def from_result(cls, row: Any, items: int | None = None) -> SelfCheckOut:
        """Build from a stored self_checks row, carrying at most `items` claims and findings."""
        result: dict[str, Any] = row.result
        stored_findings = result.get("findings", [])
        stored_claims = result.get("claims", [])
        findings = [FindingOut.model_validate(f) for f in stored_findings[:items]]
        warnings = [PageWarningOut.model_validate(w) for w in result.get("warnings", [])]
        verdict: Literal["ok", "problems", "incomplete"] = (
            "problems" if stored_findings else "incomplete" if warnings else "ok"
        )
        return cls(
            id=row.id,
            created_at=row.created_at,
            input_kind=row.input_kind,
            url=row.url,
            input_sha256=row.input_sha256,
            enterprise_name=row.enterprise_name,
            uscc=row.uscc,
            claimed_standard=row.claimed_standard,
            verdict=verdict,
            claims_total=len(stored_claims),
            findings_total=len(stored_findings),
            claims_found=result.get("claims_found"),
            claims=[ClaimOut.model_validate(c) for c in stored_claims[:items]],
            findings=findings,
            notes=list(result.get("notes", [])),
            decoded_as=result.get("decoded_as"),
            shown_as=result.get("shown_as"),
            warnings=warnings,
        )


class BatchItemIn(BaseModel):
    """One text or HTML page of a batch (URLs are checked one request at a time, under their own limits)."""

    model_config = ConfigDict(extra="forbid")

    text: CleanStr | None = Field(default=None, min_length=1)
    html: CleanStr | None = Field(default=None, min_length=1)
    claimed_standard: ClaimedStandard | None = Field(default=None, description=CLAIMED_STANDARD_HELP)
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
