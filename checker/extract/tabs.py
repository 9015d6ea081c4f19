"""Which hidden containers are inactive tab panels of a real tab set, judged on the whole page.

A tab panel hidden until its tab is clicked is not text kept from buyers (a marketplace's 规格参数 tab). But a
name alone is no tab: `<div class="tab-content" style="display:none">` with nothing beside it was exempt, and
keyword stuffing only had to borrow the name. A panel counts when the page holds the rest of a tab set: a
shown sibling panel (the active tab), or tab controls around it (role=tab/tablist, data-toggle="tab", JD's
data-tab="trigger", a tab bar). Bootstrap's `panel` boxes are tab panels only beside such controls.

The check needs the siblings and controls that pruning cuts, so the pre-pass makes it and marks real panels
(TAB_ATTR) for visibility.py.
"""

from __future__ import annotations

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
# How far up the tab set's container may be (the panel's parent: JD; its grandparent: Tmall's accordion),
# and how many of its elements are looked at for controls.
_CONTAINER_LEVELS = 2
_CONTAINER_ELEMENTS = 400
_MIN_CONTROLS = 2  # one tab is no tab set


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


def _controls(el: etree._Element) -> int:
    """How many tabs an element stands for: a tab 1, a tab list (role=tablist, a tab bar) its items."""
    role = (el.get("role") or "").lower()
    if role == TAB_LIST_ROLE or any(
        (value := el.get(name)) is not None and pattern.search(value) is not None
        for name, pattern in TAB_LIST_ATTRS.items()
    ):
        return sum(1 for _ in el.iterchildren(etree.Element))
    if role == TAB_ROLE:
        return 1
    return int(
        any(
            (value := el.get(name)) is not None and pattern.search(value) is not None
            for name, pattern in TAB_CONTROL_ATTRS.items()
        )
    )


class TabSets:
    """Answers, per hidden panel, whether it belongs to a real tab set; containers are read once each."""

    def __init__(self, hidden: Callable[[etree._Element], bool]) -> None:
        self._hidden = hidden  # whether an element hides itself (inline style, hidden attribute, stylesheet)
        self._shown_panels: dict[etree._Element, int] = {}
        self._controls: dict[etree._Element, dict[etree._Element, int]] = {}

    def real(self, panel: etree._Element, kind: str) -> bool:
        """Whether a panel (panel_kind) sits in a tab set: a shown sibling tab panel, or tabs beside it or
        beside its parent (outside the panel itself: a tab list inside a lone panel opens nothing)."""
        parent = panel.getparent()
        if parent is None:
            return False
        if kind == "tab" and self._shown_siblings(parent) - (0 if self._hidden(panel) else 1) > 0:
            return True
        node, container = panel, parent
        for _ in range(_CONTAINER_LEVELS):
            if container is None or container.tag == "html":
                break
            counts = self._controls_in(container)
            if sum(counts.values()) - counts.get(node, 0) >= _MIN_CONTROLS:
                return True
            node, container = container, container.getparent()
        return False

    def _shown_siblings(self, parent: etree._Element) -> int:
        count = self._shown_panels.get(parent)
        if count is None:
            count = sum(1 for child in parent if panel_kind(child) == "tab" and not self._hidden(child))
            self._shown_panels[parent] = count
        return count

    def _controls_in(self, container: etree._Element) -> dict[etree._Element, int]:
        """The tabs under each child of a container (the first _CONTAINER_ELEMENTS elements looked at)."""
        known = self._controls.get(container)
        if known is None:
            known = self._controls[container] = {}
            seen = 0
            for child in container.iterchildren(etree.Element):
                for el in child.iter(etree.Element):
                    seen += 1
                    if seen > _CONTAINER_ELEMENTS:
                        return known
                    if found := _controls(el):
                        known[child] = known.get(child, 0) + found
        return known
