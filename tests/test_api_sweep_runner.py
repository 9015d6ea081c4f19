"""The sweep runner (crawler/runner.py) the API and the scheduler share: a subprocess per sweep, at most one
per target, the finish handed on once, started with this interpreter and the database in its environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crawler.runner import Launch, SweepRunner, default_sweep_command
from markwatch.errors import ConflictError

SLEEPER = (
    sys.executable,
    "-c",
    "import os, sys, time; time.sleep(float(sys.argv[1])); print('args', sys.argv[2:], os.environ['MARKWATCH_DB'])",
)


def test_one_running_sweep_per_target(tmp_path: Path) -> None:
    finished: list[Launch] = []
    runner = SweepRunner(SLEEPER, "sqlite:///x.db", tmp_path, on_finished=finished.append)
    first = runner.start("shop-a", ("1.0",))
    with pytest.raises(ConflictError, match="already running"):
        runner.start("shop-a", ("0",))
    other = runner.start("shop-b", ("0",))
    assert other.done.wait(10)
    assert first.done.wait(10)
    assert [launch.target for launch in finished] == ["shop-b", "shop-a"]
    assert first.returncode == 0
    logged = first.log_path.read_text()
    # The database URL reaches the sweep in its environment, never on its command line (`ps` shows that).
    assert "sqlite:///x.db" in logged and "--db" not in logged
    again = runner.start("shop-a", ("0",))
    assert again.done.wait(10)
    assert runner.running() == []


def test_a_failing_hook_does_not_block_the_target(tmp_path: Path) -> None:
    def broken(_launch: Launch) -> None:
        raise RuntimeError("ingest failed")

    runner = SweepRunner(SLEEPER, "sqlite:///x.db", tmp_path, on_finished=broken)
    assert runner.start("t", ("0",)).done.wait(10)
    assert runner.start("t", ("0",)).done.wait(10)


def test_stop_all_terminates_children(tmp_path: Path) -> None:
    runner = SweepRunner(SLEEPER, "sqlite:///x.db", tmp_path)
    launch = runner.start("slow", ("60",))
    runner.stop_all(timeout=5)
    assert launch.done.wait(10)
    assert launch.returncode != 0


def test_sweeps_start_with_this_interpreter_not_a_command_on_path() -> None:
    assert default_sweep_command() == (sys.executable, "-m", "markwatch.cli", "sweep", "run")
