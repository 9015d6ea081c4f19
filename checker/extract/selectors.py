"""A tiny matcher for the first compound of the CSS selectors in layouts.py, indexed for one pass over lxml."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_COMPOUND = re.compile(
    r"^(?P<tag>[a-z][a-z0-9]*)?(?P<id>#[\w-]+)?(?P<classes>(?:\.[\w-]+)*)(?:\[(?P<attr>[\w-]+)=(?P<value>[\w-]+)\])?$"
)


# (selector, parent element) -> whether the parent's ancestors satisfy the selector's leading compounds.
AncestorMemo = dict[tuple[str, "etree._Element | None"], bool]


@dataclass(frozen=True)
class Compound:
    """tag#id.class[attr=value], any part optional."""

    tag: str | None
    ident: str | None
    classes: frozenset[str]
    attr: tuple[str, str] | None

    def matches(self, el: etree._Element) -> bool:
        """Whether one element matches this compound."""
        if self.tag and el.tag != self.tag:
            return False
        if self.ident and el.get("id") != self.ident:
            return False
        if self.classes and not self.classes <= set((el.get("class") or "").split()):
            return False
        return not (self.attr and el.get(self.attr[0]) != self.attr[1])


def parse_compound(text: str) -> Compound:
    """One compound selector; raises ValueError on anything richer (the layout tables stay simple)."""
    match = _COMPOUND.match(text)
    if not match or not text:
        raise ValueError(f"unsupported selector part: {text!r}")
    attr = (match.group("attr"), match.group("value")) if match.group("attr") else None
    classes = frozenset(c for c in match.group("classes").split(".") if c)
    ident = match.group("id")[1:] if match.group("id") else None
    return Compound(match.group("tag"), ident, classes, attr)


class SelectorIndex:
    """Selectors filed under one compound so each lxml element costs a few dict lookups.

    A selector ending in an id or class is filed under that last compound and matched exactly (its
    ancestors checked). One ending in a bare tag (`.crumb a`) is filed under its first compound: the pass
    marks that container and BeautifulSoup runs the rest of the selector inside it.
    """

    def __init__(self, selectors: tuple[str, ...]) -> None:
        self.by_id: dict[str, list[tuple[Compound, str]]] = {}
        self.by_class: dict[str, list[tuple[Compound, str]]] = {}
        self.by_tag: dict[str, list[tuple[Compound, str]]] = {}
        self.chains: dict[str, tuple[Compound, ...]] = {}
        self.class_names: frozenset[str] = frozenset()
        for text in selectors:
            chain = tuple(parse_compound(part) for part in text.split())
            self.chains[text] = chain
            key = chain[-1] if chain[-1].ident or chain[-1].classes else chain[0]
            entry = (key, text)
            if key.ident:
                self.by_id.setdefault(key.ident, []).append(entry)
            elif key.classes:
                self.by_class.setdefault(min(key.classes), []).append(entry)
            elif key.tag:
                self.by_tag.setdefault(key.tag, []).append(entry)
            else:
                raise ValueError(f"selector needs a tag, id or class: {text!r}")
        self.class_names = frozenset(self.by_class)

    def exact(self, selector: str) -> bool:
        """Whether a mark for this selector is the matched element itself (not a container)."""
        last = self.chains[selector][-1]
        return bool(last.ident or last.classes) or len(self.chains[selector]) == 1

    def _ancestors_match(self, selector: str, el: etree._Element, memo: AncestorMemo | None) -> bool:
        parent = el.getparent()
        key = (selector, parent)
        if memo is not None and key in memo:
            return memo[key]
        pending = list(self.chains[selector][:-1])
        node = parent
        while pending and node is not None:
            if pending[-1].matches(node):
                pending.pop()
            node = node.getparent()
        if memo is not None:
            memo[key] = not pending
        return not pending

    def match(self, el: etree._Element, memo: AncestorMemo | None = None) -> list[str]:
        """The selectors el matches exactly, or whose container it is.

        `memo`, kept for one walk over one page, shares the ancestor check between siblings (a JD page
        has dozens of `.item` elements under one parent)."""
        candidates: list[tuple[Compound, str]] = []
        ident = el.get("id")
        if ident and ident in self.by_id:
            candidates += self.by_id[ident]
        classes = el.get("class")
        if classes:
            for name in classes.split():
                candidates += self.by_class.get(name, ())
        tag = el.tag
        if isinstance(tag, str):
            candidates += self.by_tag.get(tag, ())
        return [
            text
            for compound, text in candidates
            if compound.matches(el) and (not self.exact(text) or self._ancestors_match(text, el, memo))
        ]


def rest_of(selector: str) -> str | None:
    """The selector without its first compound (None when it has one compound only)."""
    parts = selector.split(None, 1)
    return parts[1] if len(parts) == 2 else None
