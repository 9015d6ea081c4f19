"""The cheap gate before OCR: images that cannot hold a line of text (or a legible mark) are skipped."""

from __future__ import annotations

from PIL import Image, ImageStat

from crawler.images.settings import ImageSettings

# Thumbnail side for the contrast test: big enough to keep a line of text's strokes, cheap to compute.
_THUMB = 64


def gate_reason(image: Image.Image, settings: ImageSettings) -> str | None:
    """Why an image is skipped (tiny, sliver, icon, blank), or None when it is worth reading."""
    width, height = image.size
    if max(width, height) < settings.gate_min_side * 2:
        return "tiny"
    if min(width, height) < settings.gate_min_side:
        return "sliver"  # a divider or spacer: no line of text is that thin
    if width * height < settings.gate_min_area:
        return "icon"
    thumb = image.convert("L")
    thumb.thumbnail((_THUMB, _THUMB * max(1, height // max(width, 1))))
    if ImageStat.Stat(thumb).stddev[0] < settings.gate_min_stddev:
        return "blank"
    return None
