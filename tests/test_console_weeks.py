"""The dashboard's weekly figures count in the inspectors' weeks (Monday 00:00 in the console's zone,
Asia/Shanghai by default), not UTC's: a finding of Monday 05:00 in Shanghai is still Sunday in UTC."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cases_support import add_finding, make_sweep

from api.console.stats import findings_per_week
from markwatch import db
from sweeps.models import Finding

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)  # Wednesday 12:00 in Shanghai


def test_findings_are_counted_in_the_inspectors_weeks(db_url: str) -> None:
    times = {
        "sunday-evening-utc": dt.datetime(2026, 11, 29, 21, 0, tzinfo=dt.UTC),  # Monday 05:00 Shanghai
        "sunday-morning-utc": dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC),  # Sunday 17:00 Shanghai
        "monday-utc": dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
    }
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session)
        for key, observed_at in times.items():
            add_finding(
                session, sweep, key=key, observed_at=observed_at, page_url=f"https://shop.example.com/{key}"
            )
    with db.session_scope(db_url) as session:
        local = findings_per_week(session, Finding.rule_id, now=NOW, weeks=2, zone=SHANGHAI)
        utc = findings_per_week(session, Finding.rule_id, now=NOW, weeks=2)
    assert local.weeks == utc.weeks == (dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert local.series == {"SHS003": [1, 2]}  # Monday 05:00 in Shanghai is this week there
    assert utc.series == {"SHS003": [2, 1]}


def test_the_first_week_starts_at_monday_midnight_in_the_zone(db_url: str) -> None:
    # 2026-11-22 16:30 UTC is Monday 2026-11-23 00:30 in Shanghai: inside the 2-week window there, not in UTC.
    with db.session_scope(db_url) as session:
        add_finding(
            session, make_sweep(session), observed_at=dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC)
        )
    with db.session_scope(db_url) as session:
        local = findings_per_week(session, Finding.rule_id, now=NOW, weeks=2, zone=SHANGHAI)
        utc = findings_per_week(session, Finding.rule_id, now=NOW, weeks=2)
    assert local.series == {"SHS003": [1, 0]} and utc.series == {}
