"""Turn raw page bytes into text whatever the page claims its charset is."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from charset_normalizer import from_bytes

# gbk and gb2312 pages carry GB18030 four-byte sequences and user-defined-area icon glyphs; gb18030 is a
# superset that decodes both, while strict gbk fails mid-page (stack-notes.md).
_ALIASES = {
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "gb_2312-80": "gb18030",
}
# Servers that do not know the charset send one of these; over Chinese bytes they produce mojibake.
_WEAK = {"iso8859-1", "cp1252", "ascii"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
# Rendered-DOM saves put scripts and styles before the meta; browsers look at 1 KB, pages need more.
_META_SCAN = 1 << 20
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class Decoded:
    """A page's text, the encoding it was read with, and why."""

    text: str
    encoding: str
    notes: list[str] = field(default_factory=list)


def canonical(charset: str | None) -> str | None:
    """A charset label as Python knows it, gbk family as gb18030; None when unknown."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def meta_charset(raw: bytes) -> str | None:
    """The charset a page's <meta> declares, from its first 8 KB."""
    match = _META_CHARSET.search(raw[:_META_SCAN])
    return match.group(1).decode("ascii") if match else None


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_page(raw: bytes, declared_charset: str | None = None) -> Decoded:
    """Decode raw bytes: BOM, then valid UTF-8, then the declared/meta charset, then detection."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return Decoded(
                raw.decode(encoding, errors="replace"), encoding.replace("-sig", ""), ["byte-order mark"]
            )
    notes: list[str] = []
    header = canonical(declared_charset)
    meta_label = meta_charset(raw)
    meta = canonical(meta_label)
    if declared_charset and header is None:
        notes.append(f"declared charset {declared_charset!r} unknown")
    # Valid UTF-8 with non-ASCII bytes is practically never a GBK page by accident, so it beats any label.
    text = _strict(raw, "utf-8")
    if text is not None:
        for label, said, source in ((header, declared_charset, "header"), (meta, meta_label, "meta")):
            if label and label not in ("utf-8", "ascii") and not text.isascii():
                notes.append(f"{source} says {said} but the bytes are valid UTF-8")
        return Decoded(text, "utf-8", notes)
    for label, source in ((header, "header"), (meta, "meta")):
        if label is None or label in _WEAK:
            if label:
                notes.append(f"{source} says {label}: ignored over non-UTF-8 high bytes")
            continue
        text = _strict(raw, label)
        if text is not None:
            if label == "gb18030" and source == "meta" and meta_label and meta_label.lower() != "gb18030":
                notes.append(f"meta says {meta_label}: read as gb18030")
            return Decoded(text, label, notes)
        notes.append(f"{source} says {label} but the bytes do not decode as it")
    text = _strict(raw, "gb18030")
    if text is not None:
        notes.append("detected gb18030 (strict decode)")
        return Decoded(text, "gb18030", notes)
    best = from_bytes(raw[:200_000]).best()
    detected = canonical(best.encoding) if best is not None else None
    encoding = detected or header or meta or "utf-8"
    notes.append(f"detected {encoding} by charset-normalizer; undecodable bytes replaced")
    return Decoded(raw.decode(encoding, errors="replace"), encoding, notes)
