"""Detached, immutable views of registry rows: what the checker and the API read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from checker.registry.models import Designation, DesignationType
from checker.registry.status import DesignationStatus, status_on


@dataclass(frozen=True)
class Holder:
    """A holder of a designated standard; `uscc` is the unified social credit code when known,
    `english_names` its registered English names, `former_names` the names it had before a rename."""

    name: str
    uscc: str | None = None
    english_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "uscc": self.uscc,
            "english_names": list(self.english_names),
            "former_names": list(self.former_names),
        }


@dataclass(frozen=True)
class DesignationRecord:
    """One registry record, detached from any session."""

    id: int
    code: str
    code_key: str
    number_key: str
    year: int | None
    title: str
    type: DesignationType
    holders: tuple[Holder, ...]
    designated_on: dt.date | None
    valid_until: dt.date | None
    revoked_on: dt.date | None
    abolished_on: dt.date | None
    pool_entered_on: dt.date | None
    scope: tuple[str, ...]
    source: str | None
    note: str | None

    def status_as_of(self, day: dt.date) -> DesignationStatus:
        """The designation's status on `day` (revoked > abolished > expired > not-designated)."""
        return status_on(
            day,
            designated_on=self.designated_on,
            valid_until=self.valid_until,
            revoked_on=self.revoked_on,
            abolished_on=self.abolished_on,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields (dates as ISO strings)."""
        return {
            "id": self.id,
            "code": self.code,
            "code_key": self.code_key,
            "number_key": self.number_key,
            "year": self.year,
            "title": self.title,
            "type": self.type.value,
            "holders": [h.to_dict() for h in self.holders],
            "designated_on": _iso(self.designated_on),
            "valid_until": _iso(self.valid_until),
            "revoked_on": _iso(self.revoked_on),
            "abolished_on": _iso(self.abolished_on),
            "pool_entered_on": _iso(self.pool_entered_on),
            "scope": list(self.scope),
            "source": self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class CodeLookup:
    """The record for the exact edition a page names, and the other editions of the same number."""

    exact: DesignationRecord | None
    other_editions: tuple[DesignationRecord, ...]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def record_from_row(row: Designation) -> DesignationRecord:
    """Copy an ORM row (with its holders loaded) into a detached record."""
    return DesignationRecord(
        id=row.id,
        code=row.code,
        code_key=row.code_key,
        number_key=row.number_key,
        year=row.year,
        title=row.title,
        type=DesignationType(row.type),
        holders=tuple(
            Holder(h.name, h.uscc, tuple(h.english_names or ()), tuple(h.former_names or ()))
            for h in row.holders
        ),
        designated_on=row.designated_on,
        valid_until=row.valid_until,
        revoked_on=row.revoked_on,
        abolished_on=row.abolished_on,
        pool_entered_on=row.pool_entered_on,
        scope=tuple(row.scope or ()),
        source=row.source,
        note=row.note,
    )
