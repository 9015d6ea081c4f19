"""The sweep runner: a subprocess per sweep, at most one per target, the finish handed on once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from api.sweep_runner import Launch, SweepRunner
from markwatch.errors import ConflictError

SLEEPER = (
    sys.executable,
    "-c",
    "import sys, time; time.sleep(float(sys.argv[1])); print('args', sys.argv[2:])",
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
    assert "--db" in first.log_path.read_text()
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
