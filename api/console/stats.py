"""Figures for the dashboard and the queue: findings per week by rule or site, open cases by age."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from markwatch.cases.lifecycle import DECIDED
from markwatch.cases.models import Case
from sweeps.models import Finding

# (label, lower bound in days, upper bound in days or None)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("90+", 91, None),
)
OTHER = "…"


@dataclass(frozen=True)
class WeeklySeries:
    """Counts per week (oldest first) for each named series."""

    weeks: tuple[dt.date, ...]
    series: dict[str, list[int]]

    @property
    def labels(self) -> list[str]:
        """Week starts as MM-DD."""
        return [week.strftime("%m-%d") for week in self.weeks]


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def findings_per_week(
    session: Session,
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    *,
    now: dt.datetime,
    weeks: int = 12,
    top: int = 6,
    names: tuple[str, ...] = (),
    zone: dt.tzinfo = dt.UTC,
) -> WeeklySeries:
    """Findings observed in the last `weeks` weeks by `column` (rule or site), weeks from Monday 00:00 in
    `zone` (the inspectors' zone: a finding of Monday 05:00 in Shanghai is Sunday in UTC).

    Every name in `names` gets its own series (all rules, even quiet ones). Others are named while they are
    among the `top` most frequent or while pooling them would make OTHER bigger than a named series, so the
    pooled bucket never outweighs what is named."""
    first = _week_start(now.astimezone(zone).date()) - dt.timedelta(weeks=weeks - 1)
    week_list = tuple(first + dt.timedelta(weeks=i) for i in range(weeks))
    since = dt.datetime.combine(first, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    # Bucketing by week differs between SQLite and PostgreSQL, so only two narrow columns are read
    # and grouped here; a dashboard covers weeks, not the whole history.
    rows = session.execute(select(column, Finding.observed_at).where(Finding.observed_at >= since))
    counts: Counter[tuple[str, dt.date]] = Counter()
    totals: Counter[str] = Counter()
    for name, observed_at in rows:
        label = name or "?"
        # A naive time is UTC (SQLite keeps no offset); astimezone would take it for the server's local time.
        aware = observed_at if observed_at.tzinfo else observed_at.replace(tzinfo=dt.UTC)
        counts[(label, _week_start(aware.astimezone(zone).date()))] += 1
        totals[label] += 1
    ranked = [name for name, _ in totals.most_common() if name not in names]
    kept = list(names) + ranked[:top]
    rest = ranked[top:]
    while rest and sum(totals[n] for n in rest) > min((totals[n] for n in kept if totals[n]), default=0):
        kept.append(rest.pop(0))
    series = {name: [counts[(name, week)] for week in week_list] for name in sorted(kept)}
    if rest:
        series[OTHER] = [sum(counts[(name, week)] for name in rest) for week in week_list]
    return WeeklySeries(weeks=week_list, series=series)


def open_case_ages(session: Session, *, now: dt.datetime) -> list[tuple[str, int]]:
    """How many undecided cases were first seen within each age bucket (days before `now`)."""
    undecided = Case.status.not_in([s.value for s in DECIDED])
    ages = Counter[str]()
    for first_seen in session.scalars(select(Case.first_seen_at).where(undecided)):
        days = (now - first_seen).days
        ages[age_bucket(days)] += 1
    return [(label, ages[label]) for label, _, _ in AGE_BUCKETS]


def age_bucket(days: int) -> str:
    """The AGE_BUCKETS label for an age in days (negative ages, from clock skew, count as new)."""
    for label, _low, high in AGE_BUCKETS:
        if high is None or days <= high:
            return label
    return AGE_BUCKETS[-1][0]


# Where undecided cases stand against their rectification deadlines (label, lower, upper days left).
DEADLINE_BUCKETS: tuple[tuple[str, int | None, int | None], ...] = (
    ("more_than_7", 8, None),
    ("within_7", 0, 7),
    ("overdue_7", -7, -1),
    ("overdue_more", None, -8),
)


def deadline_ages(session: Session, *, now: dt.datetime) -> list[tuple[str, int]]:
    """Cases waiting for rectification by days left to (or past) their deadline, and those with none yet."""
    from markwatch.cases.lifecycle import AWAITING_RECTIFICATION
    from markwatch.cases.models import CaseStatus

    counts = Counter[str]()
    waiting = [s.value for s in AWAITING_RECTIFICATION]
    for status, due in session.execute(
        select(Case.status, Case.rectification_due_at).where(
            Case.status.in_([*waiting, CaseStatus.CONFIRMED.value, CaseStatus.NOTICE_SENT.value])
        )
    ):
        if due is None or status not in waiting:
            counts["no_deadline"] += 1
            continue
        days = (due - now).days if due >= now else -((now - due).days + 1)
        for label, low, high in DEADLINE_BUCKETS:
            if (low is None or days >= low) and (high is None or days <= high):
                counts[label] += 1
                break
    return [(label, counts[label]) for label, _, _ in DEADLINE_BUCKETS] + [
        ("no_deadline", counts["no_deadline"])
    ]
