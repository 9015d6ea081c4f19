"""Models shared by every resource: error bodies, paging."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel

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


def _clean_text(value: str) -> str:
    # PostgreSQL refuses NUL in text, and lone surrogates cannot be encoded for any database.
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


CleanStr = Annotated[str, AfterValidator(_clean_text)]
IdPath = Annotated[int, Path(ge=1, le=2_147_483_647, description="numeric id")]
