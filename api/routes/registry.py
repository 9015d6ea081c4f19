"""Registry: look up any spelling of a code, list designations with filters, status as of a date."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.deps import AnyRoleDep, RegistryCacheDep, SessionDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, CleanStr, Day, ErrorBody, LimitQuery, OffsetQuery, Page
from api.schemas.registry import DesignationOut, LookupOut
from checker.registry import DesignationStatus, DesignationType
from markwatch.db import utcnow
from markwatch.errors import NotFoundError
from pagetext.normalize import compact

router = api_router("/registry", ["registry"], responses=ERROR_RESPONSES)
AsOfQuery = Annotated[Day | None, Query(description="day to compute the status on (default: today, UTC)")]


@router.get("", response_model=Page[DesignationOut], summary="List designations with filters")
def list_route(
    session: SessionDep,
    registry: RegistryCacheDep,
    _who: AnyRoleDep,
    status: DesignationStatus | None = None,
    type: DesignationType | None = None,
    q: Annotated[CleanStr | None, Query(max_length=200, description="part of the title or code")] = None,
    as_of: AsOfQuery = None,
    limit: LimitQuery = 50,
    offset: OffsetQuery = 0,
) -> Page[DesignationOut]:
    """Status, type and text filters; the status is computed for `as_of`."""
    day = as_of or utcnow().date()
    needle = compact(q) if q else None
    rows = [
        DesignationOut.of(r, day)
        for r in registry.current(session).records
        if (type is None or r.type == type)
        and (needle is None or needle in compact(r.title) or needle in compact(r.code))
    ]
    rows = [r for r in rows if status is None or r.status == status]
    return Page[DesignationOut](
        items=rows[offset : offset + limit], total=len(rows), limit=limit, offset=offset
    )


@router.get(
    "/lookup",
    response_model=LookupOut,
    summary="Look up a code in any spelling, with its status as of a date",
    responses={404: {"model": ErrorBody, "description": "No designation for this code"}},
)
def lookup_route(
    session: SessionDep,
    registry: RegistryCacheDep,
    _who: AnyRoleDep,
    code: Annotated[
        CleanStr, Query(min_length=1, max_length=100, description="e.g. ＤＢ３１／Ｔ１１０８—２０１８")
    ],
    as_of: AsOfQuery = None,
) -> LookupOut:
    """Full-width characters, any dash and missing spaces are accepted."""
    day = as_of or utcnow().date()
    index = registry.current(session)
    record = index.find(code)
    if record is None:
        raise NotFoundError(index.not_found_message(code))
    others = [DesignationOut.of(r, day) for r in index.by_number_key(record.number_key) if r is not record]
    return LookupOut(
        query=code,
        code_key=record.code_key,
        designation=DesignationOut.of(record, day),
        other_editions=others,
    )
