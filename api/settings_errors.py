"""A settings error as an operator reads it: the MARKWATCH_* variable to fix and what it accepts, on one line.

Pydantic's own report names the Python field (`api_docs`), spans several lines and ends in a link: at
`markwatch serve` it told nobody which variable was wrong."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# What an error type means for a value read from the environment (always a string).
ACCEPTED_BY_ERROR = {
    "bool_parsing": "should be true or false (1/0, yes/no and on/off are read too)",
    "int_parsing": "should be a whole number",
    "float_parsing": "should be a number",
}


def _problem(error: ErrorDetails) -> str:
    accepted = ACCEPTED_BY_ERROR.get(error["type"])
    if accepted:
        return accepted
    message = error["msg"].removeprefix("Value error, ")
    return "should" + message.removeprefix("Input should") if message.startswith("Input should") else message


def explain(exc: ValidationError, prefix: str) -> str:
    """One line per error joined with "; ": `MARKWATCH_API_DOCS: should be true or false (…)`.

    Values are never repeated: a variable may hold a secret (a database URL with its password)."""
    parts = []
    for error in exc.errors():
        problem = _problem(error)
        parts.append(f"{prefix}{str(error['loc'][0]).upper()}: {problem}" if error["loc"] else problem)
    return "; ".join(parts)
