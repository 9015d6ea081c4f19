"""The extractor's output: claims found on one page, with what each is tied to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ClaimKind = Literal["text", "logo"]
TieKind = Literal["annotation", "cell", "row", "list-item", "sentence", "caption", "title-only", "none"]


class Claim(BaseModel):
    """One use of the 上海标准 words or mark on a page, and the standard and context it is tied to."""

    id: str = Field(description='"c1", "c2", … in document order')
    kind: ClaimKind = Field(description="text: the words; logo: an image of the mark")
    text: str = Field(
        description="the mention as normalised (for logos: the alt/title/caption/file name that names it)"
    )
    standard_code: str | None = Field(
        None, description="display spelling of the tied code, e.g. T/SHHJ 000003-2018"
    )
    standard_key: str | None = Field(None, description="edition key of the tied code, e.g. T/SHHJ 3-2018")
    standard_number_key: str | None = Field(None, description="edition-independent key, e.g. T/SHHJ 3")
    standard_kind: str | None = Field(None, description="national|industry|local|group|enterprise|unknown")
    standard_title: str | None = Field(None, description="the 《title》 disclosed with the claim")
    tie: TieKind = Field("none", description="how the standard was tied to the mention")
    claimant: str | None = Field(None, description="seller or manufacturer named on the page")
    claimant_source: str | None = Field(
        None, description="where the claimant came from, e.g. row:生产企业, jsonld:manufacturer"
    )
    product_name: str | None = None
    product_category: str | None = None
    certification_words: list[str] = Field(
        default_factory=list, description="certification/award/approval wording bound to the claim"
    )
    snippet: str = Field("", description="text around the claim, at most 300 characters")
    location: str = Field("", description="CSS path of the element holding the claim")


class PageClaims(BaseModel):
    """Every claim found on one page, with how the page was decoded and by which extractor version."""

    url: str | None = None
    observed_at: datetime | None = None
    encoding: str | None = Field(
        None, description="encoding the page was read with; None when the gate skipped decoding"
    )
    encoding_notes: list[str] = Field(default_factory=list, description="why that encoding, and any repairs")
    extractor_version: str
    notes: list[str] = Field(
        default_factory=list, description="page-level decisions, e.g. a news page not treated as claims"
    )
    claims: list[Claim] = Field(default_factory=list)
