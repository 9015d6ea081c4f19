"""The pruned page as BeautifulSoup sees it: text runs per block, parameter rows, head metadata."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from checker.codes import find_codes
from checker.extract.overrides import BlockReader, Overrides
from checker.extract.patterns import (
    COLUMN_HEADER_MIN_CELLS,
    COLUMN_HEADER_MIN_KNOWN,
    COLUMN_HEADER_SHARE,
    COLUMN_NAME_NOTE,
    COLUMN_NAME_SHAPE,
    COLUMN_NAMES,
    ENGLISH_LABELS,
    LABEL_SUFFIXES,
    OTHER_STANDARD_ROW,
    ROW_TEXT,
    STANDARD_LABELS,
    label_fits,
)
from checker.extract.prune import DUP_ID_ATTR, NTH_ATTR, TAG_ATTR
from checker.extract.visibility import Visibility
from checker.extract.whitespace import WhiteSpace
from pagetext.normalize import normalize_text

# Text inside one of these belongs to it; inline tags (b, span, a, font) join their text to the block's.
BLOCKS = frozenset(
    [
        "html",
        "body",
        "div",
        "p",
        "li",
        "td",
        "th",
        "dd",
        "dt",
        "tr",
        "table",
        "ul",
        "ol",
        "dl",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "main",
        "aside",
        "form",
        "figure",
        "figcaption",
        "caption",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "address",
    ]
)
HEADINGS = ("h1", "h2", "h3", "h4")


@dataclass
class Run:
    """The text of one block (inline children joined), normalised (`text`) and as the page wrote it (`raw`)."""

    element: Tag
    text: str
    raw: str = ""
    # Spans of `raw` a buyer does not see (visibility.py), with how each is hidden.
    hidden: tuple[tuple[int, int, str], ...] = ()
    # `text` as a buyer reads it, without the hidden spans (None when nothing is hidden): 上海<span
    # style="display:none">xx</span>标准 shows 上海标准, and the page's text alone reads 上海xx标准.
    shown: str | None = None
    # Spans of `raw` a right-to-left override draws backwards (overrides.py).
    reversed: tuple[tuple[int, int], ...] = ()
    # Spans of `raw` shown with their own white space (<pre>, white-space:pre…; whitespace.py), with the mode:
    # there `raw` keeps the page's line breaks, which `text` reads as spaces.
    preserved: tuple[tuple[int, int, str], ...] = ()


@dataclass
class Row:
    """A parameter row: a label and its value, from a table row, a dt/dd pair or `label：value` text."""

    label: str
    value: str
    element: Tag
    # A cell of a table whose first row names the columns (品名 | 规格 | 执行标准 | 单价): one record per row, its
    # label the column's name. Such rows describe several items and are not one product's parameter table.
    column: bool = False


@dataclass
class Page:
    """Everything the extractor reads from one pruned page."""

    soup: BeautifulSoup
    runs: list[Run]
    rows: list[Row]
    metas: dict[str, str]
    title: str | None
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    visibility: Visibility = field(default_factory=Visibility)
    # Every element in document order, read once: the readers below and the extractor's later passes filter
    # this list instead of calling bs4's find_all, which builds a filter object per call (a fifth of the
    # cost of checking a short text).
    tags: list[Tag] = field(default_factory=list)

    def tags_named(self, *names: str) -> list[Tag]:
        """The page's elements with one of these names, in document order."""
        return [tag for tag in self.tags if tag.name in names]


def child_tags(node: Tag, *names: str) -> list[Tag]:
    """A node's child elements with one of these names (find_all(names, recursive=False) without a filter)."""
    return [child for child in node.children if isinstance(child, Tag) and child.name in names]


def descendant_tags(node: Tag, *names: str) -> list[Tag]:
    """A node's descendant elements with one of these names (find_all(names) without a filter)."""
    return [tag for tag in node.descendants if isinstance(tag, Tag) and tag.name in names]


def parent_named(node: Tag | NavigableString, *names: str) -> Tag | None:
    """The nearest ancestor (not the node itself) with one of these names (find_parent without a filter)."""
    parent = node.parent
    while parent is not None and parent.name not in names:
        parent = parent.parent
    return parent


def _walk(soup: BeautifulSoup) -> tuple[list[Tag], list[NavigableString | Tag]]:
    """Every element, and the texts with the line breaks (<br>) among them, in document order."""
    tags: list[Tag] = []
    strings: list[NavigableString | Tag] = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            tags.append(node)
            if node.name == "br":
                strings.append(node)
        elif isinstance(node, NavigableString):
            strings.append(node)
    return tags, strings


def block_of(node: Tag | NavigableString) -> Tag | None:
    """The nearest block element holding a node."""
    parent = node if isinstance(node, Tag) and node.name in BLOCKS else node.parent
    while parent is not None and parent.name not in BLOCKS:
        parent = parent.parent
    return parent


def _keep(spans: list[tuple[int, int, str]], start: int, end: int, mode: str) -> None:
    """Add a span of kept white space, joined to the one before when it continues it."""
    if spans and spans[-1][1] == start and spans[-1][2] == mode:
        spans[-1] = (spans[-1][0], end, mode)
    else:
        spans.append((start, end, mode))


def _runs(strings: list[NavigableString | Tag], visibility: Visibility) -> list[Run]:
    order: list[int] = []
    pieces: dict[int, tuple[Tag, list[str]]] = {}
    # The same pieces as matching reads them: a line break kept as text (in <pre>) is a space there.
    matching: dict[int, list[str]] = {}
    hidden: dict[int, list[tuple[int, int, str]]] = {}
    kept: dict[int, list[tuple[int, int, str]]] = {}
    lengths: dict[int, int] = {}
    overrides = Overrides()
    white_space = WhiteSpace()
    bidi: dict[int, BlockReader] = {}
    for string in strings:
        if isinstance(string, Tag):
            # Every <br> is a line in its block, wherever it stands: after a closed inline element
            # (<b>产地：上海</b><br>标准：…) and doubled (上海<br><br>标准 leaves a blank line between).
            if (block := block_of(string)) is not None and id(block) in pieces:
                key = id(block)
                pieces[key][1].append("\n")
                matching[key].append("\n")
                if (why := visibility.hidden(string)) is not None:
                    # A hidden <br> breaks no line (上海<br class="h">标准 shows 上海标准): read as shown, it
                    # parted the words, and two of them hid the claim.
                    hidden.setdefault(key, []).append((lengths[key], lengths[key] + 1, why))
                else:
                    bidi[key].piece("\n", lengths[key], "")  # a line break ends every override
                    if (mode := white_space.mode(string.parent)) is not None:
                        _keep(kept.setdefault(key, []), lengths[key], lengths[key] + 1, mode)
                lengths[key] += 1
            continue
        if (
            isinstance(string, Comment)
            or string.parent is None
            or string.parent.name in ("script", "style", "title")
        ):
            continue
        block = block_of(string)
        if block is None:
            continue
        key = id(block)
        if key not in pieces:
            pieces[key] = (block, [])
            matching[key] = []
            order.append(key)
        piece = str(string)
        start = lengths.get(key, 0)
        if (mode := white_space.mode(string.parent)) is not None and piece:
            # Kept as written for the quote; matching reads these line breaks as spaces, as before.
            _keep(kept.setdefault(key, []), start, start + len(piece), mode)
        as_matched = piece.replace("\n", " ")
        pieces[key][1].append(piece if mode is not None else as_matched)
        matching[key].append(as_matched)
        lengths[key] = start + len(piece)
        if (why := visibility.hidden(string.parent)) is not None:
            hidden.setdefault(key, []).append((start, start + len(piece), why))
        if key not in bidi:
            bidi[key] = BlockReader()
        bidi[key].piece(as_matched, start, overrides.of(string.parent))
    runs = []
    for key in order:
        block, parts = pieces[key]
        raw = "".join(parts)
        preserved = tuple(kept.get(key, ()))
        matched = "".join(matching[key]) if preserved else raw
        text = _normalized_lines(matched)
        spans = tuple(hidden.get(key, ()))
        shown = _normalized_lines(without(matched, spans)) if spans else None
        backwards = tuple(bidi[key].spans) if key in bidi else ()
        if text:
            runs.append(Run(block, text, raw, spans, shown, backwards, preserved))
    return runs


def _normalized_lines(raw: str) -> str:
    return "\n".join(normalize_text(line) for line in raw.split("\n")).strip()


def without(raw: str, spans: tuple[tuple[int, int, str], ...]) -> str:
    """The raw text without the given (start, end, why) spans: what a buyer sees of it."""
    kept: list[str] = []
    position = 0
    for start, end, _ in spans:
        kept.append(raw[position:start])
        position = max(position, end)
    kept.append(raw[position:])
    return "".join(kept)


def clean(text: str) -> str:
    """Normalised single-line text."""
    return normalize_text(text).replace("\n", " ")


def split_row(text: str) -> tuple[str, str] | None:
    """`label：value` as (label without spaces, value), or None when the text is not shaped like a row."""
    match = ROW_TEXT.match(text)
    if not match:
        return None
    return match.group("label").replace(" ", ""), match.group("value").strip()


def _label(cell: Tag) -> str:
    return clean(cell.get_text()).replace(" ", "").rstrip(":")


def _column_name(cell: Tag) -> str:
    """A header cell's text as a column name: spaces and "/" removed, a unit note (（元）) dropped, lower case."""
    name = COLUMN_NAME_NOTE.sub("", clean(cell.get_text()))
    return name.replace(" ", "").replace("/", "").rstrip(":").lower()


def _emphasised(cell: Tag) -> bool:
    """Whether a cell's whole text is bold (<strong>/<b> around it, or an inline font-weight)."""
    style = str(cell.get("style") or "").replace(" ", "").lower()
    if "font-weight:bold" in style or "font-weight:700" in style:
        return True
    text = clean(cell.get_text())
    return any(clean(bold.get_text()) == text for bold in descendant_tags(cell, "strong", "b"))


def _is_header(tr: Tag, cells: list[Tag]) -> bool:
    """Whether a table's first row names its columns: all th (three or more), a row of a thead, or td cells that
    are all short names, most of them known column names (patterns.COLUMN_NAMES)."""
    if len(cells) < COLUMN_HEADER_MIN_CELLS:
        return False
    holder = parent_named(tr, "thead", "table")
    if all(cell.name == "th" for cell in cells) or (holder is not None and holder.name == "thead"):
        return True
    names = [name for name in map(_column_name, cells) if name]
    if len(names) < COLUMN_HEADER_MIN_CELLS or not all(COLUMN_NAME_SHAPE.fullmatch(n) for n in names):
        return False
    known = sum(1 for name in names if name in COLUMN_NAMES)
    if known >= COLUMN_HEADER_MIN_KNOWN and all(
        _emphasised(cell) for cell in cells if clean(cell.get_text())
    ):
        return True
    return known >= COLUMN_HEADER_MIN_KNOWN and known >= COLUMN_HEADER_SHARE * len(names)


def _standard_value(label: str, cells: list[Tag]) -> str | None:
    """A standard row's code written across its value cells (标准号 | T/DEMO | 001-2019), joined; None when the
    first value cell holds a code of its own or the cells make none (a remark cell stays out of the value)."""
    if len(cells) < 3 or not (label_in(label, STANDARD_LABELS) or OTHER_STANDARD_ROW.search(label)):
        return None
    first = clean(cells[1].get_text(" "))
    if find_codes(first, standard_context=True):
        return None
    joined = " ".join(clean(cell.get_text(" ")) for cell in cells[1:])
    return (
        joined
        if any(m.start < len(first) < m.end for m in find_codes(joined, standard_context=True))
        else None
    )


def _rows(tags: list[Tag], runs: list[Run]) -> list[Row]:
    rows: list[Row] = []
    # Per table: the column names of its first row when that row names columns (_is_header), else None. A first
    # row of one cell (a title spanning the table: 2025年出厂价格表) leaves the decision to the next row.
    columns: dict[int, list[str] | None] = {}
    for tr in (tag for tag in tags if tag.name == "tr"):
        cells = child_tags(tr, "th", "td")
        table = parent_named(tr, "table")
        key = id(table) if table is not None else id(tr)
        if key not in columns:
            if len(cells) == 1 and table is not None:
                continue  # a title row; the table's next row may name its columns
            header = _is_header(tr, cells)
            columns[key] = [_label(cell) for cell in cells] if header else None
            if header:
                continue  # column names, not "label：value" (品名 | 规格 read as 品名：规格)
        names = columns[key]
        if names is not None and len(cells) == len(names):
            for name, cell in zip(names, cells, strict=True):
                value = clean(cell.get_text(" "))
                if name and value and label_fits(name):
                    rows.append(Row(name, value, cell, column=True))
            continue
        if len(cells) >= 2:
            label = clean(cells[0].get_text()).replace(" ", "").rstrip(":")
            value = _standard_value(label, cells) or clean(cells[1].get_text(" "))
            if label and value and label_fits(label):
                rows.append(Row(label, value, tr))
        # Marketplace attribute tables put two or three label/value pairs in one row (品牌|演示|产品名称|…);
        # a header row (all th) is a list's column names, not pairs. The later pairs are keyed by their value
        # cell, so a claim in that cell finds its own row.
        if len(cells) >= 4 and len(cells) % 2 == 0 and not all(cell.name == "th" for cell in cells):
            for label_cell, value_cell in zip(cells[2::2], cells[3::2], strict=True):
                label = clean(label_cell.get_text()).replace(" ", "").rstrip(":")
                value = clean(value_cell.get_text(" "))
                if label and value and label_fits(label):
                    rows.append(Row(label, value, value_cell))
    for dl in (tag for tag in tags if tag.name == "dl"):
        term: str | None = None
        for child in child_tags(dl, "dt", "dd"):
            if child.name == "dt":
                term = clean(child.get_text()).replace(" ", "").rstrip(":")
            elif term and "Ptable-tips" not in (child.get("class") or []):
                rows.append(Row(term, clean(child.get_text(" ")), child))
                term = None
    for run in runs:
        if run.element.name in ("td", "th", "dt", "dd", "tr"):
            continue
        for line in run.text.split("\n"):
            parts = split_row(line)
            if parts and parts[1]:
                rows.append(Row(parts[0], parts[1], run.element))
    return rows


def _is_jsonld(tag: Tag) -> bool:
    kind = tag.get("type")
    return tag.name == "script" and isinstance(kind, str) and kind.lower() == "application/ld+json"


def _jsonld(tags: list[Tag]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for script in filter(_is_jsonld, tags):
        try:
            data = json.loads(script.string or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return found


def _metas(tags: list[Tag]) -> dict[str, str]:
    metas: dict[str, str] = {}
    for meta in (tag for tag in tags if tag.name == "meta"):
        key = meta.get("property") or meta.get("name")
        content = meta.get("content")
        if isinstance(key, str) and isinstance(content, str) and content.strip():
            metas.setdefault(key.lower(), clean(content))
    return metas


def load_page(html: str) -> Page:
    """Parse pruned HTML with BeautifulSoup and read its runs, rows and metadata."""
    soup = BeautifulSoup(html, "lxml")
    tags, strings = _walk(soup)
    visibility = Visibility()
    runs = _runs(strings, visibility)
    title_tag = next((tag for tag in tags if tag.name == "title"), None)
    title = clean(title_tag.get_text()) if title_tag else None
    return Page(soup, runs, _rows(tags, runs), _metas(tags), title or None, _jsonld(tags), visibility, tags)


def label_in(label: str, table: tuple[str, ...]) -> str | None:
    """The table entry a row label stands for (a short suffix allowed), or None. An English label stands for
    the entry patterns.ENGLISH_LABELS gives it (Product name for 产品名称, Executive Standard for 执行标准)."""
    for entry in table:
        if label.startswith(entry) and label[len(entry) :] in LABEL_SUFFIXES:
            return entry
    alias = ENGLISH_LABELS.get(label.lower())
    return alias if alias is not None and alias in table else None


# An id a location may stop at: one the path syntax reads back whole (no spaces, no ">" or "#").
_PATH_ID = re.compile(r"[A-Za-z][A-Za-z0-9_:.-]{0,99}")


def css_path(element: Tag) -> str:
    """A CSS path to an element, stopping at the nearest id; nth-of-type as in the original page."""
    parts: list[str] = []
    node: Tag | None = element
    while node is not None and node.name not in ("[document]", None):
        original = node.get(TAG_ATTR)
        name = original if isinstance(original, str) else node.name
        ident = node.get("id")
        if isinstance(ident, str) and _PATH_ID.fullmatch(ident.strip()) and node.get(DUP_ID_ATTR) is None:
            parts.append(f"{name}#{ident.strip()}")
            break
        piece = name
        classes = [c for c in node.get("class") or [] if c.replace("-", "").replace("_", "").isalnum()][:2]
        if classes:
            piece += "".join(f".{c}" for c in classes)
        nth = node.get(NTH_ATTR)
        if not isinstance(nth, str) and node.parent is not None:
            nth = str(1 + sum(1 for _ in node.find_previous_siblings(node.name)))
        if node.name not in ("html", "body", "head"):
            piece += f":nth-of-type({nth})"
        parts.append(piece)
        node = node.parent
    return " > ".join(reversed(parts))
