"""The sweep scheduler: cron → next run, no overlapping sweeps, downtime caught up once, status and CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cases_support import import_example_registry
from click.testing import CliRunner
from sqlalchemy import select

from crawler.store.models import Sweep
from markwatch import db
from markwatch.cli import cli
from markwatch.errors import TargetsFileError
from markwatch.schedule.cron import cron_trigger, next_fire
from markwatch.schedule.models import SchedulerRun
from markwatch.schedule.service import SchedulerConfig, SweepScheduler, scheduled_targets

FAKE_SWEEP = (sys.executable, str(Path(__file__).parent / "data" / "scheduler" / "fake_sweep.py"))
UTC = ZoneInfo("UTC")
SATURDAY_NOON = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
RARELY = "0 0 1 1 *"  # New Year only: nothing fires by itself during a test


def write_targets(path: Path, schedules: dict[str, str | None]) -> Path:
    """A targets file with one target per name (example.com seeds are never fetched here)."""
    lines = ["targets:"]
    for name, schedule in schedules.items():
        lines += [
            f"  - name: {name}",
            f"    seeds: [{{url: 'https://{name}.example.com/'}}]",
            f"    allowed_domains: ['{name}.example.com']",
        ]
        if schedule is not None:
            lines.append(f'    schedule: "{schedule}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll until condition() is true; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.1)


def runs(db_url: str, target: str | None = None) -> list[SchedulerRun]:
    """The scheduler log, oldest first."""
    with db.session_scope(db_url) as session:
        query = select(SchedulerRun).order_by(SchedulerRun.id)
        if target:
            query = query.where(SchedulerRun.target == target)
        return list(session.scalars(query))


@pytest.fixture
def make_scheduler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., SweepScheduler]]:
    started: list[SweepScheduler] = []

    def build(
        db_url: str,
        schedules: dict[str, str | None],
        *,
        seconds: float = 0,
        grace: int = 3600,
        registry: bool = True,
    ) -> SweepScheduler:
        if registry:  # scheduled runs are refused while the registry is empty
            import_example_registry(db_url)
        monkeypatch.setenv("FAKE_SWEEP_SECONDS", str(seconds))
        monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
        config = SchedulerConfig(
            targets_path=write_targets(tmp_path / "targets.yaml", schedules),
            db_url=db_url,
            log_dir=tmp_path / "logs",
            misfire_grace=dt.timedelta(seconds=grace),
            sweep_command=FAKE_SWEEP,
        )
        service = SweepScheduler(config)
        started.append(service)
        return service

    yield build
    for service in started:
        if service.scheduler.running:
            service.stop()


@pytest.mark.parametrize(
    ("line", "tz", "expected"),
    [
        ("15 2 * * 1-5", "UTC", "2026-11-30T02:15:00+00:00"),  # Saturday → Monday (cron 1 = Monday)
        ("0 3 * * 0", "UTC", "2026-11-29T03:00:00+00:00"),  # cron 0 = Sunday (APScheduler's 0 is Monday)
        ("0 3 * * 7", "UTC", "2026-11-29T03:00:00+00:00"),  # 7 = Sunday too
        ("0 3 * * 5-7", "UTC", "2026-11-29T03:00:00+00:00"),  # Friday..Sunday, seen on Saturday noon
        ("*/20 * * * *", "UTC", "2026-11-28T12:20:00+00:00"),
        ("0 9 * * *", "Asia/Shanghai", "2026-11-29T01:00:00+00:00"),  # 09:00 Shanghai = 01:00 UTC
    ],
)
def test_next_run_from_cron(line: str, tz: str, expected: str) -> None:
    fire = next_fire(cron_trigger(line, ZoneInfo(tz)), SATURDAY_NOON)
    assert fire is not None
    assert fire.astimezone(dt.UTC).isoformat() == expected


def test_cron_that_never_fires_names_file_target_and_field(tmp_path: Path) -> None:
    path = write_targets(tmp_path / "t.yaml", {"ok": "0 2 * * *", "leap": "0 0 31 2 *"})
    with pytest.raises(TargetsFileError) as info:
        scheduled_targets(path, UTC)
    assert str(info.value) == (
        f"{path}: target 'leap' (#2), field schedule: cron schedule '0 0 31 2 *' never fires"
    )


def test_invalid_cron_in_targets_file_is_exit_2_with_the_field(tmp_path: Path, sqlite_url: str) -> None:
    path = write_targets(tmp_path / "t.yaml", {"shop": "0 25 * * *"})
    for command in ("run", "status"):
        result = CliRunner().invoke(cli, ["scheduler", command, str(path), "--db", sqlite_url])
        assert result.exit_code == 2, result.output
        assert f"error: {path}: target 'shop' (#1), field schedule" in result.output
        assert "Traceback" not in result.output


def test_unknown_timezone_is_exit_2(tmp_path: Path, sqlite_url: str) -> None:
    path = write_targets(tmp_path / "t.yaml", {"shop": "0 2 * * *"})
    result = CliRunner().invoke(
        cli, ["scheduler", "status", str(path), "--db", sqlite_url, "--timezone", "Mars/Base"]
    )
    assert result.exit_code == 2
    assert "unknown time zone 'Mars/Base'" in result.output


def test_a_run_is_logged_with_exit_code_sweep_and_duration(
    db_url: str, make_scheduler: Callable[..., SweepScheduler]
) -> None:
    service = make_scheduler(db_url, {"shop": RARELY, "manual": None}, seconds=0.5)
    assert set(service.targets) == {"shop"}  # a target without a schedule is left to people
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(db_url)] == ["finished"])
    [run] = runs(db_url)
    with db.session_scope(db_url) as session:
        sweep_id = session.scalar(select(Sweep.id).where(Sweep.target == "shop"))
    assert run.exit_code == 0 and run.sweep_id == sweep_id is not None
    assert run.duration_seconds is not None and run.duration_seconds >= 0.5
    assert run.started_at is not None and run.finished_at is not None and run.log_path
    log_text = (Path(run.log_path).parent / Path(run.log_path).name).read_text()
    assert log_text == ""  # the fake sweep prints nothing; its log file exists for the real one's output


def test_a_failing_sweep_is_logged_as_failed(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_SWEEP_EXIT", "1")
    service = make_scheduler(sqlite_url, {"shop": RARELY})
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(sqlite_url)] == ["failed"])
    assert runs(sqlite_url)[0].exit_code == 1


def test_a_sweep_left_incomplete_is_logged_as_incomplete_with_what_was_not_handled(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`sweep run` exits 1 when markwatch failed a page itself (the sweep is incomplete, not failed): the next
    scheduled run resumes it, and the log says so rather than "failed"."""
    monkeypatch.setenv("FAKE_SWEEP_EXIT", "1")
    monkeypatch.setenv("FAKE_SWEEP_STATE", "incomplete")
    service = make_scheduler(sqlite_url, {"shop": RARELY})
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(sqlite_url)] == ["incomplete"])
    [run] = runs(sqlite_url)
    assert run.exit_code == 1 and run.sweep_id is not None
    assert run.detail == (
        f"sweep {run.sweep_id} is incomplete: not handled check_failed 1; the next run resumes it"
    )


def test_a_sweep_with_images_markwatch_could_not_read_is_logged_incomplete_naming_the_pages(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As record_end leaves a sweep whose OCR failed on seven pages' images (not the images' fault)."""
    pages = [f"https://shop.example.com/item/{n}.html" for n in range(1, 8)]
    summary = {"unhandled": {"images_not_read": 7}, "images_not_read_pages": pages}
    monkeypatch.setenv("FAKE_SWEEP_EXIT", "1")
    monkeypatch.setenv("FAKE_SWEEP_STATE", "incomplete")
    monkeypatch.setenv("FAKE_SWEEP_SUMMARY", json.dumps(summary))
    service = make_scheduler(sqlite_url, {"shop": RARELY})
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(sqlite_url)] == ["incomplete"])
    [run] = runs(sqlite_url)
    assert run.detail == (
        f"sweep {run.sweep_id} is incomplete: not handled images_not_read 7 (images not read on "
        f"{', '.join(pages[:5])}, ...); the next run resumes it"
    )


def test_no_overlap_a_second_trigger_while_running_is_skipped_and_logged(
    db_url: str, make_scheduler: Callable[..., SweepScheduler]
) -> None:
    service = make_scheduler(db_url, {"shop": RARELY}, seconds=4)
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(db_url)] == ["running"])
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(db_url)] == ["running", "skipped"])
    wait_for(lambda: [r.outcome for r in runs(db_url)] == ["finished", "skipped"])
    skipped = runs(db_url)[1]
    assert skipped.detail == "the previous sweep of this target is still running"
    assert skipped.sweep_id is None and skipped.started_at is None
    with db.session_scope(db_url) as session:
        assert len(list(session.scalars(select(Sweep.id)))) == 1


def test_a_fire_time_with_an_empty_registry_is_logged_as_refused_with_its_reason(
    db_url: str,
    tmp_path: Path,
    make_scheduler: Callable[..., SweepScheduler],
    caplog: pytest.LogCaptureFixture,
) -> None:
    service = make_scheduler(db_url, {"shop": RARELY}, registry=False)
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: len(runs(db_url)) == 1)
    [run] = runs(db_url)
    assert run.outcome == "refused"
    assert run.detail is not None and run.detail.startswith(
        "registry_empty: the designation registry is empty"
    )
    assert "markwatch registry import" in run.detail
    # No sweep was started: no subprocess, no log of one, no sweep row.
    assert (run.started_at, run.exit_code, run.sweep_id, run.log_path) == (None, None, None, None)
    assert not (tmp_path / "logs").exists()
    with db.session_scope(db_url) as session:
        assert list(session.scalars(select(Sweep.id))) == []
    assert any(
        r.levelname == "ERROR"
        and "shop: run at" in r.getMessage()
        and "refused: registry_empty" in r.getMessage()
        for r in caplog.records
    )
    shown = (
        CliRunner()
        .invoke(cli, ["scheduler", "status", str(tmp_path / "targets.yaml"), "--db", db_url])
        .output
    )
    assert " refused, sweep - (registry_empty: " in shown
    # The scheduler carries on: once the registry is imported, the next fire time runs.
    assert service.scheduler.running and service.next_run("shop") is not None
    import_example_registry(db_url)
    service.trigger_now("shop")
    wait_for(lambda: [r.outcome for r in runs(db_url)] == ["refused", "finished"])


def test_a_sweep_running_outside_the_scheduler_is_not_overlapped(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler]
) -> None:
    with db.session_scope(sqlite_url) as session:
        # Started by hand or through the API: this test process stands in for its live pid.
        session.add(
            Sweep(target="shop", started_at=db.utcnow(), state="running", summary={"pid": os.getpid()})
        )
    service = make_scheduler(sqlite_url, {"shop": RARELY})
    service.start()
    service.trigger_now("shop")
    wait_for(lambda: len(runs(sqlite_url)) == 1)
    [run] = runs(sqlite_url)
    assert run.outcome == "skipped" and run.detail == "sweep 1 is still running elsewhere"


def test_runs_missed_while_down_are_coalesced_into_one(
    db_url: str, make_scheduler: Callable[..., SweepScheduler]
) -> None:
    with db.session_scope(db_url) as session:
        # The last thing the scheduler handled, ten minutes ago; "* * * * *" fired about ten times since.
        last = db.utcnow().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
        session.add(SchedulerRun(target="shop", scheduled_for=last, outcome="finished", coalesced=0))
    service = make_scheduler(db_url, {"shop": "* * * * *", "other": "* * * * *"})
    service.start()
    wait_for(lambda: any(r.outcome == "finished" for r in runs(db_url, "shop")[1:]))
    time.sleep(1.0)
    later = runs(db_url, "shop")[1:]
    catch_up = [r for r in later if r.coalesced > 0]
    assert [r.outcome for r in catch_up] == ["finished"]  # one run, not ten
    assert 9 <= catch_up[0].coalesced <= 11
    assert catch_up[0].scheduled_for > last
    # Started near a minute boundary, the next regular run may already be logged (skipped while the
    # catch-up still ran, or run after it): a plain run, with nothing missed.
    assert all(r.coalesced == 0 for r in later if r is not catch_up[0])
    # A target the scheduler never ran has no history: nothing counts as missed for it.
    assert all(r.coalesced == 0 for r in runs(db_url, "other"))
    assert service.next_run("shop") is not None


def test_downtime_longer_than_the_grace_time_is_logged_as_missed(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler]
) -> None:
    with db.session_scope(sqlite_url) as session:
        session.add(
            SchedulerRun(
                target="shop",
                scheduled_for=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                outcome="finished",
                coalesced=0,
            )
        )
    service = make_scheduler(sqlite_url, {"shop": RARELY}, grace=60)
    service.start()
    wait_for(lambda: len(runs(sqlite_url)) == 2)
    time.sleep(0.5)
    missed = runs(sqlite_url)[1:]
    assert [r.outcome for r in missed] == ["missed"]
    assert missed[0].scheduled_for.year == db.utcnow().year  # the newest missed New Year, reported once
    assert missed[0].coalesced == db.utcnow().year - 2020 - 1
    with db.session_scope(sqlite_url) as session:
        assert list(session.scalars(select(Sweep.id))) == []


def test_status_text_and_json(db_url: str, tmp_path: Path) -> None:
    path = write_targets(tmp_path / "t.yaml", {"shop": "30 1 * * *", "manual": None})
    with db.session_scope(db_url) as session:
        sweep = Sweep(
            target="shop", started_at=db.utcnow(), state="finished", pages_fetched=7, errors={"dns": 1}
        )
        session.add(sweep)
        session.flush()
        session.add(
            SchedulerRun(
                target="shop", scheduled_for=db.utcnow(), outcome="finished", exit_code=0, sweep_id=sweep.id,
                coalesced=0, duration_seconds=2.5,
            )
        )  # fmt: skip
    runner = CliRunner()
    result = runner.invoke(cli, ["scheduler", "status", str(path), "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    shop, manual = json.loads(result.output)
    assert shop["schedule"] == "30 1 * * *" and shop["next_run"].endswith("01:30:00Z")
    assert shop["last_sweep"]["pages"] == 7 and shop["last_sweep"]["errors"] == {"dns": 1}
    assert shop["last_run"]["outcome"] == "finished" and shop["last_run"]["exit_code"] == 0
    assert manual["next_run"] is None and manual["last_sweep"] is None
    text = runner.invoke(cli, ["scheduler", "status", str(path), "--db", db_url]).output
    assert "shop: schedule 30 1 * * * (UTC); next run " in text
    assert "last scheduled run: " in text and "finished, exit code 0, 2.5 s, sweep 1" in text
    assert "last sweep: 1 finished" in text and "7 pages, 0 findings; errors: dns 1" in text
    assert "manual: schedule - (UTC); next run never (no schedule)" in text


def test_migration_0004_matches_the_model(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    assert [d for d in diffs if "scheduler_runs" in repr(d)] == []


@pytest.mark.parametrize("line", ["30 2 * * *", "*/30 * * * *", "0 2,3 * * *"])
def test_the_night_summer_time_ends_fires_each_wall_time_once_and_ends(line: str) -> None:
    # APScheduler answered the second 02:30 (Europe/Berlin, 31 Oct 2027) for any time after it: catching up
    # over that night looped for ever at full CPU and the scheduler ignored SIGTERM.
    from markwatch.schedule.cron import fire_times_between

    zone = ZoneInfo("Europe/Berlin")
    trigger = cron_trigger(line, zone)
    start, end = dt.datetime(2027, 10, 30, 12, tzinfo=zone), dt.datetime(2027, 11, 1, 12, tzinfo=zone)
    fires = fire_times_between(trigger, start, end)
    instants = [fire.astimezone(dt.UTC) for fire in fires]
    assert instants == sorted(set(instants))  # strictly forward
    walls = [fire.replace(tzinfo=None, fold=0) for fire in fires]
    assert len(walls) == len(set(walls))  # the repeated hour fires no wall time twice
    assert dt.datetime(2027, 10, 31, 2, 30) in walls or line == "0 2,3 * * *"
    assert next_fire(trigger, fires[-1]) is not None


def test_a_wrong_max_attempts_setting_stops_the_scheduler_at_start(
    sqlite_url: str, make_scheduler: Callable[..., SweepScheduler], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sweep it starts reads MARKWATCH_MAX_ATTEMPTS: refused once, by name, not as each run fails."""
    from markwatch.errors import InputError

    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "0")
    with pytest.raises(InputError, match="MARKWATCH_MAX_ATTEMPTS: must be a whole number"):
        make_scheduler(sqlite_url, {"shop": RARELY})
