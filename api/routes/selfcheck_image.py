"""Self-checks of an image: an uploaded label photo or detail strip, or a public image URL."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from api.deps import EnterpriseDep
from api.fetch import SafeFetcher
from api.images import ImageService, get_image_service
from api.routes.selfcheck import _load_registry, _store
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from api.schemas.selfcheck import USCC_PATTERN, SelfCheckOut
from checker.check import Checker
from checker.claimants import Claimant, fill_claimant
from checker.extract import PageClaims
from checker.images.loading import sha256_of, sniff
from checker.images.page import SeenImage, add_image_claims, image_evidence
from markwatch.cases.models import SelfCheck
from markwatch.db import utcnow
from markwatch.errors import InputError

router = APIRouter(prefix="/selfcheck", tags=["selfcheck"], responses=ERROR_RESPONSES)
ImageServiceDep = Annotated[ImageService, Depends(get_image_service)]
_CHECKER_LOCK = asyncio.Lock()


async def _checker(request: Request) -> Checker:
    # The text self-check's service owns a Checker; reuse it when it has one, else one per app.
    service = getattr(request.app.state, "check_service", None)
    checker = getattr(service, "checker", None)
    if isinstance(checker, Checker):
        return checker
    async with _CHECKER_LOCK:
        if getattr(request.app.state, "image_checker", None) is None:
            request.app.state.image_checker = await asyncio.to_thread(Checker)
    found: Checker = request.app.state.image_checker
    return found


@router.post(
    "/image",
    response_model=SelfCheckOut,
    status_code=status.HTTP_201_CREATED,
    summary="Check an image (upload or public URL) for 上海标准 claims and the special mark",
    responses={422: {"model": ErrorBody, "description": "Not an image, over a limit, or a refused URL"}},
)
async def image_route(
    request: Request,
    who: EnterpriseDep,
    images: ImageServiceDep,
    file: Annotated[UploadFile | None, File(description="PNG, JPEG, WebP, GIF (first frame) or BMP")] = None,
    image_url: Annotated[str | None, Form(max_length=2048, description="a public http(s) image")] = None,
    enterprise_name: Annotated[str | None, Form(max_length=200)] = None,
    uscc: Annotated[str | None, Form(pattern=USCC_PATTERN)] = None,
) -> SelfCheckOut:
    """Same limits as every self-check (request size, per-key rate, SSRF guard for URLs), plus the image
    byte and pixel caps; an image that cannot be read is answered 422 with the reason."""
    if (file is None) == (image_url is None):
        raise InputError("give exactly one of file or image_url", where="file")
    url: str | None = None
    if file is not None:
        raw = await file.read(images.settings.max_bytes + 1)
    else:
        assert image_url is not None
        fetcher: SafeFetcher = request.app.state.fetcher
        page = await run_in_threadpool(fetcher.fetch, image_url)
        raw, url = page.body, page.url
    kind = sniff(raw)
    if kind is None or kind == "svg":
        raise InputError("not a PNG, JPEG, WebP, GIF or BMP image (SVG is not read)", where="file")
    reading = await run_in_threadpool(images.read, raw)
    if reading.status == "error":
        raise InputError(f"the image cannot be read: {reading.reason}: {reading.message}", where="file")
    observed_at = utcnow()
    page_claims = PageClaims(url=url, observed_at=observed_at, extractor_version="image")
    add_image_claims(
        page_claims, [SeenImage(reading, url=url)], None, low_confidence=images.settings.low_confidence
    )
    notes = [f"image {reading.width} x {reading.height} {reading.format}, sha256 {reading.sha256}"]
    if reading.status == "skipped":
        notes.append(f"not read: the image cannot hold a line of text ({reading.reason})")
    if enterprise_name and (filled := fill_claimant(page_claims, Claimant(enterprise_name, "selfcheck"))):
        notes.append(f"{filled} claim(s) name no seller: checked as made by {enterprise_name}")
    factory: sessionmaker[Session] = request.app.state.session_factory
    registry = await run_in_threadpool(_load_registry, factory, request.app.state.registry_cache)
    checker = await _checker(request)
    findings = await asyncio.to_thread(checker.check_claims, page_claims, registry, observed_at.date())
    findings = image_evidence(findings, page_claims)
    row = SelfCheck(
        api_key_id=who.key_id,
        input_kind="image" if file is not None else "image-url",
        url=url,
        input_sha256=sha256_of(raw),
        enterprise_name=enterprise_name,
        uscc=uscc,
        claimed_standard=None,
        result={
            "claims": [c.model_dump(mode="json") for c in page_claims.claims],
            "findings": [f.model_dump(mode="json") for f in findings],
            "notes": notes,
        },
        created_at=observed_at,
    )
    return await run_in_threadpool(_store, factory, row)
