"""The sweep's ledger in the database: one sweep_urls row per URL it learned of, and what became of it.

Rows are only ever inserted or moved forward (queued -> stored | failed | skipped), with upserts, so the
same page delivered twice, or by two workers at once, leaves one row; counts are aggregated from the rows
when they are needed, never counted up under a lock. The frontier (memory or Redis) is rebuilt from the
queued rows after a crash, a restart or a Redis that lost its data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from crawler.store.models import CHECK_FAILED, Snapshot, SweepPage, SweepUrl
from markwatch.errors import InputError

# Skipped before any process took them from the frontier: they never count against the page budget.
UNTAKEN_SKIPS = frozenset({"offsite", "non_http", "bad_url", "forbidden_address", "depth", "page_limit"})
# Failures of markwatch itself, not answers of the site: the page could not be checked (check_failed) or
# stored (store_error), its callback crashed (parse_error), the request was delivered again and again without
# an outcome (poison) or fell off the frontier (lost). A sweep with any of them is not finished, and resuming
# it puts them back on the queue (their requests are kept for that).
UNHANDLED = frozenset({CHECK_FAILED, "store_error", "parse_error", "poison", "lost"})
# The same as SQL literals: an upsert runs as executemany, which takes no expanding IN parameter.
_UNHANDLED_SQL: list[ColumnClause[Any]] = [literal_column(f"'{reason}'") for reason in sorted(UNHANDLED)]
# A URL found lost (queued, yet on no frontier) this often is failed rather than put back again.
MAX_REQUEUES = 3
# Attempts at an item markwatch failed itself (a URL of UNHANDLED, an image its reading failed on, a page whose
# images it could not look for), counted across resumes of one sweep: the first run's failure is attempt 1, and
# each resume that does it again one more. Past the bound it is given up (not done again on resume), so an item
# that fails the same way every time (an image crafted to time the OCR out) cannot keep its sweep resuming for
# ever: the sweep stays incomplete and says nothing is left to retry (sweeps/bookkeeping.py given_up).
ATTEMPTS_VARIABLE = "MARKWATCH_MAX_ATTEMPTS"
DEFAULT_MAX_ATTEMPTS = 3
_ATTEMPTS_LIMIT = 1000
# Scrapy's own URLLENGTH_LIMIT (its middleware would drop longer links unseen; the ledger records them under a
# short key instead).
URL_MAX = 2083
URL_KEPT = 1900
# Ledger URL kinds: pages, and product images (issue 15), which never count against the page budget.
PAGE = "page"
IMAGE = "image"


def ledger_key(url: str) -> str:
    """The key the ledger keeps a canonical URL under (over-long URLs: a prefix and their sha256)."""
    if len(url) <= URL_MAX:
        return url
    return f"{url[:URL_KEPT]}#sha256={hashlib.sha256(url.encode()).hexdigest()}"


@dataclass(frozen=True)
class Discovery:
    """A URL the sweep learned of: queued with its request, or skipped at once with a reason."""

    url: str
    state: str  # "queued" | "skipped"
    reason: str | None = None
    request: dict[str, Any] | None = None
    kind: str = PAGE


@dataclass(frozen=True)
class Outcome:
    """What became of a URL: stored, failed or skipped, with a reason unless stored."""

    url: str
    state: str  # "stored" | "failed" | "skipped"
    reason: str | None = None
    taken: bool = True
    notes: tuple[str, ...] = ()
    kind: str = PAGE  # only used when the URL's row has to be created here


def insert(session: Session, table: Any) -> Any:
    """INSERT with ON CONFLICT support on this session's database."""
    name = session.get_bind().dialect.name
    return pg_insert(table) if name == "postgresql" else sqlite_insert(table)


def record_discoveries(session: Session, sweep_id: int, found: Sequence[Discovery], now: dt.datetime) -> None:
    """Insert rows for new URLs; a URL the sweep already knows keeps its row."""
    if not found:
        return
    rows = [
        {
            "sweep_id": sweep_id,
            "url": d.url,
            "state": d.state,
            "kind": d.kind,
            "reason": d.reason,
            "taken": False,
            "request": d.request,
            "notes": None,
            "requeues": 0,
            "discovered_at": now,
            "done_at": now if d.state != "queued" else None,
        }
        for d in _unique(found)
    ]
    statement = insert(session, SweepUrl).on_conflict_do_nothing(index_elements=["sweep_id", "url"])
    session.execute(statement, rows)


def record_outcomes(session: Session, sweep_id: int, outcomes: Sequence[Outcome], now: dt.datetime) -> None:
    """Move URLs to their final state (creating the row if its discovery was never written).

    The first final state wins, except that a stored page always wins: when two deliveries of one URL end
    differently (a timeout here, a page there), the page that was stored is what the sweep has."""
    if not outcomes:
        return
    rows = [
        {
            "sweep_id": sweep_id,
            "url": o.url,
            "state": o.state,
            "kind": o.kind,
            "reason": o.reason,
            "taken": o.taken,
            "request": None,
            "notes": list(o.notes) or None,
            "requeues": 0,
            "discovered_at": now,
            "done_at": now,
        }
        for o in _unique(outcomes)
    ]
    statement = insert(session, SweepUrl)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=["sweep_id", "url"],
        set_={
            "state": excluded.state,
            "reason": excluded.reason,
            "taken": excluded.taken,
            "notes": excluded.notes,
            "request": case((excluded.reason.in_(_UNHANDLED_SQL), SweepUrl.request), else_=None),
            "done_at": excluded.done_at,
        },
        where=(SweepUrl.state == "queued") | ((excluded.state == "stored") & (SweepUrl.state != "stored")),
    )
    session.execute(statement, rows)


def _unique(records: Iterable[Any]) -> list[Any]:
    # One row per URL per statement (PostgreSQL refuses to upsert one key twice in a statement); sorted,
    # so concurrent writers lock index entries in the same order and cannot deadlock on them.
    by_url: dict[str, Any] = {}
    for record in records:
        by_url.setdefault(record.url, record)
    return [by_url[url] for url in sorted(by_url)]


@dataclass
class ResumeState:
    """What a process needs to carry a sweep on: every URL known, the queued requests, the budget used."""

    known: set[str] = field(default_factory=set)
    queued: list[tuple[str, dict[str, Any] | None]] = field(default_factory=list)
    accepted: int = 0
    # Final URLs of stored pages that were redirected: seen too (not canonical yet: the frontier makes it).
    redirected_to: set[str] = field(default_factory=set)


def resume_state(session: Session, sweep_id: int) -> ResumeState:
    """The ledger of a sweep as a frontier needs it."""
    state = ResumeState()
    rows = session.execute(
        select(SweepUrl.url, SweepUrl.state, SweepUrl.reason, SweepUrl.request, SweepUrl.kind).where(
            SweepUrl.sweep_id == sweep_id
        )
    )
    for url, status, reason, request, kind in rows:
        state.known.add(url)
        if status == "queued":
            state.queued.append((url, request))
        if kind == PAGE and not (status == "skipped" and reason in UNTAKEN_SKIPS):
            state.accepted += 1
    # A page stored under its requested URL also answered for the URL it was redirected to.
    state.redirected_to.update(
        url
        for url in session.scalars(
            select(Snapshot.final_url).where(
                Snapshot.sweep_id == sweep_id, Snapshot.final_url != Snapshot.requested_url
            )
        )
        if url
    )
    return state


def queued_count(session: Session, sweep_id: int) -> int:
    """URLs of the sweep not yet stored, failed or skipped."""
    return int(
        session.scalar(select(func.count()).where(SweepUrl.sweep_id == sweep_id, SweepUrl.state == "queued"))
        or 0
    )


def queued_urls(session: Session, sweep_id: int, limit: int | None = None) -> list[str]:
    """The URLs still queued (the missing ones, once a sweep has stopped), in URL order."""
    query = (
        select(SweepUrl.url)
        .where(SweepUrl.sweep_id == sweep_id, SweepUrl.state == "queued")
        .order_by(SweepUrl.url)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def queued_requests(session: Session, sweep_id: int) -> list[tuple[str, dict[str, Any] | None]]:
    """Queued URLs with their stored requests (to put them back on a frontier)."""
    return [
        (url, request)
        for url, request in session.execute(
            select(SweepUrl.url, SweepUrl.request).where(
                SweepUrl.sweep_id == sweep_id, SweepUrl.state == "queued"
            )
        )
    ]


def note_requeued(session: Session, sweep_id: int, urls: Sequence[str], now: dt.datetime) -> list[str]:
    """Count one more requeue for each URL; those past MAX_REQUEUES are failed ("lost"). The rest."""
    if not urls:
        return []
    session.execute(
        update(SweepUrl)
        .where(SweepUrl.sweep_id == sweep_id, SweepUrl.url.in_(urls), SweepUrl.state == "queued")
        .values(requeues=SweepUrl.requeues + 1)
    )
    session.execute(
        update(SweepUrl)
        .where(
            SweepUrl.sweep_id == sweep_id,
            SweepUrl.state == "queued",
            SweepUrl.requeues > MAX_REQUEUES,
        )
        .values(state="failed", reason="lost", done_at=now)  # the request is kept: `sweep resume` retries it
    )
    return list(
        session.scalars(
            select(SweepUrl.url).where(
                SweepUrl.sweep_id == sweep_id, SweepUrl.url.in_(urls), SweepUrl.state == "queued"
            )
        )
    )


def max_attempts() -> int:
    """Attempts at an item markwatch failed itself before it is given up (MARKWATCH_MAX_ATTEMPTS, default 3)."""
    raw = os.environ.get(ATTEMPTS_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MAX_ATTEMPTS
    value = int(raw) if raw.isdigit() else 0
    if not 1 <= value <= _ATTEMPTS_LIMIT:
        raise InputError(
            f"must be a whole number of attempts from 1 to {_ATTEMPTS_LIMIT}, got {raw!r}",
            source=ATTEMPTS_VARIABLE,
        )
    return value


def unhandled_given_up(sweep_id: int, attempts: int) -> tuple[Any, ...]:
    """The ledger rows of URLs markwatch failed itself `attempts` times or more: not put back on resume."""
    return (
        SweepUrl.sweep_id == sweep_id,
        SweepUrl.state == "failed",
        SweepUrl.reason.in_(UNHANDLED),
        SweepUrl.retries + 1 >= attempts,
    )


def requeue_unhandled(
    session: Session, sweep_id: int, *, max_attempts: int | None = None, retry_given_up: bool = False
) -> int:
    """Put the URLs markwatch failed itself (UNHANDLED) back on the queue, as a resumed sweep does, each
    counted as one more retry; their pages stored unchecked are dropped from the sweep so the next fetch is
    stored and checked in their place (the snapshot of the failed attempt stays archived). A URL already
    tried `max_attempts` times (default: the MARKWATCH_MAX_ATTEMPTS setting) stays failed, given up, unless
    `retry_given_up` (then it gets one more attempt). How many were put back."""
    attempts = max_attempts_or_setting(max_attempts)
    failed: tuple[Any, ...] = (
        SweepUrl.sweep_id == sweep_id,
        SweepUrl.state == "failed",
        SweepUrl.reason.in_(UNHANDLED),
    )
    if not retry_given_up:
        failed = (*failed, SweepUrl.retries + 1 < attempts)
    session.execute(
        delete(SweepPage).where(
            SweepPage.sweep_id == sweep_id,
            SweepPage.status == CHECK_FAILED,
            SweepPage.url.in_(select(SweepUrl.url).where(*failed)),
        )
    )
    moved = session.execute(
        update(SweepUrl)
        .where(*failed)
        .values(state="queued", reason=None, done_at=None, requeues=0, retries=SweepUrl.retries + 1)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def max_attempts_or_setting(given: int | None) -> int:
    """`given`, or the MARKWATCH_MAX_ATTEMPTS setting when None."""
    return max_attempts() if given is None else given


@dataclass
class Accounting:
    """Every URL of a sweep, by what became of it."""

    discovered: int = 0
    taken: int = 0
    stored: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    missing: int = 0
    notes: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    claims: int = 0

    @property
    def failed_total(self) -> int:
        """URLs that failed, all reasons."""
        return sum(self.failed.values())

    @property
    def skipped_total(self) -> int:
        """URLs skipped, all reasons."""
        return sum(self.skipped.values())

    @property
    def unhandled(self) -> dict[str, int]:
        """Failed URLs by reason, of the reasons that are markwatch's own failures (UNHANDLED)."""
        return {reason: count for reason, count in sorted(self.failed.items()) if reason in UNHANDLED}


def account(session: Session, sweep_id: int) -> Accounting:
    """The sweep's accounting, aggregated from its ledger and pages."""
    result = Accounting()
    rows = session.execute(
        select(
            SweepUrl.state,
            SweepUrl.reason,
            func.count(),
            func.sum(case((SweepUrl.taken.is_(True), 1), else_=0)),
        )
        .where(SweepUrl.sweep_id == sweep_id)
        .group_by(SweepUrl.state, SweepUrl.reason)
    )
    for state, reason, count, taken in rows:
        result.discovered += count
        result.taken += int(taken or 0)
        if state == "stored":
            result.stored += count
        elif state == "failed":
            result.failed[reason or "unknown"] = result.failed.get(reason or "unknown", 0) + count
        elif state == "skipped":
            result.skipped[reason or "unknown"] = result.skipped.get(reason or "unknown", 0) + count
        else:
            result.missing += count
    notes: Counter[str] = Counter()
    for (page_notes,) in session.execute(
        select(SweepUrl.notes).where(SweepUrl.sweep_id == sweep_id, SweepUrl.notes.is_not(None))
    ):
        notes.update(page_notes or [])
    result.notes = dict(notes)
    pages, claims = session.execute(
        select(func.count(), func.coalesce(func.sum(SweepPage.claims), 0)).where(
            SweepPage.sweep_id == sweep_id
        )
    ).one()
    result.pages, result.claims = int(pages), int(claims)
    return result
