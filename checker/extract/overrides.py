"""Which characters of a block a right-to-left override lays out backwards (\u202e上海标准\u202c shows 准标海上).

An override (U+202E RLO, <bdo dir="rtl">, `unicode-bidi: bidi-override; direction: rtl` inline or from the
page's stylesheet, which the pre-pass carries on the element: visibility.CSS_ATTR) makes a
browser draw every character under it right to left, Chinese included; an embedding (U+202B RLE, dir="rtl"
on other elements) or an isolate does not reverse Chinese, which is strongly left-to-right. Words written
forwards under an override are not what a buyer reads: they are kept as a claim hidden from buyers
("bidi-override"), as hidden keyword stuffing is. (Words written backwards so that an override shows them:
bidi.py.) A block is one bidi paragraph; a line break ends every override, as bidi.py reads it.
"""

from __future__ import annotations

import re

from bs4 import Tag

from checker.extract.inherited import Inherited
from checker.extract.stylesheet import uncarried
from checker.extract.visibility import CSS_ATTR

SHOWN_REVERSED = "bidi-override"
_RLO, _LRO, _RLE, _LRE, _PDF = "\u202e", "\u202d", "\u202b", "\u202a", "\u202c"
_ISOLATES, _PDI = frozenset("\u2066\u2067\u2068"), "\u2069"
_CONTROLS = frozenset({_RLO, _LRO, _RLE, _LRE, _PDF, _PDI, *_ISOLATES})
_BIDI_PROPERTIES = frozenset(["direction", "unicode-bidi"])
_DECLARATION = re.compile(r"(?:^|;)\s*(direction|unicode-bidi)\s*:\s*([^;]*)", re.I)


def _element_override(tag: Tag) -> str | None:
    """The override an element sets: "rtl" or "ltr" when the element overrides the direction of its
    text, "" when it ends an override (an embedding or isolate), None when it says nothing."""
    direction = str(tag.get("dir") or "").strip().lower()
    # The stylesheet's declarations (a class setting the override: .r{unicode-bidi:bidi-override;direction:rtl}
    # drew the words backwards unseen), then the inline style's over them.
    declared = {
        prop: found.value for prop, found in uncarried(tag.get(CSS_ATTR)).items() if prop in _BIDI_PROPERTIES
    }
    declared.update(
        (match.group(1).lower(), match.group(2).replace("!important", "").strip().lower())
        for match in _DECLARATION.finditer(str(tag.get("style") or ""))
    )
    direction = declared.get("direction", direction)
    bidi = declared.get("unicode-bidi")
    if tag.name == "bdo" or (bidi is not None and "override" in bidi):
        return direction if direction in ("rtl", "ltr") else None
    if tag.name == "bdi" or bidi in ("embed", "isolate", "isolate-override", "plaintext"):
        return ""
    return None


class Overrides:
    """The element overrides of one parsed page, each element's answer computed once."""

    def __init__(self) -> None:
        self._states = Inherited("", _inherit_override)

    def of(self, tag: Tag) -> str:
        """The override in force for an element's text: "rtl", "ltr" or "" (none)."""
        return self._states.of(tag)


def _inherit_override(element: Tag, inherited: str) -> str:
    own = _element_override(element)
    return inherited if own is None else own


class BlockReader:
    """Follows the control characters of one block across its pieces and collects the reversed spans."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self.spans: list[tuple[int, int]] = []

    def piece(self, text: str, offset: int, element_state: str) -> None:
        """Read one piece of the block's raw text, starting at `offset`, inside an element whose override is
        `element_state`."""
        if not self._stack and element_state != "rtl" and not _CONTROLS.intersection(text):
            return
        for index, char in enumerate(text):
            if char == "\n":
                self._stack.clear()
                continue
            if char in _CONTROLS:
                self._control(char)
                continue
            state = self._stack[-1] if self._stack else element_state
            if state == "rtl":
                self._mark(offset + index)

    def _control(self, char: str) -> None:
        if char == _RLO:
            self._stack.append("rtl")
        elif char == _LRO:
            self._stack.append("ltr")
        elif char in (_RLE, _LRE) or char in _ISOLATES:
            self._stack.append("")  # an embedding or isolate: no override inside it
        elif self._stack:  # PDF or PDI
            self._stack.pop()

    def _mark(self, position: int) -> None:
        if self.spans and self.spans[-1][1] == position:
            self.spans[-1] = (self.spans[-1][0], position + 1)
        else:
            self.spans.append((position, position + 1))


def reversed_in(spans: tuple[tuple[int, int], ...], positions: list[int]) -> bool:
    """Whether two or more of these characters are drawn backwards by one override (one alone is drawn where
    it stands)."""
    return any(sum(1 for position in positions if start <= position < end) >= 2 for start, end in spans)
