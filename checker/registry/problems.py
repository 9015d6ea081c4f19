"""Collect every problem in an import file and raise them together, naming file, record, line and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from markwatch.errors import RegistryImportError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (record/line/field) and what."""

    where: str | None
    message: str


def record_where(number: int, line: int | None, field: str | None = None) -> str:
    """`record N (line L), field F`, leaving out what is unknown."""
    text = f"record {number}" + (f" (line {line})" if line is not None else "")
    return text + (f", field {field}" if field else "")


def raise_problems(source: str, problems: Sequence[Problem]) -> NoReturn:
    """Raise one RegistryImportError listing every problem (at least one)."""
    if not problems:
        raise ValueError("raise_problems needs at least one problem")
    if len(problems) == 1:
        raise RegistryImportError(problems[0].message, source=source, where=problems[0].where)
    lines = [f"  {p.where}: {p.message}" if p.where else f"  {p.message}" for p in problems]
    raise RegistryImportError(
        f"{len(problems)} problems, nothing imported:\n" + "\n".join(lines), source=source
    )
