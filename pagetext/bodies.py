"""Is a fetched body a page we can check? Binary or undecodable bytes must never pass as a clean page."""

from __future__ import annotations

import re
import unicodedata

from pagetext import charsets

# Media types whose bodies are markup or text the extractor reads; anything else (images, PDF, archives,
# octet streams) is stored as evidence that it was fetched, and counted as not checked.
_TEXT_TYPES = re.compile(
    r"^(text/[\w.+-]+|application/(xhtml\+xml|xml|[\w.+-]+\+xml|json|ld\+json|javascript))$", re.IGNORECASE
)
_SAMPLE = 64 * 1024
# Text pages have next to no C0 control characters; random or compressed bytes have about 11 %.
_MAX_CONTROL_SHARE = 0.02
# ESC is left out as WHATWG's MIME sniffing leaves it out of its binary bytes: ISO-2022-JP pages switch
# between ASCII and JIS with ESC $ B / ESC ( B around every run of kanji (a page was refused as undecodable).
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
_UTF16 = frozenset({"UTF-16BE", "UTF-16LE"})
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _odd_utf16(char: str) -> bool:
    code = ord(char)
    if code < 128:
        return code in _CONTROLS
    return char == "\ufffd" or unicodedata.category(char) in ("Co", "Cn", "Cs")


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
    declared = charsets.resolve(charsets.header_charset({"content-type": content_type or ""}))
    if declared is not None and declared.name in _UTF16:
        # UTF-16 without a byte-order mark, as the header says: judge its characters, not its bytes (each
        # ASCII letter brings a NUL byte). Random bytes read as UTF-16 are mostly valid characters, but
        # about 15 % private-use, unassigned or broken ones; text has next to none.
        text = sample.decode(declared.codec, errors="replace")
        odd = sum(1 for char in text if _odd_utf16(char))
        return "undecodable" if odd / len(text) > _MAX_CONTROL_SHARE else None
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls / len(sample) > _MAX_CONTROL_SHARE:
        return "undecodable"
    return None
