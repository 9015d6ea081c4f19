"""The Scrapy scheduler of a sweep: canonical URLs, dupe filter and page budget on the sweep's frontier.

Every URL the spider yields comes through `enqueue_request`, so this is where the sweep learns of it: a URL
outside the target (off-site, not http, a forbidden address, too deep, over budget) is recorded as skipped
with its reason; a new one is recorded as queued (written with the page that found it, before that page's
entry is acknowledged) and put on the frontier. Retries and redirects of a taken request carry its entry
and keep its ledger URL. `next_request` hands out nothing while the database or Redis is down.

Product images come after pages. With the local frontier, the images a page shows wait in the sweep's
image backlog (crawler/images/backlog.py) as plain URLs, and become requests here, a batch at a time, only
when no page is queued: a saturated crawl spends nothing on them until its pages are fetched. Their
priority then keeps them behind any page found later, and while pages are still being downloaded or
scraped (so more may be found: a listing's links reach the scheduler a few at a time), at most
MARKWATCH_IMAGES_BESIDE_PAGES images are downloaded or scraped beside them; the next image stays queued
until then. Once no page is busy they go at the full concurrency. In a polite crawl the pages mostly wait
out their host's delay: while the next page's download slot already holds a page waiting for it, the next
image goes to its own host's idle slot instead (never to the pages' own slot, where it would go first).
(The local frontier only: the cluster's stream frontier has no look at its next request, and a worker's
backlog would die with it, so there images are requested with their page and follow their priority alone.)
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider
from scrapy.core.scheduler import BaseScheduler

from crawler.frontier import MAX_DELIVERIES, META_ENTRY, META_IMAGE, META_URL, request_payload
from crawler.frontier.local import LocalFrontier
from crawler.images.backlog import ImageBacklog, waiting_images
from crawler.images.collect import FoundImages, found_images, image_requests
from crawler.images.scan import SCAN_BATCH, ImageScans, scan_pending_pages
from crawler.ledger import IMAGE, PAGE, URL_KEPT, URL_MAX, Discovery, ledger_key
from crawler.politeness import spaced
from crawler.targets import link_refusal
from markwatch import db
from sweeps.runtime import SweepRuntime

__all__ = ["URL_KEPT", "URL_MAX", "FrontierScheduler"]
log = logging.getLogger(__name__)
# Images requested from the backlog at a time: enough to fill the downloader, few enough that a page found
# meanwhile still goes first.
IMAGE_BATCH = 32


class FrontierScheduler(BaseScheduler):
    """See the module docstring; the frontier backend comes from MARKWATCH_FRONTIER (local or stream)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.runtime = SweepRuntime.of(crawler)
        self.stats = crawler.stats
        self.spider: Spider | None = None
        self.beside_pages = max(1, crawler.settings.getint("MARKWATCH_IMAGES_BESIDE_PAGES", 1))

    @classmethod
    def from_crawler(cls, crawler: Any) -> FrontierScheduler:
        return cls(crawler)

    def open(self, spider: Spider) -> None:
        from crawler.frontier.factory import open_frontier

        self.spider = spider
        runtime = self.runtime
        runtime.frontier = open_frontier(runtime, spider)
        if runtime.images_on and isinstance(runtime.frontier, LocalFrontier):
            backlog = ImageBacklog()
            with db.session_scope(runtime.db_url) as session:
                backlog_left = waiting_images(session, runtime.sweep_id)
            for url, page_url in backlog_left:  # a resumed sweep: images its pages showed, maybe never asked
                backlog.add(page_url, [url])
            runtime.image_backlog = backlog
            runtime.image_scans = ImageScans()
        elif runtime.images_on:
            self._scan_left_pages(spider)

    def _scan_left_pages(self, spider: Spider) -> None:
        """A cluster worker finds a page's images with the page, so it has no scan running behind the crawl:
        pages of a resumed distributed sweep whose images could not be looked for (set pending again by its
        resume, as a single-process resume does: bookkeeping.redo_unhandled) are scanned here, at the
        worker's start, and their images requested through the shared frontier. A scan that fails leaves
        them pending or failed, recorded: the sweep is not finished and the next resume looks again."""
        runtime = self.runtime

        def find(response: Any) -> tuple[FoundImages, str | None]:
            return found_images(spider, response), spider.seller(response)  # type: ignore[attr-defined]

        try:
            while True:
                with db.session_scope(runtime.db_url) as session:
                    result = scan_pending_pages(session, runtime.sweep_id, find=find, canonical=runtime.canonical,
                                                limit=SCAN_BATCH, now=db.utcnow())  # fmt: skip
                for page_url, image_urls in result.requests:
                    for request in image_requests(spider, [(url, page_url) for url in image_urls]):
                        self.enqueue_request(request)
                if not result.more:
                    return
        except Exception as exc:  # the crawl carries on; what was not scanned stays recorded as such
            log.warning("sweep %d: looking for the images of stored pages failed: %s", runtime.sweep_id, exc)

    def close(self, reason: str) -> None:
        return None

    def has_pending_requests(self) -> bool:
        frontier = self.runtime.frontier
        scans = self.runtime.image_scans
        return frontier is not None and (
            frontier.has_local()
            or bool(self.runtime.image_backlog)
            or (scans is not None and scans.pending())
        )

    def enqueue_request(self, request: Request) -> bool:
        runtime, frontier, spider = self.runtime, self.runtime.frontier, self.spider
        assert frontier is not None and spider is not None
        parent = request.meta.get(META_ENTRY)
        if parent is not None:
            return self._enqueue_derived(request, parent)
        url = runtime.canonical(request.url)
        kind = IMAGE if request.meta.get(META_IMAGE) else PAGE
        reason = self._refusal(url, request, kind)
        if len(url) > URL_MAX:
            # Not fetched (servers and the ledger's index both have limits); recorded under a short key.
            url = ledger_key(url)
            reason = reason or "url_too_long"
        if reason is not None:
            if frontier.seen_add(url):
                runtime.discover(Discovery(url, "skipped", reason, kind=kind))
            self.stats.inc_value(f"markwatch/skipped/{reason}")
            return False
        if url != request.url:
            request = request.replace(url=url)
        request.meta[META_URL] = url
        payload = request_payload(request, spider)
        result = frontier.push_new(url, request, payload)
        if result == "dup":
            self.stats.inc_value("dupefilter/filtered")
            return False
        if result == "limit":
            runtime.discover(Discovery(url, "skipped", "page_limit", kind=kind))
            return False
        runtime.discover(Discovery(url, "queued", request=payload, kind=kind))
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _enqueue_derived(self, request: Request, parent: Any) -> bool:
        """A retry or redirect of a taken request: same ledger URL, same entry until it ends."""
        runtime, frontier, spider = self.runtime, self.runtime.frontier, self.spider
        assert frontier is not None and spider is not None
        identity = request.meta[META_URL]
        target = runtime.canonical(request.url)
        # A redirect to a page the sweep has (or will have) under its own URL is not fetched twice.
        check = target if target != identity and not request.dont_filter else None
        result = frontier.push_derived(request, request_payload(request, spider), parent, check)
        if result == "dup":
            runtime.record_outcome(identity, "skipped", "redirect_duplicate", parent)
            return False
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _refusal(self, url: str, request: Request, kind: str) -> str | None:
        depth = int(request.meta.get("depth", 0))
        return link_refusal(url, self.runtime.target, image=kind == IMAGE, depth=depth)

    def next_request(self) -> Request | None:
        runtime, frontier, spider = self.runtime, self.runtime.frontier, self.spider
        assert frontier is not None and spider is not None
        local = frontier if isinstance(frontier, LocalFrontier) else None
        while runtime.taking_allowed():
            backlog = runtime.image_backlog
            taken = None
            if local is not None:
                page = local.next_page()
                if backlog and (page is None or (local.next_image() is None and self._waits_on_delay(page))):
                    self._request_images(backlog)
                elif backlog is not None and not backlog and (page is None or self._waits_on_delay(page)):
                    runtime.scan_images()  # stored pages' images into the backlog (images/scan.py)
                if page is None:
                    if local.next_image() is not None and not self._image_allowed():
                        return None  # asked again when a page or an image is done (downloaded, written)
                elif self._image_beside(page, local.next_image()):
                    taken = local.take_image(spider)
            taken = taken or frontier.take(spider)
            if taken is None:
                if backlog:
                    continue  # that batch was all duplicates or refusals (recorded): the next one
                return None
            if taken.deliveries > MAX_DELIVERIES:
                log.error("%s was delivered %d times without an outcome: failed", taken.url, taken.deliveries)
                runtime.record_outcome(taken.url, "failed", "poison", taken.entry)
                continue
            request = taken.request
            request.meta[META_ENTRY] = taken.entry
            request.meta[META_URL] = taken.url
            self.stats.inc_value("scheduler/dequeued")
            return request
        return None

    def _image_beside(self, page: Request, image: Request | None) -> bool:
        """Whether the next image goes before the next page: the page's host is only waiting out its delay
        (a polite crawl), and the image's host is another one with nothing waiting."""
        if image is None or not self._waits_on_delay(page):
            return False
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(image)
        if key == downloader.get_slot_key(page):
            return False  # in the same slot it would go before the page
        slot = downloader.slots.get(key)
        # No CPU rule here: pages waiting out a delay leave the crawl process idle.
        return slot is None or not slot.queue

    def _waits_on_delay(self, page: Request) -> bool:
        """Whether the page's download slot already holds a request that waits for the host's delay, its
        robots.txt spacing or a Retry-After pause (not for a free connection): another page now would only
        wait there too."""
        downloader = getattr(getattr(self.crawler, "engine", None), "downloader", None)
        if downloader is None:
            return False
        slot = downloader.slots.get(downloader.get_slot_key(page))
        return bool(
            slot is not None and slot.queue and spaced(slot) and len(slot.transferring) < slot.concurrency
        )

    def _request_images(self, backlog: ImageBacklog) -> None:
        """A batch of the backlog's images onto the frontier (no page is queued, or the next one waits out its
        host's delay), checked and recorded as any request is."""
        for request in image_requests(self.spider, backlog.take(IMAGE_BATCH)):
            self.enqueue_request(request)

    def _image_allowed(self) -> bool:
        """Whether an image may go now: no page is being downloaded or scraped (robots.txt requests aside),
        or fewer than `beside_pages` images are."""
        engine = getattr(self.crawler, "engine", None)
        busy: list[Request] = list(getattr(getattr(engine, "downloader", None), "active", ()))
        slot = getattr(getattr(engine, "scraper", None), "slot", None)
        if slot is not None:
            busy += slot.active
            busy += [queued[1] for queued in slot.queue]
        images = sum(1 for request in busy if request.meta.get(META_IMAGE))
        pages = sum(1 for request in busy if not request.meta.get(META_IMAGE) and request.meta.get(META_URL))
        return pages == 0 or images < self.beside_pages
