"""Collect every problem in an import file and raise them together, naming file, record, line and field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from markwatch.errors import RegistryImportError

# Problems shown in the error message; the rest are counted (the CLI's --errors-file writes them all).
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import file: where (record/line/field) and what."""

    where: str | None
    message: str

    def line(self) -> str:
        """The problem as one line of text."""
        return f"{self.where}: {self.message}" if self.where else self.message


class RegistryProblemsError(RegistryImportError):
    """An import file with problems in its records; `problems` holds every one of them."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        shown = [f"  {p.line()}" for p in self.problems[:SHOWN_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden:
            shown.append(f"  … and {hidden:,} more (--errors-file PATH writes the full list)")
        super().__init__(
            f"{len(self.problems):,} problems, nothing imported:\n" + "\n".join(shown), source=source
        )


def record_where(number: int, line: int | None, field: str | None = None) -> str:
    """`record N (line L), field F`, leaving out what is unknown."""
    text = f"record {number}" + (f" (line {line})" if line is not None else "")
    return text + (f", field {field}" if field else "")


def raise_problems(source: str, problems: Sequence[Problem]) -> NoReturn:
    """Raise one RegistryImportError listing the problems (at least one): all of them on the exception."""
    if not problems:
        raise ValueError("raise_problems needs at least one problem")
    if len(problems) == 1:
        error = RegistryProblemsError(source, problems)
        # One problem reads as one line naming its place, like any other input error.
        RegistryImportError.__init__(error, problems[0].message, source=source, where=problems[0].where)
        raise error
    raise RegistryProblemsError(source, problems)
