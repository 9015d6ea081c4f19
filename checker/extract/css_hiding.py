"""The ways a declaration block keeps text from buyers beyond display:none: made transparent, painted in the
background's colour, moved off the screen, clipped, scaled or squeezed to nothing.

`上海<span style="opacity:0">xx</span>标准` shows 上海标准, and keyword stuffing so hidden is hidden text: read as
shown, the first was lost and the second signed as a high finding. Each rule here says what a browser does
whatever the rest of the page (no layout is computed), so what it cannot know statically it does not guess:

- opacity below 0.05 (or filter:opacity() so), transform:scale(0), content-visibility:hidden,
  clip-path:inset(50%) and more hide the element and everything in it; a descendant cannot undo them.
- clip:rect(0,0,0,0) (or the 1px box of screen-reader-only classes) hides only an absolutely positioned element;
  position:absolute|fixed with left, top, right or bottom at -1000px or further puts it off the screen, and so
  does a left margin of -1000px or further (a top one on a box), or transform:translate() that far.
- zero height, max-height or width hides only with overflow hidden (or clip), and only without padding in that
  direction (a zero-height box with padding-bottom:56% is the aspect-ratio trick and shows its content).
- transform, text-indent, height and width do nothing on an inline element unless it is made a box (a display
  other than inline, absolute positioning, a float).
- text-indent:-1000px or further pushes the text of a block off its left edge; a descendant block may set it again.
- a font size below 3px cannot be read (font-size:1px stuffing), and a zero one shows nothing (stylesheet.hides).
- color:transparent (or a colour with alpha 0) is inherited: a descendant may set a colour again. A text colour
  within a few steps of the background colour (same element or nearest ancestor declaring one) cannot be read; a
  background image or gradient in between makes the background unknown, and so does an element in between (the
  text's own included) that a class or id names without declaring a background: a stylesheet the page links,
  never read, may paint it. No declared background is unknown, never assumed white.
- the screen-reader-only classes of common frameworks (sr-only, visually-hidden, …) hide whatever the page's
  external stylesheet says about them: they exist to hide text from sight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from checker.extract.css_colours import HSL, NAMED, hsl_rgb

# Properties read from inline styles and the page's stylesheet (stylesheet.PROPERTIES adds display & co).
PROPERTIES = (
    "opacity",
    "color",
    "background",
    "background-color",
    "background-image",
    "position",
    "left",
    "top",
    "right",
    "bottom",
    "margin",
    "margin-left",
    "margin-top",
    "filter",
    "text-indent",
    "overflow",
    "overflow-x",
    "overflow-y",
    "clip",
    "clip-path",
    "transform",
    "scale",
    "height",
    "max-height",
    "width",
    "max-width",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "content-visibility",
    "float",
)
SCREEN_READER_CLASSES = frozenset(
    [
        "sr-only",
        "visually-hidden",
        "visuallyhidden",
        "screen-reader-text",
        "screen-reader-only",
        "element-invisible",
        "a11y-hidden",
    ]
)
# How far off the screen a box is put before it counts as hidden (the idiom is -9999px; -1000px leaves no
# layout a buyer scrolls to).
_FAR_PX = 1000.0
_PX_PER = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
_LENGTH = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|in|cm|mm)?$")
_ZERO = re.compile(r"^[+-]?(?:0+\.?0*|\.0+)(?:px|pt|pc|em|rem|ex|ch|vw|vh|%|cm|mm|in|q)?$", re.I)
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(%)?$")
# translate(-9999px), translateX(-9999px), translate3d(0, -9999px, 0): the lengths it moves the box by.
_TRANSLATE = re.compile(r"\btranslate(?:[xy]|3d)?\(([^)]*)\)", re.I)
_FILTER_OPACITY = re.compile(r"\bopacity\(\s*([+-]?(?:\d+\.?\d*|\.\d+))(%?)\s*\)", re.I)
# Below this opacity (or font size) no buyer reads the text: 0.01 is stuffing, not a design.
_FAINT = 0.05
_TINY_FONT_PX = 3.0
_SCALE_ZERO = re.compile(r"\bscale[xy]?\(\s*[+-]?0*\.?0+\s*(?:[,)]|,)", re.I)
_CLIP_RECT = re.compile(r"^rect\(\s*(.*?)\s*\)$")
_INSET = re.compile(r"^inset\(\s*(\d+(?:\.\d+)?)%")
_BOXES = frozenset(
    ["block", "inline-block", "flex", "inline-flex", "grid", "inline-grid", "list-item", "table", "flow-root"]
)
# How close (per channel, 0-255) a text colour may be to its background and still not be read.
_SAME_COLOUR = 8


def _px(value: str) -> float | None:
    match = _LENGTH.match(value.strip())
    if match is None:
        return None
    number = float(match.group(1))
    if match.group(2) is None:
        return number if number == 0 else None  # a bare number is no length (but 0 is)
    return number * _PX_PER[match.group(2)]


def _zero(value: str | None) -> bool:
    return value is not None and bool(_ZERO.match(value.strip()))


def _far_off(value: str | None) -> bool:
    if value is None:
        return False
    px = _px(value)
    return px is not None and px <= -_FAR_PX


def _transparent_number(value: str) -> bool:
    match = _NUMBER.match(value.strip())
    return match is not None and float(match.group(1)) <= 0


def _faint(value: str | None) -> bool:
    """Whether an opacity (a number, or a percentage) lets no buyer read the text."""
    match = _NUMBER.match((value or "").strip())
    if match is None:
        return False
    return float(match.group(1)) / (100 if match.group(2) else 1) < _FAINT


def _filter_faint(value: str | None) -> bool:
    match = _FILTER_OPACITY.search(value or "")
    return match is not None and float(match.group(1)) / (100 if match.group(2) else 1) < _FAINT


def _translated_off(value: str | None) -> bool:
    return any(
        _far_off(part)
        for match in _TRANSLATE.finditer(value or "")
        for part in re.split(r"[\s,]+", match.group(1))
    )


def _margin_off(declared: Mapping[str, str], boxed: bool) -> bool:
    """A left margin (or, on a box, a top one) that puts the element off the screen."""
    parts = (declared.get("margin") or "").split()
    # margin: top [right [bottom [left]]]: the left one is the fourth, else the second, else the first.
    left = declared.get("margin-left") or (
        parts[3] if len(parts) == 4 else parts[1] if len(parts) > 1 else None
    )
    top = declared.get("margin-top") or (parts[0] if parts else None)
    return _far_off(left) or (boxed and _far_off(top))


def tiny_font(value: str) -> bool:
    """Whether a font size in absolute units is above zero but below what a buyer reads (font-size:1px)."""
    # em and rem are the parent's size and the root's: not known here (0.1em of a 100px heading is 10px).
    px = None if value.strip().endswith("em") else _px(value)
    return px is not None and 0 < px < _TINY_FONT_PX


def _boxed(declared: Mapping[str, str], inline: bool) -> bool:
    """Whether the element is laid out as a box (what transform, height or text-indent need)."""
    if not inline:
        return declared.get("display", "block") != "inline"
    return (
        declared.get("display") in _BOXES
        or declared.get("position") in ("absolute", "fixed")
        or declared.get("float") in ("left", "right")
    )


def _padded(declared: Mapping[str, str], sides: tuple[str, str]) -> bool:
    shorthand = declared.get("padding")
    if shorthand is not None and not all(_zero(part) for part in shorthand.split()):
        return True
    return any(not _zero(declared[f"padding-{side}"]) for side in sides if f"padding-{side}" in declared)


def _clipped(declared: Mapping[str, str], axis: str) -> bool:
    overflow = declared.get(f"overflow-{axis}") or (declared.get("overflow") or "").split(" ")[0]
    return overflow in ("hidden", "clip")


def _clip_rect_empty(value: str) -> bool:
    match = _CLIP_RECT.match(value.strip())
    if match is None:
        return False
    edges = [_px(part) for part in re.split(r"[,\s]+", match.group(1)) if part]
    # rect(top, right, bottom, left): nothing left when bottom <= top or right <= left (rect(1px,1px,1px,1px)).
    if len(edges) != 4 or any(edge is None for edge in edges):
        return False
    top, right, bottom, left = (edge or 0.0 for edge in edges)
    return bottom - top <= 1 or right - left <= 1


def box_hiding(
    declared: Mapping[str, str], inline: bool, classes: str | None = None
) -> tuple[str, str | None] | None:
    """How an element's own declarations (lower-case values, !important dropped) hide it and all it holds, and
    the property that decides it (None: a class name), or None. `inline`: the tag is inline text formatting."""
    if classes and not SCREEN_READER_CLASSES.isdisjoint(classes.split()):
        return "screen-reader-only class", None
    opacity = declared.get("opacity")
    if opacity is not None and _transparent_number(opacity):
        return "opacity:0", "opacity"
    if _faint(opacity):
        return f"opacity below {_FAINT}", "opacity"
    if _filter_faint(declared.get("filter")):
        return "filter:opacity(0)", "filter"
    if declared.get("content-visibility") == "hidden" and _boxed(declared, inline):
        return "content-visibility:hidden", "content-visibility"
    positioned = declared.get("position") in ("absolute", "fixed")
    if positioned and any(_far_off(declared.get(side)) for side in ("left", "top", "right", "bottom")):
        return "positioned off the screen", "position"
    if _margin_off(declared, _boxed(declared, inline)):
        prop = (
            "margin-left"
            if "margin-left" in declared
            else "margin-top"
            if "margin-top" in declared
            else "margin"
        )
        return "negative margin off the screen", prop
    clip = declared.get("clip")
    if positioned and clip is not None and _clip_rect_empty(clip):
        return "clip:rect(0,0,0,0)", "clip"
    clip_path = declared.get("clip-path")
    if clip_path is not None and (inset := _INSET.match(clip_path)) and float(inset.group(1)) >= 50:
        return "clip-path:inset(50%)", "clip-path"
    if not _boxed(declared, inline):
        return None
    transform = declared.get("transform")
    scale = declared.get("scale")
    if (transform is not None and _SCALE_ZERO.search(transform)) or (
        scale is not None and _transparent_number(scale.split()[0] if scale.split() else scale)
    ):
        return "transform:scale(0)", "transform" if transform is not None else "scale"
    if _translated_off(transform):
        return "transform:translate off the screen", "transform"
    for prop, axis, sides in (
        ("height", "y", ("top", "bottom")),
        ("max-height", "y", ("top", "bottom")),
        ("width", "x", ("left", "right")),
        ("max-width", "x", ("left", "right")),
    ):
        if _zero(declared.get(prop)) and _clipped(declared, axis) and not _padded(declared, sides):
            return f"{prop}:0 with overflow hidden", prop
    return None


def indent_hides(declared: Mapping[str, str], inline: bool) -> bool | None:
    """Whether the element's text-indent pushes its text off the screen: True, False (it sets one that does
    not), None (it sets none that counts: inherited)."""
    indent = declared.get("text-indent")
    if indent is None or not _boxed(declared, inline):
        return None
    return _far_off(indent.split()[0] if indent.split() else indent)


# Colours: CSS's named colours, #rgb(a), #rrggbb(aa), rgb()/rgba(), hsl()/hsla() (css_colours.py); anything
# else (currentcolor, var(), color-mix()) is unknown.
_HEX = re.compile(r"^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$")
_RGB = re.compile(r"^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$")
TRANSPARENT = "transparent"
Colour = tuple[int, int, int] | str  # an RGB triple, or TRANSPARENT


def colour(value: str | None) -> Colour | None:
    """A colour value as RGB or TRANSPARENT; None when it is no colour this reader knows."""
    if value is None:
        return None
    value = value.strip()
    if value == TRANSPARENT:
        return TRANSPARENT
    if value in NAMED:
        return NAMED[value]
    if match := _HEX.match(value):
        digits = match.group(1)
        if len(digits) <= 4:
            digits = "".join(d * 2 for d in digits)
        if len(digits) == 8 and int(digits[6:], 16) == 0:
            return TRANSPARENT
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    if match := _RGB.match(value):
        alpha = match.group(4)
        if alpha is not None and _transparent_number(alpha):
            return TRANSPARENT
        if alpha is not None and float(alpha.rstrip("%")) < (100 if alpha.endswith("%") else 1):
            return None  # half-transparent text over an unknown backdrop: not guessed
        channels = tuple(min(255, round(float(match.group(i)))) for i in (1, 2, 3))
        return channels[0], channels[1], channels[2]
    if match := HSL.match(value):
        alpha = match.group(5)
        if alpha is not None and _transparent_number(alpha):
            return TRANSPARENT
        if alpha is not None and float(alpha.rstrip("%")) < (100 if alpha.endswith("%") else 1):
            return None  # half-transparent text over an unknown backdrop: not guessed
        return hsl_rgb(match)
    return None


# A background declaration: a plain colour (known), transparent (the parent's shows), or anything else (an image,
# a gradient, a variable: unknown).
UNKNOWN = "unknown"


def background(declared: Mapping[str, str]) -> Colour | None:
    """The background an element's declarations paint: RGB, TRANSPARENT (the one below shows through),
    UNKNOWN (an image, a gradient, anything not read), or None (nothing declared)."""
    image = declared.get("background-image")
    if image is not None and image != "none":
        return UNKNOWN
    shorthand = declared.get("background")
    plain = declared.get("background-color")
    value = plain if plain is not None else shorthand
    if value is None:
        return None
    found = colour(value)
    return UNKNOWN if found is None else found


def same_colour(ink: Colour | None, paper: Colour | None) -> bool:
    """Whether text of colour `ink` cannot be read on `paper` (both known RGB, within a few steps)."""
    if not isinstance(ink, tuple) or not isinstance(paper, tuple):
        return False
    return all(abs(a - b) <= _SAME_COLOUR for a, b in zip(ink, paper, strict=True))


def describe(value: Colour) -> str:
    return value if isinstance(value, str) else "#{:02x}{:02x}{:02x}".format(*value)


def suggests_hiding(prop: str, value: str) -> bool:
    """Whether one declaration may take part in hiding (a cheap test: a sheet none of whose rules does is not
    matched against elements at all). A text colour takes part only beside a background colour."""
    if prop == "opacity":
        return _faint(value)
    if prop == "filter":
        return _filter_faint(value)
    if prop in ("right", "bottom", "margin-left", "margin-top"):
        return _far_off(value.split()[0] if value.split() else value)
    if prop == "margin":
        return any(_far_off(part) for part in value.split())
    if prop in ("height", "max-height", "width", "max-width"):
        return _zero(value)
    if prop in ("left", "top", "text-indent"):
        return _far_off(value.split()[0] if value.split() else value)
    if prop == "clip":
        return _clip_rect_empty(value)
    if prop == "clip-path":
        return bool(_INSET.match(value))
    if prop in ("transform", "scale"):
        return (
            bool(_SCALE_ZERO.search(value))
            or _translated_off(value)
            or (prop == "scale" and _transparent_number(value.split()[0]))
        )
    if prop == "color":
        return colour(value) == TRANSPARENT
    return prop == "content-visibility" and value == "hidden"


def paints(prop: str, value: str) -> bool:
    """Whether a declaration sets a text or background colour (text in the background's colour may hide)."""
    if prop == "color":
        return isinstance(colour(value), tuple)
    return prop in ("background", "background-color") and isinstance(colour(value), tuple)
