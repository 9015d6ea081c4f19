"""Stored SVG evidence shown as markwatch's PNG rendering: SVG is active content and is never served as such.

The console and the API image endpoint serve this rendering in its place (raster, under the same safe headers
as any other); the original bytes, whose sha256 the evidence cites, are only ever a download. Renderings are
made on request (resvg within parse_svg's bounds: well under a second for a label) and the last few are kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import cache

from checker.images.svg import SvgRefused, render_png
from crawler.images.loading import sha256_of, sniff
from crawler.images.settings import ImageSettings

_KEPT = 16
_renderings: OrderedDict[str, bytes | None] = OrderedDict()
_lock = threading.Lock()


@cache
def _settings() -> ImageSettings:
    # The sizes the sweep's reader drew at (the same environment), so an OCR box lands on the same pixels.
    return ImageSettings.from_env()


def is_svg(raw: bytes) -> bool:
    """Whether stored image bytes are an SVG (by sniffing, never by the name or type it was served with)."""
    return sniff(raw) == "svg"


def svg_rendering(raw: bytes) -> bytes | None:
    """The PNG rendering of SVG bytes, or None when they are no SVG or cannot be drawn (refused, malformed)."""
    if not is_svg(raw):
        return None
    digest = sha256_of(raw)
    with _lock:
        if digest in _renderings:
            _renderings.move_to_end(digest)
            return _renderings[digest]
    try:
        png: bytes | None = render_png(raw, _settings())
    except SvgRefused:
        png = None
    with _lock:
        _renderings[digest] = png
        while len(_renderings) > _KEPT:
            _renderings.popitem(last=False)
    return png


def original_download_headers(sha256: str) -> dict[str, str]:
    """Headers for the original SVG bytes: a download only, never rendered, never sniffed, never run."""
    return {
        "Content-Disposition": f'attachment; filename="image-{sha256[:16]}.svg.txt"',
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
