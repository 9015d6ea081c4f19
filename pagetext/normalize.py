"""Text normalisation for Chinese product pages: full-width forms, dashes, traditional characters, debris."""

from __future__ import annotations

import html
import re
import unicodedata

from pagetext.ignorables import code_points as default_ignorables
from pagetext.traditional import char_to_simplified, to_simplified

# Every dash-like character seen on listings, plus the ones NFKC leaves alone, folded to "-".
# U+2043 (hyphen bullet), U+02D7 (modifier minus) and U+2796 (heavy minus) draw a dash too: a code written with
# one (T/SHHJ 000003\u20432018) was cut before its year.
DASHES = (
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe58\ufe63\u2500\u2501\u2e3a\u2e3b\u2043\u02d7\u2796"
)

_CHAR_MAP: dict[int, str] = {ord(d): "-" for d in DASHES}
# NFKC keeps these as they are; a page may still use them where it means a plain space.
_CHAR_MAP.update({0x00A0: " ", 0x3000: " "})
# Invisible characters (soft hyphens, joiners, direction marks, variation selectors, tag characters…) split
# words without showing: every default-ignorable code point goes, not a hand-picked few.
_CHAR_MAP.update(dict.fromkeys(default_ignorables(), ""))
# Control characters other than whitespace (C0, DEL, C1) show nothing either: a page can hide them inside the
# words just the same (上海\x01标准). NUL never gets here: decode_page drops it, as browsers do.
_CHAR_MAP.update(dict.fromkeys([*range(0x01, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0)], ""))

# One official copy renders quotes as `&“上海标准&”`: an ampersand glued to a quote is debris of a
# half-decoded entity, never meaningful text.
# A run of them (&&“) goes at once, or a second normalisation would find the next one glued to the quote.
ENTITY_DEBRIS = re.compile(r"&+(?=[\"'“”‘’「」『』《》])|(?<=[\"'“”‘’「」『』《》])&+(?![A-Za-z#])")
_UNFINISHED_ENTITY = re.compile(r"&(?:amp;)+(?=[A-Za-z]+;|#\d+;|#x[0-9A-Fa-f]+;)")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
# Combining marks NFKC leaves standing (nothing composes with a Han character or a digit): 上海\u0301标准 shows
# the words with an accent and was read as no mention. Dropped after ideographs, digits and Latin letters only,
# where no script needs them.
COMBINING_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u302a-\u302f\u3099\u309a"
)
_MARK_BASES = "0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_STRAY_MARKS = re.compile(f"(?<=[{_MARK_BASES}])[{COMBINING_MARKS}]+")
_MARK_BASE = re.compile(f"[{_MARK_BASES}]")
_MARK = re.compile(f"[{COMBINING_MARKS}]")


def drops_mark(after: str, char: str) -> bool:
    """Whether normalize_text drops `char` when it follows the normalised character `after` (a stray mark)."""
    return bool(_MARK.fullmatch(char) and _MARK_BASE.fullmatch(after))


_DASH_RUN = re.compile(r"-{2,}")


def fold_char(char: str) -> str:
    """Normalise one character (same rules as normalize_text, without the multi-character steps)."""
    mapped = char.translate(_CHAR_MAP)
    if mapped != char:
        return mapped
    # Mapped again after NFKC, as normalize_text does: ⁻ and ︱ fold to a minus and a dash NFKC leaves as such.
    return char_to_simplified(unicodedata.normalize("NFKC", char).translate(_CHAR_MAP))


def unescape_entities(text: str) -> str:
    """Decode HTML entities, including double-escaped ones (`&amp;ldquo;`) left by broken templates."""
    return html.unescape(_UNFINISHED_ENTITY.sub("&", text)) if "&" in text else text


def normalize_text(text: str) -> str:
    """NFKC, dash variants to "-", traditional to simplified, invisible characters and entity debris removed,
    spaces collapsed."""
    text = unescape_entities(text)
    text = ENTITY_DEBRIS.sub("", text)
    text = to_simplified(unicodedata.normalize("NFKC", text.translate(_CHAR_MAP)).translate(_CHAR_MAP))
    # Again once folded: an ampersand only touches its quote when what stood between them was invisible
    # ('\x1f&) or NFKC made it one (＂＆); left, a second normalisation removed it (not idempotent).
    text = ENTITY_DEBRIS.sub("", text)
    text = _STRAY_MARKS.sub("", text)
    text = _DASH_RUN.sub("-", text)
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """normalize_text without any spaces: for comparing names and titles whatever their spacing."""
    return normalize_text(text).replace(" ", "")
