"""Text a buyer does not see: hidden by the `hidden` attribute or an inline style, on the element or above it.

Hidden keyword stuffing is still a use of the words, so such a claim is kept; but an inspector cannot sign a
finding on text nobody sees without knowing it (checker/confidence.py, `hidden-text`). Only what the page
itself says inline is read: stylesheets are not evaluated (a class that hides, such as JD's `hide`, is not seen).

An inactive tab panel (a marketplace's 规格参数 tab, `display:none` until its tab is clicked) is shown to any
buyer who clicks: display:none or `hidden` there is not hiding (patterns.TAB_PANEL says what a tab panel is).
visibility:hidden and font-size:0 are never how a tab opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Tag

from checker.extract.patterns import INLINE_TAGS, TAB_PANEL_ATTRS, TAB_PANEL_ROLE

_DECLARATION = re.compile(r"(?:^|;)\s*(display|visibility|font-size)\s*:\s*([^;]*)", re.I)
_ZERO = re.compile(r"^[+-]?(?:0+\.?0*|\.0+)(?:px|pt|pc|em|rem|ex|ch|vw|vh|%|cm|mm|in|q)?$", re.I)
_RELATIVE = re.compile(r"(?:em|ex|ch|%)$", re.I)
_VISIBILITY_HIDDEN = frozenset({"hidden", "collapse"})


@dataclass(frozen=True)
class _State:
    hidden_by: str | None  # display:none or the hidden attribute here or above: nothing below can show
    invisible: bool  # the inherited visibility is hidden (a descendant may set visible again)
    zero_font: bool  # the inherited font size is zero (a descendant may set a size again)

    def reason(self) -> str | None:
        if self.hidden_by:
            return self.hidden_by
        if self.invisible:
            return "visibility:hidden"
        return "font-size:0" if self.zero_font else None


_SHOWN = _State(None, False, False)


def _style(tag: Tag) -> dict[str, str]:
    return declarations(tag.get("style"))


def declarations(style: object) -> dict[str, str]:
    """The display, visibility and font-size an inline style declares (lower case, !important dropped)."""
    if not isinstance(style, str) or ":" not in style:
        return {}
    declared: dict[str, str] = {}
    for match in _DECLARATION.finditer(style):
        value = match.group(2).lower().replace("!important", "").strip()
        declared[match.group(1).lower()] = value
    return declared


def _tab_panel(tag: Tag) -> bool:
    if tag.name in INLINE_TAGS:
        return False
    if str(tag.get("role") or "").lower() == TAB_PANEL_ROLE:
        return True
    for name in TAB_PANEL_ATTRS:
        value = tag.get(name)
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        if text and TAB_PANEL_ATTRS[name].search(text):
            return True
    return False


def _own(tag: Tag, parent: _State) -> _State:
    style = _style(tag)
    hidden_by = parent.hidden_by
    if hidden_by is None:
        display = style.get("display")
        hides = display == "none" or (tag.has_attr("hidden") and display is None)  # inline display wins
        if hides and not _tab_panel(tag):
            hidden_by = "display:none" if display == "none" else "[hidden]"
    invisible = parent.invisible
    if "visibility" in style:
        invisible = style["visibility"] in _VISIBILITY_HIDDEN
    zero_font = parent.zero_font
    size = style.get("font-size")
    if size is not None and not (zero_font and _RELATIVE.search(size)):  # 1.2em of nothing is nothing
        zero_font = bool(_ZERO.match(size))
    if hidden_by is parent.hidden_by and invisible is parent.invisible and zero_font is parent.zero_font:
        return parent
    return _State(hidden_by, invisible, zero_font)


def may_hide(style: object, hidden_attribute: bool) -> bool:
    """Whether an element's own attributes may hide it (the hidden attribute, display:none, visibility:hidden,
    font-size:0): the pre-pass's loose test, without ancestors or tab panels."""
    if hidden_attribute:
        return True
    declared = declarations(style)
    size = declared.get("font-size")
    return (
        declared.get("display") == "none"
        or declared.get("visibility") in _VISIBILITY_HIDDEN
        or (size is not None and bool(_ZERO.match(size)))
    )


class Visibility:
    """Whether elements of one parsed page are hidden, each ancestor's state computed once."""

    def __init__(self) -> None:
        self._states: dict[int, _State] = {}

    def hidden(self, tag: Tag) -> str | None:
        """How the element is hidden (display:none, [hidden], visibility:hidden, font-size:0), or None."""
        return self._state(tag).reason()

    def _state(self, tag: Tag) -> _State:
        chain: list[Tag] = []
        node: Tag | None = tag
        state = _SHOWN
        while node is not None and node.name != "[document]":
            known = self._states.get(id(node))
            if known is not None:
                state = known
                break
            chain.append(node)
            node = node.parent
        for element in reversed(chain):
            state = _own(element, state)
            self._states[id(element)] = state
        return state


def hidden_in(ranges: tuple[tuple[int, int, str], ...], positions: list[int]) -> str | None:
    """How the words at these page positions are hidden, or None: one hidden character is enough, the buyer
    then does not see the words as written (<span style="font-size:0">上海</span>标准 shows 标准)."""
    for position in positions:
        found = next((why for start, end, why in ranges if start <= position < end), None)
        if found is not None:
            return found
    return None
