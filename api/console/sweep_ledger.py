"""What a sweep's page shows of its ledger (`sweep_urls`): why URLs failed or were skipped, and which ones.

Every count on the page comes from the ledger, the same rows the URL lists are read from, so the failures
by kind add up to the failed URLs listed (QA #15: "HTTP 404 错误 7" beside "失败页面 0"). Sweeps written
before the ledger existed have no rows: their errors are shown as the crawler summed them, and the page says
that the URLs themselves were not recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.ledger import account
from crawler.store.models import Sweep, SweepUrl

# URLs listed per page of each list (failed, skipped); the rest are reached by paging, never all at once.
URLS_PER_PAGE = 50
# Notes counted per stored page (page-warning:…, layout drift): not failures, shown apart from them.
NOTE_PREFIXES = ("page-warning:", "layout_")


def is_note(kind: str) -> bool:
    """A page note (the page was stored, but not read whole or its layout drifted), not a failure."""
    return kind.startswith(NOTE_PREFIXES)


@dataclass(frozen=True)
class SweepCounts:
    """A sweep's URLs by what became of them, as its page shows them."""

    recorded: bool  # the ledger has rows for this sweep (False: a sweep from before the ledger)
    failed: dict[str, int]  # by reason
    skipped: dict[str, int]  # by reason
    notes: dict[str, int]  # pages stored with a note, by note
    missing: int  # still queued: not fetched yet, or left when the sweep stopped

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def sweep_counts(session: Session, sweep: Sweep) -> SweepCounts:
    """The sweep's counts from its ledger, or from the crawler's summary for a sweep without one."""
    ledger = account(session, sweep.id)
    if ledger.discovered:
        return SweepCounts(True, ledger.failed, ledger.skipped, ledger.notes, ledger.missing)
    errors = {str(kind): int(count) for kind, count in (sweep.errors or {}).items()}
    failed = {kind: count for kind, count in errors.items() if not is_note(kind)}
    notes = {kind: count for kind, count in errors.items() if is_note(kind)}
    return SweepCounts(False, failed, {}, notes, 0)


def failed_per_sweep(session: Session, sweeps: Sequence[Sweep]) -> dict[int, int]:
    """Failed URLs of each sweep (for the sweep history), counted as each sweep's page counts them."""
    ids = [sweep.id for sweep in sweeps]
    rows = session.execute(
        select(SweepUrl.sweep_id, SweepUrl.state, func.count())
        .where(SweepUrl.sweep_id.in_(ids))
        .group_by(SweepUrl.sweep_id, SweepUrl.state)
    ).all()
    recorded = {int(sweep_id) for sweep_id, _, _ in rows}
    counts = {int(sweep_id): int(count) for sweep_id, state, count in rows if state == "failed"}
    for sweep in sweeps:
        if sweep.id not in recorded:
            errors = sweep.errors or {}
            counts[sweep.id] = sum(int(n) for kind, n in errors.items() if not is_note(str(kind)))
    return {sweep.id: counts.get(sweep.id, 0) for sweep in sweeps}


@dataclass(frozen=True)
class LedgerUrl:
    """One failed or skipped URL as listed: the URL as recorded (escaped when shown), why, and when."""

    url: str
    reason: str
    done_at: dt.datetime | None


@dataclass(frozen=True)
class UrlList:
    """One page of a sweep's failed or skipped URLs."""

    urls: list[LedgerUrl]
    total: int
    offset: int
    page_size: int = URLS_PER_PAGE

    @property
    def previous_offset(self) -> int | None:
        return max(self.offset - self.page_size, 0) if self.offset > 0 else None

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.page_size if self.offset + self.page_size < self.total else None


def ledger_urls(session: Session, sweep_id: int, state: str, offset: int, total: int) -> UrlList:
    """The sweep's URLs in `state` (failed or skipped), by reason then URL, one page from `offset`."""
    rows = session.execute(
        select(SweepUrl.url, SweepUrl.reason, SweepUrl.done_at)
        .where(SweepUrl.sweep_id == sweep_id, SweepUrl.state == state)
        .order_by(SweepUrl.reason, SweepUrl.url)
        .limit(URLS_PER_PAGE)
        .offset(offset)
    )
    urls = [LedgerUrl(url, reason or "unknown", done_at) for url, reason, done_at in rows]
    return UrlList(urls, total, offset)
