"""Pre-pass with lxml: cut a page down to the parts that can matter before BeautifulSoup sees it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Protocol

from lxml import etree

from checker.extract import css_hiding
from checker.extract.bounds import bound_markup, flatten_depth
from checker.extract.layouts import CONTEXT_SELECTORS
from checker.extract.limits import STYLES_CUT, STYLES_IMPORTED, TOO_COMPLEX, Guard
from checker.extract.patterns import (
    CATEGORY_LABELS,
    CLAIMANT_LABELS,
    ENGLISH_STANDARD_LABELS,
    INLINE_TAGS,
    LABEL_SUFFIXES,
    LOGO_FILE_ATTRS,
    PRODUCT_LABELS,
    SELLER_LABELS,
    STANDARD_LABELS,
    logo_file_name,
)
from checker.extract.selectors import AncestorMemo, SelectorIndex
from checker.extract.srcdoc import ORIGINAL_TAG, FrameStyles, inline_srcdocs
from checker.extract.stylesheet import Opener, Sheet, carried, hides, read_sheet
from checker.extract.svgtext import svg_as_text
from checker.extract.tabs import TAB_ATTR, TabSets, panel_kind
from checker.extract.visibility import CSS_ATTR, OPENS_ATTR, UNSLOTTED_ATTR, declarations
from pagetext import ignorables
from pagetext.normalize import normalize_text

# Text that may hold a mention (any spelling the normaliser folds) or a context label.
# Every spelling holds 海 (上海标准, 上海標準) or "standard" in some case, half- or full-width: a text node
# with neither cannot start one. Substring tests: a case-insensitive regex costs 4x more on every node.
# Invisible characters inside "Stan\u00addard" hide the substring: they are taken out first (str.isascii
# is a flag lookup, so ASCII texts, most of a page, pay nothing).
_IGNORABLE = re.compile(
    "[" + "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in ignorables.RANGES) + "]"
)


def _has_standard(text: str) -> bool:
    folded = text.lower()
    if "tandard" in folded or "ｔａｎｄａｒｄ" in folded:
        return True
    # The letters of "standard" survive any split: texts without them (most Chinese text) stop here.
    if folded.isascii() or "d" not in folded or "t" not in folded or not _IGNORABLE.search(folded):
        return False
    folded = _IGNORABLE.sub("", folded)
    return "tandard" in folded or "ｔａｎｄａｒｄ" in folded


def _has_hai(text: str) -> bool:
    # 海 and the compatibility ideographs NFKC folds to it (U+FA45, U+2F901): 上\ufa45标准 reads 上海标准.
    return "海" in text or (not text.isascii() and ("\ufa45" in text or "\U0002f901" in text))


def _may_mention(text: str) -> bool:
    return _has_hai(text) or _has_standard(text)


def _worth_a_look(text: str) -> bool:
    """The walk's cheap pre-test: a mention hint, or a first character some label starts with."""
    if _has_hai(text):
        return True
    stripped = text.lstrip()  # the same whitespace _LABEL_HINT's leading \s* skips
    return bool(stripped) and (stripped[0] in _LABEL_FIRST or _has_standard(text))


# A label is the whole text of a cell or the part before a colon; 厂家服务 or prose mentioning 公司 is not.
_CONTEXT_LABELS = (*CLAIMANT_LABELS, *SELLER_LABELS, *PRODUCT_LABELS, *CATEGORY_LABELS, *STANDARD_LABELS)
_LABEL_HINT = re.compile(
    r"^\s*(?:"
    + "|".join(map(re.escape, _CONTEXT_LABELS))
    + r")(?:"
    + "|".join(map(re.escape, LABEL_SUFFIXES))
    + r")\s*(?:[:：]|$)"
)
_LABEL_FIRST = frozenset(label[0] for label in _CONTEXT_LABELS)
# An export page's English standard row (Executive Standard: T/…, Standard No. | Q/…) is the product's 执行标准 row:
# kept as context, or the page declared no standard and a bare "Shanghai Standard certified" beside it was SHS008.
# Such texts hold "standard", so the walk looks at them already (_has_standard); spaces may part the words.
_ENGLISH_STANDARD_HINT = re.compile(
    r"^\s*(?:"
    + "|".join(
        r"\s?".join(map(re.escape, label)) for label in sorted(ENGLISH_STANDARD_LABELS, key=len, reverse=True)
    )
    + r")\s*(?:[:：]|$)",
    re.I,
)
# The unit a hit is kept with: the row, cell group, list item or paragraph that a tie can reach.
_UNITS = frozenset(
    ["li", "tr", "dl", "p", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "caption", "blockquote"]
)
# Inline formatting: text inside it is part of the text around it.
_INLINE = INLINE_TAGS
# A hint is confirmed on its unit's normalised text before anything is kept (the mention tables are stricter).
# The words written backwards (准标海上) are kept too: an override may draw them forwards (bidi.py).
_LOOSE_MENTION = re.compile(r"海 ?[标標] ?[准準]|[准準] ?[标標] ?海|shanghai ?[-_]? ?standard", re.I)
# <noscript> is read, as hidden text (visibility.py: a buyer's browser runs scripts and never shows it). A
# <template> holds inert markup no reader sees: it is removed before the walk (a claim in it was read when
# wrapped in a <p>), unless it is a declarative shadow root (shadowrootmode), which the browser draws.
_DROP = frozenset(["script", "style", "template", "svg", "iframe", "object", "link"])
# A mention keeps ancestors up to this much text, so a listing card keeps its own heading and rows.
_BLOCK_TEXT_LIMIT = 2000
_BLOCK_LEVELS = 3
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")
# Browsers put anything after </body> or </html> into the body (HTML: "after body" reprocesses it "in body");
# libxml2 drops whatever follows </html>, and a second document pasted after the first was lost unsaid.
_DOCUMENT_END = re.compile(r"</(?:body|html)\s*>", re.I)
CONTEXT_INDEX = SelectorIndex(CONTEXT_SELECTORS)
NTH_ATTR = "data-mw-nth"
# The tag an element had on the page, where the pruned copy renamed it.
TAG_ATTR = ORIGINAL_TAG
# Legacy elements whose content is shown as plain text (<xmp><b>…</xmp> shows "<b>…").
_LEGACY_RAW_TEXT = ("xmp", "plaintext", "listing", "noframes")
# Marks an element whose id another element of the page has too: locations do not stop at it.
DUP_ID_ATTR = "data-mw-dupid"
# Annotations above ruby base text (pinyin in <rt>, fallback brackets in <rp>): not part of the words.
_RUBY_ANNOTATIONS = frozenset(["rt", "rp"])
_PARSERS = threading.local()
# How often the walk looks at the clock (elements).
_CHECK_EVERY = 0xFFF
# Marks elements a layout selector matched, so BeautifulSoup finds them without running selectors again.
CTX_ATTR = "data-mw-ctx"
CTX_SEPARATOR = "|"
# The heading of the section a mention block sits in (公司介绍 before <p>…</p>), read before pruning cuts it:
# the classifier tells an organisation's self-introduction from the rest of the page by it (placement.py).
SECTION_ATTR = "data-mw-section"
# Where that heading may be: among the previous siblings of the block or of an ancestor a few levels up.
_SECTION_LEVELS = 4
_SECTION_SIBLINGS = 8
_SECTION_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SECTION_HEADER_CHARS = 30
_SECTION_CHARS = 40


def as_parsed(text: str) -> str:
    """A decoded page made ready for libxml2 as a browser reads it (the extractor and the console alike):
    no XML declaration, nothing after a </body> or </html> lost."""
    return _DOCUMENT_END.sub("", _XML_DECL.sub("", text, count=1))


def _parser() -> etree.HTMLParser:
    # Without huge_tree libxml2 stops at 256 levels of nesting and silently drops the rest of the page.
    # Plain etree elements: lxml.html's Python element-class lookup doubles the cost of the walk. One parser
    # per thread: its error log tells this page's parse from another thread's.
    parser: etree.HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.HTMLParser(huge_tree=True)
    return parser


def _text(el: etree._Element) -> str:
    return str(etree.tostring(el, method="text", encoding="unicode", with_tail=False))


# libxml2 parses control characters into the tree, but lxml refuses them when Python sets a text.
_TEXT_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _drop_all(elements: Iterable[etree._Element]) -> None:
    """Remove elements but keep their tail texts in place, each parent rebuilt once.

    Dropping one at a time appended each tail to its kept neighbour's text: 40,000 ruby annotations or scripts
    in one paragraph copied that growing text 40,000 times (13 s of CPU on a 2 s budget, unchecked)."""
    doomed: dict[etree._Element, set[etree._Element]] = {}
    for el in elements:
        parent = el.getparent()
        if parent is not None:
            doomed.setdefault(parent, set()).add(el)
    for parent, gone in doomed.items():
        pieces: list[str] = [parent.text or ""]
        kept: etree._Element | None = None
        for child in list(parent):
            if child in gone:
                if child.tail:
                    pieces.append(child.tail)
                parent.remove(child)  # takes its tail with it: kept in `pieces`
                continue
            _set_leading(parent, kept, pieces)
            kept, pieces = child, [child.tail or ""]
        _set_leading(parent, kept, pieces)


def _set_leading(parent: etree._Element, kept: etree._Element | None, pieces: list[str]) -> None:
    """Put the text gathered since `kept` (None: the parent's start) back where it stands, when a dropped
    element's tail joined it (a text left as parsed is not set again: lxml refuses the control characters
    libxml2 parsed into it)."""
    if len(pieces) == 1:
        return
    text = _TEXT_NOT_XML.sub(" ", "".join(pieces))
    if kept is None:
        parent.text = text or None
    else:
        kept.tail = text or None


class _Sheets:
    """The stylesheet that styles each element: the page's, or inside an `<iframe srcdoc>` its document's own
    (the frame's text was read with the page's sheet: the frame's own <style> hid nothing, and the page's
    hid what the frame never hides)."""

    def __init__(self, page: Sheet, frames: FrameStyles) -> None:
        self.page = page
        self.all = [page]
        self._inside: dict[etree._Element, Sheet] = {}
        for frame, styles in frames:  # outer frames first: a frame inside one takes its elements over
            sheet = read_sheet(styles)
            self.all.append(sheet)
            for el in frame.iter(etree.Element):
                if el is not frame:  # the frame element itself is styled by the page around it
                    self._inside[el] = sheet

    def of(self, el: etree._Element) -> Sheet:
        """The sheet that styles `el`."""
        return self._inside.get(el, self.page) if self._inside else self.page

    def frame_sheet(self, el: etree._Element) -> Sheet | None:
        """The sheet of the frame `el` is (its document's), or None when `el` is no frame put in place."""
        first = next(el.iterchildren(etree.Element), None)
        return None if first is None else self._inside.get(first)


def _declared(el: etree._Element, sheet: Sheet) -> dict[str, str]:
    """What the page's stylesheet and the inline style declare for an element (the inline one over the
    sheet's: a loose cascade, !important not weighed)."""
    found: dict[str, str] = {}
    if sheet.hides or sheet.papers:
        declared = sheet.declared(str(el.get(TAG_ATTR) or el.tag), el.get("id"), el.get("class"))
        found = {prop: rule.value for prop, rule in declared.items()}
    found.update(declarations(el.get("style")))
    return found


def _templates(root: etree._Element) -> None:
    """Drop inert <template>s; a declarative shadow root (<template shadowrootmode="open">) is drawn where it
    stands, so it stays, as a box that locations still name a template, and its host's own children are drawn
    only through its <slot>s (the others are marked UNSLOTTED_ATTR: hidden)."""
    inert = []
    for template in list(root.iter("template")):
        if (template.get("shadowrootmode") or "").strip().lower() in ("open", "closed"):
            template.tag = "div"
            template.set(TAG_ATTR, "template")
            _mark_unslotted(template)
        else:
            inert.append(template)
    _drop_all(inert)


def _mark_unslotted(shadow: etree._Element) -> None:
    host = shadow.getparent()
    if host is None:
        return
    slots = [slot.get("name") for slot in shadow.iter("slot")]
    if None in slots or "" in slots:
        return  # a default slot draws every child
    named = {name for name in slots if name}
    for child in host.iterchildren(etree.Element):
        if child is not shadow and child.get(TAG_ATTR) != "template" and child.get("slot") not in named:
            child.set(UNSLOTTED_ATTR, "")


def _hiding(el: etree._Element, sheet: Sheet) -> bool:
    """Whether an element's own attributes or the page's stylesheet may hide it (a loose test: no cascade
    against the inline style, a text colour against the nearest few backgrounds only)."""
    if (
        el.get("hidden") is not None
        or el.tag == "noscript"
        or (el.tag == "dialog" and el.get("open") is None)
        or el.get(UNSLOTTED_ATTR) is not None
    ):
        return True
    declared = _declared(el, sheet)
    inline = str(el.get(TAG_ATTR) or el.tag) in INLINE_TAGS
    if (
        any(hides(prop, value) for prop, value in declared.items())
        or css_hiding.box_hiding(declared, inline, el.get("class")) is not None
        or css_hiding.indent_hides(declared, inline)
    ):
        return True
    ink = css_hiding.colour(declared.get("color"))
    if ink == css_hiding.TRANSPARENT:
        return True
    if not isinstance(ink, tuple):
        return False
    return css_hiding.same_colour(ink, _paper(el, sheet))


def _paper(el: etree._Element, sheet: Sheet) -> css_hiding.Colour | None:
    """The background colour an element is drawn on: its own, or its nearest painted ancestor's (None: none
    declared, or not a plain colour). Memoised per sheet: every ancestor is looked at once per page."""
    chain: list[etree._Element] = []
    node: etree._Element | None = el
    paper: css_hiding.Colour | None = None
    while node is not None and isinstance(node.tag, str):
        if node in sheet.backgrounds:
            paper = sheet.backgrounds[node]
            break
        chain.append(node)
        node = node.getparent()
    for element in reversed(chain):
        own = css_hiding.background(_declared(element, sheet))
        if own is not None and own != css_hiding.TRANSPARENT:
            paper = None if own == css_hiding.UNKNOWN else own
        sheet.backgrounds[element] = paper
    return paper


def _shown_text(unit: etree._Element, sheets: _Sheets) -> str | None:
    """The unit's text without what its inline attributes or the page's stylesheet may hide (上海<span
    style="display:none">xx</span>标准 reads 上海标准 to a buyer), or None when nothing in it may hide anything.
    One walk, nothing copied: a unit of 20,000 hidden spans is read in linear time."""
    if not any(_hiding(el, sheets.of(el)) for el in unit.iter(etree.Element) if el is not unit):
        return None
    parts: list[str] = []
    # Elements to open, and tails (strings) to write once the element before them is done.
    pending: list[etree._Element | str] = [unit]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        if item is not unit and not isinstance(item.tag, str):
            continue  # a comment or processing instruction shows nothing (its tail was queued apart)
        if item is not unit and _hiding(item, sheets.of(item)):
            continue
        if item.text and isinstance(item.tag, str):
            parts.append(item.text)
        for child in reversed(item):
            if child.tail:
                pending.append(child.tail)
            pending.append(child)
    return "".join(parts)


def _unit(el: etree._Element) -> etree._Element:
    node: etree._Element | None = el
    while node is not None:
        if node.tag in _UNITS:
            return node
        node = node.getparent()
    # No row, item or paragraph around it: the nearest element that is not inline text formatting. The words
    # split across <span>上海</span><span>标准</span> in a <div> are one text there, as the reader sees them
    # (the span alone holds half the words, and the page was read as holding none).
    node = el
    while node.tag in _INLINE and (parent := node.getparent()) is not None:
        node = parent
    return node


def _block(unit: etree._Element, sizes: dict[etree._Element, int]) -> etree._Element:
    # `sizes` remembers each parent's text length: 100,000 sibling mentions share one parent, and measuring
    # it again for each made the walk quadratic.
    node = unit
    for _ in range(_BLOCK_LEVELS):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        size = sizes.get(parent)
        if size is None:
            size = sizes[parent] = len(_text(parent))
        if size > _BLOCK_TEXT_LIMIT:
            break
        node = parent
    return node


_SKIP_OWN_TEXT = _DROP | _RUBY_ANNOTATIONS | {"meta", "title", "img"}
_NO_CONTEXT = _DROP | {"meta", "title"}  # never a layout selector's element


def _image_names_mark(img: etree._Element) -> bool:
    # As loose as the text check: alt/title hold the words, or a file name matches a logo pattern.
    # (A figcaption naming the mark is text, found by the text walk.)
    for attr in ("alt", "title"):
        value = img.get(attr)
        if value and _LOOSE_MENTION.search(normalize_text(value)):
            return True
    return any((value := img.get(attr)) and logo_file_name(value) for attr in LOGO_FILE_ATTRS)


class PageObserver(Protocol):
    """Sees the whole page during the walk, before anything is cut (page-level signals such as bylines).

    `wants(text)` is a cheap pre-test run on every non-blank text outside scripts and styles; `text` is
    called only for texts it accepts; `walked(root)` once after the walk, on the still-whole document."""

    def wants(self, text: str) -> object: ...

    def text(self, text: str, owner: etree._Element) -> None: ...

    def walked(self, root: etree._Element) -> None: ...


class _Hits:
    """What the walk keeps: mention blocks, context units and rows, head metadata (in document order)."""

    def __init__(self, guard: Guard, sheets: _Sheets) -> None:
        self.guard = guard
        self.sheets = sheets
        self.mentions: dict[etree._Element, None] = {}
        self.context: dict[etree._Element, None] = {}
        self.checked: set[etree._Element] = set()
        self.sizes: dict[etree._Element, int] = {}
        self.ruby: list[etree._Element] = []

    def text(self, text: str, owner: etree._Element) -> None:
        if _may_mention(text):
            unit = _unit(owner)
            if unit not in self.checked:
                self.checked.add(unit)
                self.guard.check("pre-pass walk")
                if _LOOSE_MENTION.search(normalize_text(_text(unit))) or (
                    (shown := _shown_text(unit, self.sheets)) is not None
                    and _LOOSE_MENTION.search(normalize_text(shown))
                ):
                    self.mentions[_block(unit, self.sizes)] = None
                    return
        if _LABEL_HINT.match(text) or (  # anchored: search() would try every offset
            _has_standard(text) and _ENGLISH_STANDARD_HINT.match(text)
        ):
            self.context[_unit(owner)] = None

    def element(self, el: etree._Element, tag: str) -> None:
        if tag in _DROP:
            if tag == "script" and (el.get("type") or "").lower() == "application/ld+json":
                self.context[el] = None
        elif tag in ("meta", "title"):
            self.context[el] = None
        elif tag in _RUBY_ANNOTATIONS:
            self.ruby.append(el)
        elif tag == "img" and _image_names_mark(el):
            self.mentions[_block(_unit(el), self.sizes)] = None


def _hits(root: etree._Element, guard: Guard, sheets: _Sheets, observer: PageObserver | None = None) -> _Hits:
    # The hot loop of a claim page: every element once, so plain attribute reads and set lookups only;
    # a text is looked at (hits.text) only when it holds a mention hint or starts like a label.
    hits = _Hits(guard, sheets)
    context = hits.context
    special = _SKIP_OWN_TEXT
    no_context = _NO_CONTEXT
    index = CONTEXT_INDEX
    ctx_tags, ctx_ids, ctx_classes = index.by_tag, index.by_id, index.class_names
    worth = _worth_a_look
    memo: AncestorMemo = {}
    ids: dict[str, etree._Element] = {}
    wants = observer.wants if observer is not None else None
    record = observer.text if observer is not None else None
    for count, el in enumerate(root.iter(etree.Element)):
        if not count & _CHECK_EVERY:
            guard.check("pre-pass walk")
        tag = el.tag
        if tag in special:
            hits.element(el, tag)
        else:
            text = el.text
            # Most texts are the whitespace between tags: str.isspace first, a function call after.
            if text and not text.isspace():
                if worth(text):
                    hits.text(text, el)
                if wants is not None and record is not None and wants(text):
                    record(text, el)
        if tag not in no_context:
            ident = el.get("id")
            if ident is not None:
                first = ids.setdefault(ident, el)
                if first is not el:
                    # Two elements share the id: a location "div#a > p" would name the first one.
                    first.set(DUP_ID_ATTR, "")
                    el.set(DUP_ID_ATTR, "")
            classes = el.get("class")
            if (
                tag in ctx_tags
                or (ident is not None and ident in ctx_ids)
                or (classes is not None and not ctx_classes.isdisjoint(classes.split()))
            ) and (selectors := index.match(el, memo)):
                el.set(CTX_ATTR, xml_safe(CTX_SEPARATOR.join(selectors)))
                context[el] = None
        # A tail belongs to the parent's text whatever the element was (a script, an image).
        tail = el.tail
        if tail and not tail.isspace() and (parent := el.getparent()) is not None:
            if worth(tail):
                hits.text(tail, parent)
            if wants is not None and record is not None and wants(tail):
                record(tail, parent)
    for other in root.iter(etree.Comment, etree.ProcessingInstruction):
        tail = other.tail
        if tail and worth(tail) and (parent := other.getparent()) is not None:
            hits.text(tail, parent)
    return hits


def _drop_scripts(block: etree._Element) -> None:
    _drop_all(
        inner
        for inner in list(block.iter(*_DROP))
        if inner is not block and (inner.get("type") or "").lower() != "application/ld+json"
    )


def _sweep(root: etree._Element, keep: set[etree._Element], shells: set[etree._Element]) -> None:
    if root in keep:
        # Text after </body> is the root's own (a mention there makes the whole page the block).
        _drop_scripts(root)
        return
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
            # Counted under the tag the page has (an iframe whose document was put in its place is a div here).
            shown = child.get(TAG_ATTR) or tag
            counts[shown] = counts.get(shown, 0) + 1
            if child in keep:
                child.set(NTH_ATTR, str(counts[shown]))
                _drop_scripts(child)
            elif child in shells:
                child.set(NTH_ATTR, str(counts[shown]))
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


def _parse(text: str, guard: Guard) -> etree._Element | None:
    parser = _parser()
    root = etree.fromstring(text, parser)
    if any("Excessive depth" in error.message for error in parser.error_log.filter_from_fatals()):
        # libxml2 stopped at 2,048 levels and dropped the rest of the page: flatten the deep part, read again.
        root = etree.fromstring(flatten_depth(text, guard), parser)
    return root


def _kept(hits: _Hits, guard: Guard) -> set[etree._Element]:
    """Mention blocks and context (rows, metadata), each up to the limit; a kept element inside another is covered."""
    limit = guard.limits.max_kept_blocks
    mentions = list(hits.mentions)
    if len(mentions) > limit:
        guard.warn(
            TOO_COMPLEX, f"{len(mentions):,} blocks mention the words: only the first {limit:,} were read"
        )
        mentions = mentions[:limit]
    context = [el for el in hits.context if el not in hits.mentions]
    if len(context) > limit:
        guard.warn(
            TOO_COMPLEX, f"{len(context):,} context rows and metadata: only the first {limit:,} were read"
        )
        context = context[:limit]
    keep = set(mentions) | set(context) | _answers_to(mentions)
    return {el for el in keep if not any(a in keep for a in el.iterancestors())}


# A question block's answer is what follows it on the page: a short element just after it (答：是的, A: Yes.) is kept;
# of anything else (a longer answer, a text, the next box a few levels up) the pre-pass writes the first characters on
# the block (ANSWER_ATTR), since pruning cuts it; a question the page ends with says so (NO_ANSWER_ATTR). The classifier
# reads them instead of what the pruned page holds after the question (classify.Classifier.sellers_yes).
ANSWER_ATTR = "data-mw-answer"
NO_ANSWER_ATTR = "data-mw-no-answer"
_QUESTION_END = re.compile(r"[？?]\s*$")
_ANSWER_CHARS = 200
# How far what follows a question is looked for: up this many levels, past this many blank or furniture elements
# beside each. Bounded, so a page of many questions is read in linear time; beyond them the answer is not known.
_FOLLOW_LEVELS = 6
_FOLLOW_SIBLINGS = 8
# Elements after a question that are never its answer: what a reader does not see, and the site's furniture.
_NOT_AN_ANSWER = _DROP | {"footer", "nav", "aside", "br", "hr", "img"}


def _head(el: etree._Element, chars: int) -> str:
    """The first `chars` characters of an element's text, white space folded, its pieces joined by a space (as
    BeautifulSoup's get_text(" ") joins them): read only as far as needed, however long the element."""
    pieces: list[str] = []
    size = 0
    for piece in el.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > 4 * chars:
            break
    return " ".join(" ".join(pieces).split())[:chars]


def _follower(block: etree._Element) -> etree._Element | str | None:
    """What follows `block` on the whole page: the next element with text beside it or beside an ancestor, or a text
    between them; "" when the page holds nothing after it; None when that was not found within reach."""
    node = block
    for _ in range(_FOLLOW_LEVELS):
        if node.tail and not node.tail.isspace():
            return node.tail
        for count, sibling in enumerate(node.itersiblings()):
            if count >= _FOLLOW_SIBLINGS:
                return None
            if isinstance(sibling.tag, str) and sibling.tag not in _NOT_AN_ANSWER and _head(sibling, 1):
                return sibling
            if sibling.tail and not sibling.tail.isspace():
                return sibling.tail
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return ""
        node = parent
    return None


def _answers_to(blocks: Iterable[etree._Element]) -> set[etree._Element]:
    """The short element after each block that ends in a question (问：这款是上海标准吗？ | 答：是的): the seller's
    answer decides whether the question became its claim (classify.sellers_yes), and it holds no words to keep it.
    Of what else follows, the block keeps the first characters (ANSWER_ATTR), or says that nothing does."""
    answers: set[etree._Element] = set()
    for block in blocks:
        if not _QUESTION_END.search(_text(block)):
            continue
        follower = _follower(block)
        if isinstance(follower, str):
            if follower:
                block.set(ANSWER_ATTR, xml_safe(" ".join(follower.split())[:_ANSWER_CHARS]))
            else:
                block.set(NO_ANSWER_ATTR, "")
            continue
        head = "" if follower is None else _head(follower, _ANSWER_CHARS + 1)
        if follower is not None and follower is block.getnext() and len(head) <= _ANSWER_CHARS:
            answers.add(follower)
        else:
            # Not within reach (None): an empty answer, which decides nothing.
            block.set(ANSWER_ATTR, xml_safe(head[:_ANSWER_CHARS]))
    return answers


def _section_heading(block: etree._Element) -> str | None:
    """The text of the nearest heading before block (a heading sibling, or a short box holding one: div.hd > h3)
    a few levels up, else None."""
    node: etree._Element | None = block
    for _ in range(_SECTION_LEVELS):
        if node is None or node.tag in ("body", "html"):
            return None
        for count, sibling in enumerate(node.itersiblings(etree.Element, preceding=True)):
            if count >= _SECTION_SIBLINGS:
                break
            if sibling.tag in _SECTION_HEADINGS:
                return " ".join(_text(sibling).split())[:_SECTION_CHARS] or None
            if len(_text(sibling).strip()) <= _SECTION_HEADER_CHARS:
                inner = next(sibling.iter(*_SECTION_HEADINGS), None)
                if inner is not None:
                    return " ".join(_text(inner).split())[:_SECTION_CHARS] or None
        node = node.getparent()
    return None


# Characters XML 1.0 forbids: lxml refuses them in an attribute value (ValueError), and a page's text may hold
# them (the HTML parser keeps \x01 in text). Whatever the pre-pass writes from page text into an attribute
# goes through xml_safe (the fuzz bench found a heading with \x01 crashing the page).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML attribute cannot hold."""
    return _NOT_XML.sub("", text)


def _mark_sections(hits: _Hits, keep: set[etree._Element]) -> None:
    for block in hits.mentions:
        if block in keep and (heading := _section_heading(block)) is not None:
            block.set(SECTION_ATTR, xml_safe(heading))


def _bound_kept_elements(root: etree._Element, keep: set[etree._Element], guard: Guard) -> None:
    limit = guard.limits.max_kept_elements
    count = sum(1 for _ in root.iter())
    if count <= limit:
        return
    for block in keep:
        if block.tag != "script":
            etree.strip_tags(block, "*")
    guard.warn(
        TOO_COMPLEX,
        f"the blocks holding mentions have {count:,} elements: their inner markup (rows, cells, links) "
        "was flattened to text",
    )


def _mark_tab_panels(
    root: etree._Element,
    keep: set[etree._Element],
    shells: set[etree._Element],
    sheets: _Sheets,
    guard: Guard,
) -> None:
    """Mark the hidden panels that belong to a real tab set (tabs.py) while their siblings and tab controls are
    still there: pruning cuts them, and visibility.py exempts only marked panels."""
    sets = TabSets(root, lambda el: _hiding(el, sheets.of(el)), guard.check)
    candidates = [*shells, *(el for block in keep for el in block.iter(etree.Element))]
    for count, el in enumerate(candidates):
        if not count & _CHECK_EVERY:
            guard.check("finding tab panels")
        kind = panel_kind(el)
        if kind is not None and _hiding(el, sheets.of(el)) and sets.real(el, kind):
            el.set(TAB_ATTR, "")


def _mark_opened(
    keep: set[etree._Element], shells: set[etree._Element], sheets: _Sheets, guard: Guard
) -> None:
    """Mark the hidden blocks the stylesheet shows in a state a buyer brings about (a dropdown under a menu
    item, a popup beside its trigger), while what the buyer acts on is still there (pruning cuts it)."""
    if not any(sheet.opened for sheet in sheets.all):
        return
    candidates = [*shells, *(el for block in keep for el in block.iter(etree.Element))]
    for count, el in enumerate(candidates):
        if not count & _CHECK_EVERY:
            guard.check("finding dropdowns")
        sheet = sheets.of(el)
        openers = sheet.openers(el.get("id"), el.get("class"))
        if not openers or not _hiding(el, sheet):
            continue
        guard.check("finding dropdowns")  # each looks up to _OPENER_LEVELS ancestors per opener
        if any(_opened_by(el, opener, sheets) for opener in openers):
            el.set(OPENS_ATTR, "")


# How far the element a buyer acts on may be from what it opens, and how much of it is looked at.
_OPENER_LEVELS = 16
_OPENER_ELEMENTS = 200
# What sets a state class (.open) when clicked: a script's toggle, or an element made to be clicked.
_CONTROL_ATTRS = ("data-toggle", "data-bs-toggle", "aria-haspopup", "aria-expanded", "aria-controls")
_CONTROL_TAGS = frozenset(["button", "summary", "label", "select", "input"])


def _carries(node: etree._Element, opener: Opener) -> bool:
    if opener.tag is not None and str(node.get(TAG_ATTR) or node.tag).lower() != opener.tag:
        return False
    if opener.ids and node.get("id") not in opener.ids:
        return False
    return opener.classes <= set((node.get("class") or "").split())


def _opened_by(el: etree._Element, opener: Opener, sheets: _Sheets) -> bool:
    """Whether the page holds what a buyer acts on to show `el` by this rule: the element carrying the state,
    shown, holding something to hover or click besides `el` (a control when the state is a script's class)."""
    if opener.sibling:
        for count, sibling in enumerate(el.itersiblings(etree.Element, preceding=True)):
            if count >= _OPENER_ELEMENTS:
                break
            if _carries(sibling, opener) and not _hiding(sibling, sheets.of(sibling)):
                return True
        return False
    node = el.getparent()
    for _ in range(_OPENER_LEVELS):
        if node is None or node.tag in ("body", "html"):
            return False
        if (
            _carries(node, opener)
            and not _hiding(node, sheets.of(node))
            and _acted_on(node, el, opener.control)
        ):
            return True
        if opener.parent_only:
            return False
        node = node.getparent()
    return False


def _acted_on(node: etree._Element, opened: etree._Element, control: bool) -> bool:
    """Whether `node` holds, outside `opened`, a control (`control`) or any text or image a buyer points at."""
    if not control and node.text and not node.text.isspace():
        return True
    pending = [child for child in reversed(node) if isinstance(child.tag, str)]
    seen = 0
    while pending and seen < _OPENER_ELEMENTS:
        item = pending.pop()
        seen += 1
        if not control and item.tail and not item.tail.isspace():
            return True
        if item is opened:
            continue
        if control:
            if str(item.tag).lower() in _CONTROL_TAGS or any(
                item.get(name) is not None for name in _CONTROL_ATTRS
            ):
                return True
            if (item.get("role") or "").lower() == "button":
                return True
        elif (item.text and not item.text.isspace()) or item.tag == "img":
            return True
        pending.extend(child for child in reversed(item) if isinstance(child.tag, str))
    return False


def _carry_stylesheet(root: etree._Element, sheets: _Sheets, guard: Guard) -> None:
    """Write on each kept element what its stylesheet declares for it (visibility.py reads it there:
    BeautifulSoup never sees the <style> blocks): the page's, or inside a frame the frame's document's."""
    if not any(sheet.by_id or sheet.by_class or sheet.by_tag for sheet in sheets.all):
        return
    pending = [(root, sheets.page)]
    count = 0
    while pending:
        el, sheet = pending.pop()
        count += 1
        if not count & _CHECK_EVERY:
            guard.check("reading the stylesheet")
        tag = str(el.get(TAG_ATTR) or el.tag)
        ident, classes = el.get("id"), el.get("class")
        declared = sheet.declared(tag, ident, classes)
        if declared:
            el.set(CSS_ATTR, xml_safe(carried(declared)))
        inner = sheets.frame_sheet(el) if tag == "iframe" else None
        below = inner if inner is not None else sheet
        pending.extend((child, below) for child in el if isinstance(child.tag, str))


def _svgs_as_text(root: etree._Element) -> None:
    """Each inline <svg> (outermost ones) replaced by the text it draws (svgtext.py): a claim drawn as SVG text
    is read, under the same hidden-text logic as the <svg> itself."""
    for svg in list(root.iter("svg")):
        parent = svg.getparent()
        if parent is None or any(ancestor.tag == "svg" for ancestor in svg.iterancestors()):
            continue  # inside an outer <svg> already read
        parent.replace(svg, svg_as_text(svg, TAG_ATTR))


def prune(text: str, guard: Guard | None = None, observer: PageObserver | None = None) -> str | None:
    """The page as HTML holding only mention units, context rows and head metadata; None when no mention.

    `observer` sees every text of the whole page before anything is cut (page-level classification signals)."""
    guard = guard or Guard.start()
    text = as_parsed(text)
    if not text.strip():
        return None
    text = bound_markup(text, guard)
    try:
        root = _parse(text, guard)
    except (etree.ParserError, ValueError):
        return None
    if root is None:
        return None
    guard.check("parsing")
    _templates(root)
    # The page's own stylesheets, read before frames are put in place: a frame's styles are its document's.
    sheet = read_sheet(style.text or "" for style in root.iter("style"))
    frames = inline_srcdocs(root, lambda document: _parse(bound_markup(document, guard), guard), guard)
    _svgs_as_text(root)
    sheets = _Sheets(sheet, frames)
    hits = _hits(root, guard, sheets, observer)
    if hits.ruby:
        # Ruby annotations (pinyin above 上海标准) split the words: drop them and look again.
        _drop_all(hits.ruby)
        hits = _hits(root, guard, sheets)
    if not hits.mentions:
        return None
    if observer is not None:
        observer.walked(root)
    for cut in dict.fromkeys(found.cut for found in sheets.all if found.cut is not None):
        guard.warn(STYLES_CUT, f"{cut}: text hidden by the rest of them may have been read as shown")
    if any(found.imports for found in sheets.all):
        # Not fetched (no request leaves the extractor): said, rather than guessed either way.
        guard.warn(
            STYLES_IMPORTED,
            "the page imports a stylesheet (@import) that was not fetched: text it hides may have been read as shown",
        )
    keep = _kept(hits, guard)
    _mark_sections(hits, keep)
    shells = _ancestors(keep)
    _mark_tab_panels(root, keep, shells, sheets, guard)
    _mark_opened(keep, shells, sheets, guard)
    _sweep(root, keep, shells)
    _bound_kept_elements(root, keep, guard)
    _carry_stylesheet(root, sheets, guard)
    guard.check("pruning")
    for raw_text in root.iter(*_LEGACY_RAW_TEXT):
        # libxml2 writes their text escaped (<b> as &lt;b&gt;) and BeautifulSoup reads it back as raw text:
        # the page would be quoted with entity debris it never showed.
        raw_text.set(TAG_ATTR, str(raw_text.tag))  # locations name the element the page has
        raw_text.tag = "pre"
    return str(etree.tostring(root, method="html", encoding="unicode"))
