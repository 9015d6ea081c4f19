"""Stored evidence images, served safely for the console (box drawn client-side over them)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import SessionDep, StaffDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES
from crawler.images.evidence import image_bytes
from crawler.images.loading import CONTENT_TYPES, sniff
from markwatch.errors import NotFoundError

router: APIRouter = api_router("/images", ["images"], responses=ERROR_RESPONSES)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Crawled bytes are hostile: the type comes from sniffing, the browser may not sniff again, and the
# response can run nothing and load nothing even when opened directly.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
    "Cache-Control": "private, max-age=86400, immutable",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Disposition": "inline",
}


def image_response(body: bytes) -> Response:
    """Stored image bytes with the sniffed raster type and the safe headers; 404 for anything else."""
    kind = sniff(body)
    if kind not in CONTENT_TYPES:
        raise NotFoundError("no displayable image with this hash")
    return Response(content=body, media_type=CONTENT_TYPES[kind], headers=SAFE_HEADERS)


@router.get("/{sha256}", summary="An evidence image by its sha256 (inspectors)", response_class=Response)
def image_route(
    session: SessionDep, who: StaffDep, sha256: str = Path(min_length=64, max_length=64)
) -> Response:
    """The image bytes as fetched by a sweep (the store the console reads too); the hash is the one image
    claims and notices cite."""
    if not _SHA256.match(sha256):
        raise NotFoundError("no image with this hash")
    body = image_bytes(session, sha256)
    if body is None:
        raise NotFoundError(f"no image {sha256}")
    return image_response(body)
