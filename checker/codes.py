"""The one parser for Chinese standard codes, as written on pages and in registry files.

A code's identity is its issuer, number and year. The `/T` (recommended) and `/Z` (guidance) markers are
kept for display but are not part of the identity: mandatory and recommended standards of one issuer
share one number sequence, and pages drop the marker (`GB1499.2-2007` for `GB/T 1499.2-2007`).
Leading zeros of a sequence number are not part of the identity either (`T/SHHJ 003` = `T/SHHJ 000003`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from checker.normalize import fold_char
from markwatch.errors import CodeParseError


class CodeKind(StrEnum):
    """What kind of standard a code names (domain.md §2, §6)."""

    NATIONAL = "national"  # GB, GB/T, GB/Z: never eligible
    INDUSTRY = "industry"  # JR/T, YY/T, …: never eligible
    LOCAL = "local"  # DBnn, DBnn/T: eligible only for Shanghai (31)
    GROUP = "group"  # T/<org>
    ENTERPRISE = "enterprise"  # Q/<org>
    UNKNOWN = "unknown"  # e.g. enterprise-joint standards, whose numbering is not published


SHANGHAI_PROVINCE = "31"

# Industry standard codes issued by the State Council departments (the two-letter prefixes before /T).
# A whitelist: without it any two capitals followed by digits ("PC 2020") would read as a standard.
INDUSTRY_CODES = frozenset(
    """AQ BB CB CH CJ CY DA DL DZ EJ FZ GA GC GH GM GY HB HG HJ HS HY JB JC JG JR JT JY LB LD LS LY MH MT
    MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD TY WB WH WJ WM WS WW XB XF YB YC YD YS YY YZ ZY""".split()  # noqa: SIM905 (a table reads better as text)
)

_YEAR = r"(?:[ ]*-+[ ]*(?P<year>\d{4}|\d{2})(?!\d)(?!\.\d))"
_NUMBER = r"(?P<number>\d+(?:\.\d+)*)"
# `[/-]?` before T/Z: pages write GB/T, GB-T, GBT, GB /T.
_MARKER = r"(?:[ ]*[/-]?[ ]*(?P<marker>[TZ])(?![A-Z]))?"

# Each pattern runs over folded text (upper case, ASCII forms, "-" for every dash).
_PATTERNS: tuple[tuple[CodeKind, re.Pattern[str]], ...] = (
    (
        CodeKind.LOCAL,
        re.compile(
            r"(?<![A-Z0-9/])DB[ ]*(?P<province>\d{2})" + _MARKER + r"[ ]*/?[ ]*" + _NUMBER + _YEAR + "?"
        ),
    ),
    (CodeKind.NATIONAL, re.compile(r"(?<![A-Z0-9/])GB" + _MARKER + r"[ ]*" + _NUMBER + _YEAR + "?")),
    (
        CodeKind.INDUSTRY,
        re.compile(r"(?<![A-Z0-9/])(?P<issuer>[A-Z]{2})" + _MARKER + r"[ ]*" + _NUMBER + _YEAR + "?"),
    ),
    # Group org codes end in a letter so that a missing space (T/SHHJ000003) still splits org from number.
    (
        CodeKind.GROUP,
        re.compile(r"(?<![A-Z0-9/])T[ ]*/[ ]*(?P<org>[A-Z](?:[A-Z0-9]*[A-Z])?)[ ]*" + _NUMBER + _YEAR + "?"),
    ),
    # The slash-dropped form (TSHHJ 003-2016) needs the space and the year, or it would eat words.
    (
        CodeKind.GROUP,
        re.compile(
            r"(?<![A-Z0-9/])T(?P<org>[A-Z]{2,12})[ ]+" + _NUMBER + r"[ ]*-+[ ]*(?P<year>\d{4})(?!\d)(?!\.\d)"
        ),
    ),
    # Enterprise org codes may start with a region number (Q/320581ASD) and numbers may end in a
    # letter (0001S for food standards).
    (
        CodeKind.ENTERPRISE,
        re.compile(
            r"(?<![A-Z0-9/])Q[ ]*/[ ]*(?P<org>\d*[A-Z]+(?:[A-Z0-9]*[A-Z])?)[ ]*"
            r"(?P<number>\d+(?:\.\d+)*[A-Z]?)" + _YEAR + "?"
        ),
    ),
    # Any other slash-prefixed code with a year (enterprise-joint standards: numbering unpublished).
    # Last, so a known kind with the same span wins.
    (
        CodeKind.UNKNOWN,
        re.compile(
            r"(?<![A-Z0-9/])(?P<org>[A-Z]{1,8}(?:/[A-Z][A-Z0-9]{0,11})+)[ ]*"
            r"(?P<number>\d+(?:\.\d+)*)[ ]*-+[ ]*(?P<year>\d{4})(?!\d)(?!\.\d)"
        ),
    ),
)


@dataclass(frozen=True)
class StandardCode:
    """A parsed standard code; `key` identifies one edition, `number_key` the standard across editions."""

    raw: str
    kind: CodeKind
    prefix: str
    issuer: str
    province: str | None
    marker: str | None
    number: str
    year: int | None

    @property
    def recommended(self) -> bool:
        """True for /T (recommended) standards."""
        return self.marker == "T"

    @property
    def identity_prefix(self) -> str:
        """The prefix without the /T or /Z marker (see the module docstring)."""
        if self.kind is CodeKind.GROUP:
            return f"T/{self.issuer}"
        if self.kind is CodeKind.ENTERPRISE:
            return f"Q/{self.issuer}"
        return self.issuer

    @property
    def number_key(self) -> str:
        """Edition-independent identity, e.g. `T/SHHJ 3`."""
        return f"{self.identity_prefix} {_strip_zeros(self.number)}"

    @property
    def key(self) -> str:
        """Edition identity, e.g. `T/SHHJ 3-2018` (no year part when the page gave none)."""
        return self.number_key if self.year is None else f"{self.number_key}-{self.year}"

    @property
    def display(self) -> str:
        """Canonical spelling, e.g. `T/SHHJ 000003-2018`, `DB31/T 1108-2018`."""
        text = f"{self.prefix} {self.number}"
        return text if self.year is None else f"{text}-{self.year}"

    @property
    def shanghai_eligible(self) -> bool:
        """Whether the kind of standard can be designated at all (domain.md §2); holders are checked later."""
        if self.kind is CodeKind.LOCAL:
            return self.province == SHANGHAI_PROVINCE
        return self.kind in (CodeKind.GROUP, CodeKind.ENTERPRISE)


@dataclass(frozen=True)
class CodeMatch:
    """A code found in a text, with its span in that text."""

    code: StandardCode
    start: int
    end: int


def _strip_zeros(number: str) -> str:
    return ".".join(part.lstrip("0") or "0" for part in number.split("."))


def _expand_year(text: str) -> int | None:
    # Pre-1995 codes carry two-digit years (GB 2760-86).
    year = int(text)
    if len(text) == 2:
        year += 1900 if year >= 50 else 2000
    return year if 1950 <= year <= 2100 else None


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold text for code matching and map every folded character back to its source index."""
    folded: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = fold_char(char).upper()
        if piece.isspace():
            piece = " "
        folded.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(folded), offsets


def _build(kind: CodeKind, match: re.Match[str], raw: str) -> StandardCode | None:
    groups = match.groupdict()
    year_text = groups.get("year")
    year = _expand_year(year_text) if year_text else None
    if year_text and year is None:
        return None
    marker = groups.get("marker")
    number = groups["number"]
    province = None
    if kind is CodeKind.LOCAL:
        province = groups["province"]
        issuer = f"DB{province}"
        prefix = issuer + (f"/{marker}" if marker else "")
    elif kind is CodeKind.NATIONAL:
        issuer = "GB"
        prefix = issuer + (f"/{marker}" if marker else "")
    elif kind is CodeKind.INDUSTRY:
        issuer = groups["issuer"]
        if issuer not in INDUSTRY_CODES:
            return None
        prefix = issuer + (f"/{marker}" if marker else "")
    elif kind is CodeKind.GROUP:
        issuer = groups["org"]
        prefix = f"T/{issuer}"
    elif kind is CodeKind.ENTERPRISE:
        issuer = groups["org"]
        prefix = f"Q/{issuer}"
    else:
        issuer = prefix = groups["org"]
    # Without a year, a bare prefix and number (GB 2020, "JR 12") is too weak: demand the slash form.
    if year is None and "/" not in match.group(0) and kind is not CodeKind.LOCAL:
        return None
    if year is None and kind is CodeKind.LOCAL and not marker and "/" not in match.group(0):
        return None
    return StandardCode(
        raw=raw,
        kind=kind,
        prefix=prefix,
        issuer=issuer,
        province=province,
        marker=marker,
        number=number,
        year=year,
    )


def find_codes(text: str) -> list[CodeMatch]:
    """Every standard code in text, left to right, spans in the given text; overlaps keep the longest."""
    folded, offsets = fold_with_offsets(text)
    found: list[CodeMatch] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            start, end = offsets[match.start()], offsets[match.end()]
            code = _build(kind, match, text[start:end].strip())
            if code is not None:
                found.append(CodeMatch(code, start, end))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[CodeMatch] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            continue
        kept.append(candidate)
    return kept


def parse_code(text: str) -> StandardCode:
    """Parse a text that is exactly one standard code (surrounding spaces allowed)."""
    stripped = text.strip()
    matches = find_codes(stripped)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end >= len(stripped.rstrip()):
        return matches[0].code
    raise CodeParseError(f"not a standard code we can read: {text!r}")


_FALLBACK_STRIP = re.compile(r"[ ]+")


def code_key(text: str) -> str:
    """parse_code(text).key, or for formats we cannot parse (enterprise-joint) a folded spelling."""
    try:
        return parse_code(text).key
    except CodeParseError:
        folded, _ = fold_with_offsets(text.strip())
        return "?" + _FALLBACK_STRIP.sub("", re.sub(r"-+", "-", folded))
