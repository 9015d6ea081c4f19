"""SVG images read safely: the words in their <text> read from the markup, the drawing rasterised for OCR and marks.

An SVG is a program more than a picture: it can carry scripts, fetch other files, expand entities into gigabytes
(billion laughs) and hold path data that takes minutes to draw. So it is parsed by lxml with no entity expansion,
no DTD and no network, within byte and element bounds; what reaches the rasteriser is our own serialisation of
that tree with every script, <foreignObject> and outside reference removed (only `#fragment` and embedded bitmap
`data:` references stay), so resvg (which runs no scripts and fetches nothing from the network) can at most read
what is inside the document. Text in <text>/<tspan>/<textPath> is read from the markup (exact, no OCR
confusion) unless hidden; <title>/<desc>/<metadata> are not: a buyer never sees them drawn. The drawing without
that text is rasterised and OCRed (words drawn as outlines), the whole drawing matched for the mark."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from lxml import etree
from PIL import Image

from checker.svglines import drawn_lines, standing, svg_name
from crawler.content_coding import GZIP_MAGIC, gunzip_bounded
from crawler.images.settings import ImageSettings
from markwatch.errors import ContentCodingError

# Bounds on what is parsed at all: labels and icons are far below both; a bigger SVG is refused with its reason.
MAX_SVG_BYTES = 4 * 1024 * 1024
MAX_SVG_ELEMENTS = 20_000
# An SVG whose declared size is at most this on its longer side, with no readable text, is an icon: it is
# skipped like a bitmap under the gate's size bounds (and leaves no page partial) even where it cannot be drawn.
ICON_SIDE = 48
# Rasterised so that its longer side is about this long (OCR reads labels best around 1,000-1,600 px wide), never
# enlarged more than MAX_ZOOM times (a 16 px icon is not drawn at 1,200 px) nor past the pixel caps.
RENDER_SIDE = 1200
MAX_ZOOM = 8.0
# The size resvg gives an SVG that declares none (CSS's default replaced-element size).
DEFAULT_SIZE = (300.0, 150.0)

# resvg's default family (Times New Roman) is on few Linux machines and it does not fall back to a CJK font by
# itself: Chinese <text> drew nothing. Noto CJK is what Debian's fonts-noto-cjk installs; where it is missing the
# words are still read from the markup, only a mark set as text is not drawn.
_SANS, _SERIF = "Noto Sans CJK SC", "Noto Serif CJK SC"
# Removed before rasterising: never run, never fetch.
_REMOVED = frozenset(["script", "foreignobject", "iframe", "audio", "video", "handler", "listener"])
_HREFS = ("href", "{http://www.w3.org/1999/xlink}href")
_SAFE_DATA = re.compile(r"^\s*data:image/(?:png|jpeg|gif|webp)[;,]", re.I)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(px|pt|pc|mm|cm|in)?\s*$", re.I)
_UNIT_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


class SvgRefused(Exception):
    """An SVG that is not read: `reason` is the stable short name (svg-malformed, svg-too-large, svg-entities)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class SvgDocument:
    """A parsed SVG: the lines of text it shows, its declared size, and the safe markup to rasterise."""

    lines: list[str]
    width: float
    height: float
    drawing: bytes
    drawing_without_text: bytes
    has_graphics: bool
    notes: list[str] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    # No entity is expanded (billion laughs), no DTD or outside file loaded, no network; comments and processing
    # instructions dropped; huge_tree off keeps libxml2's own depth and text-size limits.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    if not match:
        return None
    return float(match.group(1)) * _UNIT_PX[(match.group(2) or "").lower()]


def declared_size(root: etree._Element) -> tuple[float, float]:
    """The size the SVG asks to be drawn at, in CSS pixels: width/height, else its viewBox, else 300 x 150."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(n) for n in re.findall(r"-?[0-9]*\.?[0-9]+(?:e[+-]?\d+)?", root.get("viewBox") or "")]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width is None and height is None:
            width, height = box[2], box[3]
        elif width is None and height:
            width = height * box[2] / box[3]
        elif height is None and width:
            height = width * box[3] / box[2]
    return (width or DEFAULT_SIZE[0], height or DEFAULT_SIZE[1])


def _sanitised(root: etree._Element) -> None:
    """Remove what could run or fetch: scripts, foreign content, event handlers, outside references."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if svg_name(el.tag) in _REMOVED and el is not root:
            parent = el.getparent()
            if parent is not None:
                parent.remove(el)
            continue
        for name in list(el.attrib):
            value = el.attrib[name]
            handler = etree.QName(name).localname.lower().startswith("on")
            outside = name in _HREFS and not (value.strip().startswith("#") or _SAFE_DATA.match(value))
            if handler or outside:
                del el.attrib[name]


def _check_expansion(root: etree._Element) -> None:
    """Refuse <use> chains that multiply (ten levels of ten uses draw 10^10 shapes from 100 elements) or loop."""
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    sizes: dict[etree._Element, int] = {}
    busy: set[etree._Element] = set()

    def size(el: etree._Element) -> int:
        if el in sizes:
            return sizes[el]
        if el in busy:
            raise SvgRefused("svg-too-large", "an SVG <use> refers to itself")
        busy.add(el)
        total = 1 + sum(size(child) for child in el if isinstance(child.tag, str))
        if svg_name(el.tag) == "use":
            target = next((el.get(name) for name in _HREFS if el.get(name)), "")
            if target.strip().startswith("#") and (found := by_id.get(target.strip()[1:])) is not None:
                total += size(found)
        busy.discard(el)
        if total > MAX_SVG_ELEMENTS:
            raise SvgRefused(
                "svg-too-large", f"SVG draws over {MAX_SVG_ELEMENTS:,} elements once its <use> are expanded"
            )
        sizes[el] = total
        return total

    try:
        size(root)
    except RecursionError:
        raise SvgRefused("svg-too-large", "SVG <use> references nest too deep") from None


def parse_svg(raw: bytes) -> SvgDocument:
    """Parse untrusted SVG bytes within the bounds, or raise SvgRefused with the reason."""
    if len(raw) > MAX_SVG_BYTES:
        raise SvgRefused("svg-too-large", f"SVG is {len(raw):,} bytes, over the limit {MAX_SVG_BYTES:,}")
    if raw.startswith(GZIP_MAGIC):
        # .svgz: inflated whole and checked, never past the same byte bound (a gzip bomb stops there).
        try:
            raw = gunzip_bounded(raw, max_size=MAX_SVG_BYTES)
        except ContentCodingError as exc:
            reason = "svg-too-large" if exc.kind == "too_large" else "svg-malformed"
            raise SvgRefused(reason, f"the gzipped SVG (.svgz) cannot be read: {exc}") from None
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        # libxml2 stops an entity amplification (billion laughs) itself, even unexpanded: said as such.
        reason = "svg-entities" if "entit" in str(exc).lower() else "svg-malformed"
        raise SvgRefused(reason, f"the SVG is not well-formed XML: {exc}") from None
    if svg_name(root.tag) != "svg":
        raise SvgRefused("svg-malformed", f"the document's root is <{svg_name(root.tag)}>, not <svg>")
    for count, _ in enumerate(root.iter(), 1):
        if count > MAX_SVG_ELEMENTS:
            raise SvgRefused("svg-too-large", f"SVG has over {MAX_SVG_ELEMENTS:,} elements")
    _check_expansion(root)
    texts = [el for el in root.iter() if svg_name(el.tag) == "text"]
    if any(isinstance(node, etree._Entity) for el in texts for node in el.iter()):
        raise SvgRefused("svg-entities", "an entity reference in the SVG's text is not expanded")
    # What the image shows: hidden lines are not drawn, so they are no words of the image at all.
    lines = [line for line, _ in drawn_lines(root, keep_hidden=False)]
    has_graphics = any(
        svg_name(el.tag) not in ("", "text", "tspan", "textpath")
        and el is not root
        and standing(el) == (True, False)
        for el in root.iter()
    )
    width, height = declared_size(root)
    # resvg refuses root sizes in percent or in/cm/mm ("invalid size"): the size worked out here, in pixels, with
    # the viewBox it implies where there is none (a user unit is a CSS pixel then).
    if root.get("viewBox") is None:
        root.set("viewBox", f"0 0 {width:g} {height:g}")
    root.set("width", f"{width:g}")
    root.set("height", f"{height:g}")
    _sanitised(root)
    drawing = etree.tostring(root)
    for el in texts:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
    return SvgDocument(lines, width, height, drawing, etree.tostring(root), has_graphics)


def is_icon(document: SvgDocument) -> bool:
    """Declared no bigger than an icon (ICON_SIDE on its longer side) and showing no text."""
    return not document.lines and max(document.width, document.height) <= ICON_SIDE


def render_size(document: SvgDocument, settings: ImageSettings) -> tuple[int, int]:
    """The pixel size to rasterise at: longer side about RENDER_SIDE, zoom at most MAX_ZOOM, within the caps."""
    width, height = document.width, document.height
    zoom = min(MAX_ZOOM, RENDER_SIDE / max(width, height, 1e-6))
    zoom = min(zoom, settings.max_side / max(width, height, 1e-6))
    zoom = min(zoom, (settings.max_pixels / max(width * height, 1e-6)) ** 0.5)
    return max(1, int(width * zoom)), max(1, int(height * zoom))


def rasterise(markup: bytes, size: tuple[int, int]) -> Image.Image:
    """The sanitised markup drawn on white at `size` (resvg: no scripts, no network); SvgRefused when it cannot."""
    try:
        import resvg_py
    except ImportError:  # pragma: no cover - resvg-py is a dependency; a broken install says so per image
        raise SvgRefused("svg-unrendered", "no SVG rasteriser is installed (resvg-py)") from None
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=markup.decode("utf-8"), width=size[0], height=size[1], background="#ffffff",
            font_family=_SANS, sans_serif_family=_SANS, serif_family=_SERIF,
        )  # fmt: skip
        image = Image.open(io.BytesIO(bytes(png)), formats=["PNG"])
        image.load()
    except (ValueError, OSError) as exc:
        raise SvgRefused("svg-unrendered", f"the SVG could not be drawn: {exc}") from None
    return image.convert("RGB")


def render_png(raw: bytes, settings: ImageSettings) -> bytes:
    """What an inspector sees of an SVG: the sanitised drawing rasterised to PNG by the code and at the size the
    reader drew it for OCR (so a box read in it lands where it was read); SvgRefused when it cannot be drawn."""
    document = parse_svg(raw)
    image = rasterise(document.drawing, render_size(document, settings))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
