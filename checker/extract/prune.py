"""Pre-pass with lxml: cut a page down to the parts that can matter before BeautifulSoup sees it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from checker.extract.layouts import CONTEXT_SELECTORS
from checker.extract.patterns import (
    CATEGORY_LABELS,
    CLAIMANT_LABELS,
    LABEL_SUFFIXES,
    PRODUCT_LABELS,
    STANDARD_LABELS,
)
from checker.extract.selectors import SelectorIndex
from checker.normalize import normalize_text

# Text that may hold a mention (any spelling the normaliser folds) or a context label.
# Every spelling holds 海 (上海标准, 上海標準) or "standard": a text node with neither cannot start one.
_MENTION_HINT = re.compile(r"海|tandard|TANDARD|ｔａｎｄａｒｄ|ＴＡＮＤＡＲＤ")
# A label is the whole text of a cell or the part before a colon; 厂家服务 or prose mentioning 公司 is not.
_LABEL_HINT = re.compile(
    r"^\s*(?:"
    + "|".join(map(re.escape, (*CLAIMANT_LABELS, *PRODUCT_LABELS, *CATEGORY_LABELS, *STANDARD_LABELS)))
    + r")(?:"
    + "|".join(map(re.escape, LABEL_SUFFIXES))
    + r")\s*(?:[:：]|$)"
)
_IMG_HINT = re.compile(r"海|準|准|standard|biaozhun|%E6%B5%B7", re.I)
# The unit a hit is kept with: the row, cell group, list item or paragraph that a tie can reach.
_UNITS = frozenset(
    ["li", "tr", "dl", "p", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "caption", "blockquote"]
)
# A hint is confirmed on its unit's normalised text before anything is kept (the mention tables are stricter).
_LOOSE_MENTION = re.compile(r"海 ?[标標] ?[准準]|shanghai ?[-_]? ?standard", re.I)
_DROP = frozenset(["script", "style", "noscript", "template", "svg", "iframe", "object", "link"])
# A mention keeps ancestors up to this much text, so a listing card keeps its own heading and rows.
_BLOCK_TEXT_LIMIT = 2000
_BLOCK_LEVELS = 3
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
CONTEXT_INDEX = SelectorIndex(CONTEXT_SELECTORS)
NTH_ATTR = "data-mw-nth"
# Without huge_tree libxml2 stops at 256 levels of nesting and silently drops the rest of the page.
# Plain etree elements: lxml.html's Python element-class lookup doubles the cost of the walk.
_PARSER = etree.HTMLParser(huge_tree=True)
# Marks elements a layout selector matched, so BeautifulSoup finds them without running selectors again.
CTX_ATTR = "data-mw-ctx"
CTX_SEPARATOR = "|"


def _text(el: etree._Element) -> str:
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _unit(el: etree._Element) -> etree._Element:
    node: etree._Element | None = el
    while node is not None:
        if node.tag in _UNITS:
            return node
        node = node.getparent()
    return el


def _block(unit: etree._Element) -> etree._Element:
    node = unit
    for _ in range(_BLOCK_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if len(_text(parent)) > _BLOCK_TEXT_LIMIT:
            break
        node = parent
    return node


def _hits(root: etree._Element) -> tuple[set[etree._Element], bool]:
    keep: set[etree._Element] = set()
    checked: set[etree._Element] = set()
    mentioned = False
    for el in root.iter():
        tag = el.tag
        own_text = isinstance(tag, str) and tag not in _DROP and tag not in ("meta", "title", "img")
        if not isinstance(tag, str):
            pass
        elif tag in _DROP:
            if tag == "script" and (el.get("type") or "").lower() == "application/ld+json":
                keep.add(el)
        elif tag in ("meta", "title"):
            keep.add(el)
        else:
            selectors = CONTEXT_INDEX.match(el)
            if selectors:
                el.set(CTX_ATTR, CTX_SEPARATOR.join(selectors))
                keep.add(el)
            if tag == "img":
                attrs = " ".join(
                    filter(None, (el.get("alt"), el.get("title"), el.get("src"), el.get("data-src")))
                )
                if _IMG_HINT.search(attrs):
                    keep.add(_block(_unit(el)))
                    mentioned = True
        # A tail belongs to the parent's text whatever the element was (a script, a comment, an image).
        for text, owner in ((el.text if own_text else None, el), (el.tail, el.getparent())):
            if not text or owner is None or text.isspace():
                continue
            if _MENTION_HINT.search(text):
                unit = _unit(owner)
                if unit not in checked:
                    checked.add(unit)
                    if _LOOSE_MENTION.search(normalize_text(_text(unit))):
                        keep.add(_block(unit))
                        mentioned = True
                        continue
            if _LABEL_HINT.search(text):
                keep.add(_unit(owner))
    return keep, mentioned


def _sweep(root: etree._Element, keep: set[etree._Element], shells: set[etree._Element]) -> None:
    # Iterative: pages nest deeper than Python's recursion limit.
    pending = [root]
    while pending:
        el = pending.pop()
        counts: dict[str, int] = {}
        for child in list(el):
            tag = child.tag
            if not isinstance(tag, str):
                el.remove(child)
                continue
            counts[tag] = counts.get(tag, 0) + 1
            if child in keep:
                child.set(NTH_ATTR, str(counts[tag]))
                for inner in list(child.iter(*_DROP)):
                    if inner is not child and (inner.get("type") or "").lower() != "application/ld+json":
                        _drop(inner)
            elif child in shells:
                child.set(NTH_ATTR, str(counts[tag]))
                child.text = None
                child.tail = None
                pending.append(child)
            else:
                el.remove(child)


def _ancestors(elements: Iterable[etree._Element]) -> set[etree._Element]:
    shells: set[etree._Element] = set()
    for el in elements:
        node = el.getparent()
        while node is not None and node not in shells:
            shells.add(node)
            node = node.getparent()
    return shells


def prune(text: str) -> str | None:
    """The page as HTML holding only mention units, context rows and head metadata; None when no mention."""
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return None
    try:
        root = etree.fromstring(text, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    keep, mentioned = _hits(root)
    if not mentioned:
        return None
    # A kept element inside another kept one is already covered.
    keep = {el for el in keep if not any(a in keep for a in el.iterancestors())}
    _sweep(root, keep, _ancestors(keep))
    return str(etree.tostring(root, method="html", encoding="unicode"))
