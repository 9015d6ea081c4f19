"""Match a 《title》 written on a page to the registry's titles by similarity, whatever script it is in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from checker.registry.records import DesignationRecord
from pagetext.normalize import compact

# Brackets, quotes, dashes and spaces never change which standard a title names; pages add and drop them.
_NOISE = re.compile(r"[\W_]+")


def title_key(title: str) -> str:
    """A title as compared: normalised (full width, traditional → simplified), punctuation and spaces gone."""
    return _NOISE.sub("", compact(title)).lower()


@dataclass(frozen=True)
class TitleMatch:
    """The registered title nearest to a page's title, with every record (edition) registered under it."""

    title: str
    records: tuple[DesignationRecord, ...]
    score: float  # 0-100: rapidfuzz's normalised Indel similarity of the two title keys

    @property
    def exact(self) -> bool:
        """The same title once normalised."""
        return self.score >= 100.0


class TitleMatcher:
    """Nearest registered title for any title; built once per registry index."""

    def __init__(self, records: Iterable[DesignationRecord]) -> None:
        grouped: dict[str, list[DesignationRecord]] = {}
        for record in records:
            key = title_key(record.title)
            if key:
                grouped.setdefault(key, []).append(record)
        self._records = {key: tuple(group) for key, group in grouped.items()}
        self._keys = list(self._records)

    def nearest(self, title: str) -> TitleMatch | None:
        """The most similar registered title, or None for an empty registry or a title of punctuation only."""
        key = title_key(title)
        if not key or not self._keys:
            return None
        exact = self._records.get(key)
        if exact is not None:
            return TitleMatch(exact[0].title, exact, 100.0)
        # Plain ratio, not partial_ratio: a short generic title ("限量") must not match every long title
        # that happens to contain it.
        found = process.extractOne(key, self._keys, scorer=fuzz.ratio, processor=None)
        if found is None:
            return None
        choice, score, _index = found
        records = self._records[choice]
        return TitleMatch(records[0].title, records, float(score))
