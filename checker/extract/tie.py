"""Tie a mention to the standard code or 《title》 disclosed with it, and say how."""

from __future__ import annotations

from dataclasses import dataclass

from bs4 import Tag

from checker.codes import CodeMatch, StandardCode, find_codes
from checker.extract.document import clean, label_in
from checker.extract.models import TieKind
from checker.extract.patterns import (
    ANNOTATION_GAP,
    NOT_A_STANDARD_TITLE,
    SENTENCE_END,
    STANDARD_LABELS,
    STANDARD_NAME_LABELS,
    STANDARD_NUMBER_LABELS,
    STANDARD_TITLE,
    TITLE_EDITION_NOTE,
)

# The tie a code in the same block earns, by the block's tag.
_UNIT_TIE: dict[str, TieKind] = {
    "td": "cell",
    "th": "cell",
    "dd": "cell",
    "dt": "cell",
    "li": "list-item",
    "figcaption": "caption",
    "caption": "caption",
}


@dataclass(frozen=True)
class Tie:
    """What a mention is tied to."""

    code: StandardCode | None
    title: str | None
    kind: TieKind


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of text around [start, end)."""
    left = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = SENTENCE_END.search(text, end)
    return left, right_match.start() if right_match else len(text)


def not_a_standard(title: str) -> str | None:
    """Why a 《title》 cannot name a standard (a law, a plan, a notice…), or None when it may."""
    core = TITLE_EDITION_NOTE.sub("", title).strip()
    for pattern in NOT_A_STANDARD_TITLE:
        if pattern.regex.search(core):
            return pattern.name
    return None


def _title(text: str) -> str | None:
    """The first 《title》 in text that may name a standard."""
    for match in STANDARD_TITLE.finditer(text):
        title = match.group(1).strip()
        if not_a_standard(title) is None:
            return title
    return None


def _annotated(text: str, codes: list[CodeMatch], start: int, end: int) -> CodeMatch | None:
    before = [c for c in codes if c.end <= start and ANNOTATION_GAP.match(text[c.end : start])]
    if before:
        return before[-1]
    after = [c for c in codes if c.start >= end and ANNOTATION_GAP.match(text[end : c.start])]
    return after[0] if after else None


def _nearest(codes: list[CodeMatch], start: int, end: int) -> CodeMatch | None:
    if not codes:
        return None
    return min(codes, key=lambda c: start - c.end if c.end <= start else c.start - end + 0.5)


def in_standard_row(unit: Tag) -> bool:
    """Whether unit is, or sits in, a table row or dt/dd pair labelled as a standard (执行标准 | GB 5296).

    There a code without a year is read as a code (codes.find_codes' standard context); a label inside the
    text itself (执行标准：GB 5296) is seen by find_codes on its own.
    """
    cell = unit if unit.name in ("td", "th", "dd", "dt") else unit.find_parent(["td", "th", "dd", "dt"])
    if cell is None:
        return False
    if cell.name in ("dd", "dt"):
        label_cell = cell if cell.name == "dt" else cell.find_previous_sibling("dt")
    else:
        row = cell.find_parent("tr")
        # The cell before a value labels it (attribute tables hold several label/value pairs in one row).
        label_cell = cell.find_previous_sibling(["th", "td"]) or (row.find(["th", "td"]) if row else None)
    if label_cell is None:
        return False
    label = clean(label_cell.get_text()).replace(" ", "").rstrip(":")
    return label_in(label, STANDARD_LABELS) is not None


def tie_in_text(text: str, start: int, end: int, unit: Tag) -> Tie | None:
    """A tie found inside the mention's own block text, or None."""
    codes = find_codes(text, standard_context=in_standard_row(unit))
    hit = _annotated(text, codes, start, end)
    if hit is not None:
        return Tie(hit.code, _title(text), "annotation")
    kind = _UNIT_TIE.get(unit.name, "sentence")
    s_start, s_end = sentence_span(text, start, end)
    in_sentence = [c for c in codes if c.start >= s_start and c.end <= s_end]
    scope = codes if kind != "sentence" else in_sentence or (codes if len(codes) == 1 else [])
    hit = _nearest(scope, start, end)
    if hit is not None:
        return Tie(hit.code, _title(text), kind)
    title = _title(text[s_start:s_end]) or (_title(text) if kind != "sentence" else None)
    return Tie(None, title, "title-only") if title else None


def tie_in_row(unit: Tag) -> Tie | None:
    """A code or title in the other cells of the mention's table row or dt/dd pair."""
    cell = unit if unit.name in ("td", "th", "dd", "dt") else unit.find_parent(["td", "th", "dd", "dt"])
    if cell is None:
        return None
    row = cell.find_parent(["tr", "dl"])
    if row is None:
        return None
    for other in row.find_all(["td", "th", "dd", "dt"]):
        if other is cell:
            continue
        text = clean(other.get_text(" "))
        codes = find_codes(text, standard_context=in_standard_row(other))
        if codes:
            return Tie(codes[0].code, _title(text), "row")
    title = _title(clean(row.get_text(" ")))
    return Tie(None, title, "title-only") if title else None


def tie_in_detail_table(unit: Tag) -> Tie | None:
    """On a standard's own detail table (标准编号 | T/… rows), the code of its 标准编号 row."""
    table = unit.find_parent("table")
    if table is None:
        return None
    code: StandardCode | None = None
    title: str | None = None
    for row in table.find_all("tr"):
        cells = row.find_all(["th", "td"], recursive=False)
        if len(cells) < 2:
            continue
        label = clean(cells[0].get_text()).replace(" ", "")
        value = clean(cells[1].get_text(" "))
        if (
            label in STANDARD_NUMBER_LABELS
            and code is None
            and (codes := find_codes(value, standard_context=True))
        ):
            code = codes[0].code
        elif label in STANDARD_NAME_LABELS and value:
            title = value
    return Tie(code, title, "row") if code is not None else None


def tie(text: str, start: int, end: int, unit: Tag) -> Tie:
    """The best tie for a mention at text[start:end] in block unit; kind none when nothing is disclosed."""
    own = tie_in_text(text, start, end, unit)
    if own is not None and own.code is not None:
        return own
    row = tie_in_row(unit)
    if row is not None and row.code is not None:
        return row
    detail = tie_in_detail_table(unit)
    if detail is not None:
        return detail
    return own or row or Tie(None, None, "none")


def tie_logo(alt_text: str, caption_text: str | None, unit_text: str, unit: Tag) -> Tie:
    """A logo's tie: a code in its alt/title, then in its caption, then in its block's own text."""
    own: list[tuple[str, TieKind]] = [(alt_text, "annotation"), (caption_text or "", "caption")]
    for text, kind in own:
        codes = find_codes(text)
        if codes:
            return Tie(codes[0].code, _title(text), kind)
    codes = find_codes(unit_text, standard_context=in_standard_row(unit))
    kind = _UNIT_TIE.get(unit.name, "sentence")
    if codes:
        return Tie(codes[0].code, _title(unit_text), kind)
    title = _title(alt_text) or _title(caption_text or "") or _title(unit_text)
    return Tie(None, title, "title-only") if title else Tie(None, None, "none")
