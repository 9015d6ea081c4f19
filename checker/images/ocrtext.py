"""OCR-specific normalisation: the confusions OCR makes on label text, undone before claim extraction.

Applied on top of pagetext.normalize.normalize_text (full-width forms, dashes, traditional characters),
and only where a confusion is unambiguous: inside what is shaped like a standard code, or in the words."""

from __future__ import annotations

import re

from pagetext.normalize import normalize_text

# A code's prefix as OCR prints it (spaces may appear anywhere inside it); the organisation code of a
# group or enterprise standard is letters only here, so its letters are never read as digits.
_PREFIX = r"(?:G\s*B(?:\s*/\s*[TZ])?|D\s*B\s*\d\s*\d(?:\s*/\s*T)?|[TQ]\s*/\s*[A-Z]+|[A-Z]{2}\s*/\s*T)"
# The number and year: starts and ends with a real digit; between them, digits and what OCR reads
# instead of them (O o for 0, l I | for 1), dashes of any kind including 一 (CJK one), dots and spaces.
_TAIL = r"\s*(?:\d|[OolI|](?=\d))(?:[\dOolI|.\s\-一—–－‐]*\d)?"
_CODE = re.compile(f"(?P<prefix>{_PREFIX})(?P<tail>{_TAIL})")
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_DASHES = re.compile(r"\s*[\-一—–－‐]+\s*")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)\s+(?=\d)")
# 准 read as 淮 (one stroke apart) right after 标. And 準 is not in the PP-OCRv4 recogniser's dictionary
# (measured: 6,623 characters, 標 and 执/執 in, 準 out), so traditional 上海標準 and 執行標準 come out as
# 上海標 and 執行標: 標 at a boundary after 上海 (or before the label's colon) lost its 準.
_WORD_CONFUSIONS = (
    (re.compile(r"(?<=上海[标標])淮"), "准"),
    (re.compile(r"(?<=上海標)(?=$|[\s)）」』\"”'’,，。;；:：、!！])"), "準"),
    (re.compile(r"(?<=執行標)(?=\s*[:：])"), "準"),
)


def _fix_code(match: re.Match[str]) -> str:
    prefix = re.sub(r"\s+", "", match.group("prefix"))
    tail = match.group("tail").translate(_DIGIT_LOOKALIKES)
    tail = _DASHES.sub("-", tail.strip())
    tail = _SPACE_IN_NUMBER.sub("", tail)
    # T/DEMO001: keep the organisation code apart from the number, as the code parser expects either way.
    glued = match.string[match.end() : match.end() + 1]
    # Two codes read as one run (…2018Q/ABC…): a space lets the parser see the second one.
    return f"{prefix} {tail}" + (" " if glued.isascii() and glued.isalpha() else "")


def normalize_ocr(text: str) -> str:
    """One OCR line, normalised for claim extraction."""
    for pattern, replacement in _WORD_CONFUSIONS:
        text = pattern.sub(replacement, text)
    text = normalize_text(text)
    return _CODE.sub(_fix_code, text)
