"""The scheduler's own log: one row per scheduled run, whether it started a sweep, was skipped or missed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from markwatch.db import Base, UTCDateTime

# running: sweep subprocess started; finished / failed: it exited (0 / non-zero); skipped: the previous
# sweep of the target was still running; missed: the scheduler was down longer than the grace time.
# interrupted: the scheduler was stopped while it ran (the sweep resumes on its next run).
# incomplete: the sweep ended incomplete (markwatch could not handle some of its pages: check or store them, look
# for their images or read their images; `detail` says which by reason) and the next run resumes it; or, when
# every such item was tried MARKWATCH_MAX_ATTEMPTS times (nothing left to retry), `detail` says what was given
# up and the cases opened from it (marked incomplete), and the next run starts a new sweep.
# refused: not started, for the reason that opens `detail` (registry_empty: no designation to judge by).
RUN_OUTCOMES = ("running", "finished", "failed", "incomplete", "interrupted", "skipped", "missed", "refused")


class SchedulerRun(Base):
    """A fire time of a target's cron line and what the scheduler did about it."""

    __tablename__ = "scheduler_runs"
    __table_args__ = (Index("ix_scheduler_runs_target_scheduled_for", "target", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    # The cron fire time this row answers; the newest one per target is how downtime is noticed.
    scheduled_for: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sweep_id: Mapped[int | None] = mapped_column(ForeignKey("sweeps.id"), nullable=True)
    coalesced: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    log_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
