"""Sweep bookkeeping: start or resume a sweep row, run its crawl subprocess, compare with the previous sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.run import EXIT_FINISHED, EXIT_INTERRUPTED
from crawler.store.models import Finding, Sweep, SweepPage
from markwatch import db
from markwatch.errors import ConflictError, NotFoundError

UNFINISHED = ("running", "interrupted")


@dataclass(frozen=True)
class Comparison:
    """Finding keys of a sweep against the previous finished sweep of the same target."""

    new: int
    recurring: int
    resolved: int


def start_or_resume(session: Session, target: str, job_root: Path) -> tuple[Sweep, bool]:
    """The target's unfinished sweep (resumed) or a new one; refuses while another process runs it."""
    sweep = session.scalars(
        select(Sweep)
        .where(Sweep.target == target, Sweep.state.in_(UNFINISHED))
        .order_by(Sweep.id.desc())
        .limit(1)
    ).first()
    if sweep is not None:
        if (sweep.summary or {}).get("distributed"):
            # Its frontier lives in Redis: only `markwatch cluster worker` may carry it on.
            raise ConflictError(
                f"sweep {sweep.id} of {target!r} is a distributed sweep in progress; "
                f"run `markwatch cluster worker {sweep.id}` or `markwatch cluster abandon {sweep.id}`"
            )
        pid = (sweep.summary or {}).get("pid")
        if sweep.state == "running" and isinstance(pid, int) and pid != os.getpid() and _alive(pid):
            raise ConflictError(f"sweep {sweep.id} of {target!r} is still running (pid {pid})")
        sweep.state = "running"
        sweep.summary = {
            **(sweep.summary or {}),
            "pid": os.getpid(),
            "resumed": (sweep.summary or {}).get("resumed", 0) + 1,
        }
        session.flush()
        return sweep, True
    sweep = Sweep(target=target, started_at=db.utcnow(), state="running", summary={"pid": os.getpid()})
    session.add(sweep)
    session.flush()
    sweep.job_dir = str(job_root / f"sweep-{sweep.id}")
    session.flush()
    return sweep, False


def running_sweep_id(session: Session, target: str) -> int | None:
    """The target's sweep that is running now: a live local process, or a distributed sweep (no single pid)."""
    rows = session.scalars(select(Sweep).where(Sweep.target == target, Sweep.state == "running"))
    for sweep in rows:
        pid = (sweep.summary or {}).get("pid")
        if (sweep.summary or {}).get("distributed") or (isinstance(pid, int) and pid > 0 and _alive(pid)):
            return sweep.id
    return None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def compare(session: Session, sweep: Sweep) -> Comparison:
    """New, recurring and resolved finding keys; resolved only counts pages this sweep checked again."""
    current = set(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == sweep.id)))
    previous_id = session.scalar(
        select(func.max(Sweep.id)).where(
            Sweep.target == sweep.target, Sweep.state == "finished", Sweep.id < sweep.id
        )
    )
    if previous_id is None:
        return Comparison(new=len(current), recurring=0, resolved=0)
    checked = set(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == sweep.id)))
    previous = session.execute(
        select(Finding.finding_key, Finding.page_url).where(Finding.sweep_id == previous_id)
    ).all()
    previous_keys = {key for key, _ in previous}
    resolved = {key for key, url in previous if key not in current and url in checked}
    return Comparison(
        new=len(current - previous_keys), recurring=len(current & previous_keys), resolved=len(resolved)
    )


def close_sweep(db_url: str, sweep_id: int, state: str) -> Sweep:
    """Record the end state; a finished sweep also gets its comparison and summary."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        _record_end(session, sweep, state)
        return sweep


def finish_once(db_url: str, sweep_id: int) -> Sweep | None:
    """Finish a running sweep; None when it is not running (another process of a cluster finished it)."""
    with db.session_scope(db_url) as session:
        # Row lock: of two processes finishing together, the second waits and then sees "finished".
        sweep = session.get(Sweep, sweep_id, with_for_update=True)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        if sweep.state != "running":
            return None
        _record_end(session, sweep, "finished")
        return sweep


def _record_end(session: Session, sweep: Sweep, state: str) -> None:
    sweep.state = state
    summary = {k: v for k, v in (sweep.summary or {}).items() if k != "pid"}
    if state == "finished":
        sweep.finished_at = db.utcnow()
        result = compare(session, sweep)
        sweep.findings_new, sweep.findings_recurring, sweep.findings_resolved = (
            result.new,
            result.recurring,
            result.resolved,
        )
        summary["pages_checked"] = session.scalar(
            select(func.count()).select_from(SweepPage).where(SweepPage.sweep_id == sweep.id)
        )
        summary["findings"] = result.new + result.recurring
    sweep.summary = summary


def progress(db_url: str, sweep_id: int) -> dict[str, Any]:
    """Live counters for a running sweep."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        findings = session.scalar(
            select(func.count()).select_from(Finding).where(Finding.sweep_id == sweep_id)
        )
        return {
            "pages": sweep.pages_fetched if sweep else 0,
            "robots_skipped": sweep.robots_skipped if sweep else 0,
            "findings": findings or 0,
            "images": dict((sweep.summary or {}).get("images") or {}) if sweep else {},
        }


def run_sweep(
    targets_path: Path,
    target: str,
    *,
    db_url: str,
    job_root: Path,
    overrides: list[str] = (),  # type: ignore[assignment]
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> Sweep:
    """Start or resume the target's sweep, crawl in a subprocess, record how it ended."""
    with db.session_scope(db_url) as session:
        sweep, _resumed = start_or_resume(session, target, job_root)
        sweep_id, job_dir = sweep.id, Path(sweep.job_dir or job_root / f"sweep-{sweep.id}")
    command = [
        sys.executable, "-m", "crawler.run", "--targets", str(targets_path), "--target", target,
        "--sweep-id", str(sweep_id), "--db", db_url, "--job-dir", str(job_dir),
    ]  # fmt: skip
    for pair in overrides:
        command += ["--set", pair]
    # Own session: a terminal Ctrl-C reaches only us and is forwarded once (a second SIGINT would make
    # Scrapy stop without finishing in-flight pages); the child dies with us if we are killed.
    child = subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)
    interrupted = False

    def forward(signum: int, _frame: Any) -> None:
        nonlocal interrupted
        interrupted = True
        child.send_signal(signal.SIGINT)

    # Kept in locals for the whole run: Python's signal module holds these strongly, unlike Scrapy's dispatcher.
    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while child.poll() is None:
            if on_progress is not None:
                on_progress(progress(db_url, sweep_id))
            time.sleep(0.5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    code = child.returncode
    state = (
        "finished"
        if code == EXIT_FINISHED and not interrupted
        else (
            "interrupted"
            if code in (EXIT_INTERRUPTED, -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL) or interrupted
            else "failed"
        )
    )
    return close_sweep(db_url, sweep_id, state)
