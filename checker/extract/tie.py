"""Tie a mention to the standard code or 《title》 disclosed with it, and say how."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bs4 import Tag

from checker.codes import CodeMatch, StandardCode, find_codes
from checker.extract.blocks import BlockText, BlockTexts, first_title, not_a_standard
from checker.extract.document import child_tags, clean, descendant_tags, label_in, parent_named
from checker.extract.models import TieKind
from checker.extract.patterns import (
    ANNOTATION_GAP,
    CLAUSE_END,
    STANDARD_KIND_OF_WORD,
    STANDARD_KIND_WORD,
    STANDARD_LABEL_BEFORE_CODE,
    STANDARD_LABEL_WINDOW,
    STANDARD_LABELS,
    STANDARD_NAME_LABELS,
    STANDARD_NUMBER_LABELS,
    SUPERSEDED_BY,
)

__all__ = ["Tie", "Tier", "in_standard_row", "not_a_standard", "sentence_span", "tie", "tie_in_row"]

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
# The longest gap ANNOTATION_GAP accepts between the words and their code ({0,4} characters).
_MAX_GAP = 4


@dataclass(frozen=True)
class Tie:
    """What a mention is tied to."""

    code: StandardCode | None
    title: str | None
    kind: TieKind


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of text around [start, end) (one lookup; many mentions of a block: BlockText)."""
    return BlockText(text).sentence_span(start, end)


def _annotated(
    block: BlockText, codes: list[CodeMatch], before: int, after: int, start: int, end: int
) -> CodeMatch | None:
    """The code written right before the words (T/… 上海标准), else right after them (上海标准（T/…）).

    `before`/`after` index the first code ending past `start` and the first starting at or after `end`;
    a gap of punctuation is at most a few characters, so only the codes next to the words are looked at."""
    text = block.text
    for index in range(before - 1, -1, -1):
        code = codes[index]
        if start - code.end > _MAX_GAP:
            break
        if ANNOTATION_GAP.match(text[code.end : start]):
            return code
    for index in range(after, len(codes)):
        code = codes[index]
        if code.start - end > _MAX_GAP:
            break
        if ANNOTATION_GAP.match(text[end : code.start]):
            return code
    return None


def _nearest(
    codes: list[CodeMatch], low: int, high: int, before: int, start: int, end: int
) -> CodeMatch | None:
    """The code of codes[low:high] nearest to [start, end): the last one before it or the first after it
    (a code before wins a tie: it is read first)."""
    split = min(max(before, low), high)  # codes[low:split] end before the words, codes[split:high] after
    candidates = []
    if split > low:
        candidates.append(codes[split - 1])
    if split < high:
        candidates.append(codes[split])
    if not candidates:
        return None
    return min(candidates, key=lambda c: start - c.end if c.end <= start else c.start - end + 0.5)


def _current_edition(text: str, codes: list[CodeMatch], hit: CodeMatch) -> CodeMatch:
    """The code that replaces `hit` when the text says it was replaced (由T/… 2019升级为T/… 2022: the standard now
    implemented is the second), else `hit`."""
    index = next((i for i, code in enumerate(codes) if code is hit), None)
    while index is not None and index + 1 < len(codes):
        following = codes[index + 1]
        if not SUPERSEDED_BY.fullmatch(text[codes[index].end : following.start]):
            break
        index += 1
    return codes[index] if index is not None else hit


def clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause of text around [start, end): between the nearest clause ends (patterns.CLAUSE_END)."""
    left = max((m.end() for m in CLAUSE_END.finditer(text, 0, start)), default=0)
    right = CLAUSE_END.search(text, end)
    return left, right.start() if right else len(text)


def names_another_kind(text: str, start: int, end: int, hit: CodeMatch) -> bool:
    """Whether the words' own clause names a kind of standard (团体标准, 企业标准…) that the code, written in
    another clause or sentence, is not: 公司参与制定国家标准GB/T …，主导制定的团体标准获评“上海标准”."""
    low, high = clause_span(text, start, end)
    if low <= hit.start and hit.end <= high:
        return False
    kinds = {STANDARD_KIND_OF_WORD[m.group(1)] for m in STANDARD_KIND_WORD.finditer(text, low, high)}
    return bool(kinds) and hit.code.kind.value not in kinds


def _labelled(text: str, hit: CodeMatch) -> bool:
    """Whether a standard label introduces the code (执行标准：T/…): the product's declared standard."""
    return (
        STANDARD_LABEL_BEFORE_CODE.search(text[max(0, hit.start - STANDARD_LABEL_WINDOW) : hit.start])
        is not None
    )


def in_standard_row(unit: Tag) -> bool:
    """Whether unit is, or sits in, a table row or dt/dd pair labelled as a standard (执行标准 | GB 5296).

    There a code without a year is read as a code (codes.find_codes' standard context); a label inside the
    text itself (执行标准：GB 5296) is seen by find_codes on its own.
    """
    cell = unit if unit.name in ("td", "th", "dd", "dt") else parent_named(unit, "td", "th", "dd", "dt")
    if cell is None:
        return False
    if cell.name in ("dd", "dt"):
        label_cell = cell if cell.name == "dt" else cell.find_previous_sibling("dt")
    else:
        row = parent_named(cell, "tr")
        # The cell before a value labels it (attribute tables hold several label/value pairs in one row).
        label_cell = cell.find_previous_sibling(["th", "td"]) or (row.find(["th", "td"]) if row else None)
    if label_cell is None:
        return False
    label = clean(label_cell.get_text()).replace(" ", "").rstrip(":")
    return label_in(label, STANDARD_LABELS) is not None


class Tier:
    """Ties the mentions of one page. What a block, a table row or a standard's detail table discloses is
    read once and shared by every mention in it (a page may hold thousands)."""

    def __init__(self, blocks: BlockTexts | None = None, tick: Callable[[], None] | None = None) -> None:
        self.blocks = blocks if blocks is not None else BlockTexts()
        # Called between the pieces of a huge block's reading: the page's CPU budget (limits.Guard.check).
        self._tick = tick
        self._standard_rows: dict[int, bool] = {}
        self._rows: dict[int, Tie | None] = {}
        self._details: dict[int, Tie | None] = {}

    def in_standard_row(self, unit: Tag) -> bool:
        """in_standard_row, once per element."""
        key = id(unit)
        if key not in self._standard_rows:
            self._standard_rows[key] = in_standard_row(unit)
        return self._standard_rows[key]

    def tie_in_text(self, text: str, start: int, end: int, unit: Tag) -> Tie | None:
        """A tie found inside the mention's own block text, or None."""
        block = self.blocks.of(text)
        context = self.in_standard_row(unit)
        codes = block.codes(context, self._tick)
        before, after = block.codes_around(context, start, end)
        hit = _annotated(block, codes, before, after, start, end)
        if hit is not None:
            return Tie(_current_edition(text, codes, hit).code, block.title, "annotation")
        kind = _UNIT_TIE.get(unit.name, "sentence")
        s_start, s_end = block.sentence_span(start, end)
        if kind != "sentence":
            low, high = 0, len(codes)
        else:
            # The codes of the mention's sentence, else the block's only code (in another sentence: said so).
            low, high = block.codes_within(context, s_start, s_end)
            if low >= high:
                low, high = (0, 1) if len(codes) == 1 else (0, 0)
                kind = "block"
        hit = _nearest(codes, low, high, before, start, end)
        if hit is not None:
            hit = _current_edition(text, codes, hit)
        if hit is not None and not names_another_kind(text, start, end, hit):
            if kind == "block" and _labelled(text, hit):
                kind = "block-declared"
            return Tie(hit.code, block.title, kind)
        title = block.title_within(s_start, s_end) or (block.title if kind != "sentence" else None)
        return Tie(None, title, "title-only") if title else None

    def tie_in_row(self, unit: Tag) -> Tie | None:
        """tie_in_row, once per element."""
        key = id(unit)
        if key not in self._rows:
            self._rows[key] = tie_in_row(unit)
        return self._rows[key]

    def tie_in_detail_table(self, unit: Tag) -> Tie | None:
        """tie_in_detail_table, once per table."""
        table = parent_named(unit, "table")
        if table is None:
            return None
        key = id(table)
        if key not in self._details:
            self._details[key] = _detail_table(table)
        return self._details[key]

    def tie(self, text: str, start: int, end: int, unit: Tag) -> Tie:
        """The best tie for a mention at text[start:end] in block unit; kind none when nothing is disclosed."""
        own = self.tie_in_text(text, start, end, unit)
        if own is not None and own.code is not None:
            return own
        row = self.tie_in_row(unit)
        if row is not None and row.code is not None:
            return row
        detail = self.tie_in_detail_table(unit)
        if detail is not None:
            return detail
        return own or row or Tie(None, None, "none")

    def tie_logo(self, alt_text: str, caption_text: str | None, unit_text: str, unit: Tag) -> Tie:
        """A logo's tie: a code in its alt/title, then in its caption, then in its block's own text."""
        own: list[tuple[str, TieKind]] = [(alt_text, "annotation"), (caption_text or "", "caption")]
        for text, kind in own:
            codes = find_codes(text)
            if codes:
                return Tie(codes[0].code, first_title(text), kind)
        block = self.blocks.of(unit_text)
        codes = block.codes(self.in_standard_row(unit), self._tick)
        kind = _UNIT_TIE.get(unit.name, "sentence")
        if codes:
            return Tie(codes[0].code, block.title, kind)
        title = first_title(alt_text) or first_title(caption_text or "") or block.title
        return Tie(None, title, "title-only") if title else Tie(None, None, "none")


def tie_in_row(unit: Tag) -> Tie | None:
    """A code or title in the other cells of the mention's table row or dt/dd pair."""
    cell = unit if unit.name in ("td", "th", "dd", "dt") else parent_named(unit, "td", "th", "dd", "dt")
    if cell is None:
        return None
    row = parent_named(cell, "tr", "dl")
    if row is None:
        return None
    for other in descendant_tags(row, "td", "th", "dd", "dt"):
        if other is cell:
            continue
        text = clean(other.get_text(" "))
        codes = find_codes(text, standard_context=in_standard_row(other))
        if codes:
            return Tie(codes[0].code, first_title(text), "row")
    title = first_title(clean(row.get_text(" ")))
    return Tie(None, title, "title-only") if title else None


def _detail_table(table: Tag) -> Tie | None:
    """On a standard's own detail table (标准编号 | T/… rows), the code of its 标准编号 row."""
    code: StandardCode | None = None
    title: str | None = None
    for row in descendant_tags(table, "tr"):
        cells = child_tags(row, "th", "td")
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
    """The best tie for one mention (a page's mentions share a Tier)."""
    return Tier().tie(text, start, end, unit)
