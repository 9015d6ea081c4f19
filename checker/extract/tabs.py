"""Which hidden containers are inactive tab panels of a real tab set, judged on the whole page.

A tab panel hidden until its tab is clicked is not text kept from buyers (a marketplace's 规格参数 tab). But a
name alone is no tab, nor is a list named a tab bar beside it: `<div class="tab-content" style="display:none">`
alone, or after `<ul role=tablist><li>a</li><li>b</li></ul>` that opens nothing, was exempt, and keyword
stuffing only had to borrow the name or add the list. A panel counts when the page holds the rest of a real tab
set, one of:

- a shown sibling tab panel (the active tab: JD's data-tab="item" boxes), never for a name that says only
  "panel" (Bootstrap's panel boxes);
- a shown tab that points at the panel: any element whose aria-controls, data-target or data-bs-target names
  the panel's id (Tmall's accordion: role=tab aria-controls=…), or a tab control (role=tab, data-toggle="tab",
  a tab-item class, or a link inside a tab list) whose href is "#id" (Bootstrap's nav-tabs);
- a shown tab (role=tab) the panel's aria-labelledby names.

"Shown": the control and its ancestors hide nothing by their own attributes or the page's stylesheet.

The check needs the siblings and controls that pruning cuts, so the pre-pass makes it and marks real panels
(TAB_ATTR) for visibility.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree

from checker.extract.patterns import (
    INLINE_TAGS,
    TAB_CONTROL_ATTRS,
    TAB_LIST_ATTRS,
    TAB_LIST_ROLE,
    TAB_PANEL_ATTRS,
    TAB_PANEL_ONLY_NAMES,
    TAB_PANEL_ROLE,
    TAB_ROLE,
)

TAB_ATTR = "data-mw-tab"
# How far up a link's tab list may be (Bootstrap: ul.nav-tabs > li > a).
_LIST_LEVELS = 3
# Pointers that name a panel by its id alone, and those written as a fragment ("#id").
_POINTERS_BY_ID = ("aria-controls",)
_POINTERS_BY_FRAGMENT = ("data-target", "data-bs-target", "href")
# How many ids of a panel's aria-labelledby are looked up (real panels name one).
_LABELS = 4
# How often the index walk looks at the clock (elements).
_CHECK_EVERY = 0xFFF


def panel_kind(el: etree._Element) -> str | None:
    """The kind of panel a container is named as: "tab", "panel" (named only panel/pannel), or None."""
    tag = el.tag
    if not isinstance(tag, str) or tag in INLINE_TAGS:
        return None
    if (el.get("role") or "").lower() == TAB_PANEL_ROLE:
        return "tab"
    kind = None
    for name, pattern in TAB_PANEL_ATTRS.items():
        value = el.get(name)
        if value is not None and (match := pattern.search(value)) is not None:
            if not TAB_PANEL_ONLY_NAMES.fullmatch(match.group()):
                return "tab"
            kind = "panel"
    return kind


def _matches(el: etree._Element, attrs: dict[str, re.Pattern[str]]) -> bool:
    return any(
        (value := el.get(name)) is not None and pattern.search(value) is not None
        for name, pattern in attrs.items()
    )


def _tab_list(el: etree._Element) -> bool:
    return (el.get("role") or "").lower() == TAB_LIST_ROLE or _matches(el, TAB_LIST_ATTRS)


def _tab_control(el: etree._Element) -> bool:
    """Whether an element is a tab: role=tab, a tab control's attributes, or an item of a tab list."""
    if (el.get("role") or "").lower() == TAB_ROLE or _matches(el, TAB_CONTROL_ATTRS):
        return True
    node = el.getparent()
    for _ in range(_LIST_LEVELS):
        if node is None:
            return False
        if _tab_list(node):
            return True
        node = node.getparent()
    return False


class TabSets:
    """Answers, per hidden panel, whether it belongs to a real tab set; the page's pointers are indexed once."""

    def __init__(
        self, root: etree._Element, hidden: Callable[[etree._Element], bool], check: Callable[[str], None]
    ) -> None:
        self._root = root
        self._hidden = hidden  # whether an element hides itself (inline style, hidden attribute, stylesheet)
        self._check = check
        self._shown_panels: dict[etree._Element, int] = {}
        self._pointers: dict[str, list[etree._Element]] | None = None
        self._ids: dict[str, etree._Element] = {}
        self._shown: dict[etree._Element, bool] = {}
        self._answers: dict[str, bool] = {}

    def real(self, panel: etree._Element, kind: str) -> bool:
        """Whether a panel (panel_kind) sits in a tab set: a shown sibling tab panel, or a shown tab that points
        at it or that it names."""
        parent = panel.getparent()
        if parent is None:
            return False
        if kind == "tab" and self._shown_siblings(parent) - (0 if self._hidden(panel) else 1) > 0:
            return True
        ident = panel.get("id")
        if ident and self._pointed_at(ident, panel):
            return True
        for named in (panel.get("aria-labelledby") or "").split()[:_LABELS]:
            self._index()
            tab = self._ids.get(named)
            if tab is not None and (tab.get("role") or "").lower() == TAB_ROLE and self._is_shown(tab):
                return True
        return False

    def _pointed_at(self, ident: str, panel: etree._Element) -> bool:
        """Whether a shown tab points at this id (answered once per id: 3,000 panels sharing one id, each
        looking through 3,000 hidden pointers, was quadratic)."""
        known = self._answers.get(ident)
        if known is None:
            pointers = self._index().get(ident, ())
            known = self._answers[ident] = any(
                self._is_shown(control) for control in pointers if control is not panel
            )
        return known

    def _shown_siblings(self, parent: etree._Element) -> int:
        count = self._shown_panels.get(parent)
        if count is None:
            # A tab bar named like a panel (ul.nav-tabs) is no panel: beside any hidden box it showed one.
            count = sum(
                1
                for child in parent
                if panel_kind(child) == "tab"
                and not _tab_list(child)
                and (child.get("role") or "").lower() != TAB_ROLE
                and not _matches(child, TAB_CONTROL_ATTRS)
                and not self._hidden(child)
            )
            self._shown_panels[parent] = count
        return count

    def _index(self) -> dict[str, list[etree._Element]]:
        """Per id, the elements that point at it as a tab does (read once, on the first panel with an id)."""
        if self._pointers is not None:
            return self._pointers
        pointers: dict[str, list[etree._Element]] = {}
        for count, el in enumerate(self._root.iter(etree.Element)):
            if not count & _CHECK_EVERY:
                self._check("finding tab controls")
            ident = el.get("id")
            if ident is not None:
                self._ids.setdefault(ident, el)
            for name in _POINTERS_BY_ID:
                for target in (el.get(name) or "").split():
                    pointers.setdefault(target, []).append(el)
            for name in _POINTERS_BY_FRAGMENT:
                value = el.get(name)
                if (
                    value
                    and value.startswith("#")
                    and len(value) > 1
                    and (name != "href" or _tab_control(el))
                ):
                    pointers.setdefault(value[1:], []).append(el)
        self._pointers = pointers
        return pointers

    def _is_shown(self, el: etree._Element) -> bool:
        """Whether an element and its ancestors hide nothing by their own attributes (memoised per element)."""
        chain: list[etree._Element] = []
        node: etree._Element | None = el
        shown = True
        while node is not None:
            known = self._shown.get(node)
            if known is not None:
                shown = known
                break
            chain.append(node)
            node = node.getparent()
        for element in reversed(chain):
            shown = shown and not self._hidden(element)
            self._shown[element] = shown
        return shown
