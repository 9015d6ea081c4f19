"""Is a fetched body a page we can check? Binary or undecodable bytes must never pass as a clean page."""

from __future__ import annotations

import re

# Media types whose bodies are markup or text the extractor reads; anything else (images, PDF, archives,
# octet streams) is stored as evidence that it was fetched, and counted as not checked.
_TEXT_TYPES = re.compile(
    r"^(text/[\w.+-]+|application/(xhtml\+xml|xml|[\w.+-]+\+xml|json|ld\+json|javascript))$", re.IGNORECASE
)
_SAMPLE = 64 * 1024
# Text pages have next to no C0 control characters; random or compressed bytes have about 11 %.
_MAX_CONTROL_SHARE = 0.02
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def unreadable_reason(body: bytes, content_type: str | None) -> str | None:
    """Why `body` cannot be checked as a page ("not_html", "undecodable"), or None when it can."""
    media = (content_type or "").split(";", 1)[0].strip()
    if media and not _TEXT_TYPES.match(media):
        return "not_html"
    if body.startswith(_BOMS[1:]):
        return None  # UTF-16 with a byte-order mark: NULs between ASCII letters are expected
    sample = body[:_SAMPLE]
    if not sample:
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        return "undecodable"
    return None
