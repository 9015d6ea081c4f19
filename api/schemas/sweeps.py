"""Sweep models: a sweep's progress and counts, and a launch request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TARGET_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


class GivenUpItem(BaseModel):
    """One item markwatch failed itself MARKWATCH_MAX_ATTEMPTS times and no longer does again on resume."""

    reason: str = Field(description="a reason of `unhandled` (check_failed, images_not_read, ...)")
    url: str = Field(description="the URL (for images_not_read and images_not_scanned: its page)")
    image: str | None = Field(default=None, description="images_not_read: the image that was not read")
    attempts: int


class SweepOut(BaseModel):
    """One sweep with its counters and the comparison with the previous sweep of its target."""

    id: int
    target: str
    state: str = Field(
        description="running, finished, interrupted (stopped, or its process gone), incomplete or failed"
    )
    started_at: dt.datetime
    finished_at: dt.datetime | None
    pages_fetched: int
    pages_checked: int = Field(description="pages whose check completed")
    pages_failed: int = Field(description="pages fetched but not checked")
    robots_skipped: int
    offsite_dropped: int
    errors: dict[str, int] = Field(description="error counts by kind")
    unhandled: dict[str, int] = Field(
        default_factory=dict,
        description="what markwatch failed itself when the sweep ended, by reason (check_failed, store_error, "
        "parse_error, poison, lost: URLs; images_not_scanned: pages whose images could not be looked for; "
        "images_not_read: pages with an image markwatch's own reading failed on in that run, an OCR time limit "
        "or a crashed, failing or missing OCR worker, never an image that is itself broken): any of them leaves "
        "the sweep incomplete, and `markwatch sweep resume` does them again; empty while a sweep runs and once "
        "it is complete",
    )
    given_up: dict[str, int] = Field(
        default_factory=dict,
        description="of `unhandled`, by reason, what markwatch failed itself as often as it may "
        "(MARKWATCH_MAX_ATTEMPTS attempts, counted across resumes of the sweep, default 3): still recorded with "
        "its reason, no longer done again on resume",
    )
    given_up_items: list[GivenUpItem] = Field(
        default_factory=list,
        description="the first 50 given-up items (URL order per reason); all stay in the sweep's ledger",
    )
    nothing_to_retry: bool = Field(
        default=False,
        description="true for an incomplete sweep whose every not-handled item was given up: it is never "
        "finished, a resume would do nothing, so the scheduler opens cases from it marked as from an incomplete "
        "sweep (none closed by re-check) and the next run starts a new sweep; `markwatch sweep resume ID "
        "--retry-given-up` tries the given-up items once more",
    )
    max_attempts: int | None = Field(
        default=None, description="the bound of attempts the sweep's end was judged with, when it gave up any"
    )
    claims: int
    findings: int
    findings_new: int
    findings_recurring: int
    findings_resolved: int
    urls_discovered: int = Field(description="URLs the sweep learned of (its ledger)")
    urls_taken: int
    urls_failed: int
    urls_skipped: int
    urls_missing: int = Field(description="URLs still queued: not fetched yet, or left when it stopped")
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="what hosts asked that the sweep did not do in full (crawl_delay_capped)",
    )


class SweepIn(BaseModel):
    """Start a sweep of one configured target."""

    model_config = ConfigDict(extra="forbid")

    target: str = Field(pattern=TARGET_PATTERN, description="a target name from the sweep targets file")


class LaunchOut(BaseModel):
    """A sweep subprocess started by this API."""

    target: str
    pid: int
    started_at: dt.datetime
    running: bool
    returncode: int | None
