"""One transaction per batch: pages (snapshot, page row, findings), ledger outcomes and discoveries.

Idempotent per (sweep, URL): page rows are claimed first with INSERT .. ON CONFLICT DO NOTHING RETURNING,
and a page whose row already exists (delivered twice, or stored by another worker a moment ago) is left as
it is, snapshot and findings included. Findings are inserted in key order with ON CONFLICT DO NOTHING, so two
workers storing pages with a shared finding key neither fail nor deadlock on each other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, bindparam, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from crawler.images.scan import PENDING as PENDING_SCAN
from crawler.images.storage import IMAGE_STATUS, link_sightings, record_sightings, store_images
from crawler.items import PageItem
from crawler.ledger import Discovery, Outcome, insert, record_discoveries, record_outcomes
from crawler.store.models import PARTIAL, Snapshot, SnapshotBody, SweepPage
from sweeps.checking import CheckOutcome
from sweeps.models import Finding

# A page row with one of these statuses holds the page and its findings (partial: not read whole).
STORED_STATUSES = ("ok", PARTIAL)
# SQLSTATEs of a transaction that lost a race and may simply be run again.
_RETRY_SQLSTATES = {"40P01", "40001", "55P03"}  # deadlock, serialization failure, lock not available


@dataclass
class CheckedPage:
    """A fetched page with the result of checking it (or why it was not checked)."""

    item: PageItem
    url: str  # the ledger URL it answers (canonical, as requested)
    page_url: str  # canonical final URL: what findings and case keys name
    status: str  # sweep_pages status: ok, partial (not read whole), undecodable, not_html, check_failed;
    # or IMAGE_STATUS: a product image (no sweep_pages row; stored by crawler/images/storage.py)
    outcome: CheckOutcome
    # The page's product images, their URLs as the ledger keys them (crawler/images/storage.py)
    sightings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seller(self) -> str | None:
        """The shop the adapter found on the page."""
        return self.item.seller

    @property
    def seen_at(self) -> dt.datetime:
        """When the page (and so its images) was fetched."""
        return self.item.fetched_at


def write_batch(
    session: Session,
    sweep_id: int,
    *,
    pages: Sequence[CheckedPage] = (),
    outcomes: Sequence[Outcome] = (),
    discoveries: Sequence[Discovery] = (),
    now: dt.datetime,
) -> set[str]:
    """Store everything of one batch (the caller commits); the URLs whose pages this batch stored."""
    record_discoveries(session, sweep_id, discoveries, now)
    images = [page for page in pages if page.status == IMAGE_STATUS]
    pages = [page for page in pages if page.status != IMAGE_STATUS]
    image_urls = store_images(session, sweep_id, images, now)
    snapshots: dict[str, int] = {}
    stored = store_pages(session, sweep_id, pages, now, snapshots=snapshots)
    image_urls.update(record_sightings(session, sweep_id, pages, snapshots, now))
    final = list(outcomes)
    image_urls.update(o.url for o in outcomes if o.kind == "image")
    for page in pages:
        state, reason = ("stored", None) if page.status in STORED_STATUSES else ("failed", page.status)
        # Counted by code in the sweep's errors: "no claim found" and "not read whole" never look the same.
        warnings = sorted({f"page-warning:{w['code']}" for w in page.outcome.warnings})
        notes = (*page.item.notes, *warnings)
        final.append(Outcome(page.url, state, reason, taken=True, notes=notes))
    record_outcomes(session, sweep_id, final, now)
    # Sightings learn what became of their images (fetched here or earlier, failed, skipped).
    link_sightings(session, sweep_id, image_urls)
    return stored


def store_pages(
    session: Session,
    sweep_id: int,
    pages: Sequence[CheckedPage],
    now: dt.datetime,
    *,
    snapshots: dict[str, int] | None = None,
) -> set[str]:
    """Pages, their snapshots and findings, a few statements for the whole batch; returns the URLs stored
    (and fills `snapshots` with the snapshot id of each page written here).

    A page the sweep already has (delivered twice) writes nothing: its page row is claimed first, with
    INSERT .. ON CONFLICT DO NOTHING RETURNING, and only the pages claimed here get snapshots and findings."""
    unique = {page.url: page for page in sorted(pages, key=lambda p: p.url, reverse=True)}
    if not unique:
        return set()
    ordered = [unique[url] for url in sorted(unique)]
    # Each statement is an executemany with the rows as parameters on the Core table: compiled once per
    # process and cached. A VALUES list of N literal rows was compiled again for every batch (the largest
    # part of storing a page in a saturated crawl), and the ORM's bulk insert added ~45 us a row.
    connection = session.connection()
    pages_table = cast(Table, SweepPage.__table__)
    claim = (
        insert(session, pages_table)
        .on_conflict_do_nothing(index_elements=["sweep_id", "url"])
        .returning(pages_table.c.url)
    )
    page_rows = [
        {
            "sweep_id": sweep_id,
            "url": page.url,
            "snapshot_id": None,
            "status": page.status,
            "checked_at": now,
            "claims": page.outcome.claims,
            "warnings": page.outcome.warnings,
            # Its images are found later, from the stored page (crawler/images/scan.py).
            "image_scan": PENDING_SCAN if page.item.scan_images else None,
        }
        for page in ordered
    ]
    claimed = set(connection.execute(claim, page_rows).scalars())
    new = [page for page in ordered if page.url in claimed]
    if not new:
        return claimed
    digests = {page.url: hashlib.sha256(page.item.body).hexdigest() for page in new}
    bodies = {digests[page.url]: page.item.body for page in new}
    connection.execute(
        insert(session, SnapshotBody.__table__).on_conflict_do_nothing(index_elements=["sha256"]),
        [{"sha256": d, "body": zlib.compress(b, 6), "size": len(b)} for d, b in sorted(bodies.items())],
    )
    snapshots_table = cast(Table, Snapshot.__table__)
    snapshot_rows = connection.execute(
        insert(session, snapshots_table).returning(snapshots_table.c.id, snapshots_table.c.requested_url),
        [
            {
                "body_sha256": digests[page.url],
                "requested_url": page.url,
                "final_url": page.item.final_url,
                "status": page.item.status,
                "headers": _clean(page.item.headers),
                "fetched_at": page.item.fetched_at,
                "sweep_id": sweep_id,
            }
            for page in new
        ],
    ).all()
    snapshot_of = {url: snapshot_id for snapshot_id, url in snapshot_rows}
    if snapshots is not None:
        snapshots.update(snapshot_of)
    connection.execute(
        update(pages_table)
        .where(pages_table.c.sweep_id == sweep_id, pages_table.c.url == bindparam("page_url"))
        .values(snapshot_id=bindparam("snapshot")),
        [{"page_url": url, "snapshot": snapshot_id} for url, snapshot_id in sorted(snapshot_of.items())],
    )
    rows = [
        {
            "sweep_id": sweep_id,
            "snapshot_id": snapshot_of[page.url],
            "finding_key": record.finding_key,
            "rule_id": record.rule_id,
            "severity": record.severity,
            "standard_code": _clean(record.standard_code),
            "claim": _clean(record.claim),
            "message": _clean(record.message),
            "evidence": _clean(record.evidence),
            "page_url": page.page_url,
            "site": urlsplit(page.page_url).hostname,
            "claimant": _clean(record.claimant),
            "observed_at": page.item.fetched_at,
        }
        for page in new
        for record in page.outcome.findings
    ]
    if rows:
        rows.sort(key=lambda row: row["finding_key"])
        session.execute(
            insert(session, Finding).on_conflict_do_nothing(index_elements=["sweep_id", "finding_key"]), rows
        )
    return claimed


def _clean(value: Any) -> Any:
    # PostgreSQL text refuses NUL characters; a hostile page must not make its own evidence unstorable.
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def is_retryable(exc: BaseException) -> bool:
    """A lost race (deadlock, serialization failure, SQLite busy): run the same transaction again."""
    if not isinstance(exc, DBAPIError):
        return False
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in _RETRY_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


_SQLITE_WAIT = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_PROTOCOL")


def is_unreachable(exc: BaseException) -> bool:
    """The database cannot be reached (down, restarting, network): wait for it, do not drop anything."""
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        sqlite_error = getattr(exc.orig, "sqlite_errorname", None)
        if sqlite_error is not None:
            # SQLite answers every failure as OperationalError without a SQLSTATE. Only a lock (or a file it
            # cannot open for now) is worth waiting for: a full disk, a read-only or damaged file is not an
            # outage, and waiting for it made a sweep alternate "unreachable"/"reachable again" for ever.
            return str(sqlite_error).startswith(_SQLITE_WAIT)
        code = getattr(exc.orig, "sqlstate", None)
        # No SQLSTATE: the driver never got an answer. 08xxx connection exceptions, 57P0x shutdown.
        return isinstance(exc, OperationalError) and (
            code is None or str(code).startswith(("08", "57P")) or "unable to open" in str(exc.orig)
        )
    return isinstance(exc, ConnectionError | TimeoutError)
