"""Archived pages for reading: decoded as the checker decoded them, with the claim marked where it was found.

The stored bytes and their sha256 are never touched. For display the page is decoded with
`pagetext.decode.decode_page` from the same bytes and declared charset the checker saw, so a GBK page
without a header charset, or one whose header or <meta> lies, reads as the checker read it. The decoded text
is re-parsed with the extractor's parser (lxml, so CSS paths with nth-of-type resolve the same way), each
location gets a <mark id="mw-hit-N"> around its text, and the tree is serialised again by lxml: text and
attribute values are escaped by the serialiser, and nothing we add carries page content outside text.
The result is still hostile markup: it is only ever served under the sandboxing CSP (routes_evidence.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from checker.extract.prune import as_parsed
from pagetext.charsets import header_charset
from pagetext.decode import Decoded, decode_as, decode_page, shown_otherwise
from pagetext.invisible import INVISIBLE, MARKER

HIT_PREFIX = "mw-hit-"
HIT_CLASS = "mw-hit"
# Parsed like the extractor's pruning pass (checker/extract/prune.py), so nth-of-type counts agree.
_PARSER = etree.HTMLParser(huge_tree=True)
_DOCTYPE = re.compile(r"\s*(?:<!--.*?-->\s*)*<!doctype", re.IGNORECASE | re.DOTALL)
# One step of the extractor's CSS path (checker/extract/document.py::css_path).
_STEP = re.compile(
    r"^(?P<tag>[A-Za-z][A-Za-z0-9_-]*)(?:#(?P<id>\S+?))?(?P<classes>(?:\.[\w-]+)*)(?::nth-of-type\((?P<nth>\d+)\))?$"
)
_IMAGE_SUFFIX = re.compile(r"\s*\(image \d+\)\s*$")
# Claims read in an image: their words are not the page's text, so a text search finds other words.
_IMAGE_KINDS = frozenset({"image-text", "mark-image"})
_NO_TEXT = frozenset({"script", "style", "noscript", "template", "textarea", "title", "head"})
_MARK_WORDS = re.compile(r"上海\s*[标標]\s*[准準]|shanghai\s*standard", re.IGNORECASE)
# What XML 1.0 cannot hold (C0 controls but tab, LF and CR; U+FFFE, U+FFFF; surrogates). Pages carry them (Word
# writes a line break as U+000B) and lxml parses them, but refuses them in text set on a node, so marking a text
# node holding one raised ValueError (the case page was a 500); it serialises the parsed ones as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Our own style inside the sandbox (its CSP allows inline style); :target is the hit jumped to last.
_HIT_STYLE = (
    f"mark.{HIT_CLASS}{{background:#ffe066!important;color:#000!important;outline:2px solid #d55e00;}}"
    f"mark.{HIT_CLASS}:target{{outline:4px solid #0072b2;background:#ffd400!important;}}"
)


@dataclass(frozen=True)
class Location:
    """Where a finding's claim was seen: the stored evidence contract (checker/findings.py::Evidence)."""

    snippet: str
    location: str
    verbatim: str
    kind: str
    image: dict[str, Any] | None


@dataclass(frozen=True)
class Hit:
    """What the marking did for one location: its anchor, and how (or whether) it was found."""

    index: int
    anchor: str
    how: str  # "text" (the words inside the located element), "element", "page" (found elsewhere), "head", "missing"

    @property
    def found(self) -> bool:
        """Whether the archived page shows a mark for this location."""
        return self.how in ("text", "element", "page")


@dataclass(frozen=True)
class MarkedPage:
    """The page as HTML text ready to serve (UTF-8), and one Hit per location."""

    html: str
    hits: tuple[Hit, ...]
    encoding: str
    notes: tuple[str, ...]
    # The charset label a browser read the page with, where that showed the quotes otherwise (read_otherwise).
    shown_as: str | None = None


def locations_of(evidence: dict[str, Any] | None) -> list[Location]:
    """Every location of a stored finding: `locations` when present, else the single evidence."""
    evidence = evidence or {}
    raw = evidence.get("locations")
    items = raw if isinstance(raw, list) and raw else [evidence]
    found = []
    for item in items:
        if not isinstance(item, dict):
            continue
        image = item.get("image")
        found.append(
            Location(
                snippet=str(item.get("snippet") or ""),
                location=str(item.get("location") or ""),
                verbatim=str(item.get("verbatim") or ""),
                kind=str(item.get("kind") or "text"),
                image=image if isinstance(image, dict) else None,
            )
        )
    return found


def decode_snapshot(body: bytes, headers: dict[str, Any] | None, read_as: str | None = None) -> Decoded:
    """The page text as the checker decoded it: with the codec a finding recorded (`read_as`), so its quotes
    are found in the text they were taken from; without one, as the checker decodes the bytes now."""
    if read_as:
        return decode_as(body, read_as, header_charset(headers))
    return decode_page(body, header_charset(headers))


def read_as(evidence: dict[str, Any] | None) -> str | None:
    """The codec a stored finding's page was read with (findings stored before it was recorded: None)."""
    value = (evidence or {}).get("decoded_as")
    return value if isinstance(value, str) and value else None


def read_otherwise(
    body: bytes, headers: dict[str, Any] | None, encoding: str, quotes: Iterable[str]
) -> str | None:
    """The charset label a browser read the page with when it shows one of `quotes` otherwise than markwatch
    read it with `encoding` (pagetext.decode.shown_otherwise), for a stored snapshot's headers."""
    return shown_otherwise(body, header_charset(headers), encoding, quotes)


def anchor(index: int) -> str:
    """The fragment id of the index-th location (1-based)."""
    return f"{HIT_PREFIX}{index}"


def mark_page(decoded: Decoded, locations: Sequence[Location]) -> MarkedPage:
    """The decoded page with every location marked; an unparsable page is returned as escaped text."""
    text = as_parsed(decoded.text)
    try:
        root = etree.fromstring(text, _PARSER) if text.strip() else None
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        escaped = str(etree.tostring(_pre(decoded.text), method="html", encoding="unicode"))
        hits = tuple(Hit(i, anchor(i), "missing") for i in range(1, len(locations) + 1))
        return MarkedPage(escaped, hits, decoded.encoding, tuple(decoded.notes))
    hits = tuple(_mark_one(root, loc, i) for i, loc in enumerate(locations, start=1))
    _declare_utf8(root)
    _add_style(root)
    # lxml invents an HTML 4 doctype for pages without one, which would change their rendering mode.
    doctype = root.getroottree().docinfo.doctype if _DOCTYPE.match(text) else ""
    html = str(etree.tostring(root, method="html", encoding="unicode"))
    return MarkedPage(
        (doctype + "\n" if doctype else "") + html, hits, decoded.encoding, tuple(decoded.notes)
    )


def _pre(text: str) -> etree._Element:
    pre = etree.Element("pre")
    pre.text = _settable(text)
    return pre


def _settable(text: str | None) -> str | None:
    """Page text as a node can hold it: what XML cannot hold becomes U+FFFD, as lxml serialises it anyway."""
    return _NOT_XML.sub("\ufffd", text) if text else text


def location_parts(location: str) -> tuple[str, int | None]:
    """An evidence location as its CSS path and, for an image claim, which image it is (1-based): the
    " (image N)" suffix is prose for people, shown in the reader's language, not as part of the path."""
    match = _IMAGE_SUFFIX.search(location)
    if match is None:
        return location, None
    return location[: match.start()], int(re.sub(r"\D", "", match.group(0)))


def resolve(root: etree._Element, path: str) -> etree._Element | None:
    """The element an extractor CSS path names, or None when the page does not hold it.

    An image claim's location ends with which image of the element it is (`… > img:nth-of-type(1) (image 2)`,
    checker/images/page.py): the path before it names the <img>."""
    path = _IMAGE_SUFFIX.sub("", path)
    steps = [step.strip() for step in path.split(" > ") if step.strip()]
    if not steps:
        return None
    node: etree._Element | None = None
    for position, step in enumerate(steps):
        match = _STEP.match(step)
        if match is None:
            return None
        tag, ident, nth = match.group("tag").lower(), match.group("id"), match.group("nth")
        if position == 0:
            if ident:
                node = next((el for el in root.iter(tag) if el.get("id", "").strip() == ident), None)
            elif tag == "html":
                node = root if root.tag == "html" else None
            else:
                node = next(root.iter(tag), None)
            if node is None:
                return None
            continue
        assert node is not None
        if node.tag == "iframe":
            # The rest of the path is inside the frame's srcdoc document (checker/extract/srcdoc.py): the
            # archived page holds it as an attribute, so the frame itself is what can be marked.
            return node
        same = [child for child in node if child.tag == tag]
        index = int(nth) - 1 if nth else 0
        if ident:
            node = next((child for child in same if child.get("id", "").strip() == ident), None)
        else:
            node = same[index] if 0 <= index < len(same) else None
        if node is None:
            return None
    return node


def _in_head(el: etree._Element) -> bool:
    return any(a.tag == "head" for a in el.iterancestors()) or el.tag in ("head", "title", "meta")


def _mark_one(root: etree._Element, loc: Location, index: int) -> Hit:
    element = resolve(root, loc.location) if loc.location else None
    if element is not None and _in_head(element):
        return Hit(index, anchor(index), "head")
    needles = [n for n in (loc.verbatim,) if n.strip()]
    if element is not None:
        if element.tag in ("img", "iframe") or loc.kind in ("image-text", "mark-image", "logo"):
            _wrap_element(element, index)
            return Hit(index, anchor(index), "element")
        if _mark_text(element, needles, index):
            return Hit(index, anchor(index), "text")
        _flag_element(element, index)
        return Hit(index, anchor(index), "element")
    body = root.find("body")
    scope = body if body is not None else root
    if loc.kind in _IMAGE_KINDS:
        # Not the text of the page: mark the <img> that shows this image, or say it was not located (a text
        # search marked 上海标准 in a shop name the checker had ruled out).
        shown = _image_element(scope, loc.image)
        if shown is not None:
            _wrap_element(shown, index)
            return Hit(index, anchor(index), "element")
        return Hit(index, anchor(index), "missing")
    snippet_core = loc.snippet.strip()[:60]
    if _mark_text(scope, [*needles, *([snippet_core] if snippet_core else [])], index):
        return Hit(index, anchor(index), "page")
    return Hit(index, anchor(index), "missing")


def _image_element(scope: etree._Element, image: dict[str, Any] | None) -> etree._Element | None:
    """The <img> whose address (src or a lazy-loading attribute) names the image's file, if one does."""
    url = (image or {}).get("url")
    if not isinstance(url, str) or not url:
        return None
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    if not name:
        return None
    for img in scope.iter("img"):
        for value in img.attrib.values():
            written = urlsplit(str(value).strip()).path
            if written == name or written.endswith("/" + name):
                return img
    return None


def _new_mark(index: int, *, first: bool) -> etree._Element:
    mark = etree.Element("mark")
    mark.set("class", HIT_CLASS)
    mark.set("data-mw-hit", str(index))
    if first:
        mark.set("id", anchor(index))
    return mark


def _wrap_element(element: etree._Element, index: int) -> None:
    mark = _new_mark(index, first=True)
    mark.tail, element.tail = _settable(element.tail), None
    element.addprevious(mark)
    mark.append(element)


def _flag_element(element: etree._Element, index: int) -> None:
    # The element is right but its words were not found (the page changed shape): mark its start.
    mark = _new_mark(index, first=True)
    mark.text = "▶"
    mark.tail = _settable(element.text)
    element.text = None
    element.insert(0, mark)


# A text piece of the tree: (node, "text" | "tail", its text).
_Segment = tuple[etree._Element, str, str]


def _holds_text(node: etree._Element) -> bool:
    # Comments, scripts and styles hold no page text; a mark already placed is spoken for.
    if not isinstance(node.tag, str) or node.tag in _NO_TEXT:
        return False
    return not (node.tag == "mark" and node.get("data-mw-hit"))


def _segments(scope: etree._Element) -> list[_Segment]:
    # Iterative (pages nest deeper than Python's recursion limit); lxml's iterwalk skips comments, whose
    # tails are page text.
    segments: list[_Segment] = []
    stack: list[tuple[etree._Element, bool]] = [(scope, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            if node is not scope and node.tail:
                segments.append((node, "tail", node.tail))
            continue
        stack.append((node, True))
        if not _holds_text(node):
            continue
        if node.text:
            segments.append((node, "text", node.text))
        stack.extend((child, False) for child in reversed(node))
    return segments


def _find(segments: list[_Segment], needles: Iterable[str]) -> tuple[int, int] | None:
    """[start, end) in the concatenated segment text of the first needle found, ignoring white space."""
    joined = "".join(text for _, _, text in segments)
    # Invisible characters are passed over too: a stored quote holds a long run of them as its marker
    # (pagetext.invisible), the page the run itself.
    unseen = {match.start() for match in INVISIBLE.finditer(joined)}
    positions = [i for i, ch in enumerate(joined) if not ch.isspace() and i not in unseen]
    squeezed = "".join(joined[i] for i in positions)
    folded = "".join(ch.lower()[:1] or ch for ch in squeezed)
    for needle in needles:
        shown = INVISIBLE.sub("", MARKER.sub("", needle))
        compact = "".join(ch for ch in shown if not ch.isspace())
        if not compact:
            continue
        at = squeezed.find(compact)
        if at < 0:
            at = folded.find("".join(ch.lower()[:1] or ch for ch in compact))
        if at >= 0:
            return positions[at], positions[at + len(compact) - 1] + 1
    match = _MARK_WORDS.search(squeezed)
    if match:
        return positions[match.start()], positions[match.end() - 1] + 1
    return None


def _mark_text(scope: etree._Element, needles: list[str], index: int) -> bool:
    segments = _segments(scope)
    span = _find(segments, needles)
    if span is None:
        return False
    start, end = span
    pieces: list[tuple[_Segment, int, int]] = []
    offset = 0
    for segment in segments:
        length = len(segment[2])
        low, high = max(start, offset), min(end, offset + length)
        if low < high:
            pieces.append((segment, low - offset, high - offset))
        offset += length
    # Right to left, so splitting one piece never moves the text of the pieces still to split.
    for order, ((node, kind, text), low, high) in reversed(list(enumerate(pieces))):
        mark = _new_mark(index, first=order == 0)
        mark.text, mark.tail = _settable(text[low:high]), _settable(text[high:])
        if kind == "text":
            node.text = _settable(text[:low])
            node.insert(0, mark)
        else:
            node.tail = _settable(text[:low])
            node.addnext(mark)
    return True


def _declare_utf8(root: etree._Element) -> None:
    # The page is served as UTF-8 now; its own <meta> may still say gbk, which would be wrong in a saved copy.
    for meta in root.iter("meta"):
        if meta.get("charset") is not None:
            meta.set("charset", "utf-8")
        elif (meta.get("http-equiv") or "").lower() == "content-type":
            meta.set("content", "text/html; charset=utf-8")


def _add_style(root: etree._Element) -> None:
    head = root.find("head")
    if head is None:
        head = etree.Element("head")
        root.insert(0, head)
    style = etree.SubElement(head, "style")
    style.text = _HIT_STYLE
