"""Which text an SVG draws: the one reading of <text>/<tspan> into lines and of what SVG hides or never draws.

Used for SVG images (checker/images/svg.py, parsed as XML: namespaced, case kept) and for inline <svg> in pages
(checker/extract/svgtext.py, from lxml's HTML parser: no namespace, names lower-cased), so every element name is
compared by its local name lower-cased. Hostile input: the walk over a <text> is iterative (a deep document
cannot exhaust recursion) and nothing here expands, fetches or runs anything."""

from __future__ import annotations

import re

from lxml import etree

# Content under these is not drawn where it stands (definitions, clip shapes, metadata, tooltips).
NOT_DRAWN = frozenset(
    [
        "defs",
        "symbol",
        "clippath",
        "mask",
        "pattern",
        "marker",
        "title",
        "desc",
        "metadata",
        "style",
        "script",
    ]
)
# Opacity below 0 is clamped to 0 (hidden); a negative font-size is invalid and ignored (the text is drawn).
_NUMBER = re.compile(r"^\s*([+-]?[0-9]*\.?[0-9]+(?:e[+-]?\d+)?)\s*(?:px|%|em)?\s*(?:!important\s*)?$", re.I)
_OPACITIES = ("opacity", "fill-opacity")
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]*)", re.I)


def svg_name(tag: object) -> str:
    """An element's local name lower-cased ("clippath"); "" for comments, processing instructions, entities."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _hides(name: str, value: str) -> bool:
    name = name.strip().lower()
    value = value.strip().lower()
    if name == "display":
        return value.removesuffix("!important").strip() == "none"
    if name == "visibility":
        return value.removesuffix("!important").strip() in ("hidden", "collapse")
    if name in _OPACITIES or name == "font-size":
        match = _NUMBER.match(value)
        if match is None:
            return False
        number = float(match.group(1))
        return number <= 0 if name in _OPACITIES else number == 0
    return False


def hidden_by_svg(el: etree._Element) -> bool:
    """Hidden by its own presentation attributes or inline style: display none, visibility hidden or collapse,
    opacity or fill-opacity 0 (or below), font-size 0."""
    for name in ("display", "visibility", *_OPACITIES, "font-size"):
        value = el.get(name)
        if value is not None and _hides(name, value):
            return True
    return any(_hides(name, value) for name, value in _DECLARATION.findall(el.get("style") or ""))


def standing(el: etree._Element, top: etree._Element | None = None) -> tuple[bool, bool]:
    """(drawn, hidden) for `el` where it stands: not drawn when it or an ancestor up to `top` is a definition or
    metadata (<defs>, <title>…); hidden when it or an ancestor up to and including `top` hides itself."""
    drawn, hidden = True, False
    node: etree._Element | None = el
    while node is not None:
        if not isinstance(node.tag, str) or svg_name(node.tag) in NOT_DRAWN:
            drawn = False
        hidden = hidden or hidden_by_svg(node)
        if node is top:
            break
        node = node.getparent()
    return drawn, hidden


def text_lines(text_el: etree._Element, *, keep_hidden: bool) -> list[tuple[str, bool]]:
    """The lines one <text> draws, each with whether SVG hides it: a <tspan> placed anew (x, y or dy) starts a
    line. With `keep_hidden` a hidden <tspan> is a hidden line of its own (a page reports hidden words); without,
    it is left out and the words around it stay one line (an image shows only what is drawn)."""
    lines: list[tuple[list[str], bool]] = [([], False)]
    # An explicit stack of (element, tail only, hidden).
    pending = [(text_el, False, False)]
    while pending:
        el, tail_only, hidden = pending.pop()
        if tail_only:
            if lines[-1][1] != hidden:
                lines.append(([], hidden))
            lines[-1][0].append(el.tail or "")
            continue
        if not isinstance(el.tag, str) or svg_name(el.tag) in NOT_DRAWN:
            continue
        hidden = hidden or hidden_by_svg(el)
        if hidden and not keep_hidden:
            continue
        placed = el is not text_el and (el.get("x") or el.get("y") or el.get("dy"))
        if (placed and lines[-1][0]) or lines[-1][1] != hidden:
            lines.append(([], hidden))
        lines[-1][0].append(el.text or "")
        for child in reversed(list(el)):
            pending.append((child, True, hidden))
            pending.append((child, False, hidden))
    out = [(" ".join("".join(parts).split()), hidden) for parts, hidden in lines]
    return [(line, hidden) for line, hidden in out if line]


def drawn_lines(svg: etree._Element, *, keep_hidden: bool) -> list[tuple[str, bool]]:
    """The lines of text an <svg> draws, each with whether SVG itself hides it; what is not drawn where it stands
    (<defs>, <title>…) is never a line, what is hidden is a line marked hidden only with `keep_hidden`."""
    lines: list[tuple[str, bool]] = []
    for el in svg.iter():
        if svg_name(el.tag) != "text":
            continue
        drawn, hidden = standing(el, svg)
        if not drawn or (hidden and not keep_hidden):
            continue
        lines.extend(
            (line, hidden or line_hidden) for line, line_hidden in text_lines(el, keep_hidden=keep_hidden)
        )
    return lines
