"""The queue's day filters and deadline order, over a live server on a real database (SQLite and PostgreSQL).

Inspectors work in Beijing time (the console's zone, Asia/Shanghai, UTC+8): a day they type in "seen from/to"
is a Beijing calendar day, as every date the console shows them is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest
from cases_support import LiveServer
from console_support import ConsoleData, console_app, seed, sign_in

from markwatch import db
from markwatch.cases.models import Case


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[httpx.Client, ConsoleData, str]]:
    data = seed(db_url)
    with LiveServer(console_app(db_url)) as base, httpx.Client(base_url=base, timeout=30) as client:
        sign_in(client, data.keys["inspector"])
        yield client, data, db_url


def _set(url: str, case_id: int, **values: object) -> None:
    with db.session_scope(url) as session:
        case = session.get(Case, case_id)
        assert case is not None
        for name, value in values.items():
            setattr(case, name, value)


def _ids(client: httpx.Client, query: str) -> list[int]:
    response = client.get(f"/console/cases?{query}")
    assert response.status_code == 200, response.text
    assert 'id="invalid-filters"' not in response.text
    return [int(n) for n in re.findall(r'<tr data-case-id="(\d+)"', response.text)]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_seen_from_and_to_are_beijing_days(live: tuple[httpx.Client, ConsoleData, str]) -> None:
    client, data, url = live
    late = data.cases["expired"]  # 2026-03-01 23:30 UTC: 2 March in Beijing
    evening = data.cases["wording"]  # 2026-03-01 15:30 UTC: 1 March 23:30 in Beijing
    after = data.cases["hostile"]  # 2026-03-02 16:30 UTC: 3 March 00:30 in Beijing
    for case_id, seen in (
        (late, "2026-03-01 23:30"),
        (evening, "2026-03-01 15:30"),
        (after, "2026-03-02 16:30"),
    ):
        _set(url, case_id, first_seen_at=_utc(seen), last_seen_at=_utc(seen))
    assert _ids(client, "seen_from=2026-03-02&seen_to=2026-03-02") == [late]
    assert _ids(client, "seen_to=2026-03-01") == [evening]
    assert sorted(_ids(client, "seen_from=2026-03-02")) == sorted([late, after])
    assert _ids(client, "seen_from=2026-03-03") == [after]
    # The queue shows the same day the filter used.
    row = re.search(rf'<tr data-case-id="{late}".*?</tr>', client.get("/console/cases").text, re.S)
    assert row is not None and "2026-03-02" in row.group(0)


def test_deadline_order_puts_running_deadlines_first(live: tuple[httpx.Client, ConsoleData, str]) -> None:
    client, data, url = live
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    running = data.cases["expired"]
    overdue = data.cases["wording"]
    stopped = data.cases["hostile"]
    # A deadline that runs in 30 days, one that passed and was escalated (still awaiting rectification),
    # and one whose case was closed after its deadline: the date stays on the case, the clock has stopped.
    _set(url, running, status="rectification_due", rectification_due_at=now + dt.timedelta(days=30))
    _set(url, overdue, status="escalated", rectification_due_at=now - dt.timedelta(days=3))
    _set(url, stopped, status="closed", rectification_due_at=now - dt.timedelta(days=40), decided_at=now)
    ids = _ids(client, "sort=deadline")
    assert ids == [overdue, running, stopped]
    page = client.get("/console/cases?sort=deadline").text
    states = re.findall(r'<tr data-case-id="\d+" data-confidence="\w+"(?: data-deadline="(\w+)")?', page)
    assert states == ["overdue", "due", ""]
