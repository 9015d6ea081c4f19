"""Registry models: a designation with its status on a day."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from checker.registry import DesignationRecord, DesignationStatus


class HolderOut(BaseModel):
    """A holder of a designated standard."""

    name: str
    uscc: str | None
    english_names: list[str] = Field(
        default_factory=list,
        description="English names registered for the holder (its registration record); empty: none registered,"
        " so English names on pages are not compared with it",
    )
    former_names: list[str] = Field(default_factory=list, description="names the holder had before a rename")


class DesignationOut(BaseModel):
    """One registry record and its status on `as_of`."""

    id: int
    code: str
    code_key: str
    number_key: str
    year: int | None
    title: str
    type: str
    holders: list[HolderOut]
    designated_on: dt.date | None
    valid_until: dt.date | None
    revoked_on: dt.date | None
    abolished_on: dt.date | None
    pool_entered_on: dt.date | None
    scope: list[str]
    source: str | None
    note: str | None
    as_of: dt.date
    status: DesignationStatus

    @classmethod
    def of(cls, record: DesignationRecord, as_of: dt.date) -> DesignationOut:
        """The record as served, status computed for `as_of`."""
        return cls(**record.to_dict(), as_of=as_of, status=record.status_as_of(as_of))


class LookupOut(BaseModel):
    """The record for the spelling asked about, and the other editions of its number."""

    query: str
    code_key: str
    designation: DesignationOut
    other_editions: list[DesignationOut]
