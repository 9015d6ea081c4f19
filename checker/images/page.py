"""A page and its images checked together: image claims join the page's claims, with the page's context."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from checker.claimants import Claimant, fill_claimant
from checker.extract import PageClaims, extract_page
from checker.extract.context import ContextFinder
from checker.extract.document import load_page
from checker.extract.models import Claim, PageWarning
from checker.findings import Finding
from checker.images.claims import ImageContext, image_claims
from checker.images.models import ImageReading
from checker.registry import RegistryIndex
from crawler.images.discover import PageImage
from pagetext.decode import decode_page


@dataclass(frozen=True)
class SeenImage:
    """An image as read, and where it was seen (None: an image checked on its own)."""

    reading: ImageReading
    where: PageImage | None = None
    url: str | None = None


def page_context(raw: bytes, *, url: str | None, declared_charset: str | None) -> ImageContext:
    """Claimant, product and category the page gives its images (parameter rows, JSON-LD, title …)."""
    decoded = decode_page(raw, declared_charset)
    page = load_page(decoded.text)
    finder = ContextFinder(page)
    anchor = page.soup.body or page.soup
    context = finder.resolve(anchor)
    return ImageContext(
        url=url,
        claimant=context.claimant,
        claimant_source=context.claimant_source,
        product_name=context.product_name,
        product_source="page" if context.product_name else None,
        product_category=context.product_category,
    )


def add_image_claims(page: PageClaims, images: list[SeenImage], context: ImageContext | None) -> int:
    """Append the claims read in `images` to `page` (ids continue after the page's own); how many."""
    added: list[Claim] = []
    for seen in images:
        base = context or ImageContext()
        where = seen.where
        own = replace(
            base,
            url=seen.url or (where.url if where else None),
            block_text=where.block_text if where else "",
            location=f"{where.location} (image {where.position + 1})" if where else "image",
        )
        added.extend(image_claims(seen.reading, own))
    start = len(page.claims)
    page.claims.extend(
        claim.model_copy(update={"id": f"c{start + i}"}) for i, claim in enumerate(added, start=1)
    )
    return len(added)


def image_evidence(findings: list[Finding], page: PageClaims) -> list[Finding]:
    """Findings on image claims carry the claim's kind and image (hash, box, OCR text) as evidence."""
    claims = {claim.id: claim for claim in page.claims}
    out = []
    for finding in findings:
        claim = claims.get(finding.claim_id)
        if claim is None or claim.image is None:
            out.append(finding)
            continue
        evidence = finding.evidence.model_copy(
            update={"kind": claim.kind, "image": claim.image, "verbatim": claim.verbatim}
        )
        out.append(
            finding.model_copy(
                update={
                    "evidence": evidence,
                    "locations": [evidence, *finding.locations[1:]],
                }
            )
        )
    return out


def check_with_images(
    checker: Any,
    raw: bytes | None,
    images: list[SeenImage],
    *,
    url: str | None,
    declared_charset: str | None,
    observed_at: dt.datetime | None,
    registry: RegistryIndex,
    as_of: dt.date | None = None,
    fallback_claimant: Claimant | None = None,
    context: ImageContext | None = None,
    review: Any = None,
) -> Any:
    """Extract a page's claims (none for a bare image), add its images' claims, judge them all."""
    from checker.check import PageResult

    if raw is not None:
        page = extract_page(raw, url=url, declared_charset=declared_charset, observed_at=observed_at)
    else:
        page = PageClaims(url=url, observed_at=observed_at, extractor_version="image")
    readable = [seen for seen in images if seen.reading.lines or seen.reading.marks]
    if readable:
        if context is None and raw:
            context = page_context(raw, url=url, declared_charset=declared_charset)
        add_image_claims(page, readable, context)
    for seen in images:
        if seen.reading.status == "error":
            where = seen.url or (seen.where.url if seen.where else seen.reading.sha256[:12])
            page.warnings.append(
                PageWarning(
                    code=f"image-{seen.reading.reason}",
                    message=f"image {where} not read: {seen.reading.message}",
                )
            )
    if fallback_claimant is not None:
        fill_claimant(page, fallback_claimant)
    day = as_of or (observed_at.date() if observed_at else dt.datetime.now(dt.UTC).date())
    findings = image_evidence(checker.check_claims(page, registry, day, review), page)
    return PageResult(page=page, as_of=day, findings=findings)
