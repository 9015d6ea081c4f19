"""Where a page's product images are, including the copies lazy loading hides from `src`.

Marketplaces put a 1x1 placeholder in `src` and the real address in `data-src`, `data-ks-lazyload`
(Taobao/Tmall), `data-lazyload` (JD), `data-original`, `src2`, `srcset`, a `<picture>`'s `<source>`, or a
`<noscript>` copy of the tag. Detail pages also show images as an element's inline `background-image` (or a
lazy `data-bg`) or as an inline `<svg>`'s `<image href>`, and carry some inside the page as `data:` URIs (crawler/images/inline.py): a buyer sees all
of them, so all are evidence."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from urllib.parse import urldefrag, urljoin, urlsplit

from cssselect import GenericTranslator, SelectorError
from lxml import etree, html

from crawler.images.inline import InlineImage, decode_data_uri, is_data_uri, is_placeholder_data

# Read in this order: the lazy loaders' attributes hold the real image, `src` often a placeholder.
LAZY_ATTRS = ("data-src", "data-ks-lazyload", "data-lazyload", "data-original", "data-lazy-src", "src2")
SRCSET_ATTRS = ("srcset", "data-srcset")
# Placeholders lazy loading leaves in `src` (and sometimes in the lazy attributes): inline data, spacers.
_PLACEHOLDER_PARTS = ("spaceball", "1x1", "placeholder")
_PLACEHOLDER_ENDS = ("s.gif", "blank.gif", "blank.png", "grey.gif", "loading.gif")
# Lazy background loaders (lazysizes' data-bg, data-background) and an inline style's background image.
BACKGROUND_ATTRS = ("data-bg", "data-background")
_CSS_URL = re.compile(
    r"""background(?:-image)?\s*:[^;]*?url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I
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
    # An image the page carries as a data: URI: its bytes (url is then its key, never requested).
    inline: InlineImage | None = None


@cache
def _xpath(selector: str) -> etree.XPath | None:
    try:
        return etree.XPath(GenericTranslator().css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError):
        return None


def _is_placeholder(address: str) -> bool:
    # Substring tests on the lower-cased address (an alternation regex cost more than the rest of the lookup).
    lowered = address.lower()
    if is_data_uri(lowered):
        return is_placeholder_data(address)
    return lowered.endswith(_PLACEHOLDER_ENDS) or any(part in lowered for part in _PLACEHOLDER_PARTS)


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(URL, descriptor) pairs of a srcset, parsed as the HTML standard does: a URL runs to the next whitespace
    (so `/a,b.jpg 1x` and `data:…;base64,… 2x` keep their commas) and a comma at its end separates candidates;
    descriptors run to a comma outside parentheses."""
    candidates: list[tuple[str, str]] = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        url = value[start:position]
        if not url:
            break
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        start, depth = position, 0
        while position < end and (value[position] != "," or depth):
            if value[position] == "(":
                depth += 1
            elif value[position] == ")" and depth:
                depth -= 1
            position += 1
        candidates.append((url, " ".join(value[start:position].split())))
    return candidates


def _srcset_best(value: str) -> str | None:
    """The largest candidate of a srcset (by its w or x descriptor), else the last one."""
    best: tuple[float, str] | None = None
    for url, descriptor in srcset_candidates(value):
        bits = descriptor.split()
        size = 0.0
        if bits and bits[0][:-1].replace(".", "", 1).isdigit():
            size = float(bits[0][:-1])
        if best is None or size >= best[0]:
            best = (size, url)
    return best[1] if best else None


def image_address(img: etree._Element) -> str | None:
    """The real address of an <img>: lazy attributes, then the largest srcset candidate, then src."""
    for attr in LAZY_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not _is_placeholder(value):
            return value
    for attr in SRCSET_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and (best := _srcset_best(value)) and not _is_placeholder(best):
            return best
    value = (img.get("src") or "").strip()
    if value and not _is_placeholder(value):
        return value
    # <picture><source srcset=…><img src=placeholder></picture>: the browser shows a source's image.
    # libxml2 does not know <source> is empty: the <img> may sit inside the last <source>.
    picture = next((a for a in islice(img.iterancestors(), 8) if a.tag == "picture"), None)
    if picture is not None:
        for source in picture.iter("source"):
            for attr in SRCSET_ATTRS:
                value = (source.get(attr) or "").strip()
                if value and (best := _srcset_best(value)) and not _is_placeholder(best):
                    return best
    return None


def background_address(el: etree._Element) -> str | None:
    """The image an element shows as its background: a lazy data-bg, else its inline style's url()."""
    for attr in BACKGROUND_ATTRS:
        value = (el.get(attr) or "").strip()
        if value and not _is_placeholder(value):
            return value
    style = el.get("style") or ""
    if "url(" not in style.lower():
        return None
    match = _CSS_URL.search(style)
    value = next((group for group in match.groups() if group), "").strip() if match else ""
    return value if value and not _is_placeholder(value) else None


def _location(el: etree._Element, done: dict[etree._Element, str]) -> str:
    """A CSS path to `el` from <body> or the nearest ancestor with an id (`done`: paths already built on this
    page, so images that share a parent walk and count their ancestors once)."""
    chain: list[etree._Element] = []
    node: etree._Element | None = el
    path = ""
    while node is not None and isinstance(node.tag, str) and node.tag != "html":
        known = done.get(node)
        if known is not None:
            path = known
            break
        ident = (node.get("id") or "").strip()
        if ident:
            path = done[node] = f"{node.tag}#{ident}"
            break
        chain.append(node)
        node = node.getparent()
    for node in reversed(chain):
        parent = node.getparent()
        if node.tag == "body" or parent is None:
            part = str(node.tag)
        else:
            # Filtered by tag inside lxml: no element object made for the siblings of other kinds.
            part = (
                f"{node.tag}:nth-of-type({1 + sum(1 for _ in node.itersiblings(node.tag, preceding=True))})"
            )
        path = done[node] = f"{path} > {part}" if path else part
    return path


def _block_text(el: etree._Element, done: dict[etree._Element, str]) -> str:
    """The text of the nearest block around `el`, whitespace collapsed, at most _BLOCK_TEXT characters
    (`done`: blocks already read on this page, e.g. its <body>)."""
    for node in el.iterancestors():
        if node.tag in _BLOCKS:
            if node not in done:
                done[node] = _collapsed_head(node.itertext(), _BLOCK_TEXT)
            return done[node]
    return ""


def _collapsed_head(pieces: Iterator[str], limit: int) -> str:
    """`" ".join(" ".join(pieces).split())[:limit]`, reading only as many pieces as that needs: a block can be
    a whole <body>, and its first `limit` characters are all that is kept."""
    read: list[str] = []
    batch = 64
    while chunk := list(islice(pieces, batch)):
        read.extend(chunk)
        # Later pieces are joined after a separator: they cannot change the text collapsed so far.
        text = " ".join(" ".join(read).split())
        if len(text) >= limit:
            return text[:limit]
        batch *= 2
    return " ".join(" ".join(read).split())[:limit]


def _absolute(address: str, base_url: str | None) -> str:
    """The address resolved against the page, without its fragment (most are absolute already: no join)."""
    if address.startswith(("http://", "https://")) and "/." not in address and not address.endswith("?"):
        return address.split("#", 1)[0]
    return urldefrag(urljoin(base_url or "", address))[0]


def svg_image_address(el: etree._Element) -> str | None:
    """The address an inline <svg>'s <image> draws (href, else the older xlink:href), unless a placeholder."""
    value = (el.get("href") or el.get("xlink:href") or "").strip()
    return value if value and not _is_placeholder(value) else None


def _svg_images(root: etree._Element) -> dict[etree._Element, str]:
    """The <image> elements inline <svg>s draw (libxml2's HTML parser keeps them as <image>, lower-cased) with
    their addresses: a badge drawn as an <svg> around a bitmap shows that bitmap to a buyer."""
    found: dict[etree._Element, str] = {}
    for el in root.iter("image"):
        if any(a.tag == "svg" for a in el.iterancestors()) and (address := svg_image_address(el)):
            found[el] = address
    return found


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


def _area(anchor: etree._Element, img: etree._Element, in_area: dict[etree._Element, str]) -> str:
    """The adapter's area an image sits in (its own, else its nearest ancestor's), else "page"."""
    return in_area.get(img) or next((in_area[a] for a in anchor.iterancestors() if a in in_area), "page")


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
    paths: dict[etree._Element, str] = {}
    out: list[PageImage] = []
    candidates = [(img, img) for img in root.iter("img")] + _noscript_images(root)
    backgrounds = {
        el: address
        for el in root.xpath("//*[@style or @data-bg or @data-background]")
        if isinstance(el.tag, str) and el.tag != "img" and (address := background_address(el))
    }
    backgrounds.update(_svg_images(root))
    if backgrounds:
        # In document order with the <img> tags (a noscript copy stays last, as before).
        order = {el: n for n, el in enumerate(root.iter())}
        candidates = sorted(
            [(img, img) for img in root.iter("img")] + [(el, el) for el in backgrounds],
            key=lambda pair: order.get(pair[0], 0),
        ) + _noscript_images(root)
    for anchor, img in candidates:
        address = backgrounds.get(img) or image_address(img)
        if not address:
            continue
        if is_data_uri(address):
            inline = decode_data_uri(address)
            if inline.key in seen:
                continue
            seen.add(inline.key)
            area = _area(anchor, img, in_area)
            out.append(
                PageImage(
                    inline.key, len(out), area, _location(anchor, paths), _block_text(anchor, blocks), inline
                )
            )
            if len(out) >= limit:
                break
            continue
        try:
            absolute = _absolute(address.replace("\\", "/"), base_url)
            if absolute.startswith("//"):
                absolute = "https:" + absolute
            parts = urlsplit(absolute)
            _port = parts.port  # raises for a port out of range
        except ValueError:
            continue  # http://[bad/x.png: no browser shows it; it must not cost the page its other images
        if absolute in seen or (
            not absolute.startswith(("http://", "https://")) and parts.scheme not in ("http", "https", "")
        ):
            continue
        seen.add(absolute)
        area = _area(anchor, img, in_area)
        out.append(PageImage(absolute, len(out), area, _location(anchor, paths), _block_text(anchor, blocks)))
        if len(out) >= limit:
            break
    return out
