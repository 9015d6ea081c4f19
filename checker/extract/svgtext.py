"""Inline <svg> in a page: the words it draws with <text> are page text, as a buyer sees them.

A banner or badge drawn as inline SVG (`<svg><text>上海标准</text></svg>`) shows its words like any text, but the
pre-pass dropped the whole <svg> with the scripts and styles, and its claim was never read. Each inline <svg> is
replaced by a <span> holding the lines its <text> elements draw, one <span> each; the <svg>'s own id, class,
style and hidden attributes go with it, so the page's hidden-text logic (inline styles, the page's stylesheet)
judges the words as it would judge the <svg>. What SVG itself hides is left out: presentation attributes and
styles that hide (display none, visibility hidden, opacity or font-size 0), a zero-sized <svg>, and everything
that is not drawn where it stands (<defs>, <symbol>, clip paths, masks, patterns, markers, <title>, <desc>,
<metadata>: a <title> is a tooltip, not drawn)."""

from __future__ import annotations

import re

from lxml import etree

# libxml2's HTML parser keeps SVG elements under their lower-cased names.
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
_CARRIED = ("id", "class", "style", "hidden")
_HIDING_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)"
    r"|(?:opacity|fill-opacity|font-size)\s*:\s*0*(?:\.0*)?(?:px|%)?\s*(?:!important\s*)?(?:;|$))",
    re.I,
)
_ZERO = re.compile(r"^\s*0*(?:\.0*)?\s*(?:px|%|em)?\s*$")


def hidden_by_svg(el: etree._Element) -> bool:
    """Hidden by its own SVG presentation attributes or inline style."""
    if (el.get("display") or "").strip().lower() == "none":
        return True
    if (el.get("visibility") or "").strip().lower() in ("hidden", "collapse"):
        return True
    for name in ("opacity", "fill-opacity", "font-size"):
        value = el.get(name)
        if value is not None and _ZERO.match(value):
            return True
    return bool(_HIDING_STYLE.search(el.get("style") or ""))


def _text_lines(text_el: etree._Element) -> list[tuple[str, bool]]:
    """The lines one <text> draws, each with whether SVG hides it: a <tspan> placed anew (x, y or dy) starts a
    line; a hidden <tspan> is a hidden line of its own."""
    lines: list[tuple[list[str], bool]] = [([], False)]
    # An explicit stack of (element, tail only, hidden): a deep page cannot exhaust recursion.
    pending = [(text_el, False, False)]
    while pending:
        el, tail_only, hidden = pending.pop()
        if tail_only:
            if lines[-1][1] != hidden:
                lines.append(([], hidden))
            lines[-1][0].append(el.tail or "")
            continue
        if not isinstance(el.tag, str) or el.tag.lower() in NOT_DRAWN:
            continue
        hidden = hidden or hidden_by_svg(el)
        placed = el is not text_el and (el.get("x") or el.get("y") or el.get("dy"))
        if (placed and lines[-1][0]) or lines[-1][1] != hidden:
            lines.append(([], hidden))
        lines[-1][0].append(el.text or "")
        for child in reversed(list(el)):
            pending.append((child, True, hidden))
            pending.append((child, False, hidden))
    out = [(" ".join("".join(parts).split()), hidden) for parts, hidden in lines]
    return [(line, hidden) for line, hidden in out if line]


def shown_lines(svg: etree._Element) -> list[tuple[str, bool]]:
    """The lines of text an inline <svg> draws, each with whether SVG itself hides it (presentation attributes,
    inline style, a zero-sized <svg>); what is not drawn where it stands (<defs>, <title>…) is not a line."""
    hidden_svg = hidden_by_svg(svg) or any(_ZERO.match(svg.get(side) or "x") for side in ("width", "height"))
    lines: list[tuple[str, bool]] = []
    for el in svg.iter("text"):
        node: etree._Element | None = el.getparent()
        drawn, hidden = True, hidden_svg
        while node is not None and node is not svg:
            if not isinstance(node.tag, str) or node.tag.lower() in NOT_DRAWN:
                drawn = False
                break
            hidden = hidden or hidden_by_svg(node)
            node = node.getparent()
        if drawn:
            lines.extend((line, hidden or line_hidden) for line, line_hidden in _text_lines(el))
    return lines


def svg_as_text(svg: etree._Element, tag_attr: str) -> etree._Element:
    """A <span> standing for the <svg> in the page: its lines, one <span> each (`display:none` where SVG hides
    one, so the page's hidden-text logic reports it as hidden), and the <svg>'s id, class, style and hidden
    attributes; `tag_attr` names the element the page had (locations say svg)."""
    span = etree.Element("span")
    for name in _CARRIED:
        value = svg.get(name)
        if value is not None:
            span.set(name, value)
    span.set(tag_attr, "svg")
    for line, hidden in shown_lines(svg):
        # Lines apart by a space, as they stand apart in the drawing (not glued into one word).
        piece = etree.SubElement(span, "span")
        piece.text, piece.tail = line, " "
        if hidden:
            piece.set("style", "display:none")
    span.tail = svg.tail
    return span
