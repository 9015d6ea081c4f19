"""The one parser for Chinese standard codes, as written on pages and in registry files.

A code's identity is its issuer, number and year. The `/T` (recommended) and `/Z` (guidance) markers are
kept for display but are not part of the identity: mandatory and recommended standards of one issuer
share one number sequence, and pages drop the marker (`GB1499.2-2007` for `GB/T 1499.2-2007`).
Leading zeros of a sequence number are not part of the identity either (`T/SHHJ 003` = `T/SHHJ 000003`),
nor are an amendment (`/XG1-2020`) or an edition note (`（2018年版）`) written after the year.

A code without a year is weak evidence (`GB 2020` may be a storage size): it is read only in a standard
context, which the caller asserts (a 执行标准 row, a registry cell) or the text shows (a label such as
执行标准： right before it, or a list of codes it continues). Outside one, only the slash forms of national,
industry, group and enterprise codes are read without a year (`GB/T 22165`), never a local `DB31/…`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from checker.code_prefixes import Prefix, prefixes
from markwatch.errors import CodeParseError
from pagetext.normalize import COMBINING_MARKS, fold_char


class CodeKind(StrEnum):
    """What kind of standard a code names (domain.md §2, §6)."""

    NATIONAL = "national"  # GB, GB/T, GB/Z, GBZ, JJF…: never eligible
    INDUSTRY = "industry"  # JR/T, YY/T, JGJ, NB/SH/T…: never eligible
    LOCAL = "local"  # DBnn, DBnn/T and Shanghai's DGJ 08 / DG/TJ 08: eligible only for Shanghai (31)
    GROUP = "group"  # T/<org>
    ENTERPRISE = "enterprise"  # Q/<org>
    UNKNOWN = "unknown"  # e.g. enterprise-joint standards, whose numbering is not published


SHANGHAI_PROVINCE = "31"
# Shanghai's engineering-construction standards (上海市工程建设规范) are numbered DGJ 08-n (DG/TJ 08-n when
# recommended) by the city's construction commission. They are local standards made in Shanghai, so they
# read as LOCAL with province 31 and are type-eligible (domain.md §2 lists local standards made in Shanghai;
# that these count among them is our reading [inferred]); the registry still decides whether one is designated.
SHANGHAI_CONSTRUCTION_SECTOR = "08"


_KIND_OF = {"national": CodeKind.NATIONAL, "industry": CodeKind.INDUSTRY, "group": CodeKind.GROUP}

# Not after a letter, digit, slash or backslash: a code starts its own token (8GB, /ISO 13485 are not codes).
_START = r"(?<![A-Z0-9/\\])"
# At most six digits after any leading zeros: longer runs are licence and batch numbers (SC10632058102045).
_DIGITS = r"0{0,4}\d{1,6}"
_NUMBER = r"(?P<number>" + _DIGITS + r"(?:\.\d{1,4})*)(?!\d)"
# GB/T, GB-T, GBT, GB T; GB/Z, GB Z but not a glued GBZ (the occupational-health series, its own prefix)
# nor the Z of a lettered number (TSG Z6001). A letter may follow only as the start of such a number.
_MARKER = (
    r"(?:[ ]*[/-]?[ ]*(?P<marker>T)|[ ]*[/-][ ]*(?P<zmarker>Z)|[ ]+(?P<zspaced>Z)(?=[ ]))?(?![A-Z](?!\d))"
)


def _table_pattern() -> re.Pattern[str]:
    # Longest first, so that JGJ is tried before JG and NB/SH before NB.
    names = sorted(prefixes(), key=len, reverse=True)
    alternation = "|".join(re.escape(name) for name in names)
    return re.compile(
        _START
        + r"(?=[A-Z]{2})(?P<issuer>"
        + alternation
        + r")"
        + _MARKER
        + r"[ ]*(?P<number>(?:[A-Z](?=\d))?"
        + _DIGITS
        + r"(?:\.\d{1,4})*(?:/\d{1,2}(?![\d.]))?)(?![\dA-Z])"
    )


class _Head(NamedTuple):
    """What a pattern for one kind of code reads before the year."""

    kind: str
    pattern: re.Pattern[str]


# Each pattern runs over folded text (upper case, ASCII forms, "-" for every dash) and reads the code up
# to its number; the year, part, amendment and edition that may follow are read by `_read_tail`.
_HEADS: tuple[_Head, ...] = (
    # DG/TJ 08-2012-2019, DGJ08-9-2013, DGTJ08-2093-2019, DG/TJ 082077-2021 (sector glued to the number),
    # DG\TJ08-2336-2020 and DG/J08-20-2019 (both on the commission's own list). Numbers may end in a
    # letter for volumes (DG/TJ08-2433A-2023).
    _Head(
        "shanghai-construction",
        re.compile(
            _START + r"DG[ ]*(?:[/\\][ ]*)?(?P<marker>T)?[ ]*J[ ]*(?P<sector>08)[ ]*-?[ ]*"
            r"(?P<number>0{0,2}\d{1,4}[A-Z]?)(?![\dA-Z])"
        ),
    ),
    # Other provinces' engineering-construction codes: DBJ/T 15-101-2014, DBJ50/T-157-2013, DGJ32/TJ 103-2010.
    _Head(
        "construction",
        re.compile(
            _START + r"(?P<issuer>DBJ|DGJ)(?:[ ]*/[ ]*(?P<marker>T))?[ ]*(?P<sector>\d{2})"
            r"(?:[ ]*/[ ]*(?P<marker2>TJ|T|J)(?![A-Z]))?[ ]*-?[ ]*" + _NUMBER + r"(?![A-Z])"
        ),
    ),
    # DB31/T 1108, DB 31/ 329.1, DB3301/T 0100 (a city code only before the slash: DB311108 is DB31 1108).
    _Head(
        "local",
        re.compile(
            _START
            + r"DB[ ]*(?P<province>\d{2})(?:(?P<city>\d{2}|\d{4})(?=[ ]*/))?"
            + _MARKER
            + r"[ ]*(?P<slash>/)?[ ]*"
            + _NUMBER
            + r"(?![A-Z])"
        ),
    ),
    _Head("table", _table_pattern()),
    # Group org codes end in a letter so that a missing space (T/SHHJ000003) still splits org from number.
    _Head(
        "group",
        re.compile(_START + r"T[ ]*/[ ]*(?P<org>[A-Z](?:[A-Z0-9]{0,18}[A-Z])?)[ ]*" + _NUMBER + r"(?![A-Z])"),
    ),
    # The slash-dropped form (TSHHJ 003-2016) needs the space and the year, or it would eat words.
    _Head(
        "group-no-slash",
        re.compile(_START + r"T(?P<org>[A-Z]{2,12})[ ]+" + _NUMBER + r"(?=[ ]*[-一]{1,3}[ ]*\d{4}(?!\d))"),
    ),
    # Enterprise org codes may start with a region number (Q/320581ASD) and numbers may end in a
    # letter (0001S for food standards).
    _Head(
        "enterprise",
        re.compile(
            _START + r"Q[ ]*/[ ]*(?P<org>\d{0,8}[A-Z](?:[A-Z0-9]{0,18}[A-Z])?)[ ]*"
            r"(?P<number>" + _DIGITS + r"(?:\.\d{1,4})*[A-Z]?)(?![\dA-Z])"
        ),
    ),
    # Any other slash-prefixed code with a year (enterprise-joint standards: numbering unpublished).
    # Last, so a known kind with the same span wins.
    _Head(
        "unknown",
        re.compile(
            _START + r"(?P<org>[A-Z]{1,8}(?:/[A-Z](?:[A-Z0-9]{0,10}[A-Z])?)+)[ ]*" + _NUMBER + r"(?![A-Z])"
        ),
    ),
)

# --- What may follow the number. "一" (the character for one) is written as a dash inside codes.
_YEAR_AFTER_MARK = re.compile(r"[ ]*(?:[-一]{1,3}|_|:)[ ]*(?P<year>\d{4}|\d{2})(?!\d)(?!\.\d)")
# A year after a bare space only when it looks like one and nothing sticks to it (GB 5296 2012).
_YEAR_AFTER_SPACE = re.compile(r"[ ]+(?P<year>(?:19|20)\d{2})(?![\dA-Z.])")
_PART_ALONE = re.compile(r"[ ]*[-一][ ]*(?P<part>\d{1,3})(?![\d.])")
# A further "-digits" after the year makes a batch or licence number (LY221-85-1130), not a code.
_MORE_DIGITS = re.compile(r"[ ]*[-一][ ]*\d")
_AMENDMENT = re.compile(r"[ ]*/[ ]*(?P<amendment>XG[ ]*\d{1,2}(?:[ ]*[-一][ ]*\d{4})?)(?!\d)")
_EDITION = re.compile(
    r"[ ]*(?:\([ ]*(?P<note>[^()]{0,16}?(?:版|修订|修改单|EDITION)[^()]{0,8}?)[ ]*\)|(?P<bare>\d{4}[ ]*年?[ ]*版))"
)
# A code without a year must not run on into more digits or a unit: GB/T3 32 GB, GB 12:30, GB 32GB.
_YEARLESS_RUN_ON = re.compile(r"[ ]*(?:[-一:_/.]?[ ]*\d|(?:[KMGT]I?B|MAH|MM|CM|KG|ML|HZ)(?![A-Z]))")
# A label or verb right before a code says a standard is meant (folded text: 执行标准： reads 执行标准:).
_CUE = re.compile(r"(?:标准(?:号|代号|编号)?|执行|依据|符合|采用|STANDARDS?(?:[ ]*NO\.?)?)[ ]*:?[ ]*$")
_CUE_WINDOW = 16
# Between two codes of one list (GB 5296、GB 1234 and GB 4806).
_LIST_GAP = re.compile(r"^[ ]*(?:[、,;]|和|及|与|AND)?[ ]*$")


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
    # Kept with the code as written, never part of its identity:
    amendment: str | None = None  # e.g. "XG1-2020" from `…-2016/XG1-2020`
    edition_note: str | None = None  # e.g. "2018年版" from `GB 50016-2014（2018年版）`
    sector: str | None = None  # the 08 of DG/TJ 08-2012-2019 (engineering-construction codes)

    @property
    def recommended(self) -> bool:
        """True for /T (recommended) standards."""
        return self.marker == "T"

    @property
    def identity_prefix(self) -> str:
        """The prefix without the /T or /Z marker (see the module docstring)."""
        if self.kind is CodeKind.GROUP and self.prefix.startswith("T/"):
            return f"T/{self.issuer}"
        if self.kind is CodeKind.ENTERPRISE:
            return f"Q/{self.issuer}"
        return self.issuer + (self.sector or "")

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
        """Canonical spelling, e.g. `T/SHHJ 000003-2018`, `DB31/T 1108-2018`, `DG/TJ 08-2012-2019`."""
        text = f"{self.prefix} {self.sector}-{self.number}" if self.sector else f"{self.prefix} {self.number}"
        return text if self.year is None else f"{text}-{self.year}"

    @property
    def full_display(self) -> str:
        """`display` with the amendment and edition note, e.g. `GB 50016-2014 (2018年版)`."""
        text = self.display + (f"/{self.amendment}" if self.amendment else "")
        return text + (f" ({self.edition_note})" if self.edition_note else "")

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


# Cyrillic and Greek capitals drawn exactly as Latin ones: Т/ЅННЈ 000003-2018 shows T/SHHJ 000003-2018, and
# read as written the code was lost (a claim of no standard: a false SHS008). Not У (the Russian ТУ, "technical
# conditions", is no TY code).
_LATIN_LOOKALIKES = str.maketrans(
    "АВЕЅІЈКМНОРСТХΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "ABESIJKMHOPCTXABEZHIKMNOPTYX",
)
# Written for a dash in codes typed with a Japanese input method (ー, half-width ｰ): in codes only, since
# elsewhere it lengthens a katakana vowel.
_CODE_DASHES = frozenset("\u30fc\uff70")
_MARKS = re.compile(f"[{COMBINING_MARKS}]")


@lru_cache(maxsize=8192)
def _fold_upper(char: str) -> str:
    # Every code search folds its text a character at a time (offsets must map back): the few hundred
    # characters a page's codes are written with fold once, not once per occurrence.
    # 〇 (U+3007, the ideographic zero) stands for 0 in codes typed with an input method: T/ABC 〇〇1-2〇22.
    if char == "\u3007":
        return "0"
    if char in _CODE_DASHES:
        return "-"
    if _MARKS.fullmatch(char):
        return ""  # a combining mark drawn over a digit or letter (00000\u03013) leaves it that digit
    return fold_char(char).upper().translate(_LATIN_LOOKALIKES)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Fold text for code matching and map every folded character back to its source index.

    A run of spaces folds to its first space: the patterns allow any spacing anyway, and thousands of spaces
    must not make their optional-space steps backtrack.
    """
    folded: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        piece = _fold_upper(char)
        if piece.isspace():
            if folded and folded[-1] == " ":
                continue
            piece = " "

        folded.append(piece)
        offsets.extend([index] * len(piece))
    offsets.append(len(text))
    return "".join(folded), offsets


class _Tail(NamedTuple):
    end: int
    year: int | None
    part: str | None
    amendment: str | None
    edition_note: str | None


def _year(text: str) -> int | None:
    value = int(text)
    if len(text) == 2:
        # Two-digit years are the pre-1995 editions (GB 2760-86); "-12" with no year after is a part.
        return 1900 + value if value >= 50 else None
    return value if 1950 <= value <= 2099 else None


def _read_tail(folded: str, pos: int, dash_parts: bool) -> _Tail | None:
    """Part, year, amendment and edition note after a code's number; None when the digits run on.

    `dash_parts`: a part may be written after a dash when no year follows (GB/T 16886-1); only national and
    industry codes are. Before a year a part needs its dot: LY100-00-1950 is a batch number.
    """
    part = year = None
    if match := _YEAR_AFTER_MARK.match(folded, pos) or _YEAR_AFTER_SPACE.match(folded, pos):
        year = _year(match["year"])
        if year is None and len(match["year"]) == 4:
            return None  # -1234 that is no year: a model or batch number
        if year is not None:
            pos = match.end()
    if dash_parts and year is None and (match := _PART_ALONE.match(folded, pos)):
        part, pos = match["part"], match.end()
    if _MORE_DIGITS.match(folded, pos):
        return None
    amendment = edition = None
    if year is not None and (match := _AMENDMENT.match(folded, pos)):
        amendment, pos = match["amendment"].replace(" ", "").replace("一", "-"), match.end()
    if year is not None and (match := _EDITION.match(folded, pos)):
        edition, pos = (match["note"] or match["bare"]).strip(), match.end()
    return _Tail(pos, year, part, amendment, edition)


class _Candidate(NamedTuple):
    code: StandardCode
    start: int  # in the folded text
    end: int
    needs_context: bool


def _code(head: str, match: re.Match[str], tail: _Tail) -> tuple[StandardCode, bool] | None:
    """The code a head match and its tail stand for, and whether it needs a standard context; or None."""
    groups = match.groupdict()
    marker = groups.get("marker") or groups.get("zmarker") or groups.get("zspaced")
    number = groups["number"] or ""
    slash_written = False
    province = sector = None
    table_entry: Prefix | None = None
    if head == "shanghai-construction":
        kind, issuer, province, sector = (
            CodeKind.LOCAL,
            "DGJ",
            SHANGHAI_PROVINCE,
            SHANGHAI_CONSTRUCTION_SECTOR,
        )
        prefix = "DG/TJ" if marker else "DGJ"
    elif head == "construction":
        # Their region numbers are not province codes (DBJ 15 is Guangdong): the province stays unknown.
        issuer, sector = groups["issuer"] or "", groups["sector"]
        if issuer == "DGJ" and sector == SHANGHAI_CONSTRUCTION_SECTOR:
            return None  # read by the Shanghai pattern
        marker = "T" if marker or (groups.get("marker2") or "").startswith("T") else None
        kind, prefix = CodeKind.LOCAL, issuer + ("/T" if marker else "")
    elif head == "local":
        province = groups["province"]
        kind, issuer = CodeKind.LOCAL, f"DB{province}{groups.get('city') or ''}"
        prefix = issuer + (f"/{marker}" if marker else "")
        slash_written = bool(marker or groups.get("slash"))
    elif head == "table":
        issuer = groups["issuer"] or ""
        table_entry = prefixes()[issuer]
        if table_entry.needs_marker and not marker:
            return None
        if not table_entry.letter_numbers and not number.replace(".", "").isdigit():
            return None
        kind, prefix = _KIND_OF[table_entry.kind], issuer + (f"/{marker}" if marker else "")
        # Only a written slash makes the slash form: GB-T 22165 and GB T 22165 need a context like GB 22165.
        slash_written = "/" in match.group(0)
    elif head in ("group", "group-no-slash"):
        issuer = groups["org"] or ""
        if head == "group-no-slash" and f"T{issuer}" in prefixes():
            return None  # TSG 21-2016 is a safety code, not group SG
        kind, prefix, slash_written = CodeKind.GROUP, f"T/{issuer}", head == "group"
        marker = None
    elif head == "enterprise":
        issuer = groups["org"] or ""
        kind, prefix, slash_written, marker = CodeKind.ENTERPRISE, f"Q/{issuer}", True, None
    else:
        issuer = prefix = groups["org"] or ""
        if tail.year is None or tail.part is not None:
            return None  # only a plain year tells an unknown slash code from a path, a fraction or a typo
        if issuer.split("/")[0] in prefixes() or issuer.startswith(("T/", "Q/", "DB")):
            return None  # a known prefix whose own pattern refused the number (GB/T 1234567-2020)
        kind, slash_written, marker = CodeKind.UNKNOWN, True, None
    if tail.part is not None:
        number = f"{number}.{tail.part}"
    code = StandardCode(
        raw="",
        kind=kind,
        prefix=prefix,
        issuer=issuer,
        province=province,
        marker=marker,
        number=number,
        year=tail.year,
        amendment=tail.amendment,
        edition_note=tail.edition_note,
        sector=sector,
    )
    needs_context = tail.year is None and not (slash_written and kind is not CodeKind.LOCAL)
    return code, needs_context


def _candidates(folded: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for head in _HEADS:
        for match in head.pattern.finditer(folded):
            tail = _read_tail(folded, match.end(), dash_parts=head.kind == "table")
            if tail is None:
                continue
            built = _code(head.kind, match, tail)
            if built is None:
                continue
            code, needs_context = built
            if tail.year is None and _weak_yearless(folded, match.start(), tail.end):
                continue
            found.append(_Candidate(code, match.start(), tail.end, needs_context))
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    return found


def _weak_yearless(folded: str, start: int, end: int) -> bool:
    """A code without a year that sits in a run of numbers or sizes (8 GB 2020, GB/T3 32 GB)."""
    before = folded[:start].rstrip(" ")
    return bool(before and before[-1].isdigit()) or bool(_YEARLESS_RUN_ON.match(folded, end))


def find_codes(text: str, *, standard_context: bool = False) -> list[CodeMatch]:
    """Every standard code in text, left to right, spans in the given text; overlaps keep the longest.

    `standard_context`: the caller knows the text is where a standard is named (a 执行标准 cell or row, a
    registry code), so codes without a year are read too (GB 5296, JGJ 46).
    """
    folded, offsets = fold_with_offsets(text)
    kept: list[CodeMatch] = []
    last_end = -1  # in the folded text
    for candidate in _candidates(folded):
        if candidate.start < last_end:
            continue
        if candidate.needs_context and not (
            standard_context
            or _CUE.search(folded[max(0, candidate.start - _CUE_WINDOW) : candidate.start])
            or (kept and _LIST_GAP.match(folded[last_end : candidate.start]))
        ):
            continue
        start, end = offsets[candidate.start], offsets[candidate.end]
        raw = text[start:end].strip()
        kept.append(CodeMatch(_with_raw(candidate.code, raw), start, end))
        last_end = candidate.end
    return kept


# Shaped like a standard number: letters (a province or city number may follow), a slash, letters or digits,
# a dash and a year. Looser than every kind find_codes reads, so that a number it cannot read still shows.
_CODE_SHAPED = re.compile(
    r"(?<![A-Z0-9./_-])[A-Z]{1,4}\d{0,4}[ ]*[/\\][ ]*[A-Z0-9][A-Z0-9. ]{0,24}?[ ]*-[ ]*(?:19|20)\d{2}(?!\d)"
)


def unread_codes(text: str) -> list[str]:
    """Spans of `text` shaped like a standard number that find_codes does not read, as written in `text`.

    A claim with one beside its words may well disclose its standard (Q/31 0001-2020): "nothing disclosed"
    is then a guess, and checker.confidence sends such a finding to review."""
    folded, offsets = fold_with_offsets(text)
    read = find_codes(text, standard_context=True)
    unread: list[str] = []
    for match in _CODE_SHAPED.finditer(folded):
        start, end = offsets[match.start()], offsets[match.end()]
        if not any(code.start < end and start < code.end for code in read):
            unread.append(text[start:end].strip())
    return unread


def _with_raw(code: StandardCode, raw: str) -> StandardCode:
    return StandardCode(
        raw=raw,
        kind=code.kind,
        prefix=code.prefix,
        issuer=code.issuer,
        province=code.province,
        marker=code.marker,
        number=code.number,
        year=code.year,
        amendment=code.amendment,
        edition_note=code.edition_note,
        sector=code.sector,
    )


def parse_code(text: str, *, standard_context: bool = True) -> StandardCode:
    """Parse a text that is exactly one standard code (surrounding spaces allowed).

    A text handed over as a code (a registry cell, a claim's code) is a standard context by default.
    """
    return _parse_code(text, standard_context)


# Every claim's code is parsed again when it is judged (its kind, its registry lookup), and a sweep or a
# catalogue self-check meets the same few codes thousands of times: ~50 us a parse, answered from here.
# StandardCode is frozen; a text that is no code raises each time (not cached).
@functools.lru_cache(maxsize=8192)
def _parse_code(text: str, standard_context: bool) -> StandardCode:
    stripped = text.strip()
    matches = find_codes(stripped, standard_context=standard_context)
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
