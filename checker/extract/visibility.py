"""Text a buyer does not see: hidden by the `hidden` attribute, an inline style or the page's own stylesheet, on
the element or above it: display:none, visibility:hidden, font-size:0, and the ways css_hiding.py reads (opacity:0,
a colour on its background, off-screen, clipped, scaled or squeezed to nothing, screen-reader-only classes).

Hidden keyword stuffing is still a use of the words, so such a claim is kept; but an inspector cannot sign a
finding on text nobody sees without knowing it (checker/confidence.py, `hidden-text`). The page's inline
<style> blocks are read for simple selectors only (stylesheet.py); the pruned page carries what they declare
for each element (CSS_ATTR), and the reason names the rule (display:none (stylesheet .k)).

An inactive tab panel of a real tab set (a marketplace's 规格参数 tab, display:none until its tab is clicked;
tabs.py decides on the whole page and marks it, TAB_ATTR) is shown to any buyer who clicks: display:none or
`hidden` there is not hiding. Nor is a block the stylesheet hides but shows in a state a buyer brings about
(.nav:hover .sub, .dropdown.open > .menu: a dropdown or popup; OPENS_ATTR), when the page holds what the buyer
acts on: the state sits on another element than the hidden one (never .k:hover or .k.open: a hidden element is
not hovered or clicked), that element is on the page around it (an ancestor matching the rule's compound, the
parent for `>`, a preceding sibling for `+`/`~`), shown, and holds something to point at besides the block (any
text or image for :hover; for a class only a script sets, named by nothing else (.open .k), a control: a
button, a label, data-toggle, aria-expanded…). An unused `.open .k{display:block}` opens nothing (prune.py
checks before pruning cuts the page around it). visibility:hidden and font-size:0 are never how a tab opens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import Tag

from checker.extract import css_hiding
from checker.extract.inherited import Inherited
from checker.extract.patterns import INLINE_TAGS
from checker.extract.stylesheet import DECLARATION, Declared, css_text, hides, uncarried
from checker.extract.tabs import TAB_ATTR

# Set by the pre-pass (prune.py): the stylesheet's winning declarations for the element, and whether the
# stylesheet shows it in a state a buyer brings about.
CSS_ATTR = "data-mw-css"
OPENS_ATTR = "data-mw-opens"
# Set by the pre-pass on a shadow host's child that no <slot> of its declarative shadow root draws.
UNSLOTTED_ATTR = "data-mw-unslotted"
_IMPORTANT = re.compile(r"!\s*important", re.I)
_RELATIVE = re.compile(r"(?:em|ex|ch|%)$", re.I)
# Values that leave an inherited property (visibility, font-size, color) as the parent has it: a child set so inside a
# hidden parent stays hidden (they were read as showing it again).
_KEEPS_INHERITED = frozenset({"inherit", "unset", "revert", "revert-layer"})
# The values a browser takes for visibility; any other (a typo) is dropped and the inherited one stays.
_VISIBILITY_SHOWN = frozenset({"visible", "initial"})


@dataclass(frozen=True)
class _State:
    hidden_by: (
        str | None
    )  # display:none, the hidden attribute, opacity:0 & co here or above: nothing below shows
    invisible: str | None  # how the inherited visibility is hidden (a descendant may set visible again)
    zero_font: str | None  # how the inherited font size is zero (a descendant may set a size again)
    indent: str | None = None  # how the inherited text-indent puts the text off the screen (may be set again)
    ink: tuple[css_hiding.Colour, str | None] | None = None  # the inherited text colour and its rule
    paper: css_hiding.Colour | None = None  # the nearest background colour (None: not declared or not known)

    def reason(self) -> str | None:
        return self.hidden_by or self.invisible or self.zero_font or self.indent or self._unreadable()

    def _unreadable(self) -> str | None:
        if self.ink is None:
            return None
        ink, rule = self.ink
        if ink == css_hiding.TRANSPARENT:
            return _why("color:transparent", rule)
        if css_hiding.same_colour(ink, self.paper):
            assert self.paper is not None and not isinstance(ink, str)
            paper = css_hiding.describe(self.paper)
            return _why(f"color {css_hiding.describe(ink)} on background {paper}", rule)
        return None


_SHOWN = _State(None, None, None)


def declarations(style: object) -> dict[str, str]:
    """The properties an inline style declares that may hide (lower case, !important dropped)."""
    return {prop: value for prop, (value, _) in _inline(style).items()}


def _inline(style: object) -> dict[str, tuple[str, bool]]:
    if not isinstance(style, str) or ":" not in style:
        return {}
    declared: dict[str, tuple[str, bool]] = {}
    for match in DECLARATION.finditer(css_text(style)):
        value = match.group(2).lower()
        declared[match.group(1).lower()] = (_IMPORTANT.sub("", value).strip(), bool(_IMPORTANT.search(value)))
    return declared


def _cascade(tag: Tag) -> dict[str, tuple[str, str | None]]:
    """Per property, the value that wins (inline over the stylesheet, unless only the stylesheet's is
    !important) and the stylesheet rule it comes from (None: inline)."""
    inline = _inline(tag.get("style"))
    sheet: dict[str, Declared] = uncarried(tag.get(CSS_ATTR))
    won: dict[str, tuple[str, str | None]] = {}
    for prop in inline.keys() | sheet.keys():
        mine, theirs = inline.get(prop), sheet.get(prop)
        if mine is not None and (theirs is None or mine[1] or not theirs.important):
            won[prop] = (mine[0], None)
        elif theirs is not None:
            won[prop] = (theirs.value, theirs.selector)
    return won


def _why(how: str, rule: str | None) -> str:
    # The reason names the stylesheet rule, so an inspector can find it in the stored page.
    return how if rule is None else f"{how} (stylesheet {rule})"


def _exempt(tag: Tag, rule: str | None) -> bool:
    """Whether hiding this block is no hiding: a real tab panel (display:none, hidden), or a block the
    stylesheet hides and shows again in a state a buyer brings about (a dropdown, a popup)."""
    if tag.name in INLINE_TAGS:
        return False
    return tag.has_attr(TAB_ATTR) or (rule is not None and tag.has_attr(OPENS_ATTR))


def _own(tag: Tag, parent: _State) -> _State:
    style = _cascade(tag)
    hidden_by = parent.hidden_by
    if hidden_by is None:
        display = style.get("display")
        if display is not None and display[0] == "none":
            if not _exempt(tag, display[1]):
                hidden_by = _why("display:none", display[1])
        elif tag.has_attr("hidden") and display is None and not _exempt(tag, None):
            hidden_by = "[hidden]"  # a declared display wins over the attribute
        elif tag.has_attr(UNSLOTTED_ATTR):
            hidden_by = "outside the shadow root's slots"  # the host draws its shadow root instead
        elif tag.name == "noscript":
            hidden_by = "noscript"  # shown only where scripts are off: never to a buyer's browser
        elif tag.name == "dialog" and not tag.has_attr("open") and display is None:
            hidden_by = "dialog (closed)"  # a dialog without `open` is not drawn until a script opens it
    invisible = parent.invisible
    if "visibility" in style:
        value, rule = style["visibility"]
        # A popup the stylesheet shows on hover may be visibility:hidden until then; a tab never opens so.
        opened = rule is not None and tag.name not in INLINE_TAGS and tag.has_attr(OPENS_ATTR)
        if hides("visibility", value):
            invisible = None if opened else _why("visibility:hidden", rule)
        elif value in _VISIBILITY_SHOWN:
            invisible = None  # visibility is inherited, and a descendant may show itself again
    zero_font = parent.zero_font
    size = style.get("font-size")
    if size is not None and size[0] in _KEEPS_INHERITED:
        size = None
    if size is not None and not (zero_font and _RELATIVE.search(size[0])):  # 1.2em of nothing is nothing
        tiny = css_hiding.tiny_font(size[0])
        zero_font = (
            _why("font-size below 3px" if tiny else "font-size:0", size[1])
            if hides("font-size", size[0])
            else None
        )
    values = {prop: value for prop, (value, _) in style.items()}
    inline = tag.name in INLINE_TAGS
    if hidden_by is None and (box := css_hiding.box_hiding(values, inline, _classes(tag))) is not None:
        how, prop = box
        rule = style[prop][1] if prop is not None and prop in style else None
        # A popup the stylesheet fades or folds in on hover is no hiding (as visibility:hidden above).
        if not (rule is not None and not inline and tag.has_attr(OPENS_ATTR)):
            hidden_by = _why(how, rule)
    indent = parent.indent
    if (pushed := css_hiding.indent_hides(values, inline)) is not None:
        indent = _why("text-indent off the screen", style["text-indent"][1]) if pushed else None
    ink = parent.ink
    if "color" in style and style["color"][0] not in _KEEPS_INHERITED:
        found = css_hiding.colour(style["color"][0])
        ink = None if found is None else (found, style["color"][1])
    paper = parent.paper
    painted = css_hiding.background(values)
    if painted is not None and painted != css_hiding.TRANSPARENT:
        paper = None if painted == css_hiding.UNKNOWN else painted
    elif painted is None and (tag.has_attr("class") or tag.has_attr("id")):
        paper = None  # a sheet the page links (never read) may paint an element it names: not known
    state = _State(hidden_by, invisible, zero_font, indent, ink, paper)
    return parent if state == parent else state


def _classes(tag: Tag) -> str | None:
    value = tag.get("class")
    return " ".join(value) if isinstance(value, list) else value


class Visibility:
    """Whether elements of one parsed page are hidden, each ancestor's state computed once."""

    def __init__(self) -> None:
        self._states = Inherited(_SHOWN, _own)

    def hidden(self, tag: Tag) -> str | None:
        """How the element is hidden (display:none, [hidden], visibility:hidden, font-size:0), or None."""
        return self._states.of(tag).reason()


def hidden_in(ranges: tuple[tuple[int, int, str], ...], positions: list[int]) -> str | None:
    """How the words at these page positions are hidden, or None: one hidden character is enough, the buyer
    then does not see the words as written (<span style="font-size:0">上海</span>标准 shows 标准)."""
    for position in positions:
        found = next((why for start, end, why in ranges if start <= position < end), None)
        if found is not None:
            return found
    return None
