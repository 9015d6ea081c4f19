"""Images as evidence: safe loading, a cheap gate, OCR and mark matching in worker processes, claims.

An image's text goes through the same claim extraction as page text (`claims.py`); the special mark is
found by matching reference artwork (`marks.py`). Readings are cached by (sha256, reader version)."""

from checker.images.claims import ImageContext, image_claims
from checker.images.discover import PageImage, find_images
from checker.images.loading import ImageError, load_image, sniff
from checker.images.models import ImageReading, MarkHit, OcrLine
from checker.images.page import SeenImage, check_with_images
from checker.images.pool import ReaderPool
from checker.images.settings import ImageSettings
from checker.images.store import DbCache, MemoryCache
from checker.images.versions import reader_version

__all__ = [
    "DbCache",
    "ImageContext",
    "ImageError",
    "ImageReading",
    "ImageSettings",
    "MarkHit",
    "MemoryCache",
    "OcrLine",
    "PageImage",
    "ReaderPool",
    "SeenImage",
    "check_with_images",
    "find_images",
    "image_claims",
    "load_image",
    "reader_version",
    "sniff",
]
