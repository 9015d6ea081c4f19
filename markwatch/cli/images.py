"""How the CLI reports a sweep's images (found, fetched, gated, read, cache hits, OCR time, errors)."""

from __future__ import annotations

from typing import Any


def image_progress(images: dict[str, Any]) -> str:
    """The images part of the live progress line ('' before any image was found)."""
    if not images.get("found") and not images.get("fetched"):
        return ""
    # Found on pages and not yet requested: a saturated crawl requests them once its pages are fetched.
    waiting = f" ({images['waiting']} not yet requested)" if images.get("waiting") else ""
    return (
        f"; images {images.get('found', 0)} found{waiting}, {images.get('fetched', 0)} fetched, "
        f"{images.get('read', 0)} read, {images.get('skipped_by_gate', 0)} gated, "
        f"{images.get('cache_hits', 0)} cache hits, {images.get('in_flight', 0)} in OCR"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"


def image_summary(images: dict[str, Any]) -> str:
    """The images part of a sweep's summary line ('' for a sweep without images)."""
    if not images.get("found") and not images.get("requested"):
        return ""
    pending = f", {images['pending']} pending" if images.get("pending") else ""
    return (
        f"; images: {images.get('found', 0)} found, {images.get('fetched', 0)} fetched, "
        f"{sum((images.get('fetch_failed') or {}).values())} failed, "
        f"{sum((images.get('fetch_skipped') or {}).values())} skipped "
        f"({_counts(images.get('fetch_skipped') or {})}), {images.get('skipped_by_gate', 0)} skipped by the gate, "
        f"{images.get('read', 0)} read, {images.get('cache_hits', 0)} cache hits, "
        f"OCR {images.get('ocr_seconds', 0)} s, {images.get('claims', 0)} claims, "
        f"{images.get('findings', 0)} findings{pending}, errors: {_counts(images.get('errors') or {})}"
    )


def pending_line(sweep: Any) -> str:
    """Why a sweep with image work left is not finished ('' when none is left)."""
    summary = sweep.summary or {}
    left = summary.get("images_pending")
    if not left:
        return ""
    # images_pending counts both: sightings whose image is not done, and pages not yet looked at for images.
    unscanned = summary.get("images_pending_scan") or 0
    parts = [f"{left - unscanned} image(s) not yet read or judged"] if left > unscanned else []
    if unscanned:
        parts.append(f"{unscanned} page(s) not yet looked at for images")
    pages = summary.get("images_pending_pages") or []
    shown = ", ".join(pages[:5]) + (", ..." if len(pages) > 5 else "")
    return f"sweep {sweep.id}: {', '.join(parts)} (pages: {shown})"
