"""Models shared by every resource: error bodies, paging."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator

T = TypeVar("T")
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
# Deep offsets cost a scan each time; filter by date instead.
MAX_OFFSET = 100_000


class ErrorBody(BaseModel):
    """What every error answer carries."""

    detail: Any
    error: str | None = None
    source: str | None = None
    where: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total that matched."""

    items: list[T]
    total: int
    limit: int
    offset: int


LimitQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"page size, at most {MAX_PAGE_SIZE}")]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No API key, or an invalid or revoked one"},
    403: {"model": ErrorBody, "description": "The key's role may not do this"},
    413: {"model": ErrorBody, "description": "Request body over the size limit"},
    429: {"model": ErrorBody, "description": "Rate limit for this key exceeded; see Retry-After"},
}
# Routes that judge claims against the designation registry refuse while it is empty (checker/registry/gate.py).
REGISTRY_EMPTY_RESPONSE: dict[str, Any] = {
    "model": ErrorBody,
    "description": "The designation registry is empty (RegistryEmpty)",
}


def clean_text(value: str) -> str:
    """`value` unchanged, or ValueError when no database could store it."""
    # PostgreSQL refuses NUL in text, and lone surrogates cannot be encoded for any database.
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


CleanStr = Annotated[str, AfterValidator(clean_text)]


def _digits(value: object) -> object:
    # An id in a path is digits only: lax integer parsing also read "1_0" as 10 and " 1" or "+1" as 1, so one
    # resource answered at several addresses (and audit entries named it by another).
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("an id is written with the digits 0-9 only")
    return value


IdPath = Annotated[int, BeforeValidator(_digits), Path(ge=1, le=2_147_483_647, description="numeric id")]


# Dates an inspector or enterprise can mean; anything further out is a typo or an attack, and near the
# ends of Python's range a time-zone shift overflows (9999-12-31T23:59:59-12:00 is past year 9999 in UTC).
EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2999, 12, 31)
_RANGE = f"between {EARLIEST_DAY.isoformat()} and {LATEST_DAY.isoformat()}"


def _day_in_range(value: dt.date) -> dt.date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"the date must be {_RANGE}")
    return value


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    # The calendar day as written first: within the range, the shift to UTC cannot overflow. Then the instant
    # itself, which is what is stored (2999-12-31T23:59:59-12:00 is in year 3000 in UTC).
    if not EARLIEST_DAY <= value.date() <= LATEST_DAY:
        raise ValueError(f"the date must be {_RANGE}")
    if not EARLIEST_DAY <= value.astimezone(dt.UTC).date() <= LATEST_DAY:
        raise ValueError(f"the moment must be {_RANGE} in UTC")
    return value


Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]
