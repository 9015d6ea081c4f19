"""The API's route class: input no database can store, or whose meaning is ambiguous, is refused as a 422
before any route sees it.

PostgreSQL refuses NUL in text, no database can store a lone surrogate (it is not Unicode), and a non-finite
number has no JSON spelling to answer with. An object with the same key twice has no one meaning (parsers
disagree on which value wins; Python's takes the last silently). Checking once here, on the parsed JSON body
and on the query string, covers every field of every route, including fields added later.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_SURROGATE = re.compile("[\ud800-\udfff]")
# A percent-encoded or raw NUL anywhere in the query string (the decoder would hand it to a filter).
_QUERY_NUL = re.compile(rb"%00|\x00")
Location = tuple[str | int, ...]
# Where the parsed JSON body is kept in the request's ASGI scope (a dependency may weigh it before FastAPI
# validates it: a batch costs one self-check per item).
JSON_SCOPE_KEY = "markwatch.json"


class _DuplicateKey(ValueError):
    """An object in the body names a key twice (raised while parsing; located afterwards)."""


class _Pairs(list[tuple[str, Any]]):
    """An object's members in the order sent, duplicates kept (only to locate a duplicate)."""


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored, or None."""
    if "\x00" in value:
        return "text may not contain NUL characters"
    if _SURROGATE.search(value):
        return "text must be valid Unicode (no lone surrogates)"
    return None


def _invalid(loc: Location, msg: str, kind: str = "value_error") -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": loc, "msg": msg, "input": None}])


def _refuse_constant(name: str) -> float:
    # json.loads calls this for NaN, Infinity and -Infinity, which are not JSON.
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is out of range for a number")
    return value


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # dict() of the pairs is what json builds anyway; only a length comparison is added per object.
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _DuplicateKey
    return obj


def _members(value: Any) -> list[tuple[str | int, Any]]:
    if isinstance(value, _Pairs):
        return list(value)
    if isinstance(value, list):
        return list(enumerate(value))
    return []


def _first_duplicate(value: Any, loc: Location) -> tuple[Location, str] | None:
    """Where the first object with a repeated key is, and the key (depth first, in the order sent)."""
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, _item in value:
            if key in seen:
                return loc, key
            seen.add(key)
    for name, item in _members(value):
        found = _first_duplicate(item, (*loc, name))
        if found:
            return found
    return None


def _duplicate_error(body: bytes) -> RequestValidationError:
    # Only when a duplicate was seen: parse again keeping every member, to name the key and where it is.
    try:
        found = _first_duplicate(json.loads(body, object_pairs_hook=_Pairs), ("body",))
    except (ValueError, RecursionError):  # the rest of the body is no JSON either: the duplicate is named
        found = None
    if found is None:
        return _invalid(("body",), "a key appears more than once in one object", "duplicate_key")
    loc, key = found
    return _invalid((*loc, key), f"the key {key!r} appears more than once in one object", "duplicate_key")


def _check_tree(value: Any, loc: Location) -> None:
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise _invalid(loc, problem)
    elif isinstance(value, dict):
        for key, item in value.items():
            problem = text_problem(key)
            if problem:
                raise _invalid(loc, f"a field name is not valid: {problem}")
            _check_tree(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_tree(item, (*loc, index))


def parse_clean_json(body: bytes) -> Any:
    """The JSON body, or RequestValidationError for NaN/Infinity, overflowing numbers, NUL or surrogates, or
    a key repeated in an object."""
    try:
        data = json.loads(
            body,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_object,
        )
        _check_tree(data, ("body",))
    except _DuplicateKey:
        raise _duplicate_error(body) from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise _invalid(("body", exc.pos), f"JSON decode error: {exc.msg}", "json_invalid") from None
        raise _invalid(("body",), str(exc), "json_invalid") from None
    except RecursionError:
        # '[[[[…' a hundred thousand deep fits in any body limit and exhausts the parser's stack.
        raise _invalid(("body",), "JSON nested too deeply", "json_invalid") from None
    return data


def _is_json(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class CleanRoute(APIRoute):
    """An APIRoute that refuses unstorable query strings and JSON bodies with a field-naming 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def clean_handler(request: Request) -> Response:
            if _QUERY_NUL.search(request.scope.get("query_string", b"")):
                raise _invalid(("query",), "a query parameter contains a NUL character")
            if (
                self.body_field is not None
                and request.method in {"POST", "PUT", "PATCH"}
                and _is_json(request)
            ):
                body = await request.body()
                if body:
                    # FastAPI reads request.json() next, which returns what is cached here.
                    request._json = request.scope[JSON_SCOPE_KEY] = parse_clean_json(body)
            return await handler(request)

        return clean_handler


def parsed_json(request: Request) -> Any:
    """The request's JSON body as CleanRoute parsed it, or None (no body, or not JSON)."""
    return request.scope.get(JSON_SCOPE_KEY)


def api_router(prefix: str, tags: list[str], **kwargs: Any) -> APIRouter:
    """A router for one API resource, on the clean-input route class."""
    return APIRouter(prefix=prefix, tags=list(tags), route_class=CleanRoute, **kwargs)
