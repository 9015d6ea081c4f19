"""Self-checks of an image: an uploaded label photo or detail strip, or a public image URL.

Same path as every self-check (issue 17): the hostile-input route class, async key check and per-key rate
limit, the SSRF-safe async fetcher under the key's URL slots, the throttled registry index, the one
checker's engine thread, the group-commit writer; plus the image byte and pixel caps of the reader.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session, sessionmaker

from api.deps import EnterpriseDep
from api.engine import CheckService, get_check_service
from api.fetch import SafeFetcher
from api.images import ImageService, get_image_service
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from api.schemas.selfcheck import USCC_PATTERN, ClaimOut, FindingOut, SelfCheckOut
from api.selfchecks import now, registry_for, store
from api.settings import Settings
from api.slots import KeyedSlots
from checker.check import Checker
from checker.claimants import Claimant, fill_claimant
from checker.extract import PageClaims
from checker.images.models import READER_UNAVAILABLE
from checker.images.page import SeenImage, add_image_claims, image_evidence
from crawler.images.loading import sha256_of, sniff
from markwatch.cases.models import SelfCheck
from markwatch.errors import InputError, NotReady

router: APIRouter = api_router("/selfcheck", ["selfcheck"], responses=ERROR_RESPONSES)
ImageServiceDep = Annotated[ImageService, Depends(get_image_service)]
CheckServiceDep = Annotated[CheckService, Depends(get_check_service)]
_CHECKER_LOCK = asyncio.Lock()


async def _checker(request: Request, service: CheckService) -> Checker:
    # The text self-check's service owns the process's Checker (one engine thread); reuse it when it has one.
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
    responses={
        422: {"model": ErrorBody, "description": "Not an image, over a limit, or a refused URL"},
        429: {"model": ErrorBody, "description": "Rate limit, or too many URL checks running for this key"},
    },
)
async def image_route(
    request: Request,
    who: EnterpriseDep,
    images: ImageServiceDep,
    checks: CheckServiceDep,
    file: Annotated[UploadFile | None, File(description="PNG, JPEG, WebP, GIF (first frame) or BMP")] = None,
    image_url: Annotated[str | None, Form(max_length=2048, description="a public http(s) image")] = None,
    enterprise_name: Annotated[str | None, Form(max_length=200)] = None,
    uscc: Annotated[str | None, Form(pattern=USCC_PATTERN)] = None,
) -> Response:
    """Same limits as every self-check (request size, per-key rate, SSRF guard and per-key slots for URLs),
    plus the image byte and pixel caps; an image that cannot be read is answered 422 with the reason."""
    if (file is None) == (image_url is None):
        raise InputError("give exactly one of file or image_url", where="file")
    url: str | None = None
    if file is not None:
        raw = await file.read(images.settings.max_bytes + 1)
    else:
        assert image_url is not None
        fetcher: SafeFetcher = request.app.state.fetcher
        slots: KeyedSlots = request.app.state.url_slots
        with slots.hold(str(who.key_id)):
            page = await fetcher.afetch(image_url)
        raw, url = page.body, page.url
    if len(raw) > images.settings.max_bytes:
        raise InputError(f"the image is larger than {images.settings.max_bytes} bytes", where="file")
    if sniff(raw) is None:
        raise InputError("not a PNG, JPEG, WebP, GIF, BMP or SVG image", where="file")
    reading = await run_in_threadpool(images.read, raw)
    if reading.status == "error" and reading.reason == READER_UNAVAILABLE:
        raise NotReady(f"images cannot be read on this server now: {reading.message}")
    if reading.status == "error":
        raise InputError(f"the image cannot be read: {reading.reason}: {reading.message}", where="file")
    observed_at = now()
    page_claims = PageClaims(url=url, observed_at=observed_at, extractor_version="image")
    add_image_claims(page_claims, [SeenImage(reading, url=url)], None)
    notes = [f"image {reading.width} x {reading.height} {reading.format}, sha256 {reading.sha256}"]
    if reading.status == "skipped":
        notes.append(f"not read: the image cannot hold a line of text ({reading.reason})")
    if enterprise_name and (filled := fill_claimant(page_claims, Claimant(enterprise_name, "selfcheck"))):
        notes.append(f"{filled} claim(s) name no seller: checked as made by {enterprise_name}")
    factory: sessionmaker[Session] = request.app.state.session_factory
    registry = await registry_for(request.app.state.registry_cache, factory)
    checker = await _checker(request, checks)
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
            "claims": [
                ClaimOut.model_validate(c.model_dump(mode="json")).model_dump(mode="json", exclude_none=True)
                for c in page_claims.claims
            ],
            "findings": [
                FindingOut.model_validate(f.model_dump(mode="json")).model_dump(
                    mode="json", exclude_none=True
                )
                for f in findings
            ],
            "notes": notes,
        },
        created_at=observed_at,
    )
    await store(request.app.state.selfcheck_writer, [row])
    settings: Settings = request.app.state.settings
    answer = SelfCheckOut.from_result(row, settings.selfcheck_answer_items)
    return Response(
        answer.model_dump_json(), status_code=status.HTTP_201_CREATED, media_type="application/json"
    )
