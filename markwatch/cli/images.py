"""How the CLI reports a sweep's images (found, fetched, gated, read, cache hits, OCR time, errors)."""

from __future__ import annotations

from typing import Any


def image_progress(images: dict[str, Any]) -> str:
    """The images part of the live progress line ('' before any image was found)."""
    if not images.get("found"):
        return ""
    return (
        f"; images {images.get('found', 0)} found, {images.get('fetched', 0)} fetched, "
        f"{images.get('read', 0)} read, {images.get('skipped_by_gate', 0)} gated, "
        f"{images.get('cache_hits', 0)} cache hits, {images.get('pending', 0)} waiting for OCR"
    )


def image_summary(images: dict[str, Any]) -> str:
    """The images part of a sweep's summary line ('' for a sweep without images)."""
    if not images.get("found"):
        return ""
    errors = ", ".join(f"{kind} {n}" for kind, n in sorted((images.get("errors") or {}).items())) or "none"
    return (
        f"; images: {images.get('found', 0)} found, {images.get('fetched', 0)} fetched "
        f"({images.get('stored_new', 0)} new), {images.get('skipped_by_gate', 0)} skipped by the gate, "
        f"{images.get('read', 0)} read, {images.get('cache_hits', 0)} cache hits, "
        f"OCR {images.get('ocr_seconds', 0)} s, {images.get('claims', 0)} claims, errors: {errors}"
    )
