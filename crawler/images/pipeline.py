"""The image half of a sweep: sightings per page, image bodies once per sha256, OCR behind the crawl.

Fetching never waits for images: the reactor only hands items to one background thread (a bounded queue:
if the database cannot keep up, the crawl slows rather than memory growing). That thread writes sightings
and image bodies, looks readings up in the cache (same sha256 and reader version: not read again), hands
the rest to OCR worker processes through their bounded queue (what does not fit waits in a backlog), and
when a reading holds text or a mark, checks each page of this sweep that showed the image, once, with the
page's own context; the findings join the page's findings (same keys, same table)."""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from checker.claimants import Claimant
from checker.images.discover import PageImage
from checker.images.loading import CONTENT_TYPES, sha256_of, sniff
from checker.images.models import ImageReading
from checker.images.page import SeenImage, check_with_images, page_context
from checker.images.pool import ReaderPool
from checker.images.settings import ImageSettings
from checker.images.store import DbCache
from checker.images.versions import reader_version
from crawler.checking import load_checker
from crawler.images.collect import ImageItem, enabled
from crawler.images.models import ImageBody, ImageSighting
from crawler.items import PageItem
from crawler.snapshots import latest_snapshot, snapshot_body
from crawler.store.models import Finding, Snapshot, Sweep
from markwatch import db

log = logging.getLogger(__name__)
POLL_SECONDS = 0.2
# Items waiting for the image thread; past this the reactor waits (back-pressure, bounded memory).
ITEM_QUEUE = 256
_STOP = object()


class ImageCounters:
    """What the sweep reports about images (kept in sweeps.summary["images"])."""

    def __init__(self) -> None:
        self.values: collections.Counter[str] = collections.Counter()
        self.errors: collections.Counter[str] = collections.Counter()
        self.skipped: collections.Counter[str] = collections.Counter()
        self.ocr_seconds = 0.0

    def as_dict(self, stats: dict[str, Any]) -> dict[str, Any]:
        """Counters and the crawl's own image stats, JSON-ready."""
        return {
            "found": int(stats.get("markwatch/images/found", 0)),
            "requested": int(stats.get("markwatch/images/requested", 0)),
            "off_hosts": int(stats.get("markwatch/images/off_hosts", 0)),
            "fetched": int(stats.get("markwatch/images/fetched", 0)),
            "fetch_failed": int(stats.get("markwatch/images/failed", 0)),
            "stored_new": self.values["stored_new"],
            "read": self.values["read"],
            "skipped_by_gate": sum(self.skipped.values()),
            "skipped": dict(self.skipped),
            "errors": dict(self.errors),
            "cache_hits": self.values["cache_hits"],
            "claims": self.values["claims"],
            "findings": self.values["findings"],
            "ocr_seconds": round(self.ocr_seconds, 1),
            "pending": self.values["pending"],
        }


class ImagePipeline:
    """Runs after SweepPipeline (which stored the page's snapshot)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.db_url: str = crawler.settings.get("MARKWATCH_DB")
        self.sweep_id: int = crawler.settings.getint("MARKWATCH_SWEEP_ID")
        self.settings = ImageSettings.from_env()
        self.version = reader_version(self.settings.mark_references or None)
        self.sessions: sessionmaker[Session] | None = None
        self.pool: ReaderPool | None = None
        self.backlog: collections.deque[tuple[str, bytes]] = collections.deque()
        self.in_flight: set[str] = set()
        self.sellers: dict[str, str] = {}
        self.counters = ImageCounters()
        self.page_checker: Any = None
        self._flushed_at = 0.0
        self._apply_later: list[ImageReading] = []
        self._to_check: collections.deque[ImageReading] = collections.deque()
        self._checked: set[int] = set()  # sightings whose page was checked with their image
        self._items: queue.Queue[Any] = queue.Queue(ITEM_QUEUE)
        self._thread: threading.Thread | None = None
        self.enabled = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> ImagePipeline:
        return cls(crawler)

    def open_spider(self, spider: Any) -> None:
        self.sessions = db.session_factory(self.db_url)
        self.enabled = enabled(spider)
        if not self.enabled:
            return
        self.page_checker = load_checker(self.db_url)
        self._thread = threading.Thread(target=self._run, name="markwatch-images", daemon=True)
        self._thread.start()

    # --- items ---------------------------------------------------------------------------------------
    def process_item(self, item: Any, spider: Any) -> Any:
        if not self.enabled:
            return item
        if (isinstance(item, PageItem) and item.images and not item.replayed) or isinstance(item, ImageItem):
            self._items.put(item)  # the image thread takes it from here
        return item

    def _run(self) -> None:
        """The image thread: items in arrival order, readings as they finish, until told to stop."""
        stopping = False
        while True:
            try:
                item = self._items.get(timeout=POLL_SECONDS)
            except queue.Empty:
                item = None
            try:
                if item is _STOP:
                    stopping = True
                elif isinstance(item, PageItem):
                    self._record_page(item)
                elif isinstance(item, ImageItem):
                    self._record_image(item)
                if stopping and self._items.empty():
                    self._finish()
                    return
                self.pump()
            except Exception:  # one bad image or page must not end the image thread
                log.exception("image pipeline")

    def _record_page(self, item: PageItem) -> None:
        assert self.sessions is not None
        if item.seller:
            self.sellers[item.final_url] = item.seller
        with self.sessions() as session, session.begin():
            snapshot = latest_snapshot(session, self.sweep_id, item.requested_url)
            for image in item.images:
                assert isinstance(image, PageImage)
                session.add(
                    ImageSighting(
                        sweep_id=self.sweep_id,
                        snapshot_id=snapshot.id if snapshot else None,
                        page_url=item.final_url,
                        position=image.position,
                        area=image.area,
                        location=image.location[:2000],
                        block_text=image.block_text,
                        url=image.url,
                        status="pending",
                        seen_at=item.fetched_at,
                    )
                )
            # An image fetched before this page was stored (another page showed it first) links now.
            self._link_known(session, [image.url for image in item.images])

    def _link_known(self, session: Session, urls: list[str]) -> None:
        for url in urls:
            known = session.scalars(
                select(ImageSighting).where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.url == url,
                    ImageSighting.status != "pending",
                )
            ).first()
            if known is not None:
                session.execute(
                    update(ImageSighting)
                    .where(
                        ImageSighting.sweep_id == self.sweep_id,
                        ImageSighting.url == url,
                        ImageSighting.status == "pending",
                    )
                    .values(status=known.status, reason=known.reason, image_sha256=known.image_sha256)
                )
                if known.image_sha256:
                    reading = DbCache(session).get(known.image_sha256, self.version)
                    if reading is not None:
                        self._apply_later.append(reading)

    def _record_image(self, item: ImageItem) -> None:
        assert self.sessions is not None
        where = (ImageSighting.sweep_id == self.sweep_id) & (ImageSighting.url == item.url)
        with self.sessions() as session, session.begin():
            if item.body is None or (item.status or 0) >= 400:
                reason = item.reason or f"http_{item.status}"
                self.counters.errors[f"fetch-{reason}"] += 1
                session.execute(
                    update(ImageSighting).where(where).values(status="failed", reason=reason[:60])
                )
                return
            digest = sha256_of(item.body)
            kind = sniff(item.body)
            if session.get(ImageBody, digest) is None:
                session.add(
                    ImageBody(
                        sha256=digest,
                        body=item.body,
                        size=len(item.body),
                        content_type=CONTENT_TYPES.get(kind or ""),
                        first_seen=item.fetched_at,
                    )
                )
                session.flush()
                self.counters.values["stored_new"] += 1
            session.execute(update(ImageSighting).where(where).values(status="fetched", image_sha256=digest))
            cached = DbCache(session).get(digest, self.version)
        if cached is not None:
            self.counters.values["cache_hits"] += 1
            self._apply(cached, from_cache=True)
        elif digest in self.in_flight:
            # The same bytes under another address, already being read: that one reading serves both.
            self.counters.values["cache_hits"] += 1
        else:
            self.in_flight.add(digest)
            self.backlog.append((digest, item.body))
            self._feed()

    # --- OCR behind the crawl ------------------------------------------------------------------------
    def _feed(self) -> None:
        while self.backlog:
            if self.pool is None:
                self.pool = ReaderPool(self.settings)  # started on the first image that needs reading
            key, raw = self.backlog[0]
            if not self.pool.submit(key, raw):
                return  # the queue is full: the rest waits here, the crawl goes on
            self.backlog.popleft()

    def pump(self) -> None:
        """Collect finished readings (never waits), hand the backlog on, check pages (image thread)."""
        later, self._apply_later = self._apply_later, []
        for reading in later:
            self._apply(reading, from_cache=True)
        if self.pool is not None:
            for _key, reading in self.pool.poll(0.0):
                self._apply(reading)
            self._feed()
        self._check_some(None)
        self.counters.values["pending"] = len(self.backlog) + (self.pool.pending if self.pool else 0)
        if time.monotonic() - self._flushed_at > 2.0:
            self.flush()

    def _apply(self, reading: ImageReading, *, from_cache: bool = False) -> None:
        assert self.sessions is not None
        self.in_flight.discard(reading.sha256)
        if not from_cache:
            self.counters.ocr_seconds += reading.seconds
            if reading.status == "read":
                self.counters.values["read"] += 1
            elif reading.status == "skipped":
                self.counters.skipped[reading.reason or "?"] += 1
            else:
                self.counters.errors[reading.reason or "?"] += 1
        with self.sessions() as session, session.begin():
            if not from_cache:
                DbCache(session).put(reading)
                if reading.width:
                    session.execute(
                        update(ImageBody)
                        .where(ImageBody.sha256 == reading.sha256)
                        .values(width=reading.width, height=reading.height)
                    )
        if reading.lines or reading.marks:
            self._to_check.append(reading)

    def _check_some(self, budget: float | None) -> None:
        """Check queued readings' pages, for at most `budget` seconds (None: all of them)."""
        assert self.sessions is not None
        deadline = None if budget is None else time.monotonic() + budget
        while self._to_check and (deadline is None or time.monotonic() < deadline):
            reading = self._to_check.popleft()
            with self.sessions() as session, session.begin():
                self._check_pages(session, reading)

    def _check_pages(self, session: Session, reading: ImageReading) -> None:
        checker = getattr(self.page_checker, "checker", None)
        registry = getattr(self.page_checker, "registry", None)
        if checker is None or registry is None:
            return  # a checker without rules (tests' code-only checker): images are stored and read only
        sightings = [
            sighting
            for sighting in session.scalars(
                select(ImageSighting).where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.image_sha256 == reading.sha256,
                    ImageSighting.snapshot_id.is_not(None),
                )
            )
            if sighting.id not in self._checked
        ]
        self._checked.update(sighting.id for sighting in sightings)
        known = set(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == self.sweep_id)))
        for sighting in sightings:
            snapshot = session.get(Snapshot, sighting.snapshot_id)
            if snapshot is None:
                continue
            raw = snapshot_body(session, snapshot)
            charset = _charset(snapshot.headers)
            context = page_context(raw, url=sighting.page_url, declared_charset=charset)
            where = PageImage(
                sighting.url, sighting.position, sighting.area, sighting.location, sighting.block_text
            )
            seller = self.sellers.get(sighting.page_url)
            result = check_with_images(
                checker,
                None,
                [SeenImage(reading, where=where)],
                url=sighting.page_url,
                declared_charset=charset,
                observed_at=snapshot.fetched_at,
                registry=registry,
                fallback_claimant=Claimant(seller, "adapter:seller") if seller else None,
                low_confidence=self.settings.low_confidence,
                context=context,
            )
            self.counters.values["claims"] += len(result.page.claims)
            claims = {claim.id: claim for claim in result.page.claims}
            for finding in result.findings:
                if finding.finding_key in known:
                    continue
                known.add(finding.finding_key)
                claim = claims.get(finding.claim_id)
                session.add(
                    Finding(
                        sweep_id=self.sweep_id,
                        snapshot_id=snapshot.id,
                        finding_key=finding.finding_key,
                        rule_id=finding.rule_id,
                        severity=str(finding.severity),
                        standard_code=finding.standard_code,
                        claim=claim.model_dump(mode="json") if claim else {},
                        message=finding.message,
                        evidence=finding.evidence.model_dump(mode="json"),
                        page_url=sighting.page_url,
                        site=_host(sighting.page_url),
                        claimant=claim.claimant if claim else None,
                        observed_at=snapshot.fetched_at,
                    )
                )
                self.counters.values["findings"] += 1
            if result.page.claims:
                session.execute(
                    update(Sweep)
                    .where(Sweep.id == self.sweep_id)
                    .values(claims=Sweep.claims + len(result.page.claims))
                )

    # --- bookkeeping ---------------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the image counters into the sweep's summary (progress reads them while it runs)."""
        assert self.sessions is not None
        self._flushed_at = time.monotonic()
        with self.sessions() as session, session.begin():
            sweep = session.get(Sweep, self.sweep_id, with_for_update=True)
            if sweep is None:
                return
            summary = dict(sweep.summary or {})
            summary["images"] = self.counters.as_dict(self.crawler.stats.get_stats())
            sweep.summary = summary

    def close_spider(self, spider: Any) -> None:
        if not self.enabled or self.sessions is None or self._thread is None:
            return
        self._items.put(_STOP)
        self._thread.join()

    def _finish(self) -> None:
        """The crawl is over: read what is left (each image still bounded by the per-image time limit)."""
        while self.backlog or (self.pool is not None and self.pool.pending):
            self._feed()
            assert self.pool is not None
            for _key, reading in self.pool.poll(1.0):
                self._apply(reading)
        later, self._apply_later = self._apply_later, []
        for reading in later:
            self._apply(reading, from_cache=True)
        self._check_some(None)
        self.counters.values["pending"] = 0
        if self.pool is not None:
            stats = self.pool.stats
            self.counters.values["worker_restarts"] = stats.restarts
            self.pool.close()
        self.flush()


def _charset(headers: dict[str, Any]) -> str | None:
    for name, value in (headers or {}).items():
        if name.lower() == "content-type" and "charset=" in str(value).lower():
            return str(value).lower().split("charset=", 1)[1].split(";")[0].strip() or None
    return None


def _host(url: str) -> str | None:
    from urllib.parse import urlsplit

    return urlsplit(url).hostname
