"""Every view of sweeps tells one story (sweeps/views.py): `sweep list|status`, `GET /v1/sweeps` and
its detail, the console's sweep list and sweep page. A running sweep shows its counts from the ledger so far
(its row holds them only once it ends), and a sweep whose process was killed shows as interrupted: judged by
its pid on the machine that ran it, by its heartbeat from any other machine and for a cluster's sweep."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from cases_support import T0, make_keys, make_settings
from click.testing import CliRunner
from console_support import console_app, sign_in
from fastapi.testclient import TestClient

from api.app import create_app
from crawler.ledger import Discovery, Outcome, record_discoveries, record_outcomes
from crawler.process import identity
from crawler.store.models import Sweep, SweepPage
from markwatch import db
from markwatch.cli import cli

SHOP = "https://shop.example.com"


Row = tuple[str, int, int, int]
NAMES = ("live", "dead", "remote_live", "remote_dead", "cluster_dead")


@dataclass(frozen=True)
class Seen:
    """What one view says of the sweeps: (state, pages, failed URLs, missing URLs) per sweep."""

    live: Row
    dead: Row
    remote_live: Row
    remote_dead: Row
    cluster_dead: Row


@dataclass(frozen=True)
class Scenario:
    db_url: str
    live: int  # running, its process alive (this test), 2 pages stored, 1 URL failed, 1 queued
    dead: int  # running in its row, its process gone: 1 page stored, 1 queued
    remote_live: int  # running on another machine, heartbeat just now: 1 stored, 1 queued
    remote_dead: int  # running on another machine, no heartbeat past the bound: 2 stored, 1 failed, 1 queued
    cluster_dead: int  # a cluster's sweep, no worker's heartbeat past the bound: 1 stored, 2 queued

    def ids(self) -> tuple[int, ...]:
        return tuple(getattr(self, name) for name in NAMES)


def _with_ledger(session: object, sweep: Sweep, stored: int, failed: int, queued: int) -> None:
    urls = [f"{SHOP}/{sweep.target}/{n}" for n in range(stored + failed + queued)]
    record_discoveries(session, sweep.id, [Discovery(url, "queued") for url in urls], T0)  # type: ignore[arg-type]
    outcomes = [Outcome(url, "stored") for url in urls[:stored]]
    outcomes += [Outcome(url, "failed", "http_404") for url in urls[stored : stored + failed]]
    record_outcomes(session, sweep.id, outcomes, T0)  # type: ignore[arg-type]
    for url in urls[:stored]:
        session.add(SweepPage(sweep_id=sweep.id, url=url, status="ok", checked_at=T0))  # type: ignore[attr-defined]


@pytest.fixture
def scenario(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Scenario:
    monkeypatch.setenv("MARKWATCH_SWEEP_STALE_SECONDS", "60")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    # A live pid of this machine, as another machine's pid: only the heartbeat can say it is dead.
    elsewhere = {**identity(), "host": "crawler-2.internal"}
    long_ago = db.utcnow() - dt.timedelta(minutes=5)
    with db.session_scope(db_url) as session:
        live = Sweep(target="live", started_at=T0, state="running", summary=identity())
        dead = Sweep(target="dead", started_at=T0, state="running", summary=identity(int(gone.stdout)))
        remote_live = Sweep(target="remote-live", started_at=T0, state="running", summary=elsewhere,
                            heartbeat_at=db.utcnow())  # fmt: skip
        remote_dead = Sweep(target="remote-dead", started_at=T0, state="running", summary=elsewhere,
                            heartbeat_at=long_ago)  # fmt: skip
        cluster_dead = Sweep(target="cluster-dead", started_at=T0, state="running",
                             summary={"distributed": True})  # fmt: skip
        session.add_all([live, dead, remote_live, remote_dead, cluster_dead])
        session.flush()
        _with_ledger(session, live, stored=2, failed=1, queued=1)
        _with_ledger(session, dead, stored=1, failed=0, queued=1)
        _with_ledger(session, remote_live, stored=1, failed=0, queued=1)
        _with_ledger(session, remote_dead, stored=2, failed=1, queued=1)
        _with_ledger(session, cluster_dead, stored=1, failed=0, queued=2)
        return Scenario(db_url, live.id, dead.id, remote_live.id, remote_dead.id, cluster_dead.id)


def _api(scenario: Scenario) -> TestClient:
    client = TestClient(create_app(make_settings(scenario.db_url)))
    client.headers["X-API-Key"] = make_keys(scenario.db_url)["inspector"]
    return client


def _api_list(scenario: Scenario) -> Seen:
    with _api(scenario) as client:
        items = {item["id"]: item for item in client.get("/v1/sweeps").json()["items"]}
    return Seen(*(_api_item(items[sweep_id]) for sweep_id in scenario.ids()))


def _api_detail(scenario: Scenario) -> Seen:
    with _api(scenario) as client:
        found = [client.get(f"/v1/sweeps/{sweep_id}").json() for sweep_id in scenario.ids()]
    return Seen(*(_api_item(item) for item in found))


def _api_item(item: dict[str, object]) -> tuple[str, int, int, int]:
    return (
        str(item["state"]),
        int(item["pages_fetched"]),
        int(item["urls_failed"]),
        int(item["urls_missing"]),
    )  # type: ignore[call-overload]


def _cli_list(scenario: Scenario) -> Seen:
    out = CliRunner().invoke(cli, ["sweep", "list", "--db", scenario.db_url]).output
    lines = {int(m.group(1)): m.group(0) for m in re.finditer(r"^sweep (\d+) .*$", out, re.M)}
    return Seen(*(_cli_line(lines[sweep_id]) for sweep_id in scenario.ids()))


def _cli_line(line: str) -> tuple[str, int, int, int]:
    m = re.search(r": (\w+); (\d+) pages, .* (\d+) failed, \d+ skipped, (\d+) missing", line)
    assert m, line
    return (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)))


def _cli_status(scenario: Scenario) -> Seen:
    seen = []
    for sweep_id in scenario.ids():
        out = CliRunner().invoke(cli, ["sweep", "status", str(sweep_id), "--db", scenario.db_url]).output
        m = re.search(r": (\w+)\n.* (\d+) stored and checked, (\d+) failed, \d+ skipped, (\d+) missing", out)
        assert m, out
        seen.append((m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))))
    return Seen(*seen)


STATES = {"进行中": "running", "已中断": "interrupted", "已完成": "finished"}


def _console(scenario: Scenario) -> TestClient:
    client = TestClient(console_app(scenario.db_url))
    sign_in(client, make_keys(scenario.db_url)["inspector"])
    return client


def _console_list(scenario: Scenario) -> Seen:
    with _console(scenario) as client:
        page = client.get("/console/sweeps").text
    seen = []
    for sweep_id in scenario.ids():
        row = re.search(rf'<tr data-sweep-id="{sweep_id}">(.*?)</tr>', page, re.S)
        assert row, page
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        failed = re.sub(r"<[^>]+>", "", cells[6])
        # The list has no missing column: the sweep's page shows it.
        seen.append((STATES[cells[2]], int(cells[5]), int(failed), -1))
    return Seen(*seen)


def _console_page(scenario: Scenario) -> Seen:
    seen = []
    with _console(scenario) as client:
        for sweep_id in scenario.ids():
            page = client.get(f"/console/sweeps/{sweep_id}").text
            state = re.search(r'id="sweep-state" data-state="(\w+)"', page)
            pages = re.search(r"<dt>抓取页面</dt><dd>(\d+)</dd>", page)
            failed = re.search(r'id="sweep-failed-count">(\d+)<', page)
            missing = re.search(r'id="sweep-missing-count">(\d+)<', page)
            assert state and pages and failed and missing, page
            seen.append((state.group(1), int(pages.group(1)), int(failed.group(1)), int(missing.group(1))))
    return Seen(*seen)


VIEWS: dict[str, Callable[[Scenario], Seen]] = {
    "sweep list": _cli_list,
    "sweep status": _cli_status,
    "GET /v1/sweeps": _api_list,
    "GET /v1/sweeps/{id}": _api_detail,
    "console sweeps": _console_list,
    "console sweep page": _console_page,
}


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_shows_live_counts_and_a_dead_sweep_interrupted(scenario: Scenario, view: str) -> None:
    # Each view first, on a database no other view has looked at (the first look marks the dead sweep).
    seen = VIEWS[view](scenario)
    one = -1 if view == "console sweeps" else 1
    assert seen.live == ("running", 2, 1, one), seen
    assert seen.dead == ("interrupted", 1, 0, one), seen
    assert seen.remote_live == ("running", 1, 0, one), seen
    assert seen.remote_dead == ("interrupted", 2, 1, one), seen
    assert seen.cluster_dead == ("interrupted", 1, 0, -1 if view == "console sweeps" else 2), seen
    with db.session_scope(scenario.db_url) as session:
        rows = {name: session.get(Sweep, getattr(scenario, name)) for name in NAMES}
        # Dead sweeps are recorded interrupted with their counts; live ones' rows are left as they are.
        assert {name: (row.state, row.pages_fetched) for name, row in rows.items() if row} == {
            "live": ("running", 0),
            "dead": ("interrupted", 1),
            "remote_live": ("running", 0),
            "remote_dead": ("interrupted", 2),
            "cluster_dead": ("interrupted", 1),
        }
        assert rows["remote_dead"].summary["ended"] == "no heartbeat for 60 s"  # type: ignore[union-attr]
    assert os.getpid() == identity()["pid"]
