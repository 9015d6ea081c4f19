"""Where a page's product images are, including the copies lazy loading hides from `src`.

Marketplaces put a 1x1 placeholder in `src` and the real address in `data-src`, `data-ks-lazyload`
(Taobao/Tmall), `data-lazyload` (JD), `data-original`, `src2`, `srcset`, or a `<noscript>` copy of the tag."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urldefrag, urljoin, urlsplit

from cssselect import GenericTranslator, SelectorError
from lxml import etree, html

# Read in this order: the lazy loaders' attributes hold the real image, `src` often a placeholder.
LAZY_ATTRS = ("data-src", "data-ks-lazyload", "data-lazyload", "data-original", "data-lazy-src", "src2")
SRCSET_ATTRS = ("srcset", "data-srcset")
_PLACEHOLDER = re.compile(
    r"(?:^data:|spaceball|s\.gif$|blank\.(?:gif|png)$|1x1|placeholder|grey\.gif$|loading\.gif$)", re.I
)
_BLOCKS = ("p", "div", "li", "td", "dd", "figure", "section", "article", "body")
_BLOCK_TEXT = 300
# Areas a site adapter can name; images outside every named area are "page".
AREAS = ("gallery", "detail", "params")


@dataclass(frozen=True)
class PageImage:
    """One image on a page: its absolute URL, where it sits, and the page text beside it."""

    url: str
    position: int
    area: str
    location: str
    block_text: str


@cache
def _xpath(selector: str) -> etree.XPath | None:
    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError):
        return None


def _srcset_best(value: str) -> str | None:
    """The largest candidate of a srcset (by its w or x descriptor), else the last one."""
    best: tuple[float, str] | None = None
    for part in value.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        size = 0.0
        if len(bits) > 1 and bits[1][:-1].replace(".", "", 1).isdigit():
            size = float(bits[1][:-1])
        if best is None or size >= best[0]:
            best = (size, bits[0])
    return best[1] if best else None


def image_address(img: etree._Element) -> str | None:
    """The real address of an <img>: lazy attributes, then the largest srcset candidate, then src."""
    for attr in LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not _PLACEHOLDER.search(value):
            return value
    for attr in SRCSET_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and (best := _srcset_best(value)) and not _PLACEHOLDER.search(best):
            return best
    value = (img.get("src") or "").strip()
    return value if value and not _PLACEHOLDER.search(value) else None


def _location(el: etree._Element) -> str:
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None and isinstance(node.tag, str) and node.tag not in ("html",):
        ident = (node.get("id") or "").strip()
        if ident:
            parts.append(f"{node.tag}#{ident}")
            break
        parent = node.getparent()
        # Filtered by tag inside lxml: no element object made for the siblings of other kinds.
        nth = 1 + sum(1 for _ in node.itersiblings(node.tag, preceding=True))
        parts.append(node.tag if node.tag == "body" or parent is None else f"{node.tag}:nth-of-type({nth})")
        node = parent
    return " > ".join(reversed(parts))


def _block_text(el: etree._Element, done: dict[etree._Element, str] | None = None) -> str:
    """The text of the nearest block around `el` (`done`: blocks already read, e.g. a page's <body>)."""
    for node in el.iterancestors():
        if node.tag in _BLOCKS:
            if done is not None and node in done:
                return done[node]
            text = " ".join(" ".join(node.itertext()).split())[:_BLOCK_TEXT]
            if done is not None:
                done[node] = text
            return text
    return ""


def _absolute(address: str, base_url: str | None) -> str:
    """The address resolved against the page, without its fragment (most are absolute already: no join)."""
    if address.startswith(("http://", "https://")) and "/." not in address and not address.endswith("?"):
        return address.split("#", 1)[0]
    return urldefrag(urljoin(base_url or "", address))[0]


def _noscript_images(root: etree._Element) -> list[tuple[etree._Element, etree._Element]]:
    """<img> tags inside <noscript> (parsed from its text when the parser kept it as text)."""
    found: list[tuple[etree._Element, etree._Element]] = []
    for noscript in root.iter("noscript"):
        images = list(noscript.iter("img"))
        if not images and noscript.text and "<img" in noscript.text.lower():
            try:
                fragment = html.fragment_fromstring(noscript.text, create_parent="div")
            except (etree.ParserError, ValueError):
                continue
            images = list(fragment.iter("img"))
        found.extend((noscript, img) for img in images)
    return found


def find_images(
    text: str, base_url: str | None, areas: dict[str, list[str]] | None = None, *, limit: int = 200
) -> list[PageImage]:
    """The images of a page in document order, deduplicated by address; at most `limit` of them."""
    try:
        # Plain lxml elements (no lxml.html class lookup in Python for every element touched): the same tree.
        root = html.document_fromstring(text, parser=etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return []
    in_area: dict[etree._Element, str] = {}
    for area, selectors in (areas or {}).items():
        for selector in selectors:
            compiled = _xpath(selector)
            for holder in compiled(root) if compiled is not None else []:
                if isinstance(holder, etree._Element):
                    for img in [holder, *holder.iter("img")]:
                        in_area.setdefault(img, area)
    seen: set[str] = set()
    blocks: dict[etree._Element, str] = {}
    out: list[PageImage] = []
    candidates = [(img, img) for img in root.iter("img")] + _noscript_images(root)
    for anchor, img in candidates:
        address = image_address(img)
        if not address:
            continue
        absolute = _absolute(address.replace("\\", "/"), base_url)
        if absolute.startswith("//"):
            absolute = "https:" + absolute
        if urlsplit(absolute).scheme not in ("http", "https", "") or absolute in seen:
            continue
        seen.add(absolute)
        area = in_area.get(img) or next((in_area[a] for a in anchor.iterancestors() if a in in_area), "page")
        out.append(PageImage(absolute, len(out), area, _location(anchor), _block_text(anchor, blocks)))
        if len(out) >= limit:
            break
    return out
