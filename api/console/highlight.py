"""Claim snippets with the mark's words highlighted: every piece escaped, only our <mark> tags added."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

from checker.extract.verbatim import OffsetMap
from pagetext.invisible import INVISIBLE, MARKER, marker_counts
from pagetext.normalize import normalize_text

# The words themselves, in simplified and traditional characters (domain.md §6).
MARK_WORDS = ("上海标准", "上海標準")
# Characters that change the order text is drawn in (embeddings, overrides, isolates, marks): a quote holding
# them can show "2019" where it says "9102". Unicode's Bidi_Control set.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()


def _marker(match: re.Match[str]) -> str:
    if match.group("stored") is not None:
        # A long run the checker stored as its marker (pagetext.invisible): said, not hidden.
        count = marker_counts(match.group())
        title = f"{count} invisible characters stored as this marker; the archived page holds them"
        return f'<span class="invisible-run" title="{escape(title)}">{match.group()}</span>'
    if match.group("bidi") is not None:
        char = match.group()
        return f'<span class="bidi-control" title="{escape(_name(char))}">⟨U+{ord(char):04X}⟩</span>'
    run = match.group()
    char, count = run[0], len(run)
    code = f"U+{ord(char):04X}" + (f"×{count}" if count > 1 else "")
    title = _name(char) + (f" ×{count}" if count > 1 else "")
    return f'<span class="invisible-char" title="{escape(title)}">⟨{code}⟩</span>'


# What a quote shows instead of obeying or hiding: a stored run's marker, a bidi control, or a run of one invisible
# character (zero-width, soft hyphen, joiner, control): a search for 上海标准 missed 上海\u200b标准, and the
# console showed the inspector nothing in between.
_REVEALED = re.compile(
    f"(?P<stored>{MARKER.pattern})|(?P<bidi>{BIDI_CONTROLS.pattern})|(?P<char>{INVISIBLE.pattern})(?P=char)*"
)


def reveal(text: str | None) -> Markup:
    """`text` escaped, each bidi control and invisible character shown as a marker (⟨U+202E⟩, ⟨U+200B×3⟩)
    instead of obeyed or hidden: what a page quotes is shown in the order it is stored, and the characters it
    hid are there to see. Only the view changes."""
    if not text:
        return Markup("")
    return Markup(_REVEALED.sub(_marker, str(escape(text))))


def _spans(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for needle in {n for n in needles if n and n.strip()}:
        found.extend((m.start(), m.end()) for m in re.finditer(re.escape(needle), text))
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def as_written(text: str | None, phrases: Iterable[str | None]) -> list[str]:
    """The page's own spelling in `text` of each phrase stored normalised (a code written Ｔ／ＤＥＭＯ　００１),
    found through the normaliser and mapped back to the page's characters; phrases not found are left out."""
    if not text:
        return []
    normalized = normalize_text(text)
    mapping: OffsetMap | None = None
    found: list[str] = []
    for phrase in phrases:
        needle = normalize_text(phrase) if phrase else ""
        if not needle.strip():
            continue
        for match in re.finditer(re.escape(needle), normalized):
            mapping = mapping or OffsetMap(text, normalized)
            start, end = mapping.span(match.start(), match.end())
            if text[start:end].strip():
                found.append(text[start:end])
    return found


def highlight(text: str | None, extra: Iterable[str | None] = (), anchors: str = "") -> Markup:
    """`text` escaped, with the mark's words and any `extra` phrases wrapped in <mark>; with `anchors`, each
    mark gets the id `{anchors}{n}` (1, 2, …) so that a page can link to them."""
    if not text:
        return Markup("")
    needles = [*MARK_WORDS, *(e for e in extra if e)]
    # Matches are found on the raw text and each slice is escaped on its own, so a match can never
    # split an entity such as &lt; and no text from the page ever reaches the output unescaped (nor a bidi
    # control unmarked).
    parts: list[str] = []
    cursor = 0
    for n, (start, end) in enumerate(_spans(text, needles), start=1):
        parts.append(reveal(text[cursor:start]))
        anchor = f' id="{escape(anchors)}{n}"' if anchors else ""
        parts.append(f"<mark{anchor}>{reveal(text[start:end])}</mark>")
        cursor = end
    parts.append(reveal(text[cursor:]))
    return Markup("".join(parts))
