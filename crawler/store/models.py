"""Tables written by sweeps: immutable snapshots, sweep bookkeeping and per-sweep findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, synonym

from markwatch.db import Base, UTCDateTime

SWEEP_STATES = ("running", "finished", "interrupted", "failed")
# sweep_pages.status of a page checked but not read whole (its warnings say what was given up).
PARTIAL = "partial"


class SnapshotBody(Base):
    """A fetched body, zlib-compressed, stored once per sha256 of the raw bytes."""

    __tablename__ = "snapshot_bodies"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)


class Snapshot(Base):
    """One fetch of one URL; never updated once written."""

    __tablename__ = "snapshots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_sha256: Mapped[str] = mapped_column(ForeignKey("snapshot_bodies.sha256"), nullable=False, index=True)
    requested_url: Mapped[str] = mapped_column(Text, nullable=False)
    final_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    fetched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    sweep_id: Mapped[int | None] = mapped_column(ForeignKey("sweeps.id"), nullable=True, index=True)

    # Names the cases/API code reads.
    url = synonym("requested_url")
    sha256 = synonym("body_sha256")


class Sweep(Base):
    """One crawl of one target: counters, state and the new/recurring/resolved comparison."""

    __tablename__ = "sweeps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    job_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
    pages_fetched: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    robots_skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    offsite_dropped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    errors: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)
    claims: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    findings_new: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    findings_recurring: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    findings_resolved: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)

    status = synonym("state")


class SweepPage(Base):
    """A URL a sweep has checked (resume skips these; each is checked exactly once per sweep)."""

    __tablename__ = "sweep_pages"
    __table_args__ = (UniqueConstraint("sweep_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False, index=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="ok")
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    claims: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Parts of the page the extractor could not read ({code, message}); such a page has status "partial".
    warnings: Mapped[list[dict[str, str]]] = mapped_column(JSON, nullable=False, default=list)

    fetched_at = synonym("checked_at")


class Finding(Base):
    """A finding of one sweep on one snapshot; finding_key is stable across sweeps."""

    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("sweep_id", "finding_key"),
        Index("ix_findings_finding_key", "finding_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False, index=True)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True, index=True)
    finding_key: Mapped[str] = mapped_column(String(200), nullable=False)
    rule_id: Mapped[str] = mapped_column(String(40), nullable=False)
    severity: Mapped[str] = mapped_column(String(20), nullable=False)
    standard_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claim: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    message: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    page_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    site: Mapped[str | None] = mapped_column(String(255), nullable=True)
    claimant: Mapped[str | None] = mapped_column(Text, nullable=True)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
