"""Where a page keeps its own white space on screen: <pre> (and the legacy raw-text elements prune.py reads as
<pre>), <textarea>, and the CSS white-space property written inline on the element or an ancestor.

A browser draws the line breaks and runs of spaces there, so the evidence quotes them (verbatim.display_text);
matching still reads them as one space each. The page's <style> rules are not read for it (a quote there is
collapsed as elsewhere, as before).
"""

from __future__ import annotations

import re

from bs4 import Tag

from checker.extract.stylesheet import css_text

# Modes of verbatim.display_text: "pre" keeps every space and line break, "pre-line" keeps line breaks only.
KEEP_ALL = "pre"
KEEP_BREAKS = "pre-line"
_MODES: dict[str, str | None] = {
    "pre": KEEP_ALL,
    "pre-wrap": KEEP_ALL,
    "break-spaces": KEEP_ALL,
    "pre-line": KEEP_BREAKS,
    "normal": None,
    "nowrap": None,
    # CSS Text 4 splits the property; white-space-collapse is the half that decides this.
    "preserve": KEEP_ALL,
    "preserve-spaces": KEEP_ALL,
    "preserve-breaks": KEEP_BREAKS,
    "collapse": None,
}
_DECLARATION = re.compile(r"(?:^|;)\s*(white-space(?:-collapse)?)\s*:\s*([a-z-]+)", re.I)
_PRE_TAGS = frozenset({"pre", "textarea", "listing", "xmp", "plaintext"})
_INHERIT = "inherit"


def _own(tag: Tag) -> str | None:
    """The element's own mode, or _INHERIT when it sets none (the last valid declaration wins)."""
    style = tag.get("style")
    if isinstance(style, str) and "white-space" in style.lower():
        found = [
            _MODES[value.lower()]
            for _, value in _DECLARATION.findall(css_text(style))
            if value.lower() in _MODES
        ]
        if found:
            return found[-1]
    return KEEP_ALL if tag.name in _PRE_TAGS else _INHERIT


class WhiteSpace:
    """The white-space mode of elements, read once per element (the mode is inherited)."""

    def __init__(self) -> None:
        self._modes: dict[int, str | None] = {}

    def mode(self, element: Tag | None) -> str | None:
        """KEEP_ALL, KEEP_BREAKS, or None (collapsed) for text whose parent is `element`."""
        chain: list[Tag] = []
        node = element
        found: str | None = None
        while node is not None and node.name != "[document]":
            known = self._modes.get(id(node), _INHERIT)
            if known != _INHERIT:
                found = known
                break
            own = _own(node)
            chain.append(node)
            if own != _INHERIT:
                found = own
                break
            node = node.parent
        for tag in chain:
            self._modes[id(tag)] = found
        return found
