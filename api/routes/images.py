"""Stored evidence images, served safely for the console (box drawn client-side over them)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import SessionDep, StaffDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES
from api.svg_rendering import is_svg, original_download_headers, svg_rendering
from crawler.images.evidence import image_bytes
from crawler.images.loading import CONTENT_TYPES, sha256_of, sniff
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
    """Stored image bytes with the sniffed raster type and the safe headers, an SVG as markwatch's PNG rendering
    of it (SVG is active content: never served as such); 404 for anything else."""
    if is_svg(body):
        png = svg_rendering(body)
        if png is None:
            raise NotFoundError("the stored SVG cannot be drawn; its original is at /original")
        headers = {**SAFE_HEADERS, "X-Markwatch-Rendering-Of": f"image/svg+xml sha256={sha256_of(body)}"}
        return Response(content=png, media_type="image/png", headers=headers)
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


@router.get(
    "/{sha256}/original",
    summary="A stored SVG image's original bytes, as a download (inspectors)",
    response_class=Response,
)
def original_route(
    session: SessionDep, who: StaffDep, sha256: str = Path(min_length=64, max_length=64)
) -> Response:
    """The SVG exactly as fetched (its sha256 is the evidence hash), only as an attachment of no renderable type
    under a sandbox CSP: the image endpoint serves markwatch's rendering of it. 404 for what is not an SVG."""
    if not _SHA256.match(sha256):
        raise NotFoundError("no image with this hash")
    body = image_bytes(session, sha256)
    if body is None or not is_svg(body):
        raise NotFoundError(f"no SVG image {sha256}")
    return Response(
        content=body, media_type="application/octet-stream", headers=original_download_headers(sha256)
    )
