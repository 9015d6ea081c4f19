"""Tables written by the crawl: immutable snapshots, sweeps and their ledger of URLs and pages (findings: sweeps/models.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, synonym

from markwatch.db import Base, UTCDateTime

# running: a process (or a cluster) crawls it now; finished: every URL it took was stored, or failed with
# the site's answer (an HTTP error, a timeout...) as its reason; interrupted: stopped by a signal or a dead
# process, resumable; incomplete: gave up (an outage past its bound, or work left over), URLs listed as
# missing, or markwatch itself failed a page it fetched (crawler.ledger.UNHANDLED), resumable; failed:
# abandoned, not resumable.
SWEEP_STATES = ("running", "finished", "interrupted", "incomplete", "failed")
# What happened to one URL of a sweep: queued (discovered, waiting or in flight), stored (its page and
# findings are in the database), failed (taken, with a reason), skipped (not fetched, with a reason).
URL_STATES = ("queued", "stored", "failed", "skipped")
# sweep_pages.status of a page checked but not read whole (its warnings say what was given up).
PARTIAL = "partial"
# sweep_pages.status of a page stored but not checked: the checker raised, or could not be loaded.
CHECK_FAILED = "check_failed"


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
    __table_args__ = (
        # The database itself refuses a second running sweep of a target, whoever starts it (CLI, API,
        # scheduler, cluster), so two racing starts cannot both win.
        Index(
            "uq_sweeps_running_target",
            "target",
            unique=True,
            postgresql_where=text("state = 'running'"),
            sqlite_where=text("state = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="running")
    # Written by the process(es) crawling a running sweep at a bounded interval (crawler/heartbeat.py).
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
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
    # Accounting, aggregated from sweep_urls when the sweep ends (never counted up under a row lock).
    urls_discovered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    urls_taken: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    urls_failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    urls_skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    urls_missing: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped: Mapped[dict[str, int]] = mapped_column(JSON, nullable=False, default=dict)

    status = synonym("state")


class SweepPage(Base):
    """A page a sweep fetched and stored, once per sweep and URL; status ok when it was checked, else why
    not (undecodable: the bytes are not text; check_failed: the checker raised)."""

    __tablename__ = "sweep_pages"
    __table_args__ = (
        UniqueConstraint("sweep_id", "url"),
        Index("ix_sweep_pages_sweep_image_scan", "sweep_id", "image_scan"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False, index=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="ok")
    checked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    claims: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Parts of the page the extractor could not read ({code, message}); such a page has status "partial".
    # An item markwatch gave up on (MARKWATCH_MAX_ATTEMPTS) keeps its warning with `given_up_after` (attempts).
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    # "pending": an item page whose product images are found after the crawl's pages (crawler/images/scan.py),
    # "done" once its sightings are written; None: images not looked for, or found with the page.
    image_scan: Mapped[str | None] = mapped_column(String(10), nullable=True)
    # How often a resume looked for its images again after markwatch failed to (image_scan "failed"): bounded
    # by MARKWATCH_MAX_ATTEMPTS (crawler/ledger.py max_attempts), then given up.
    image_scan_retries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    fetched_at = synonym("checked_at")


class SweepUrl(Base):
    """One URL a sweep learned of and what became of it: the sweep's ledger, the truth its frontier is
    rebuilt from, and the rows its accounting is aggregated from."""

    __tablename__ = "sweep_urls"
    __table_args__ = (
        UniqueConstraint("sweep_id", "url"),
        Index("ix_sweep_urls_sweep_id_state", "sweep_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sweep_id: Mapped[int] = mapped_column(ForeignKey("sweeps.id"), nullable=False)
    # Canonical form (crawler.canonical): tracking parameters dropped, query sorted.
    url: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(10), nullable=False)
    # "page", or "image" (a product image, issue 15: never counted against the page budget).
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="page", server_default="page")
    # Why it failed or was skipped (error kind, robots, offsite, ...); NULL while queued or once stored.
    reason: Mapped[str | None] = mapped_column(String(60), nullable=True)
    # True once a crawl process took it from the frontier (robots.txt and redirect refusals included).
    taken: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The queued request (crawler.cluster.serializer JSON), so the frontier can be rebuilt; NULL once done.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # Page-level notes of a stored page (layout drift, extractor warnings), counted in the sweep summary.
    notes: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # How often it was put back on the frontier after being found lost; bounded, then failed.
    requeues: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # How often a resume of the sweep put it back after markwatch failed it itself (ledger.UNHANDLED): its
    # attempts are retries + 1, bounded by MARKWATCH_MAX_ATTEMPTS, then it is given up (ledger.max_attempts).
    retries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    discovered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
