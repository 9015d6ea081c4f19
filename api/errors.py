"""The one place where markwatch errors become HTTP answers: input families are 4xx, never a traceback."""

from __future__ import annotations

import json
import logging
import math
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from markwatch.errors import (
    ConflictError,
    DatabaseError,
    EngineError,
    FetchError,
    InputError,
    MarkwatchError,
    NotFoundError,
    NotReady,
)

log = logging.getLogger(__name__)
_SURROGATE = re.compile("[\ud800-\udfff]")


class RateLimited(MarkwatchError):
    """Too many requests from one key or client address; `retry_after` is the Retry-After value."""

    def __init__(self, message: str, *, retry_after: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Most specific first: the first family an error belongs to decides its status.
STATUS_BY_FAMILY: tuple[tuple[type[MarkwatchError], int], ...] = (
    (RateLimited, status.HTTP_429_TOO_MANY_REQUESTS),
    (NotReady, status.HTTP_503_SERVICE_UNAVAILABLE),
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


async def markwatch_error_handler(_request: Request, exc: Exception) -> Response:
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
    retry_after = getattr(exc, "retry_after", None)
    return safe_json(body, code, {"Retry-After": retry_after} if retry_after else None)


async def database_busy_handler(_request: Request, exc: Exception) -> JSONResponse:
    """A locked or unreachable database is a temporary condition: 503 with Retry-After, no traceback."""
    log.warning("database busy: %s", exc)
    return JSONResponse(
        {"detail": "the database is busy; retry shortly", "error": "DatabaseBusy"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "1"},
    )


# SQLSTATEs of a race between two writers: the same unique row (the next audit entry, a key), an exclusion
# constraint, or a row referenced while another transaction removed it. Retrying answers them.
_RACE_SQLSTATES = frozenset({"23505", "23P01", "23503"})
_RACE_SQLITE_MESSAGES = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def is_write_race(exc: IntegrityError) -> bool:
    """Whether the database refused a write because another writer got there first (not a NOT NULL or CHECK
    constraint, nor a trigger that refuses the write: those are not cured by trying again)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in _RACE_SQLSTATES
    return str(exc.orig).startswith(_RACE_SQLITE_MESSAGES)


async def integrity_error_handler(_request: Request, exc: Exception) -> Response:
    """Two writers raced for the same unique row (e.g. the next audit entry): 409, the loser retries. Any other
    refusal (a constraint or trigger that says no) is ours to look into: 500, logged with its traceback. The
    request's transaction was rolled back either way: nothing of it was stored."""
    assert isinstance(exc, IntegrityError)
    if is_write_race(exc):
        log.warning("write conflict: %s", exc)
        return safe_json(
            {"detail": "a concurrent change conflicted with this one; retry", "error": "WriteConflict"},
            status.HTTP_409_CONFLICT,
        )
    log.error("the database refused a write: %s", exc.orig, exc_info=exc)
    return safe_json(
        {
            "detail": "the database refused this change, so nothing of it was stored; it has been logged",
            "error": "WriteRefused",
        },
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def encodable(value: Any) -> Any:
    """`value` with lone surrogates replaced and non-finite numbers spelled out, so JSON can always carry it."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(encodable(k)): encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v) for v in value]
    if value is None or isinstance(value, bool | int):
        return value
    return encodable(str(value))


def safe_json(body: dict[str, Any], status_code: int, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer that cannot fail to encode, whatever the request held."""
    content = json.dumps(encodable(body), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Response(content.encode("utf-8"), status_code, headers, media_type="application/json")


def _where(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def validation_error_handler(_request: Request, exc: Exception) -> Response:
    """422 naming each invalid field; the input itself is never echoed (it may not even be encodable)."""
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"type": e.get("type", "value_error"), "loc": list(e.get("loc", ())), "msg": e.get("msg", "invalid")}
        for e in exc.errors()
    ]
    body: dict[str, Any] = {"detail": errors, "error": "RequestValidationError"}
    if errors:
        body["where"] = _where(errors[0]["loc"])
    return safe_json(body, status.HTTP_422_UNPROCESSABLE_CONTENT)


async def data_error_handler(_request: Request, exc: Exception) -> Response:
    """A value the database cannot store (out of range, or text it refuses): the input's fault, 422."""
    log.warning("value refused by the database: %s", exc)
    return safe_json(
        {"detail": "a value is out of range or cannot be stored", "error": "DataError"},
        status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def http_error_handler(request: Request, exc: Exception) -> Response:
    """FastAPI's own refusals (401 no or wrong key, 403 wrong role, 404 no route, 405 wrong method) in the
    shape of every other error answer: `detail` and `error`, their headers (WWW-Authenticate, Allow) kept."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code < 400 or exc.status_code in (204, 304):
        return Response(status_code=exc.status_code, headers=exc.headers)
    name = "".join(word.capitalize() for word in HTTPStatus(exc.status_code).phrase.replace("-", " ").split())
    return safe_json({"detail": exc.detail, "error": name}, exc.status_code, dict(exc.headers or {}))


async def client_gone_handler(_request: Request, exc: Exception) -> Response:
    """The client left before its request body arrived: nobody to answer and nothing wrong here (logged as
    an internal error with two tracebacks each, 1,500 such clients wrote 11 MB of log)."""
    log.debug("client disconnected before sending its whole request: %s", exc)
    return Response(status_code=status.HTTP_400_BAD_REQUEST)


async def unexpected_error_handler(_request: Request, exc: Exception) -> Response:
    """Anything unforeseen: logged with its traceback, answered as JSON without one."""
    log.error("request failed unexpectedly: %s", exc, exc_info=exc)
    return safe_json(
        {"detail": "internal error; it has been logged", "error": "InternalError"},
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on an app."""
    app.add_exception_handler(MarkwatchError, markwatch_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
    app.add_exception_handler(OperationalError, database_busy_handler)
    app.add_exception_handler(PoolTimeout, database_busy_handler)  # every pooled connection in use
    app.add_exception_handler(ClientDisconnect, client_gone_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(IntegrityError, integrity_error_handler)
