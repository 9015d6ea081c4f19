"""JSON, not pickle, for queued requests (the sweep ledger in the database and the shared Redis frontier).

Pickled requests (scrapy-redis's default) would let anyone able to write one key in Redis run code on
every worker that pops it. A request dict (`Request.to_dict`) holds only strings, numbers, bytes and plain
containers; bytes (body, header names and values) and dicts with bytes keys are tagged so they survive JSON.
Anything else in `meta` or `cb_kwargs` is refused when the request is queued, not discovered on another
machine later.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES = "__bytes__"
_PAIRS = "__pairs__"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value) and not {_BYTES, _PAIRS} & value.keys():
            return {key: _encode(inner) for key, inner in value.items()}
        return {_PAIRS: [[_encode(key), _encode(inner)] for key, inner in value.items()]}
    if isinstance(value, list | tuple):
        return [_encode(inner) for inner in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot queue a request holding a {type(value).__name__} in the shared frontier")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES], validate=True)
        if set(value) == {_PAIRS}:
            return {_decode(key): _decode(inner) for key, inner in value[_PAIRS]}
        return {key: _decode(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_decode(inner) for inner in value]
    return value


def encode(request_dict: dict[str, Any]) -> dict[str, Any]:
    """A request dict as plain JSON values (stored in the sweep ledger)."""
    encoded: dict[str, Any] = _encode(request_dict)
    return encoded


def decode(data: dict[str, Any]) -> dict[str, Any]:
    """The request dict back from `encode`."""
    decoded = _decode(data)
    if not isinstance(decoded, dict):
        raise ValueError("not a markwatch frontier entry: expected an object")
    return decoded


def dumps(request_dict: dict[str, Any]) -> bytes:
    """A request dict as JSON bytes."""
    return json.dumps(_encode(request_dict), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    """The request dict back; anything that is not our JSON (a pickle, say) is refused, never executed."""
    try:
        decoded = _decode(json.loads(data))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a markwatch frontier entry: {exc}") from exc
    if not isinstance(decoded, dict):
        raise ValueError("not a markwatch frontier entry: expected an object")
    return decoded
