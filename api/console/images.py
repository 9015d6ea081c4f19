"""Image evidence (issue 15): the archived image, its size, and the box where the claim was read or the mark seen.

Coordinated only through the findings contract (`Evidence.image`: sha256, url, bbox, ocr_text,
ocr_confidence, engine). The image bytes are looked up by sha256 among the stored evidence bodies; only raster
formats a browser shows as passive content (PNG, JPEG, GIF, WebP) are served, under the archive's sandbox
CSP, and drawn in the console beneath an SVG box computed here. SVG images are never served: markwatch's PNG
rendering of one is (api/svg_rendering.py, the reader's own drawing), labelled as such beside the original's hash.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from api.svg_rendering import svg_rendering
from crawler.images.evidence import image_bytes

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ORIENTATION = 0x0112


@dataclass(frozen=True)
class ImageInfo:
    """A stored image's type and pixel size."""

    media_type: str
    width: int
    height: int
    svg_rendering: bool = False  # markwatch's PNG rendering of a stored SVG, not the bytes the sha256 is of


@dataclass(frozen=True)
class ImageEvidence:
    """One image location as the case page draws it."""

    sha256: str
    url: str | None
    bbox: tuple[int, int, int, int] | None
    ocr_text: str | None
    ocr_confidence: float | None
    engine: str | None
    info: ImageInfo | None  # None: the image is not in the archive (yet)


# The formats served (passive content a browser shows in an <img>), by Pillow's name.
_SERVED = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
}
# EXIF orientations that turn the picture a quarter: the reader's boxes are in upright pixels.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})


def image_info(data: bytes) -> ImageInfo | None:
    """Type and upright pixel size of a PNG, JPEG, GIF, WebP or BMP, read from its header; None otherwise.

    Pillow reads the header only (no pixels are decoded). A hand-written reader missed BMP and JPEGs with fill
    bytes before a marker, and gave the stored size of an EXIF-rotated JPEG: the box (drawn in the upright
    pixels the reader saw) landed beside the text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=list(_SERVED)) as image:
                width, height = image.size
                kind = _SERVED.get(image.format or "")
                orientation = image.getexif().get(_ORIENTATION) if image.format == "JPEG" else None
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            return None
    if kind is None or width <= 0 or height <= 0:
        return None
    if orientation in _QUARTER_TURNS:
        width, height = height, width
    return ImageInfo(kind, width, height)


def load_image(session: Session, sha256: str) -> tuple[bytes, ImageInfo] | None:
    """The stored image with this sha256 and its info, or None (not stored, or not a raster image); for a stored
    SVG, markwatch's PNG rendering of it (None when it cannot be drawn)."""
    data = image_bytes(session, sha256)  # the one image store (crawler/images/evidence.py)
    if data is None:
        return None
    rendering = svg_rendering(data)
    if rendering is not None:
        drawn = image_info(rendering)
        return (rendering, replace(drawn, svg_rendering=True)) if drawn is not None else None
    info = image_info(data)
    return (data, info) if info is not None else None


def image_evidence(session: Session, image: dict[str, Any]) -> ImageEvidence:
    """An evidence location's image reference, with the archived image's size when it is stored."""
    sha = str(image.get("sha256") or "").lower()
    raw_box = image.get("bbox")
    bbox = None
    if isinstance(raw_box, (list, tuple)) and len(raw_box) == 4 and all(isinstance(v, int) for v in raw_box):
        bbox = (raw_box[0], raw_box[1], raw_box[2], raw_box[3])
    confidence = image.get("ocr_confidence")
    loaded = load_image(session, sha)
    return ImageEvidence(
        sha256=sha,
        url=str(image["url"]) if image.get("url") else None,
        bbox=bbox,
        ocr_text=str(image["ocr_text"]) if image.get("ocr_text") else None,
        ocr_confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        engine=str(image["engine"]) if image.get("engine") else None,
        info=loaded[1] if loaded else None,
    )
