"""CSV export of cases, safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from markwatch.cases.models import Case
from markwatch.cases.waivers import active_waiver

COLUMNS = (
    "id",
    "case_key",
    "status",
    "rule_id",
    "severity",
    "standard_code",
    "site",
    "page_url",
    "claimant",
    "assignee",
    "first_seen_at",
    "last_seen_at",
    "decided_at",
    "decision_reason",
    "rectification_due_at",
    "waived_until",
    "message",
)
# A spreadsheet evaluates a cell starting with one of these (and tab/CR, which some strip first).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, prefixed with ' when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def case_row(case: Case) -> list[str]:
    """One case as guarded CSV cells in COLUMNS order."""
    waiver = active_waiver(case)
    values = {
        **{name: getattr(case, name) for name in COLUMNS if hasattr(case, name)},
        "waived_until": waiver.expires_at if waiver else None,
    }
    return [safe_cell(values.get(name)) for name in COLUMNS]


def csv_lines(cases: Iterable[Case]) -> Iterator[str]:
    """The header and one line per case, as text chunks for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for case in cases:
        writer.writerow(case_row(case))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
