"""`markwatch scheduler run` as a real process: it starts a real sweep of the local site and stops cleanly."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from cases_support import import_example_registry
from localsite import serve
from sqlalchemy import select

from crawler.store.models import Sweep
from markwatch import db
from markwatch.schedule.models import SchedulerRun

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


def _just_before_one_fire() -> dt.datetime:
    """A minute before the latest */30 fire time, with the next one far enough off not to pass during startup.

    "31 minutes ago" was wrong in the first minute after a half hour: two fire times had passed since, and
    the catch-up run was (rightly) logged as coalescing one.
    """
    half_hour = dt.timedelta(minutes=30)
    now = db.utcnow()
    latest = now - (now - now.replace(minute=0, second=0, microsecond=0)) % half_hour
    if latest + half_hour - now < dt.timedelta(seconds=90):
        time.sleep((latest + half_hour - now).total_seconds() + 1)
        latest += half_hour
    return latest - dt.timedelta(minutes=1)


def test_scheduler_process_runs_a_real_sweep_and_logs_it(db_url: str, tmp_path: Path) -> None:
    import_example_registry(db_url)
    with db.session_scope(db_url) as session:
        # Handled a minute before the latest half hour: the */30 line has fired exactly once since, so the
        # scheduler catches up at once (one run, nothing coalesced) instead of waiting for the next half hour.
        session.add(
            SchedulerRun(
                target="local", scheduled_for=_just_before_one_fire(), outcome="finished", coalesced=0
            )
        )
    env = dict(
        os.environ,
        MARKWATCH_CHECKER="code_checker:factory",
        PYTHONPATH=str(REPO / "tests" / "data" / "crawler"),
        MARKWATCH_HOME=str(tmp_path / "home"),
    )
    with serve() as site:
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"""targets:
  - name: local
    seeds: [{{url: "{site.base}/list?page=1", kind: listing}}]
    allowed_domains: [127.0.0.1]
    adapter: demo-marketplace
    delay: 0
    concurrency: 4
    schedule: "*/30 * * * *"
""",
            encoding="utf-8",
        )
        logs = tmp_path / "logs"
        process = subprocess.Popen(
            [MARKWATCH, "scheduler", "run", str(targets), "--db", db_url, "--log-dir", str(logs)],
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            outcome = None
            while time.monotonic() < deadline and outcome not in ("finished", "failed"):
                time.sleep(0.5)
                with db.session_scope(db_url) as session:
                    rows = list(session.scalars(select(SchedulerRun).order_by(SchedulerRun.id)))
                outcome = rows[-1].outcome if len(rows) > 1 else None
            paths = site.paths()
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output[-3000:]
    assert outcome == "finished", output[-3000:]
    run = rows[-1]
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, run.sweep_id)
        assert sweep is not None
        assert (sweep.target, sweep.state, sweep.pages_fetched) == ("local", "finished", 15)
    assert run.exit_code == 0 and run.coalesced == 0 and run.duration_seconds
    assert {f"/item/{n}.html" for n in range(1, 13)} <= set(paths)
    # The sweep's own output went to its log; the scheduler log names start, exit code, sweep and duration.
    assert run.log_path and f"sweep {sweep.id} local: finished" in Path(run.log_path).read_text()
    scheduler_log = (logs / "scheduler.log").read_text()
    assert f"local: run {run.id} started (pid " in scheduler_log
    assert f"local: run {run.id} finished: exit code 0, sweep {sweep.id}, " in scheduler_log
    assert "signal 15: stopping" in scheduler_log
    status = subprocess.run(
        [MARKWATCH, "scheduler", "status", str(targets), "--db", db_url, "--format", "json"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert status.returncode == 0, status.stderr
    [local] = json.loads(status.stdout)
    assert local["last_sweep"]["id"] == sweep.id and local["last_sweep"]["pages"] == 15
    assert local["last_sweep"]["findings"] == 12 and local["next_run"] is not None
