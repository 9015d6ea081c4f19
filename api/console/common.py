"""Shared pieces of the console's routers: the router factory, the rule set, deadlines from date fields."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from api.console.routing import ConsoleRoute
from markwatch.errors import InputError

PREFIX = "/console"
# Deadlines typed as a date mean the end of that day where the inspectors work (UTC+8, no DST).
CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")


def console_router() -> APIRouter:
    """A router for console pages: HTML errors, kept out of the API's OpenAPI schema."""
    return APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def end_of_day(value: str, *, field: str) -> dt.datetime | None:
    """A YYYY-MM-DD form value as 23:59:59 China time that day; empty means none."""
    value = value.strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", where=field) from None
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=CHINA_TIME)
