"""Sweeps run as `markwatch sweep run` subprocesses (Twisted cannot restart in-process), one per target.

The API and the scheduler both start sweeps through this runner. The command is the running interpreter
with `-m markwatch.cli`, never a `markwatch` looked up on PATH (a systemd unit or `.venv/bin/markwatch
serve` has no virtualenv on PATH), and the database URL goes to the child in its environment, not on its
command line (which `ps` shows to every user of the machine).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markwatch.db import utcnow
from markwatch.errors import ConflictError

log = logging.getLogger(__name__)
FinishedHook = Callable[["Launch"], None]


def default_sweep_command() -> tuple[str, ...]:
    """`markwatch sweep run` of this installation: this interpreter and module."""
    return (sys.executable, "-m", "markwatch.cli", "sweep", "run")


@dataclass
class Launch:
    """One sweep subprocess this API started."""

    target: str
    started_at: dt.datetime
    process: subprocess.Popen[bytes]
    log_path: Path
    returncode: int | None = None
    finished_at: dt.datetime | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def running(self) -> bool:
        """True until the subprocess has exited and its findings were handed on."""
        return not self.done.is_set()


class SweepRunner:
    """Starts sweeps, refuses a second one for a target that is still running, and reports the finish."""

    def __init__(
        self,
        command: tuple[str, ...],
        database_url: str,
        log_dir: Path,
        on_finished: FinishedHook | None = None,
    ) -> None:
        self.command = command
        self.database_url = database_url
        self.log_dir = log_dir
        self.on_finished = on_finished
        self._launches: dict[str, Launch] = {}
        self._lock = threading.Lock()

    def start(self, target: str, extra_args: tuple[str, ...] = ()) -> Launch:
        """Start a sweep of `target`; ConflictError while one of ours for it still runs."""
        with self._lock:
            current = self._launches.get(target)
            if current is not None and current.running:
                raise ConflictError(f"a sweep of {target!r} is already running (pid {current.process.pid})")
            self.log_dir.mkdir(parents=True, exist_ok=True)
            started = utcnow()
            log_path = self.log_dir / f"sweep-{_safe(target)}-{started:%Y%m%dT%H%M%S%f}.log"
            with log_path.open("wb") as out:
                process = subprocess.Popen(
                    [*self.command, *extra_args],
                    env={**os.environ, "MARKWATCH_DB": self.database_url},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            launch = Launch(target=target, started_at=started, process=process, log_path=log_path)
            self._launches[target] = launch
        threading.Thread(target=self._wait, args=(launch,), name=f"sweep-{target}", daemon=True).start()
        return launch

    def running(self) -> list[Launch]:
        """Launches still in progress."""
        with self._lock:
            return [launch for launch in self._launches.values() if launch.running]

    def stop_all(self, timeout: float = 10.0) -> None:
        """Stop the sweeps this runner started (SIGTERM: each stops cleanly and is resumable)."""
        for launch in self.running():
            launch.process.terminate()
        for launch in self.running():
            try:
                launch.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                launch.process.kill()

    def _wait(self, launch: Launch) -> None:
        launch.returncode = launch.process.wait()
        launch.finished_at = utcnow()
        try:
            if self.on_finished is not None:
                self.on_finished(launch)
        except Exception:  # a failed hand-off must not leave the target blocked forever
            log.exception("after sweep of %s", launch.target)
        finally:
            launch.done.set()


def _safe(target: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in target)[:60]
