"""Charset labels as browsers read them: the WHATWG encoding list, each encoding mapped to a Python codec.

A label from a page or a server reaches a codec only through this table. Anything else ("undefined",
"base64", "rot13", "zlib", "idna", a label holding a NUL…) is no label at all: Python's codec registry also
holds bytes-to-bytes and text-to-text transforms that crash or garble a decode.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# WHATWG name -> Python codec. gbk is read as gb18030: pages labelled gbk/gb2312 carry four-byte GB18030
# sequences (stack-notes.md), and gb18030 decodes every gbk byte sequence alike. WHATWG's Shift_JIS, EUC-KR
# and Big5 are Microsoft's and Hong Kong's supersets: cp932, cp949, big5hkscs.
CODECS: dict[str, str] = {
    "UTF-8": "utf-8",
    "IBM866": "cp866",
    "ISO-8859-2": "iso8859_2",
    "ISO-8859-3": "iso8859_3",
    "ISO-8859-4": "iso8859_4",
    "ISO-8859-5": "iso8859_5",
    "ISO-8859-6": "iso8859_6",
    "ISO-8859-7": "iso8859_7",
    "ISO-8859-8": "iso8859_8",
    "ISO-8859-8-I": "iso8859_8",
    "ISO-8859-10": "iso8859_10",
    "ISO-8859-13": "iso8859_13",
    "ISO-8859-14": "iso8859_14",
    "ISO-8859-15": "iso8859_15",
    "ISO-8859-16": "iso8859_16",
    "KOI8-R": "koi8_r",
    "KOI8-U": "koi8_u",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "windows-1250": "cp1250",
    "windows-1251": "cp1251",
    "windows-1252": "cp1252",
    "windows-1253": "cp1253",
    "windows-1254": "cp1254",
    "windows-1255": "cp1255",
    "windows-1256": "cp1256",
    "windows-1257": "cp1257",
    "windows-1258": "cp1258",
    "x-mac-cyrillic": "mac_cyrillic",
    "GBK": "gb18030",
    "gb18030": "gb18030",
    "Big5": "big5hkscs",
    "EUC-JP": "euc_jp",
    "ISO-2022-JP": "iso2022_jp",
    "Shift_JIS": "cp932",
    "EUC-KR": "cp949",
    "UTF-16BE": "utf-16-be",
    "UTF-16LE": "utf-16-le",
    # No Python codec: decode.py implements them as the standard says.
    "replacement": "",
    "x-user-defined": "",
}
REPLACEMENT = "replacement"
USER_DEFINED = "x-user-defined"
# Encodings whose bytes the raw-bytes gate does not search (it reads UTF-8, GB18030 and ASCII forms):
# a page declaring one of them is decoded and looked at (patterns.GATE_RULES "legacy-charset").
UNSEARCHED = frozenset(
    {"Big5", "EUC-JP", "ISO-2022-JP", "Shift_JIS", "EUC-KR", "UTF-16BE", "UTF-16LE", REPLACEMENT}
)
# Encodings whose every byte is ASCII: their pages are valid UTF-8 (as ASCII) too, so the "valid UTF-8 beats
# any label" rule must not apply to them (ISO-2022-KR/CN and HZ-GB-2312 are WHATWG's replacement encoding).
SEVEN_BIT = frozenset({"ISO-2022-JP", REPLACEMENT})
# One byte per character: none can spell a Chinese character, so such a label over Chinese bytes is a lie.
SINGLE_BYTE = frozenset(
    name for name in CODECS if name.startswith(("ISO-8859", "windows-", "KOI8", "IBM", "mac", "x-mac"))
)

_DATA = json.loads((Path(__file__).parent / "data" / "whatwg_encodings.json").read_text(encoding="utf-8"))
LABELS: dict[str, str] = {label: item["name"] for item in _DATA["encodings"] for label in item["labels"]}
# WHATWG "strip leading and trailing ASCII whitespace": TAB, LF, FF, CR, SPACE, nothing else.
_ASCII_WHITESPACE = "\t\n\f\r "
_HEADER_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Encoding:
    """A WHATWG encoding: its standard name and the Python codec that decodes it ("" when none does)."""

    name: str
    codec: str


def resolve(label: str | None) -> Encoding | None:
    """The encoding a label names under the WHATWG rules ("get an encoding"), or None for no encoding."""
    if not label or len(label) > 64:
        return None
    name = LABELS.get(label.strip(_ASCII_WHITESPACE).lower())
    return Encoding(name, CODECS[name]) if name else None


def header_charset(headers: Mapping[str, Any] | None) -> str | None:
    """The charset the Content-Type header declares, lower-cased, as the server sent it (right or wrong).

    `headers` as stored with a snapshot (name -> value, repeats joined by ", "): the crawler, the image stage
    and the evidence viewer all read a page's header charset here, so a page is decoded alike everywhere."""
    for name, value in (headers or {}).items():
        if str(name).lower() == "content-type":
            match = _HEADER_CHARSET.search(str(value))
            return match.group(1).lower() if match else None
    return None


def from_meta(label: str | None) -> Encoding | None:
    """The encoding a <meta> charset names, as the HTML prescan reads it (UTF-16 means UTF-8 there)."""
    found = resolve(label)
    if found is None:
        return None
    if found.name in ("UTF-16BE", "UTF-16LE"):
        return resolve("utf-8")
    if found.name == USER_DEFINED:
        return resolve("windows-1252")
    return found
