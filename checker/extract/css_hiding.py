"""The ways a declaration block keeps text from buyers beyond display:none: made transparent, painted in the
background's colour, moved off the screen, clipped, scaled or squeezed to nothing.

`上海<span style="opacity:0">xx</span>标准` shows 上海标准, and keyword stuffing so hidden is hidden text: read as
shown, the first was lost and the second signed as a high finding. Each rule here says what a browser does
whatever the rest of the page (no layout is computed), so what it cannot know statically it does not guess:

- opacity:0, transform:scale(0), content-visibility:hidden, clip-path:inset(50%) and more hide the element and
  everything in it; a descendant cannot undo them.
- clip:rect(0,0,0,0) (or the 1px box of screen-reader-only classes) hides only an absolutely positioned element;
  position:absolute|fixed with left/top at -1000px or further puts it off the screen.
- zero height, max-height or width hides only with overflow hidden (or clip), and only without padding in that
  direction (a zero-height box with padding-bottom:56% is the aspect-ratio trick and shows its content).
- transform, text-indent, height and width do nothing on an inline element unless it is made a box (a display
  other than inline, absolute positioning, a float).
- text-indent:-1000px or further pushes the text of a block off its left edge; a descendant block may set it again.
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
    if declared.get("content-visibility") == "hidden" and _boxed(declared, inline):
        return "content-visibility:hidden", "content-visibility"
    positioned = declared.get("position") in ("absolute", "fixed")
    if positioned and (_far_off(declared.get("left")) or _far_off(declared.get("top"))):
        return "positioned off the screen", "position"
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


# Colours: a few names, #rgb(a), #rrggbb(aa), rgb()/rgba(); anything else (hsl, currentcolor, var()) is unknown.
_NAMED = {
    "white": (255, 255, 255),
    "black": (0, 0, 0),
    "red": (255, 0, 0),
    "green": (0, 128, 0),
    "blue": (0, 0, 255),
    "yellow": (255, 255, 0),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
    "orange": (255, 165, 0),
    "whitesmoke": (245, 245, 245),
    "snow": (255, 250, 250),
}
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
    if value in _NAMED:
        return _NAMED[value]
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
        return _transparent_number(value)
    if prop in ("height", "max-height", "width", "max-width"):
        return _zero(value)
    if prop in ("left", "top", "text-indent"):
        return _far_off(value.split()[0] if value.split() else value)
    if prop == "clip":
        return _clip_rect_empty(value)
    if prop == "clip-path":
        return bool(_INSET.match(value))
    if prop in ("transform", "scale"):
        return bool(_SCALE_ZERO.search(value)) or (prop == "scale" and _transparent_number(value.split()[0]))
    if prop == "color":
        return colour(value) == TRANSPARENT
    return prop == "content-visibility" and value == "hidden"


def paints(prop: str, value: str) -> bool:
    """Whether a declaration sets a text or background colour (text in the background's colour may hide)."""
    if prop == "color":
        return isinstance(colour(value), tuple)
    return prop in ("background", "background-color") and isinstance(colour(value), tuple)
