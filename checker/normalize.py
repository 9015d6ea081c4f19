"""Text normalisation for Chinese product pages: full-width forms, dashes, traditional characters, debris."""

from __future__ import annotations

import html
import re
import unicodedata

from checker.ignorables import code_points as default_ignorables

# Every dash-like character seen on listings, plus the ones NFKC leaves alone, folded to "-".
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\ufe58\ufe63\u2500\u2501\u2e3a\u2e3b"

# Traditional → simplified for the characters that carry meaning in claims, labels and traps. A full
# converter (OpenCC) is a heavy dependency for the few dozen characters the rules actually read.
_TRADITIONAL = "標準認證執產號廠製獲榮頒團體業國誌質場監級規範驗檢測滬試優評價銷務書稱與為個這過實時間協會華電設計組織貨廣東區種類項內營銀聯創"
_SIMPLIFIED = "标准认证执产号厂制获荣颁团体业国志质场监级规范验检测沪试优评价销务书称与为个这过实时间协会华电设计组织货广东区种类项内营银联创"

_CHAR_MAP: dict[int, str] = {ord(t): s for t, s in zip(_TRADITIONAL, _SIMPLIFIED, strict=True)}
_CHAR_MAP.update({ord(d): "-" for d in DASHES})
# NFKC keeps these as they are; a page may still use them where it means a plain space.
_CHAR_MAP.update({0x00A0: " ", 0x3000: " "})
# Invisible characters (soft hyphens, joiners, direction marks, variation selectors, tag characters…) split
# words without showing: every default-ignorable code point goes, not a hand-picked few.
_CHAR_MAP.update(dict.fromkeys(default_ignorables(), ""))

# One official copy renders quotes as `&“上海标准&”`: an ampersand glued to a quote is debris of a
# half-decoded entity, never meaningful text.
_ENTITY_DEBRIS = re.compile(r"&(?=[\"'“”‘’「」『』《》])|(?<=[\"'“”‘’「」『』《》])&(?![A-Za-z#])")
_UNFINISHED_ENTITY = re.compile(r"&(?:amp;)+(?=[A-Za-z]+;|#\d+;|#x[0-9A-Fa-f]+;)")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_DASH_RUN = re.compile(r"-{2,}")


def fold_char(char: str) -> str:
    """Normalise one character (same rules as normalize_text, without the multi-character steps)."""
    mapped = char.translate(_CHAR_MAP)
    if mapped != char:
        return mapped
    return unicodedata.normalize("NFKC", char)


def unescape_entities(text: str) -> str:
    """Decode HTML entities, including double-escaped ones (`&amp;ldquo;`) left by broken templates."""
    return html.unescape(_UNFINISHED_ENTITY.sub("&", text)) if "&" in text else text


def normalize_text(text: str) -> str:
    """NFKC, dash variants to "-", traditional to simplified, invisible characters and entity debris removed,
    spaces collapsed."""
    text = unescape_entities(text)
    text = _ENTITY_DEBRIS.sub("", text)
    text = unicodedata.normalize("NFKC", text.translate(_CHAR_MAP)).translate(_CHAR_MAP)
    text = _DASH_RUN.sub("-", text)
    return _SPACES.sub(" ", text).strip()


def compact(text: str) -> str:
    """normalize_text without any spaces: for comparing names and titles whatever their spacing."""
    return normalize_text(text).replace(" ", "")
