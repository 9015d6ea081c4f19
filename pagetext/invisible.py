"""Invisible characters in quotes: which they are, and how a long run of them is stored.

Invisible here means what the normaliser drops because nothing shows on screen: the default-ignorable code points
(zero-width spaces and joiners, soft hyphens, bidi controls, variation selectors, tag characters…) and the control
characters other than white space. A page can hide any number of them inside the words (上 + 100,000 U+200B + 海).

Stored evidence quotes them as the page has them, up to LONGEST_RUN in a row. A longer run is written as one
marker naming its characters and how many of each, in the order they first appear: ⟦U+200B×100000⟧, or
⟦U+200B×50 U+00AD×50⟧ for a mixed run. The quote stays the page's text around it; the claim says how many
characters the markers stand for (Claim.invisible_condensed, 0 when none: a ⟦…⟧ in such a quote is the page's own
text), and the archived page holds the run itself.
"""

from __future__ import annotations

import re
from collections import Counter

from pagetext.ignorables import RANGES

# Runs up to this long are kept as written: words and emoji sequences hold a few (ZWJ, variation selectors, a soft
# hyphen per syllable), never dozens. Bounds a quote to about this many hidden characters per shown one.
LONGEST_RUN = 32
# The kinds a marker names one by one; the rest are counted together.
_MARKER_KINDS = 8
_CONTROLS = "\x01-\x08\x0e-\x1f\x7f-\x9f"
_CLASS = "".join(
    f"{re.escape(chr(first))}-{re.escape(chr(last))}" if last > first else re.escape(chr(first))
    for first, last in RANGES
)
# One invisible character (the normaliser's _CHAR_MAP entries that map to nothing).
INVISIBLE = re.compile(f"[{_CLASS}{_CONTROLS}]")
_LONG_RUN = re.compile(f"[{_CLASS}{_CONTROLS}]{{{LONGEST_RUN + 1},}}")
# A marker as condense writes it: (U+XXXX×N)+, then " +N" for the kinds not named.
MARKER = re.compile(r"⟦(U\+[0-9A-F]{4,6}×\d+(?: U\+[0-9A-F]{4,6}×\d+)*)(?: \+(\d+))?⟧")
_ENTRY = re.compile(r"U\+([0-9A-F]{4,6})×(\d+)")


def code_point(char: str) -> str:
    """U+XXXX for a character."""
    return f"U+{ord(char):04X}"


def marker(run: str) -> str:
    """The marker that stands for a run of invisible characters."""
    counts = Counter(run)
    named = list(counts.items())[:_MARKER_KINDS]
    rest = len(run) - sum(count for _, count in named)
    entries = " ".join(f"{code_point(char)}×{count}" for char, count in named)
    return f"⟦{entries}{f' +{rest}' if rest else ''}⟧"


def condense(text: str) -> tuple[str, int]:
    """`text` with each run of more than LONGEST_RUN invisible characters written as its marker, and how many
    characters the markers stand for."""
    left_out = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal left_out
        left_out += len(match.group())
        return marker(match.group())

    return _LONG_RUN.sub(replace, text), left_out


def marker_counts(text: str) -> int:
    """How many characters the markers in `text` stand for."""
    total = 0
    for found in MARKER.finditer(text):
        total += sum(int(count) for _, count in _ENTRY.findall(found.group(1)))
        total += int(found.group(2) or 0)
    return total
