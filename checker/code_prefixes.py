"""The table of national, industry and association code prefixes (checker/data/standard_prefixes.yaml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from markwatch.errors import MarkwatchError

_KINDS = frozenset({"national", "industry", "group"})
_FIELDS = frozenset({"code", "name", "kind", "needs_marker", "letter_numbers", "seen_in"})


@dataclass(frozen=True)
class Prefix:
    """One prefix: its kind and how its codes are written."""

    code: str
    name: str
    kind: str
    needs_marker: bool
    letter_numbers: bool


def _entry(raw: Any, index: int, sources: set[str]) -> Prefix:
    where = f"standard_prefixes.yaml: prefixes[{index}]"
    if (
        not isinstance(raw, dict)
        or not _FIELDS.issuperset(raw)
        or not {"code", "kind", "seen_in"} <= set(raw)
    ):
        raise MarkwatchError(f"{where}: expected code, kind and seen_in (and optionally {sorted(_FIELDS)})")
    code, kind = str(raw["code"]), str(raw["kind"])
    if kind not in _KINDS or not code.replace("/", "").isalpha() or not code.isupper():
        raise MarkwatchError(f"{where}: bad code {code!r} or kind {kind!r}")
    unknown = set(raw["seen_in"]) - sources
    if not raw["seen_in"] or unknown:
        raise MarkwatchError(
            f"{where}: seen_in must name sources listed in the file (unknown: {sorted(unknown)})"
        )
    return Prefix(
        code, str(raw.get("name", "")), kind, bool(raw.get("needs_marker")), bool(raw.get("letter_numbers"))
    )


def parse_prefixes(text: str) -> dict[str, Prefix]:
    """The prefix table in text (the format of standard_prefixes.yaml), checked entry by entry."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise MarkwatchError("standard_prefixes.yaml: expected a mapping with sources and prefixes")
    sources = set(data.get("sources") or {})
    table: dict[str, Prefix] = {}
    for index, raw in enumerate(data.get("prefixes") or []):
        prefix = _entry(raw, index, sources)
        if prefix.code in table:
            raise MarkwatchError(f"standard_prefixes.yaml: prefixes[{index}]: {prefix.code} is listed twice")
        table[prefix.code] = prefix
    return table


@functools.cache
def prefixes() -> dict[str, Prefix]:
    """Every listed prefix by its code, e.g. prefixes()["JGJ"]."""
    return parse_prefixes(
        resources.files("checker").joinpath("data/standard_prefixes.yaml").read_text(encoding="utf-8")
    )
