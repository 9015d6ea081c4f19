"""The queue's filter form: read leniently from a GET query (browsers send empty fields) into a CaseFilter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import UnaryExpression, case
from starlette.datastructures import QueryParams

from markwatch.cases.lifecycle import AWAITING_RECTIFICATION
from markwatch.cases.models import CONFIDENCES as CASE_CONFIDENCES
from markwatch.cases.models import Case, CaseStatus
from markwatch.cases.queries import DEFAULT_SORT, SORTS, CaseFilter

PAGE_SIZE = 25
MAX_OFFSET = 100_000
MAX_TEXT = 200
TEXT_FIELDS = ("rule", "severity", "site", "claimant", "assignee")
DATE_FIELDS = ("seen_from", "seen_to")
CONFIDENCES = CASE_CONFIDENCES
# due: a rectification deadline is running; overdue: it passed and the case is still not closed.
DUE_CHOICES = ("due", "overdue")
WAIVED_CHOICES = ("yes", "no")
# gone: a later sweep read the page whole without the claim; present: not (yet) shown gone.
GONE_CHOICES = ("gone", "present")
# A deadline clock runs while the case awaits rectification (due, or escalated past it); a closed or
# dismissed case keeps its last deadline's date with the clock stopped, and sorted among running ones by that
# old date, it came first.
_CLOCK_STOPPED = case((Case.status.in_([s.value for s in AWAITING_RECTIFICATION]), 0), else_=1)
# The queue sorts as the API does, and also by the nearest deadline (running clocks first).
QUEUE_SORTS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    **SORTS,
    "deadline": (_CLOCK_STOPPED.asc(), Case.rectification_due_at.asc().nulls_last(), Case.id.asc()),
}


@dataclass(frozen=True)
class QueueQuery:
    """The queue's form values as the user sent them, plus what was ignored as invalid."""

    statuses: tuple[CaseStatus, ...] = ()
    text: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dt.date] = field(default_factory=dict)
    sort: str = DEFAULT_SORT
    offset: int = 0
    invalid: tuple[str, ...] = ()
    confidence: str | None = None
    due: str | None = None
    waived: str | None = None
    sweep: int | None = None
    claim: str | None = None

    def case_filter(self, zone: dt.tzinfo) -> CaseFilter:
        """The filter for markwatch.cases.queries; the seen days are calendar days in `zone` (the inspectors'
        zone, the one every date in the console is shown in), not UTC days, which start at 08:00 in Beijing."""
        seen_to = self.dates.get("seen_to")
        return CaseFilter(
            statuses=self.statuses,
            rule_id=self.text.get("rule"),
            severity=self.text.get("severity"),
            site=self.text.get("site"),
            claimant=self.text.get("claimant"),
            assignee=self.text.get("assignee"),
            seen_from=_start_of(self.dates["seen_from"], zone) if "seen_from" in self.dates else None,
            seen_to=_start_of(seen_to + dt.timedelta(days=1), zone)
            if seen_to and seen_to < dt.date.max
            else None,
            waived=None if self.waived is None else self.waived == "yes",
            claim_gone=None if self.claim is None else self.claim == "gone",
        )

    def query_string(self, **changes: object) -> str:
        """This query as a URL query string, with `changes` applied (for paging and sort links)."""
        pairs: list[tuple[str, str]] = [("status", s.value) for s in self.statuses]
        pairs += list(self.text.items())
        pairs += [(name, day.isoformat()) for name, day in self.dates.items()]
        choices = {
            "confidence": self.confidence,
            "due": self.due,
            "waived": self.waived,
            "claim": self.claim,
            "sweep": self.sweep,
        }
        pairs += [
            (name, str(value)) for name, value in choices.items() if value is not None and name not in changes
        ]
        values: dict[str, object] = {"sort": self.sort, "offset": self.offset, **changes}
        pairs += [(name, str(value)) for name, value in values.items() if value not in (None, "")]
        return urlencode(pairs)


def _start_of(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)


def parse_queue_query(params: QueryParams) -> QueueQuery:
    """Read the form; unknown statuses, bad dates and bad numbers are dropped and named in `invalid`."""
    invalid: list[str] = []
    statuses: list[CaseStatus] = []
    for raw in params.getlist("status"):
        try:
            statuses.append(CaseStatus(raw))
        except ValueError:
            invalid.append("status")
    text = {}
    for name in TEXT_FIELDS:
        value = (params.get(name) or "").strip()
        if len(value) > MAX_TEXT or "\x00" in value:
            invalid.append(name)
        elif value:
            text[name] = value
    dates = {}
    for name in DATE_FIELDS:
        value = (params.get(name) or "").strip()
        if not value:
            continue
        try:
            dates[name] = dt.date.fromisoformat(value)
        except ValueError:
            invalid.append(name)
    choices: dict[str, str | None] = {}
    for name, allowed in (
        ("confidence", CONFIDENCES),
        ("due", DUE_CHOICES),
        ("waived", WAIVED_CHOICES),
        ("claim", GONE_CHOICES),
    ):
        choice = (params.get(name) or "").strip() or None
        if choice is not None and choice not in allowed:
            invalid.append(name)
            choice = None
        choices[name] = choice
    sweep: int | None = None
    if (params.get("sweep") or "").strip():
        try:
            sweep = int(params.get("sweep") or "")
            if not 0 < sweep < 2**62:
                raise ValueError
        except ValueError:
            invalid.append("sweep")
            sweep = None
    sort = params.get("sort") or DEFAULT_SORT
    if sort not in QUEUE_SORTS:
        invalid.append("sort")
        sort = DEFAULT_SORT
    try:
        offset = min(max(int(params.get("offset") or 0), 0), MAX_OFFSET)
    except ValueError:
        invalid.append("offset")
        offset = 0
    return QueueQuery(
        tuple(dict.fromkeys(statuses)),
        text,
        dates,
        sort,
        offset,
        tuple(invalid),
        confidence=choices["confidence"],
        due=choices["due"],
        waived=choices["waived"],
        claim=choices["claim"],
        sweep=sweep,
    )
