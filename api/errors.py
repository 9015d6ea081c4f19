"""The one place where markwatch errors become HTTP answers: input families are 4xx, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from markwatch.errors import (
    ConflictError,
    DatabaseError,
    EngineError,
    FetchError,
    InputError,
    MarkwatchError,
    NotFoundError,
)

log = logging.getLogger(__name__)

# Most specific first: the first family an error belongs to decides its status.
STATUS_BY_FAMILY: tuple[tuple[type[MarkwatchError], int], ...] = (
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (InputError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (ConflictError, status.HTTP_409_CONFLICT),
    (FetchError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (DatabaseError, status.HTTP_503_SERVICE_UNAVAILABLE),
    (EngineError, status.HTTP_500_INTERNAL_SERVER_ERROR),
)


def status_for(exc: MarkwatchError) -> int:
    """The HTTP status for a markwatch error."""
    for family, code in STATUS_BY_FAMILY:
        if isinstance(exc, family):
            return code
    return status.HTTP_500_INTERNAL_SERVER_ERROR


async def markwatch_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Answer a MarkwatchError with its status and message, naming the source and field when known."""
    assert isinstance(exc, MarkwatchError)
    code = status_for(exc)
    if code >= 500:
        log.error("request failed: %s", exc, exc_info=exc)
    body: dict[str, object] = {
        "detail": getattr(exc, "detail", None) or str(exc),
        "error": type(exc).__name__,
    }
    for name in ("source", "where"):
        value = getattr(exc, name, None)
        if value:
            body[name] = value
    return JSONResponse(body, status_code=code)


async def database_busy_handler(_request: Request, exc: Exception) -> JSONResponse:
    """A locked or unreachable database is a temporary condition: 503 with Retry-After, no traceback."""
    log.warning("database busy: %s", exc)
    return JSONResponse(
        {"detail": "the database is busy; retry shortly", "error": "DatabaseBusy"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "1"},
    )


async def integrity_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Two writers raced for the same unique row (e.g. the next audit entry): the loser retries."""
    log.warning("write conflict: %s", exc)
    return JSONResponse(
        {"detail": "a concurrent change conflicted with this one; retry", "error": "WriteConflict"},
        status_code=status.HTTP_409_CONFLICT,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on an app."""
    app.add_exception_handler(MarkwatchError, markwatch_error_handler)
    app.add_exception_handler(OperationalError, database_busy_handler)
    app.add_exception_handler(IntegrityError, integrity_error_handler)
