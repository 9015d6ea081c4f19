"""Page-level signals gathered during the pre-pass walk, over the whole page before anything is cut.

A long article keeps its byline (作者/来源/发布时间…) far from the occurrence; pruning keeps only the blocks
around mentions and would cut it. The pre-pass (prune.py) shows this collector every text of the page first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from checker.extract.patterns import BRAND_OR_MODEL
from checker.extract.use_table import (
    CRUMB_HINTS,
    CRUMB_LABEL,
    PREPASS_SIGNALS,
    SITE_OWNER,
    SITE_OWNER_BEFORE,
    SITE_OWNER_EN,
    SITE_OWNER_HINTS,
)
from pagetext.normalize import compact, normalize_text

# One pre-test for every text of the page: the literal hints of every pre-pass signal, site owners, crumbs.
_HINTS = sorted(
    {h for signal in PREPASS_SIGNALS for h in signal.hints} | set(SITE_OWNER_HINTS) | set(CRUMB_HINTS),
    key=len,
    reverse=True,
)
_HINT = re.compile("|".join(re.escape(hint) for hint in _HINTS))
# Hint -> the signals (table positions) it may start, so a text runs only the regexes its hints call for.
_BY_HINT: dict[str, tuple[int, ...]] = {
    hint: tuple(i for i, signal in enumerate(PREPASS_SIGNALS) if hint in signal.hints) for hint in _HINTS
}
_OWNER_HINTS = frozenset(SITE_OWNER_HINTS)
_CRUMB_HINTS = frozenset(CRUMB_HINTS)
_NAME_HINTS = ("品牌", "型")
# Texts longer than this are prose: a byline, a price or a label is short (prose is read near the occurrence).
_MAX_TEXT = 400
_MAX_EVIDENCE = 40
_CRUMB_CHARS = 200
_MAX_CRUMBS = 3
_MAX_VALUES = 64
_MAX_OWNERS = 3


@dataclass
class PageSignals:
    """What the pre-pass saw: signal name -> first evidence text, the site's owner and breadcrumb trails."""

    found: dict[str, str] = field(default_factory=dict)
    distinct: dict[str, set[str]] = field(default_factory=dict)
    owners: list[str] = field(default_factory=list)
    # English footers' owners (© 2024 X Co., Ltd.): the page's owner only if the page names it too.
    english_owners: list[str] = field(default_factory=list)
    crumbs: list[str] = field(default_factory=list)
    # Values of 品牌/型号 rows anywhere on the page: a product name is never a brand alone or a model number.
    brands: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)


class PageSignalCollector:
    """The prune.py observer: cheap pre-test on every text, the signal table on the few that pass."""

    def __init__(self) -> None:
        self.signals = PageSignals()
        self._crumb_owners: list[etree._Element] = []

    def wants(self, text: str) -> object:
        """Whether a text may hold a signal (a literal hint of one); short texts only."""
        return len(text) <= _MAX_TEXT and _HINT.search(text)

    def text(self, text: str, owner: etree._Element) -> None:
        """Record the signals one page text shows."""
        hints = set(_HINT.findall(text))
        # White space folded only: the signal regexes list full-width and traditional forms themselves, and
        # the full normaliser would cost more than the rest of the walk on a page of short labelled texts.
        normalized = " ".join(text.split())
        found = self.signals.found
        for index in sorted({i for hint in hints for i in _BY_HINT.get(hint, ())}):
            signal = PREPASS_SIGNALS[index]
            if signal.regex is None or (match := signal.regex.search(normalized)) is None:
                continue
            if signal.min_distinct > 1:
                seen = self.signals.distinct.setdefault(signal.name, set())
                seen.add(match.group(0).strip(" :："))
                if len(seen) < signal.min_distinct:
                    continue
            found.setdefault(signal.name, normalized[:_MAX_EVIDENCE])
        owner_match = (
            (SITE_OWNER.search(normalized) or SITE_OWNER_BEFORE.search(normalized))
            if hints & _OWNER_HINTS
            else None
        )
        if owner_match is not None and len(self.signals.owners) < _MAX_OWNERS:
            self.signals.owners.append(owner_match.group("owner"))
        elif (
            hints & _OWNER_HINTS
            and len(self.signals.english_owners) < _MAX_OWNERS
            and (english := SITE_OWNER_EN.search(normalized)) is not None
        ):
            self.signals.english_owners.append(english.group("owner").strip())
        if hints & _CRUMB_HINTS and len(self._crumb_owners) < _MAX_CRUMBS and CRUMB_LABEL.search(normalized):
            self._crumb_owners.append(owner)
        if any(hint in text for hint in _NAME_HINTS):
            self._name_guard(normalized, owner)

    def _name_guard(self, normalized: str, owner: etree._Element) -> None:
        match = BRAND_OR_MODEL.match(normalized)
        if match is None:
            return
        value = match.group("value")
        if not value and owner.tag in ("td", "th", "dt"):
            following = owner.getnext()
            value = normalize_text(_capped_text(following, 80)) if following is not None else ""
        if value and len(self.signals.brands) + len(self.signals.models) < _MAX_VALUES:
            target = self.signals.brands if match.group("label") == "品牌" else self.signals.models
            target.add(compact(value))

    def walked(self, root: etree._Element) -> None:
        """After the walk, on the still-whole page: read each breadcrumb trail's container."""
        del root
        for owner in self._crumb_owners:
            parent = owner.getparent()
            holder = parent if parent is not None and owner.tag in _INLINE else owner
            self.signals.crumbs.append(normalize_text(_capped_text(holder, _CRUMB_CHARS)))


_INLINE = frozenset(["span", "b", "strong", "em", "i", "label", "a", "font"])


def _capped_text(element: etree._Element, limit: int) -> str:
    """The first `limit` characters of an element's text (a trail's container is small; a body is not)."""
    parts: list[str] = []
    size = 0
    for piece in element.itertext():
        parts.append(piece)
        size += len(piece)
        if size >= limit:
            break
    return " ".join(parts)[:limit]
