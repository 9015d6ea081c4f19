"""The scheduler process: each target's cron line starts its sweep, never two at once, downtime caught up once."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from checker.registry.gate import require_registry
from crawler.ledger import max_attempts
from crawler.runner import SweepRunner, default_sweep_command
from crawler.store.models import Sweep
from crawler.targets import Target, load_targets
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.errors import RegistryEmpty, TargetsFileError
from markwatch.schedule.cron import cron_trigger, fire_times_between, next_fire
from markwatch.schedule.models import SchedulerRun
from sweeps.bookkeeping import UNFINISHED, is_given_up, reap_dead, running_sweep_id

log = logging.getLogger("markwatch.scheduler")

DEFAULT_MISFIRE_GRACE = dt.timedelta(hours=1)


@dataclass(frozen=True)
class SchedulerConfig:
    """Everything the scheduler process needs to know."""

    targets_path: Path
    db_url: str
    log_dir: Path
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    misfire_grace: dt.timedelta = DEFAULT_MISFIRE_GRACE
    sweep_command: tuple[str, ...] = field(default_factory=default_sweep_command)


@dataclass(frozen=True)
class ScheduledTarget:
    """A target with a schedule and the trigger built from it."""

    target: Target
    trigger: CronTrigger


def scheduled_targets(path: Path, tz: ZoneInfo) -> list[ScheduledTarget]:
    """Targets that carry a schedule; a line that can never fire (e.g. 30 February) is refused by name."""
    result = []
    now = db.utcnow()
    for index, target in enumerate(load_targets(path).targets):
        if target.schedule is None:
            continue
        trigger = cron_trigger(target.schedule, tz)
        if next_fire(trigger, now) is None:
            raise TargetsFileError(
                f"cron schedule {target.schedule!r} never fires",
                source=str(path),
                where=f"target {target.name!r} (#{index + 1}), field schedule",
            )
        result.append(ScheduledTarget(target, trigger))
    return result


def missed_fire_times(session: Any, target: str, trigger: CronTrigger, now: dt.datetime) -> list[dt.datetime]:
    """Fire times since the newest one this target's log answers: what passed while no scheduler ran."""
    last = session.scalar(select(func.max(SchedulerRun.scheduled_for)).where(SchedulerRun.target == target))
    return [] if last is None else fire_times_between(trigger, last, now)


class SweepScheduler:
    """APScheduler jobs (one per target, max_instances=1, coalesce) that run sweeps as subprocesses."""

    def __init__(self, config: SchedulerConfig, *, clock: Callable[[], dt.datetime] = db.utcnow) -> None:
        self.config = config
        self.clock = clock
        # Read by every sweep it starts (they inherit this environment): refused now, by name, not run after run.
        max_attempts()
        self.targets = {s.target.name: s for s in scheduled_targets(config.targets_path, config.timezone)}
        self.runner = SweepRunner(config.sweep_command, config.db_url, config.log_dir)
        self.scheduler = BackgroundScheduler(
            timezone=config.timezone,
            # One thread per target: a long sweep of one target never delays another's start.
            executors={"default": ThreadPoolExecutor(max_workers=max(1, len(self.targets)))},
        )
        self.scheduler.add_listener(self._on_skipped, EVENT_JOB_MAX_INSTANCES)
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._catch_up: dict[str, int] = {}
        self._stopping = threading.Event()

    def start(self) -> None:
        """Add one job per scheduled target (a catch-up run first when fire times passed while down)."""
        db.upgrade(self.config.db_url)
        now = self.clock()
        with db.session_scope(self.config.db_url) as session:
            # Sweeps left "running" by a process that died (the machine rebooted under the scheduler) become
            # interrupted: resumable by their next run, and not mistaken for a sweep still in progress.
            for sweep_id in reap_dead(session):
                log.warning("sweep %d: its process is gone; marked interrupted", sweep_id)
            for name, scheduled in self.targets.items():
                missed = missed_fire_times(session, name, scheduled.trigger, now)
                options: dict[str, Any] = {}
                if missed:
                    # APScheduler coalesces every fire time from here to now into one run, and reports a
                    # miss instead when even the newest is older than misfire_grace_time.
                    options["next_run_time"] = missed[0]
                    self._catch_up[name] = len(missed)
                    log.info("%s: %d scheduled run(s) passed while the scheduler was down", name, len(missed))
                self.scheduler.add_job(
                    self._run_target,
                    scheduled.trigger,
                    args=(name,),
                    id=name,
                    name=f"sweep {name}",
                    max_instances=1,
                    coalesce=True,
                    misfire_grace_time=int(self.config.misfire_grace.total_seconds()),
                    **options,
                )
        self.scheduler.start()
        for name in self.targets:
            log.info("%s: next run %s", name, self.next_run(name))

    def stop(self) -> None:
        """Stop scheduling, interrupt running sweeps (they resume next time), wait for their jobs to log."""
        self._stopping.set()
        self.runner.stop_all()
        self.scheduler.shutdown(wait=True)

    def next_run(self, target: str) -> dt.datetime | None:
        """When the scheduler will next start this target's sweep."""
        job = self.scheduler.get_job(target)
        return None if job is None else job.next_run_time

    def trigger_now(self, target: str) -> None:
        """Make the target's job due now (goes through the same overlap rules as a cron fire)."""
        self.scheduler.modify_job(target, next_run_time=self.clock())
        self.scheduler.wakeup()

    def _scheduled_for(self, target: str, now: dt.datetime) -> dt.datetime:
        trigger = self.targets[target].trigger
        recent = fire_times_between(trigger, now - self.config.misfire_grace, now)
        return recent[-1] if recent else now

    def _run_target(self, target: str) -> None:
        now = self.clock()
        scheduled_for = self._scheduled_for(target, now)
        coalesced = max(0, self._catch_up.pop(target, 0) - 1)
        with db.session_scope(self.config.db_url) as session:
            try:
                require_registry(session)
            except RegistryEmpty as refused:
                # Logged like any run, so the operator sees why nothing was swept; the next fire time
                # tries again (the registry may be imported meanwhile).
                self._record_refusal(session, target, scheduled_for, coalesced, refused)
                return
            busy = running_sweep_id(session, target)
            if busy is not None:
                self._record_skip(session, target, scheduled_for, f"sweep {busy} is still running elsewhere")
                return
            before = session.scalar(select(func.max(Sweep.id)).where(Sweep.target == target)) or 0
            unfinished = session.scalar(
                select(func.max(Sweep.id)).where(Sweep.target == target, Sweep.state.in_(UNFINISHED))
            )
            row = SchedulerRun(
                target=target,
                scheduled_for=scheduled_for,
                outcome="running",
                started_at=now,
                coalesced=coalesced,
            )
            session.add(row)
            session.flush()
            run_id = row.id
        args = (str(self.config.targets_path), "--target", target)
        launch = self.runner.start(target, args)
        log.info("%s: run %d started (pid %d, log %s)", target, run_id, launch.process.pid, launch.log_path)
        launch.done.wait()
        finished = self.clock()
        outcome = (
            "finished" if launch.returncode == 0 else ("interrupted" if self._stopping.is_set() else "failed")
        )
        with db.session_scope(self.config.db_url) as session:
            # A new sweep row, or else the unfinished one `sweep run` resumed (None: it failed before either).
            created = session.scalar(
                select(func.max(Sweep.id)).where(Sweep.target == target, Sweep.id > before)
            )
            sweep_id = created or unfinished
            done = session.get(SchedulerRun, run_id)
            assert done is not None
            swept = session.get(Sweep, sweep_id) if sweep_id is not None else None
            if outcome == "failed" and swept is not None and swept.state == "incomplete":
                # Not a failure of the run: markwatch could not handle some of the sweep's pages itself, and
                # the next run resumes it (UNFINISHED). The log says what was left, as `sweep run` does.
                outcome, done.detail = "incomplete", incomplete_detail(swept)
                if is_given_up(swept):
                    # Nothing left to retry: resuming it for ever would keep the target from ever opening
                    # cases again. Its findings become cases marked as from an incomplete sweep (none is
                    # closed by re-check), and the next run starts a new sweep (start_or_resume).
                    done.detail += "; " + _ingest_given_up(session, swept)
            done.outcome, done.exit_code, done.sweep_id = outcome, launch.returncode, sweep_id
            done.finished_at, done.log_path = finished, str(launch.log_path)
            done.duration_seconds = round((finished - now).total_seconds(), 3)
            detail = done.detail
        log.info(
            "%s: run %d %s: exit code %s, sweep %s, %.1f s",
            target, run_id, outcome, launch.returncode, sweep_id, (finished - now).total_seconds(),
        )  # fmt: skip
        if outcome == "incomplete":
            # What was left, or given up (and the cases opened from it), as scheduler_runs.detail says it.
            log.warning("%s: run %d: %s", target, run_id, detail)

    def _record_skip(self, session: Any, target: str, scheduled_for: dt.datetime, why: str) -> None:
        session.add(SchedulerRun(target=target, scheduled_for=scheduled_for, outcome="skipped", detail=why))
        log.warning("%s: run at %s skipped: %s", target, scheduled_for.isoformat(), why)

    def _record_refusal(
        self, session: Any, target: str, scheduled_for: dt.datetime, coalesced: int, refused: RegistryEmpty
    ) -> None:
        why = f"{refused.reason}: {refused.detail}"
        session.add(
            SchedulerRun(
                target=target, scheduled_for=scheduled_for, outcome="refused", coalesced=coalesced, detail=why
            )
        )
        log.error("%s: run at %s refused: %s", target, scheduled_for.isoformat(), why)

    def _on_skipped(self, event: JobEvent) -> None:
        times = getattr(event, "scheduled_run_times", None) or [self.clock()]
        with db.session_scope(self.config.db_url) as session:
            self._record_skip(
                session, event.job_id, times[-1], "the previous sweep of this target is still running"
            )

    def _on_missed(self, event: JobEvent) -> None:
        when: dt.datetime = getattr(event, "scheduled_run_time", None) or self.clock()
        coalesced = max(0, self._catch_up.pop(event.job_id, 0) - 1)
        with db.session_scope(self.config.db_url) as session:
            session.add(
                SchedulerRun(
                    target=event.job_id,
                    scheduled_for=when,
                    outcome="missed",
                    coalesced=coalesced,
                    detail=f"more than {self.config.misfire_grace} late (scheduler down); not run",
                )
            )
        log.warning(
            "%s: run at %s missed: scheduler was down past the grace time", event.job_id, when.isoformat()
        )


# Pages named in the log line of a sweep whose images markwatch could not read (all are in its summary).
DETAIL_PAGES = 5


def _ingest_given_up(session: Any, sweep: Sweep) -> str:
    try:
        # In a savepoint: a failing ingest must not take the run's own log row down with it.
        with session.begin_nested():
            report = ingest_sweep(session, sweep.id, allow_incomplete=True)
    except Exception as exc:
        log.exception("sweep %d: cases could not be opened from it", sweep.id)
        return (
            f"cases NOT opened ({type(exc).__name__}: {exc}); open them with "
            f"`markwatch cases ingest --sweep {sweep.id} --allow-incomplete`"
        )
    return (
        f"cases opened from it (marked incomplete): {report.created} new, {report.updated} updated, "
        f"{report.reopened} reopened, {report.escalated} escalated"
    )


def incomplete_detail(sweep: Sweep) -> str:
    """What an incomplete sweep left, for the scheduler's log: its not-handled pages by reason (the first
    pages whose images markwatch could not read named: `images_not_read`); for a sweep with nothing left to
    retry, what was given up after how many attempts (the first items named)."""
    summary = sweep.summary or {}
    if is_given_up(sweep):
        counts = summary.get("given_up") or {}
        given = ", ".join(f"{reason} {count}" for reason, count in sorted(counts.items())) or "none recorded"
        items = [
            str(item.get("url")) for item in summary.get("given_up_items") or [] if isinstance(item, dict)
        ]
        named = sorted(dict.fromkeys(items))
        more = ", ..." if len(named) > DETAIL_PAGES or sum(counts.values()) > len(named) else ""
        shown = f" ({', '.join(named[:DETAIL_PAGES])}{more})" if named else ""
        return (
            f"sweep {sweep.id} is incomplete: nothing left to retry, given up {given} after "
            f"{summary.get('max_attempts')} attempt(s){shown}; the next run starts a new sweep"
        )
    unhandled = summary.get("unhandled") or {}
    left = ", ".join(f"{reason} {count}" for reason, count in sorted(unhandled.items())) or "none recorded"
    unread = [str(url) for url in summary.get("images_not_read_pages") or []]
    if unread:
        more = (
            ", ..." if len(unread) > DETAIL_PAGES or unhandled.get("images_not_read", 0) > len(unread) else ""
        )
        left += f" (images not read on {', '.join(unread[:DETAIL_PAGES])}{more})"
    return f"sweep {sweep.id} is incomplete: not handled {left}; the next run resumes it"
