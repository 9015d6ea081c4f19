"""Image evidence (issue 15): the archived image, its size, and the box where the claim was read or the mark seen.

Coordinated only through the findings contract (`Evidence.image`: sha256, url, bbox, ocr_text,
ocr_confidence, engine). The image bytes are looked up by sha256 among the stored evidence bodies; only raster
formats a browser shows as passive content (PNG, JPEG, GIF, WebP) are served, under the archive's sandbox
CSP, and drawn in the console beneath an SVG box computed here. SVG images are never served.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crawler.images.evidence import image_bytes

SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ImageInfo:
    """A stored image's type and pixel size."""

    media_type: str
    width: int
    height: int


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


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        # Start-of-frame markers carry the size; C4/C8/CC are not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def image_info(data: bytes) -> ImageInfo | None:
    """Type and size of a PNG, JPEG, GIF or WebP from its header; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("image/png", width, height)
    if data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        return ImageInfo("image/jpeg", *size) if size else None
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("image/gif", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = 1 + int.from_bytes(data[24:27], "little")
            height = 1 + int.from_bytes(data[27:30], "little")
            return ImageInfo("image/webp", width, height)
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return ImageInfo("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        if chunk == b"VP8 ":
            width, height = struct.unpack("<HH", data[26:30])
            return ImageInfo("image/webp", width & 0x3FFF, height & 0x3FFF)
    return None


def load_image(session: Session, sha256: str) -> tuple[bytes, ImageInfo] | None:
    """The stored image with this sha256 and its info, or None (not stored, or not a raster image)."""
    data = image_bytes(session, sha256)  # the one image store (crawler/images/evidence.py)
    if data is None:
        return None
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
