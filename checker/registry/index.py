"""RegistryIndex: an immutable in-memory copy of the registry, loaded once per check run or API request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from checker.codes import StandardCode, code_key, parse_code
from checker.registry.models import Designation
from checker.registry.records import CodeLookup, DesignationRecord, record_from_row
from checker.registry.titles import TitleMatch, TitleMatcher
from markwatch.errors import CodeParseError
from pagetext.normalize import compact


@dataclass(frozen=True)
class RegistryIndex:
    """Lookups by edition key, by number across editions, and by normalised title."""

    records: tuple[DesignationRecord, ...]
    _by_key: Mapping[str, DesignationRecord]
    _by_number: Mapping[str, tuple[DesignationRecord, ...]]
    _by_title: Mapping[str, tuple[DesignationRecord, ...]]
    _titles: TitleMatcher

    @classmethod
    def load(cls, session: Session) -> RegistryIndex:
        """Read every designation (with holders) into detached records."""
        records = [record_from_row(row) for row in session.scalars(select(Designation))]
        records.sort(key=lambda r: (r.number_key, r.year or 0, r.id))
        return cls.from_records(records)

    @classmethod
    def from_records(cls, records: Iterable[DesignationRecord]) -> RegistryIndex:
        """Build an index from records (tests and callers that already hold them)."""
        kept = tuple(records)
        by_number: dict[str, list[DesignationRecord]] = {}
        by_title: dict[str, list[DesignationRecord]] = {}
        for record in kept:
            by_number.setdefault(record.number_key, []).append(record)
            by_title.setdefault(compact(record.title), []).append(record)
        return cls(
            records=kept,
            _by_key=MappingProxyType({record.code_key: record for record in kept}),
            _by_number=MappingProxyType({k: tuple(v) for k, v in by_number.items()}),
            _by_title=MappingProxyType({k: tuple(v) for k, v in by_title.items()}),
            _titles=TitleMatcher(kept),
        )

    def __len__(self) -> int:
        return len(self.records)

    def by_code(self, code: StandardCode) -> CodeLookup:
        """The record for the code's exact edition, and the other editions registered under its number."""
        exact = self._by_key.get(code.key)
        others = tuple(r for r in self._by_number.get(code.number_key, ()) if r is not exact)
        return CodeLookup(exact=exact, other_editions=others)

    def by_title(self, title: str) -> tuple[DesignationRecord, ...]:
        """Records whose title equals `title` after normalisation (width, dashes, spaces ignored)."""
        return self._by_title.get(compact(title), ())

    def nearest_title(self, title: str) -> TitleMatch | None:
        """The registered title most similar to `title` (simplified or traditional), with its score 0-100."""
        return self._titles.nearest(title)

    def by_number_key(self, number_key: str) -> tuple[DesignationRecord, ...]:
        """Every edition registered under one number key."""
        return self._by_number.get(number_key, ())

    def find(self, text: str) -> DesignationRecord | None:
        """The record for any spelling of a code (`DB31/T1108—2018`, `ＴＳＨＨＪ 3-2018`), or None."""
        return self._by_key.get(code_key(text))

    def not_found_message(self, text: str) -> str:
        """Why `find(text)` found nothing, naming the editions of that number that are registered."""
        message = f"no designation for {text!r} (code key {code_key(text)!r})"
        try:
            editions = self.by_number_key(parse_code(text).number_key)
        except CodeParseError:
            editions = ()
        if editions:
            message += f"; registered editions of this number: {', '.join(r.code for r in editions)}"
        return message
