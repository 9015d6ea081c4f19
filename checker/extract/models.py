"""The extractor's output: claims found on one page, with what each is tied to."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# Decoding (pagetext/decode.py) writes warnings too: the model lives below both.
from pagetext.warnings import PageWarning

# text: the words in the page's text; logo: an <img> whose alt/title/caption/file name names the mark;
# image-text: the words read by OCR inside an image; mark-image: the mark's artwork detected inside an image.
ClaimKind = Literal["text", "logo", "image-text", "mark-image"]
# page: the words name no standard themselves, and the single product page declares one in its 执行标准 row
# (the item title says 执行上海标准, the parameter table says 执行标准：T/… (上海标准)).
# page-row: the words name no standard, and the single product page's rows declare one without the words
# (上海标准产品 in the title, 执行标准：T/… in the table): the claim's standard only when the registry knows the
# code as a designated 上海标准, now or once (checker/rules/facts.py); else the claim names none (SHS008).
# block-declared: the block's only code, in another sentence, introduced by a standard label (…。执行标准：T/…);
# block: the block's only code, in another sentence, in prose (符合GB 4806.9-2016。…荣获“上海标准”称号): which
# standard the words are about is an inference (confidence.py: tie-block).
TieKind = Literal[
    "annotation",
    "cell",
    "row",
    "list-item",
    "sentence",
    "block-declared",
    "block",
    "caption",
    "title-only",
    "page",
    "page-row",
    "none",
]
# product: the designation used for a product or service offered on the page (judged by every rule);
# organisation: an enterprise or association announcing that its standard was designated (judged only on
# what an announcement can break); discussion: news, notices, guides… about the scheme (never judged).
OccurrenceUse = Literal["product", "organisation", "discussion"]
ClaimUse = Literal["product", "organisation"]
Confidence = Literal["high", "review"]


class ImageRef(BaseModel):
    """Where inside which image a claim was read or the mark was seen."""

    sha256: str = Field(description="sha256 of the image bytes as fetched (the evidence key)")
    url: str | None = Field(
        default=None, description="where the image was fetched from, when it came from a page"
    )
    bbox: tuple[int, int, int, int] | None = Field(
        default=None, description="x0, y0, x1, y1 in the image's pixels (after EXIF rotation)"
    )
    ocr_text: str | None = Field(default=None, description="the OCR line(s) as read, before normalisation")
    ocr_confidence: float | None = Field(default=None, description="the OCR engine's confidence, 0..1")
    engine: str | None = Field(default=None, description="OCR engine or mark matcher and its model version")


class Claim(BaseModel):
    """One use of the 上海标准 words or mark on a page, and the standard and context it is tied to."""

    id: str = Field(description='"c1", "c2", … in document order')
    kind: ClaimKind = Field(description="text | logo | image-text | mark-image")
    text: str = Field(
        description="the mention as normalised (for logos: the alt/title/caption/file name that names it)"
    )
    verbatim: str = Field(
        default="", description="the mention exactly as the page wrote it (for highlighting)"
    )
    pattern: str | None = Field(default=None, description="the extractor pattern that found the mention")
    use: ClaimUse = Field(
        default="product", description="product | organisation (discussion is never a claim)"
    )
    use_signals: list[str] = Field(
        default_factory=list, description="the signals that decided `use`, e.g. page:price, near:byline"
    )
    use_confidence: Confidence = Field(
        default="high", description="review when the classification was a close call"
    )
    standard_code: str | None = Field(
        default=None, description="display spelling of the tied code, e.g. T/SHHJ 000003-2018"
    )
    standard_key: str | None = Field(
        default=None, description="edition key of the tied code, e.g. T/SHHJ 3-2018"
    )
    standard_number_key: str | None = Field(
        default=None, description="edition-independent key, e.g. T/SHHJ 3"
    )
    standard_kind: str | None = Field(
        default=None, description="national|industry|local|group|enterprise|unknown"
    )
    standard_title: str | None = Field(default=None, description="the 《title》 disclosed with the claim")
    tie: TieKind = Field("none", description="how the standard was tied to the mention")
    claimant: str | None = Field(default=None, description="seller or manufacturer named on the page")
    claimant_source: str | None = Field(
        default=None, description="where the claimant came from, e.g. row:生产企业, jsonld:manufacturer"
    )
    product_name: str | None = Field(
        default=None, description="the product, only when it can be named with confidence"
    )
    product_source: str | None = Field(
        default=None, description="where the product name came from, e.g. row:商品名称"
    )
    product_category: str | None = None
    certification_words: list[str] = Field(
        default_factory=list, description="certification/award/approval wording bound to the claim"
    )
    snippet: str = Field(
        default="", description="the page's own text around the claim (verbatim), at most 300 chars"
    )
    snippet_normalized: str = Field(default="", description="the same text as normalised for matching")
    location: str = Field(default="", description="CSS path of the element holding the claim")
    image: ImageRef | None = Field(default=None, description="for image-text and mark-image claims")
    hidden: str | None = Field(
        default=None,
        description="how the words are hidden from buyers (display:none, hidden attribute, visibility:hidden, "
        "font-size:0; inline or from the page's <style> rule named in brackets, on the element or an ancestor, "
        "inactive tab panels of a tab set excepted; bidi-override: a "
        "right-to-left override draws them backwards), None when shown",
    )
    hidden_inside: str | None = Field(
        default=None,
        description="how characters inside the quoted words are hidden from buyers (display:none, …) when the "
        "words were read as shown, without them (上海<span style=display:none>xx</span>标准 shows 上海标准): "
        "`verbatim` and `snippet` keep them, as the page holds them; None when the quote holds none",
    )
    invisible_condensed: int = Field(
        default=0,
        description="invisible characters (zero-width, soft hyphens, controls…) that `verbatim` and `snippet` "
        "hold as markers: a run of more than 32 in a row is stored as ⟦U+200B×100000⟧ (each kind and its "
        "count; pagetext/invisible.py), the archived page holds the run itself; 0 when none (a ⟦…⟧ in the "
        "quote is then the page's own text)",
    )


class Occurrence(BaseModel):
    """One occurrence of the words or mark and how it was classified (claims and non-claims alike)."""

    text: str
    verbatim: str = ""
    use: OccurrenceUse
    signals: list[str] = Field(default_factory=list, description="what decided the classification")
    claim_id: str | None = Field(default=None, description="the claim it became; None when it was not judged")
    snippet: str = ""
    location: str = ""


class PageClaims(BaseModel):
    """Every claim found on one page, with how the page was decoded and by which extractor version."""

    url: str | None = None
    observed_at: datetime | None = None
    encoding: str | None = Field(
        default=None, description="encoding the page was read with; None when the gate skipped decoding"
    )
    encoding_notes: list[str] = Field(default_factory=list, description="why that encoding, and any repairs")
    extractor_version: str
    page_kind: str | None = Field(
        default=None,
        description="how the page as a whole was classified (product, organisation, discussion, …)",
    )
    page_signals: list[str] = Field(default_factory=list, description="the signals behind page_kind")
    notes: list[str] = Field(
        default_factory=list, description="page-level decisions, e.g. a news page not treated as claims"
    )
    warnings: list[PageWarning] = Field(
        default_factory=list, description="parts of the page the extractor could not read, with reasons"
    )
    occurrences: list[Occurrence] = Field(default_factory=list, description="every occurrence, classified")
    claims: list[Claim] = Field(default_factory=list)
    declared_standards: list[str] = Field(
        default_factory=list,
        description="codes the 执行标准/产品标准号 rows of a single-product page declare, with or without the "
        "words (a claim that names no standard itself is then judged with care)",
    )
