"""Text an inspector types is stored as given, unless no database can hold it: NUL and lone surrogates."""

from __future__ import annotations

import re

from markwatch.errors import InputError

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(value: str | None, *, where: str) -> str | None:
    """`value` unchanged, or InputError naming the field when it holds NUL or a lone surrogate.

    PostgreSQL refuses NUL in text while SQLite stores it: refusing on both keeps the two alike."""
    if value is None:
        return None
    if "\x00" in value:
        raise InputError("text may not contain NUL characters", where=where)
    if _SURROGATE.search(value):
        raise InputError("text must be valid Unicode (no lone surrogates)", where=where)
    return value
