"""Words drawn by a right-to-left override: `\u202e准标海上\u202c` and `<bdo dir="rtl">准标海上</bdo>` show 上海标准.

An override (U+202E RLO, or the <bdo> element) makes a browser lay the characters out right to left, so the
page's text holds the words backwards and the extractor, which reads the text as written, never saw them.
Reading the reversed run as a claim would quote characters in an order the page does not hold, so the page is
said to be partly unread instead: a `bidi-override` warning, findings on it go to review and a self-check is
`incomplete`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from checker.extract.mentions import find_in_text
from checker.extract.models import PageWarning
from pagetext.normalize import normalize_text

BIDI_OVERRIDE = "bidi-override"
_RLO, _PDF = "\u202e", "\u202c"
# The run an override reverses: to its PDF, else to the end of the line or block (tags end it here).
_OVERRIDE = re.compile(r"\u202e([^\u202c\u202d\n<]{1,200})", re.S)
_BDO = re.compile(r"<bdo\b[^>]*\bdir\s*=\s*[\"']?rtl[^>]*>(.{1,2000}?)</bdo", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_RLO_REFERENCE = re.compile(r"&#(?:8238|x202e);?", re.I)
_HINTS = (_RLO, "8238", "202e", "202E", "bdo", "BDO", "Bdo")
# Text around the run that may hold the rest of the words (上海\u202e准标\u202c).
_AROUND = 8


def bidi_warning(text: str) -> PageWarning | None:
    """The warning for a decoded page where an override shows the words that its text holds reversed."""
    # Substring tests only: this runs on every page that passed the gate, and lower() of a 780 KB page costs
    # more than the rest of the look.
    if not any(hint in text for hint in _HINTS):
        return None
    text = _RLO_REFERENCE.sub(_RLO, text)
    for match in _OVERRIDE.finditer(text):
        if _shows_words(text, match.start(), match.end(), match.group(1)):
            return _warning()
    for match in _BDO.finditer(text):
        if _shows_words(text, match.start(), match.end(), _TAG.sub("", match.group(1))):
            return _warning()
    return None


def reversed_runs_warning(runs: Iterable[tuple[str, tuple[tuple[int, int], ...]]]) -> PageWarning | None:
    """The warning for blocks (their text, and the spans an override draws backwards: overrides.py) where the
    override shows more of the words than the text holds: 准标海上 in an element a stylesheet class overrides
    (.r{unicode-bidi:bidi-override;direction:rtl}), which the page's text alone never shows."""
    for raw, spans in runs:
        for start, end in spans:
            if end - start < 2:
                continue
            shown = raw[:start] + raw[start:end][::-1] + raw[end:]
            if len(list(find_in_text(normalize_text(shown)))) > len(list(find_in_text(normalize_text(raw)))):
                return _warning()
    return None


def _shows_words(text: str, start: int, end: int, run: str) -> bool:
    before = _TAG.sub("", text[max(0, start - 4 * _AROUND) : start])[-_AROUND:]
    after = _TAG.sub("", text[end : end + 4 * _AROUND])[:_AROUND]
    shown = normalize_text(html.unescape(before + run[::-1] + after))
    written = normalize_text(html.unescape(before + run + after))
    return any(find_in_text(shown)) and not any(find_in_text(written))


def _warning() -> PageWarning:
    return PageWarning(
        code=BIDI_OVERRIDE,
        message="a right-to-left override shows the words from characters written in reverse (U+202E or "
        "<bdo dir=rtl>): not read as a claim",
    )
