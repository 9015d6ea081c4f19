"""Images as evidence: safe loading, a cheap gate, OCR and mark matching in worker processes, claims.

An image's text goes through the same claim extraction as page text (`claims.py`); the special mark is
found by matching reference artwork (`marks.py`). Readings are cached by (sha256, reader version).
Names load lazily: importing the tables (`store.py`) must not load OpenCV or ONNX Runtime."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DbCache": "checker.images.store",
    "MemoryCache": "checker.images.store",
    "ImageContext": "checker.images.claims",
    "image_claims": "checker.images.claims",
    "ImageError": "crawler.images.loading",
    "load_image": "crawler.images.loading",
    "sniff": "crawler.images.loading",
    "ImageReading": "checker.images.models",
    "MarkHit": "checker.images.models",
    "OcrLine": "checker.images.models",
    "ImageSettings": "crawler.images.settings",
    "PageImage": "crawler.images.discover",
    "find_images": "crawler.images.discover",
    "SeenImage": "checker.images.page",
    "check_with_images": "checker.images.page",
    "ReaderPool": "checker.images.pool",
    "reader_version": "checker.images.versions",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'checker.images' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
