"""`markwatch scheduler`: run each target's sweeps on its cron schedule (own process), and show the plan."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
from pathlib import Path
from typing import Any

import click

from markwatch.cli.options import db_option
from markwatch.config import database_url, home_dir

timezone_option = click.option(
    "--timezone",
    "tz_name",
    envvar="MARKWATCH_TIMEZONE",
    default="UTC",
    show_default=True,
    help="IANA zone the cron lines are read in (e.g. Asia/Shanghai).",
)


@click.group()
def scheduler() -> None:
    """Start sweeps on each target's cron `schedule:`; never two of one target at once."""


@scheduler.command("run")
@click.argument("targets_file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@timezone_option
@click.option(
    "--misfire-grace",
    type=click.IntRange(1),
    default=3600,
    show_default=True,
    help="Seconds a run may start late (e.g. after downtime) before it counts as missed.",
)
@click.option(
    "--log-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="scheduler.log and one log per sweep (default: MARKWATCH_HOME/scheduler).",
)
def run(
    targets_file: Path, db_url: str | None, tz_name: str, misfire_grace: int, log_dir: Path | None
) -> None:
    """Run in the foreground until SIGTERM or Ctrl-C (running sweeps are interrupted and resume later)."""
    from markwatch.schedule.cron import zone
    from markwatch.schedule.service import SchedulerConfig, SweepScheduler

    logs = log_dir or home_dir() / "scheduler"
    logs.mkdir(parents=True, exist_ok=True)
    _log_to(logs / "scheduler.log")
    config = SchedulerConfig(
        targets_path=targets_file.resolve(),
        db_url=database_url(db_url),
        log_dir=logs,
        timezone=zone(tz_name),
        misfire_grace=dt.timedelta(seconds=misfire_grace),
    )
    service = SweepScheduler(config)
    stop = threading.Event()

    def request_stop(signum: int, _frame: Any) -> None:
        logging.getLogger("markwatch.scheduler").info("signal %d: stopping", signum)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, request_stop)
    service.start()
    click.echo(
        f"scheduler: {len(service.targets)} scheduled target(s); log {logs / 'scheduler.log'}", err=True
    )
    while not stop.wait(1.0):
        pass
    service.stop()


def _log_to(path: Path) -> None:
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in (logging.StreamHandler(), logging.FileHandler(path, encoding="utf-8")):
        handler.setFormatter(formatter)
        root.addHandler(handler)


@scheduler.command("status")
@click.argument("targets_file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@timezone_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(targets_file: Path, db_url: str | None, tz_name: str, fmt: str) -> None:
    """Per target: cron line, next run, the scheduler's last run and the last sweep."""
    from markwatch.db import session_scope, utcnow
    from markwatch.schedule.cron import zone
    from markwatch.schedule.status import render_text, schedule_status

    with session_scope(db_url) as session:
        rows = schedule_status(session, targets_file, zone(tz_name), utcnow())
    if fmt == "json":
        click.echo(json.dumps([row.model_dump(mode="json") for row in rows], ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(rows))
