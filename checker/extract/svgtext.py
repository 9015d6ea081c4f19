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

from checker.svglines import drawn_lines

_CARRIED = ("id", "class", "style", "hidden")
_ZERO = re.compile(r"^\s*0*(?:\.0*)?\s*(?:px|%|em)?\s*$")


def shown_lines(svg: etree._Element) -> list[tuple[str, bool]]:
    """The lines of text an inline <svg> draws, each with whether SVG itself hides it (presentation attributes,
    inline style, a zero-sized <svg>); what is not drawn where it stands (<defs>, <title>…) is not a line. The
    reading is checker/svglines.py's, the one SVG images are read with."""
    zero_sized = any(_ZERO.match(svg.get(side) or "x") for side in ("width", "height"))
    return [(line, hidden or zero_sized) for line, hidden in drawn_lines(svg, keep_hidden=True)]


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
