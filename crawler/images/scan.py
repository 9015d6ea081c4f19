"""Product images of stored item pages, found once no page waits to be fetched (local frontier).

Finding a page's images means parsing it again and walking its <img> tags, then writing a sighting per image
with a canonical address: in a saturated sweep that was about a quarter of the crawl process's time per page,
and the page rate fell to 0.72-0.80 of a sweep without images. Since an image is requested only once no
page is queued anyway (crawler/images/backlog.py), its page can wait until then too: the spider stores an
item page with `scan_images`, its sweep_pages row says `image_scan = "pending"`, and when the frontier has no
page to give (or, in a polite crawl, the next page only waits out its host's delay) the scheduler asks the
page writer to scan a batch of pending pages. The writer reads them back from the database, finds their
images by the adapter's rules (the same function the spider used), writes their sightings and marks them
`done` in one transaction, and hands the image addresses to the backlog.

Nothing is lost if the process dies between the two: the mark is in the database, so a resumed sweep scans
what is still pending, and a sweep with pages pending is not finished (sweeps/images/accounting.py). A
page that cannot be scanned (a bug, not the page's content: the finder reads anything) is marked `failed`,
logged and counted in the sweep's image summary. Cluster workers still find images with the page: their
scheduler has no backlog that outlives the worker (a resumed distributed sweep's pages whose scan failed are
scanned once, at a worker's start: sweeps/scheduler.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawler.canonical import Canonicalizer
from crawler.images.collect import FoundImages, fetched_images, inline_items, sightings
from crawler.images.storage import (
    add_page_warnings,
    given_up_mark,
    images_over_limit,
    link_sightings,
    record_sightings,
    store_images,
    swap_page_warning,
)
from crawler.items import PageItem
from crawler.ledger import ledger_key
from crawler.store.models import Snapshot, SnapshotBody, SweepPage

log = logging.getLogger(__name__)

PENDING = "pending"
DONE = "done"
FAILED = "failed"
# The warning of a page whose images markwatch gave up looking for (given_up_mark adds its attempts).
NOT_SCANNED_WARNING = {"code": "images-not-scanned", "message": "the page's images could not be looked for"}
# Pages per scan: enough to keep the image requests flowing, small enough to hand the pages back soon.
SCAN_BATCH = 32
# Scans that fail in a row (the database, not a page) before the crawl stops waiting for them: the pages
# stay pending, the sweep is not finished, and `sweep resume` scans them.
MAX_FAILURES = 5
RETRY_AFTER_S = 1.0

# A stored page's images and its seller, by the spider's own rules (crawler/images/collect.found_images).
Finder = Callable[[Response], tuple[FoundImages, str | None]]


@dataclass(frozen=True)
class ScanJob:
    """Scan up to `limit` pending pages of the writer's sweep (a job for the page writer)."""

    find: Finder
    limit: int = SCAN_BATCH


@dataclass
class ScannedPage:
    """A scanned page as `record_sightings` needs it."""

    url: str  # the page's ledger URL
    page_url: str  # its canonical final URL
    seller: str | None
    seen_at: dt.datetime
    sightings: list[dict[str, Any]]


@dataclass
class ScanResult:
    """What one scan did: pages scanned, the images to request, the crawl's counters."""

    pages: int
    # (the page's URL as fetched, its image addresses): the backlog's pairs, the page being the Referer
    requests: list[tuple[str, list[str]]] = field(default_factory=list)
    found: list[FoundImages] = field(default_factory=list)
    failed: int = 0
    limit: int = SCAN_BATCH

    @property
    def more(self) -> bool:
        """A full batch: more pages may be pending."""
        return self.pages >= self.limit


class ImageScans:
    """Whether stored pages may be waiting for their scan, and the one scan at a time (reactor thread)."""

    def __init__(self) -> None:
        # True at start: a resumed sweep may have pages pending from its earlier run (one query finds out).
        self.wanted = True
        self.running = False
        self.failures = 0
        self._retry_at = 0.0

    def pending(self) -> bool:
        """Whether the crawl must stay open for a scan (one may be wanted, or one is running)."""
        return self.wanted or self.running

    def page_stored(self) -> None:
        """A page marked pending was committed: a scan is wanted."""
        self.wanted = True

    def start(self) -> bool:
        """Whether to hand a scan to the writer now (one at a time; after a failure, not at once)."""
        if self.running or not self.wanted or time.monotonic() < self._retry_at:
            return False
        self.wanted = False
        self.running = True
        return True

    def finished(self, result: ScanResult | None) -> None:
        """A scan came back (None: it failed)."""
        self.running = False
        if result is None:
            self.failures += 1
            self.wanted = self.failures < MAX_FAILURES
            self._retry_at = time.monotonic() + RETRY_AFTER_S
            return
        self.failures = 0
        self.wanted = self.wanted or result.more


def stored_response(url: str, status: int, headers: dict[str, Any] | None, body: bytes) -> Response:
    """The page as Scrapy gave it to the spider: the same response class and decoding, from what was stored."""
    scrapy_headers = Headers(headers or {})
    kind = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return kind(url=url, status=status, headers=scrapy_headers, body=body)


@dataclass(frozen=True)
class _StoredInline:
    """A data: URI image as `store_images` takes a fetched one (its ledger URL and the item)."""

    url: str
    item: PageItem


def scan_given_up(sweep_id: int, attempts: int) -> tuple[Any, ...]:
    """Stored pages whose images markwatch failed to look for `attempts` times or more: not looked for again."""
    return (
        SweepPage.sweep_id == sweep_id,
        SweepPage.image_scan == FAILED,
        SweepPage.image_scan_retries + 1 >= attempts,
    )


def rescan_failed(session: Session, sweep_id: int, *, attempts: int, retry_given_up: bool = False) -> int:
    """Stored pages whose images could not be looked for, pending again (a resumed sweep), each counted as
    one more retry; those already tried `attempts` times stay failed (given up) unless `retry_given_up`.
    How many."""
    where: tuple[Any, ...] = (SweepPage.sweep_id == sweep_id, SweepPage.image_scan == FAILED)
    if not retry_given_up:
        where = (*where, SweepPage.image_scan_retries + 1 < attempts)
    # A page marked given up is looked at again: the mark goes (the scan fails again: marked again).
    for url in session.scalars(select(SweepPage.url).where(*where, SweepPage.status != "ok")):
        swap_page_warning(session, sweep_id, url, _is_not_scanned, None, add=False)
    moved = session.execute(
        update(SweepPage)
        .where(*where)
        .values(image_scan=PENDING, image_scan_retries=SweepPage.image_scan_retries + 1)
    )
    return int(getattr(moved, "rowcount", 0) or 0)


def _is_not_scanned(warning: dict[str, Any]) -> bool:
    return warning.get("code") == NOT_SCANNED_WARNING["code"]


def mark_scans_given_up(session: Session, sweep_id: int, attempts: int) -> None:
    """Each page whose images markwatch gave up looking for (scan_given_up) says so, with its attempts."""
    for url, retries in session.execute(select(SweepPage.url, SweepPage.image_scan_retries).where(
            *scan_given_up(sweep_id, attempts))):  # fmt: skip
        mark = given_up_mark(NOT_SCANNED_WARNING, retries + 1)
        swap_page_warning(session, sweep_id, url, _is_not_scanned, mark, add=True)


def scan_pending_pages(
    session: Session, sweep_id: int, *, find: Finder, canonical: Canonicalizer, limit: int, now: dt.datetime
) -> ScanResult:
    """Find the images of up to `limit` pending pages, write their sightings, mark them done (the caller
    commits); what to request and count."""
    rows = session.execute(
        select(
            SweepPage.id,
            SweepPage.url,
            SweepPage.snapshot_id,
            Snapshot.final_url,
            Snapshot.status,
            Snapshot.headers,
            Snapshot.fetched_at,
            Snapshot.body_sha256,
        )
        .outerjoin(Snapshot, Snapshot.id == SweepPage.snapshot_id)
        .where(SweepPage.sweep_id == sweep_id, SweepPage.image_scan == PENDING)
        .order_by(SweepPage.id)
        .limit(limit)
    ).all()
    result = ScanResult(pages=len(rows), limit=limit)
    scanned: list[ScannedPage] = []
    snapshots: dict[str, int] = {}
    failed: list[int] = []
    inline: list[_StoredInline] = []
    for row in rows:
        # One body at a time: a batch of large pages is never all in memory at once.
        body = session.scalar(select(SnapshotBody.body).where(SnapshotBody.sha256 == row.body_sha256))
        if row.snapshot_id is None or body is None:
            continue  # nothing stored to look at: done, with no images
        try:
            response = stored_response(row.final_url, row.status, row.headers, zlib.decompress(body))
            found, seller = find(response)
        except Exception:
            log.exception("sweep %d: cannot find the images of %s: marked failed", sweep_id, row.url)
            failed.append(row.id)
            continue
        result.found.append(found)
        if found.over_limit:
            # Images past max_images_per_page are not fetched: the page was not read whole.
            add_page_warnings(session, sweep_id, row.url, [images_over_limit(len(found.images))])
        if not found.images:
            continue
        page_sightings = [
            {**image, "url": ledger_key(canonical(str(image["url"])))} for image in sightings(found.images)
        ]
        scanned.append(ScannedPage(row.url, canonical(row.final_url), seller, row.fetched_at, page_sightings))
        snapshots[row.url] = row.snapshot_id
        inline.extend(
            _StoredInline(item.requested_url, item) for item in inline_items(found.images, row.fetched_at)
        )
        if fetched := fetched_images(found.images):
            result.requests.append((response.url, [image.url for image in fetched]))
    # Images the pages carry as data: URIs are stored now, like a fetched image (their bytes are at hand).
    store_images(session, sweep_id, inline, now)
    image_urls = record_sightings(session, sweep_id, scanned, snapshots, now)
    done = [row.id for row in rows if row.id not in set(failed)]
    if done:
        session.execute(update(SweepPage).where(SweepPage.id.in_(done)).values(image_scan=DONE))
    if failed:
        session.execute(update(SweepPage).where(SweepPage.id.in_(failed)).values(image_scan=FAILED))
    result.failed = len(failed)
    # An image shown on an earlier page may be fetched already: its new sightings learn that now.
    link_sightings(session, sweep_id, image_urls)
    return result
