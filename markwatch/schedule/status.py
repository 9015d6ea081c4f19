"""What the scheduler will do and what it last did, per target: shared by the CLI and the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.store.models import Sweep
from crawler.targets import load_targets
from markwatch.schedule.cron import cron_trigger, next_fire
from markwatch.schedule.models import SchedulerRun
from sweeps.models import Finding


class LastSweep(BaseModel):
    """The target's newest sweep, however it was started."""

    id: int
    state: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    pages: int
    findings: int
    errors: dict[str, int]


class LastRun(BaseModel):
    """The scheduler's newest log row for the target."""

    scheduled_for: dt.datetime
    outcome: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    duration_seconds: float | None
    exit_code: int | None
    sweep_id: int | None
    coalesced: int
    detail: str | None


class TargetSchedule(BaseModel):
    """One target: its cron line, the next start, and the last run and sweep."""

    target: str
    schedule: str | None
    timezone: str
    next_run: dt.datetime | None
    last_run: LastRun | None
    last_sweep: LastSweep | None


def schedule_status(
    session: Session, targets_path: Path, tz: ZoneInfo, now: dt.datetime
) -> list[TargetSchedule]:
    """Every target in the file, scheduled or not, in file order."""
    result = []
    for target in load_targets(targets_path).targets:
        upcoming = next_fire(cron_trigger(target.schedule, tz), now) if target.schedule else None
        result.append(
            TargetSchedule(
                target=target.name,
                schedule=target.schedule,
                timezone=str(tz),
                next_run=upcoming,
                last_run=_last_run(session, target.name),
                last_sweep=_last_sweep(session, target.name),
            )
        )
    return result


def _last_run(session: Session, target: str) -> LastRun | None:
    row = session.scalars(
        select(SchedulerRun).where(SchedulerRun.target == target).order_by(SchedulerRun.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return LastRun(
        scheduled_for=row.scheduled_for,
        outcome=row.outcome,
        started_at=row.started_at,
        finished_at=row.finished_at,
        duration_seconds=row.duration_seconds,
        exit_code=row.exit_code,
        sweep_id=row.sweep_id,
        coalesced=row.coalesced,
        detail=row.detail,
    )


def _last_sweep(session: Session, target: str) -> LastSweep | None:
    sweep = session.scalars(
        select(Sweep).where(Sweep.target == target).order_by(Sweep.id.desc()).limit(1)
    ).first()
    if sweep is None:
        return None
    findings = session.scalar(select(func.count(Finding.id)).where(Finding.sweep_id == sweep.id)) or 0
    return LastSweep(
        id=sweep.id,
        state=sweep.state,
        started_at=sweep.started_at,
        finished_at=sweep.finished_at,
        pages=sweep.pages_fetched,
        findings=int(findings),
        errors={str(k): int(v) for k, v in (sweep.errors or {}).items()},
    )


def render_text(rows: list[TargetSchedule]) -> str:
    """The status as lines for a terminal."""
    lines = []
    for row in rows:
        nxt = row.next_run.isoformat() if row.next_run else "never (no schedule)"
        lines.append(f"{row.target}: schedule {row.schedule or '-'} ({row.timezone}); next run {nxt}")
        if row.last_run:
            run = row.last_run
            code = "" if run.exit_code is None else f", exit code {run.exit_code}"
            took = "" if run.duration_seconds is None else f", {run.duration_seconds:.1f} s"
            extra = f" ({run.detail})" if run.detail else ""
            lines.append(
                f"  last scheduled run: {run.scheduled_for.isoformat()} {run.outcome}{code}{took}, "
                f"sweep {run.sweep_id or '-'}{extra}"
            )
        if row.last_sweep:
            sweep = row.last_sweep
            errors = ", ".join(f"{k} {v}" for k, v in sorted(sweep.errors.items())) or "none"
            ended = sweep.finished_at.isoformat() if sweep.finished_at else "-"
            lines.append(
                f"  last sweep: {sweep.id} {sweep.state}, started {sweep.started_at.isoformat()}, "
                f"finished {ended}; {sweep.pages} pages, {sweep.findings} findings; errors: {errors}"
            )
        else:
            lines.append("  last sweep: none yet")
    return "\n".join(lines)
