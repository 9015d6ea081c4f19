"""Per crawl: the sweep's frontier, page writer, outage state and the rules that end a crawl.

A Scrapy extension (`EXTENSIONS`) that the scheduler and the pipeline also reach (`SweepRuntime.of`). It
holds what they share: the discoveries not yet written, the writer that stores pages and acknowledges their
frontier entries, and whether the database or Redis is down (then no new request is taken; past
`MARKWATCH_OUTAGE_BOUND` seconds the crawl stops with reason "outage" and the sweep becomes incomplete).
It also starts the crawl's image stage (sweeps/images/stage.py) when the first image is stored (the stage
has nothing to read before; spawning it costs a second of CPU, which the pages fetched first do not pay),
and drains it (bounded) once the crawl is done, so OCR runs behind fetching and never holds it up.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from twisted.internet import defer, threads
from twisted.internet.task import LoopingCall

from crawler.adapters import tracking_params
from crawler.canonical import Canonicalizer
from crawler.frontier import META_ENTRY, META_URL, Frontier
from crawler.images.backlog import ImageBacklog
from crawler.images.collect import FoundImages, count_found, found_images
from crawler.images.scan import ImageScans, ScanJob, ScanResult
from crawler.ledger import Discovery, Outcome
from crawler.targets import Target
from sweeps.checking import load_checker
from sweeps.images.stage import StageHandle, has_pending
from sweeps.writer import Job, PageWriter, WriterEvents

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25
# An entry taken, unacknowledged, with nothing left that could ever acknowledge it, for this long, is a
# bug: give up waiting for it (its URL stays queued in the ledger, so the sweep says incomplete).
ORPHAN_SECONDS = 10.0
DEFAULT_OUTAGE_BOUND = 120.0
# After an outage past its bound, how long the writer still waits for the database to store what it holds.
DEFAULT_FINAL_WAIT = 120.0
# After a forced stop (a second Ctrl-C or SIGTERM), how long the writer may take to store the pages it holds.
DEFAULT_FORCED_STOP_WAIT = 30.0


class SweepRuntime(WriterEvents):
    """See the module docstring."""

    @classmethod
    def of(cls, crawler: Any) -> SweepRuntime:
        """The runtime of this crawl (created on first use)."""
        runtime: SweepRuntime | None = getattr(crawler, "_markwatch_runtime", None)
        if runtime is None:
            runtime = cls(crawler)
            crawler._markwatch_runtime = runtime
        return runtime

    @classmethod
    def from_crawler(cls, crawler: Any) -> SweepRuntime:
        return cls.of(crawler)

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.db_url: str = settings.get("MARKWATCH_DB")
        self.sweep_id = settings.getint("MARKWATCH_SWEEP_ID")
        self.target = Target.model_validate(settings.get("MARKWATCH_TARGET"))
        self.canonical = Canonicalizer.of(tracking_params(self.target.adapter))
        job_dir = settings.get("MARKWATCH_JOB_DIR")
        self.job_dir = Path(job_dir) if job_dir else None
        self.outage_bound = settings.getfloat("MARKWATCH_OUTAGE_BOUND", DEFAULT_OUTAGE_BOUND)
        self.final_wait = settings.getfloat("MARKWATCH_FINAL_WAIT", DEFAULT_FINAL_WAIT)
        self.forced_stop_wait = settings.getfloat("MARKWATCH_FORCED_STOP_WAIT", DEFAULT_FORCED_STOP_WAIT)
        self._writer_closed = False
        self._closed = False
        self.frontier: Frontier | None = None
        self.writer = PageWriter(
            db_url=self.db_url,
            sweep_id=self.sweep_id,
            checker_factory=lambda: load_checker(self.db_url),
            canonical=self.canonical,
            spool_dir=self.job_dir / "spool" if self.job_dir else None,
            events=self,
        )
        self._discoveries: list[Discovery] = []
        self.unwritten = 0  # jobs submitted by this process and not yet committed
        self.db_down_since: float | None = None
        self.redis_down_since: float | None = None
        self.gave_up: str | None = None  # "database" or "redis" once an outage outlasted its bound
        self.close_reason: str | None = None
        self.all_written = True
        self.counts: Counter[str] = Counter()
        self.on_progress: Callable[[dict[str, Any]], None] | None = None
        self._orphans_since: float | None = None
        self._spider: Any = None
        # Product images (issue 15): read and judged by the image stage, a separate niced process.
        self.images_on = settings.getbool("MARKWATCH_IMAGES", True) and self.target.images
        self.images = StageHandle(self.db_url, self.sweep_id)
        self.images_ended: str | None = None
        # Images found on pages, requested once no page is queued (set by the scheduler: local frontier).
        self.image_backlog: ImageBacklog | None = None
        # With the backlog: stored item pages whose images are found once no page is queued (images/scan.py).
        self.image_scans: ImageScans | None = None
        self._interrupted = threading.Event()  # Ctrl-C / SIGTERM while the image stage drains
        self._loop = LoopingCall(self._tick)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    # --- shared with the scheduler and the pipeline ---

    def discover(self, discovery: Discovery) -> None:
        """A URL learned of; written with the next job (before the entry that found it is acknowledged)."""
        self._discoveries.append(discovery)
        self.counts["discovered"] += 1

    def refuse_link(self, url: str, reason: str) -> None:
        """A link the sweep will not follow (not http): recorded once as skipped with its reason."""
        key = url[:2000]
        if self.frontier is not None and self.frontier.seen_add(key):
            self.discover(Discovery(key, "skipped", reason))

    def submit(self, job: Job) -> None:
        """Hand a job to the writer, with every discovery made so far."""
        job.discoveries = [*self._discoveries, *job.discoveries]
        self._discoveries = []
        self.unwritten += 1
        self.writer.submit(job)

    def record_outcome(self, url: str, state: str, reason: str, entry: Any) -> None:
        """A taken request that ends without an item (a duplicate redirect, a poison entry)."""
        self.submit(Job(outcome=Outcome(url, state, reason), entry=entry))

    def taking_allowed(self) -> bool:
        """Whether the scheduler may hand out another request now."""
        return self.gave_up is None and self.db_down_since is None and self.redis_down_since is None

    def budget_left(self) -> bool:
        """Whether following more links can still add pages to the sweep."""
        return self.frontier is None or self.frontier.budget_left()

    def wake(self) -> None:
        """Make the engine look at the scheduler now, not at its next 5 s heartbeat."""
        engine = getattr(self.crawler, "engine", None)
        slot = getattr(engine, "_slot", None)  # Scrapy 2.13 has no public call for this
        if slot is not None and slot.closing is None:
            slot.nextcall.schedule()

    # --- writer events (writer thread) ---

    def written(self, jobs: list[Job]) -> None:
        _call_in_reactor(self._written, jobs)

    def released(self, job: Job) -> None:
        if job.on_released is not None:
            _call_in_reactor(job.on_released)

    def database_down(self, since: float) -> None:
        _call_in_reactor(self._database_down, since)

    def database_up(self) -> None:
        _call_in_reactor(self._database_up)

    def scanned(self, result: ScanResult | None) -> None:
        _call_in_reactor(self._scanned, result)

    def _written(self, jobs: list[Job]) -> None:
        for job in jobs:
            if job.from_spool:
                continue
            self.unwritten -= 1
            if job.entry is not None and self.frontier is not None:
                self.frontier.ack(job.entry)
            if job.page is not None:
                self.counts["images" if job.page.kind == "image" else "pages"] += 1
                if job.page.scan_images and self.image_scans is not None:
                    self.image_scans.page_stored()
                if self.images_on and not self.images.started and job.page.kind == "image":
                    # The first image stored: its stage loads while the others download. Sightings waiting
                    # before then need nothing of it; whatever is left at the end starts it (_end_images).
                    self.images.start()
            elif job.outcome is not None:
                self.counts[job.outcome.state] += 1
        self.wake()

    def scan_images(self) -> None:
        """Hand the writer a scan of stored pages for their images, if one is wanted and none is running."""
        scans, spider = self.image_scans, self._spider
        if scans is None or spider is None or not scans.start():
            return

        def find(response: Any) -> tuple[FoundImages, str | None]:
            return found_images(spider, response), spider.seller(response)

        self.writer.submit(ScanJob(find))

    def _scanned(self, result: ScanResult | None) -> None:
        if self.image_scans is None:
            return
        self.image_scans.finished(result)
        if result is not None:
            stats = self.crawler.stats
            for found in result.found:
                count_found(stats, found)
            if self.image_backlog is not None:
                for page_url, image_urls in result.requests:
                    self.image_backlog.add(page_url, image_urls)
        self.wake()

    def _database_down(self, since: float) -> None:
        if self.db_down_since is None:
            log.warning("sweep %d: database unreachable: no new requests until it is back", self.sweep_id)
            self.db_down_since = since

    def _database_up(self) -> None:
        self.db_down_since = None
        self.wake()

    def redis_down(self) -> None:
        """Redis failed a call (reactor thread): stop taking requests until it answers again."""
        if self.redis_down_since is None:
            log.warning("sweep %d: Redis unreachable: no new requests until it is back", self.sweep_id)
            self.redis_down_since = time.monotonic()

    def redis_up(self) -> None:
        """Redis answers again (reactor thread)."""
        if self.redis_down_since is not None:
            log.info("sweep %d: Redis reachable again", self.sweep_id)
        self.redis_down_since = None
        self.wake()

    # --- signals ---

    def spider_opened(self, spider: Any) -> None:
        self._spider = spider
        self.writer.start()
        self._loop.start(TICK_SECONDS, now=False)
        if self.images_on:
            try:
                resuming = has_pending(self.db_url, self.sweep_id)
            except Exception:  # the database is down: the first stored page with images starts the stage
                resuming = False
            if resuming:
                self.images.start()  # image work an earlier run of this sweep left

    def spider_idle(self, spider: Any) -> None:
        # Scrapy closes the spider when a handler raises anything but DontCloseSpider: an unexpected error
        # here must keep it open (the tick's outage bound still ends a crawl that cannot go on).
        try:
            busy = self._busy()
        except Exception:
            log.exception("sweep %d: deciding whether the crawl is done failed", self.sweep_id)
            busy = True
        if busy:
            raise DontCloseSpider

    def _busy(self) -> bool:
        if self.gave_up is not None:
            return False
        busy = self.unwritten > 0 or self.db_down_since is not None or self.redis_down_since is not None
        if self._discoveries:
            self.submit(Job())
            busy = True
        frontier = self.frontier
        if frontier is not None and not busy and frontier.in_flight():
            busy = self._orphans(frontier)
        else:
            self._orphans_since = None
        remote = getattr(frontier, "remote_idle", None)
        return busy or (remote is not None and not remote())

    def _orphans(self, frontier: Any) -> bool:
        now = time.monotonic()
        if self._orphans_since is None:
            self._orphans_since = now
        if now - self._orphans_since < ORPHAN_SECONDS:
            return True
        urls = frontier.in_flight_urls() if hasattr(frontier, "in_flight_urls") else []
        log.error("sweep %d: %d request(s) ended without an outcome: %s", self.sweep_id, len(urls), urls[:20])
        return False

    def spider_error(self, failure: Any, response: Any, spider: Any) -> None:
        request = getattr(response, "request", None)
        if request is None:
            return
        url = request.meta.get(META_URL)
        if url:
            self.record_outcome(url, "failed", "parse_error", request.meta.get(META_ENTRY))

    def spider_closed(self, spider: Any, reason: str) -> defer.Deferred[None]:
        self.close_reason = reason
        if self._loop.running:
            self._loop.stop()
        if self._discoveries:
            self.submit(Job())
        wait = self.final_wait if self.gave_up else 600.0
        deadline = time.monotonic() + wait
        closing = threads.deferToThread(self.writer.close, deadline)

        def finished(all_written: bool) -> None:
            self.all_written = all_written
            self._writer_closed = True
            close = getattr(self.frontier, "close", None)
            if close is not None:
                close()

        closing.addCallback(finished)
        if self.images_on:
            self._watch_signals()
        closing.addCallback(lambda _: threads.deferToThread(self._end_images, reason))
        closing.addCallback(self._images_ended)
        return closing

    def after_forced_stop(self) -> None:
        """The reactor was stopped before the crawl closed (a second Ctrl-C or SIGTERM while stopping): the
        sweep was still stopped by a signal, so it stays resumable. What the writer holds is stored (or
        spooled, past the wait); the downloads cut short stay queued in the ledger, listed as missing."""
        self.close_reason = "shutdown"
        frontier = self.frontier
        cut = (
            frontier.in_flight_urls() if frontier is not None and hasattr(frontier, "in_flight_urls") else []
        )
        if cut:
            log.warning("sweep %d: stop forced; %d request(s) in flight stay queued: %s", self.sweep_id,
                        len(cut), cut[:20])  # fmt: skip
        if not self._writer_closed:
            if self._discoveries:
                self.submit(Job())
            self.all_written = self.writer.close(time.monotonic() + self.forced_stop_wait)
            self._writer_closed = True
            close = getattr(frontier, "close", None)
            if close is not None:
                close()
        if self.images.started:
            self.images.stop()
            self.images_ended = self.images.ended

    def _end_images(self, reason: str) -> str | None:
        """After the last page is written: drain the image stage if the crawl ran out of work (bounded by
        the image drain settings), else stop it; unfinished image work stays for `sweep resume`."""
        if not self.images_on:
            return None
        completed = self.gave_up is None and (reason == "finished" or reason.startswith("closespider_"))
        if not self.images.started:
            if not completed or not has_pending(self.db_url, self.sweep_id):
                return None
            self.images.start()
        if not completed:
            self.images.stop()
            return self.images.ended
        ended = self.images.drain(self._interrupted)
        if ended == "stopped" and self._interrupted.is_set():
            self.close_reason = "shutdown"  # stopped by a signal while reading: interrupted, resumable
        return ended

    def _watch_signals(self) -> None:
        """Ctrl-C or SIGTERM while the crawl waits for OCR stops the image stage (Scrapy's own handlers,
        still called, have nothing left to stop once the spider is closed)."""
        for number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(number)

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                self._interrupted.set()
                if callable(previous):
                    previous(signum, frame)

            try:
                signal.signal(number, handler)
            except ValueError:  # not the main thread (an embedding that runs the reactor elsewhere)
                return

    def _images_ended(self, ended: str | None) -> None:
        self.images_ended = ended
        self._closed = True

    def closed_cleanly(self) -> bool:
        """Whether the crawl's close ran to its end (pages written, image stage ended)."""
        return self._closed

    def _tick(self) -> None:
        if not self.writer.alive() and self.gave_up is None:
            self.gave_up = "writer"
            log.error("sweep %d: the page writer stopped: ending the crawl as incomplete", self.sweep_id)
            self.crawler.engine.close_spider(self._spider, "writer_failed")
            return
        if self._discoveries and self.unwritten == 0:
            self.submit(Job())
        since = min((t for t in (self.db_down_since, self.redis_down_since) if t is not None), default=None)
        if since is not None and self.gave_up is None and time.monotonic() - since > self.outage_bound:
            self.gave_up = "database" if self.db_down_since is not None else "redis"
            log.error(
                "sweep %d: %s unreachable for more than %.0f s: stopping; the sweep will be incomplete",
                self.sweep_id, self.gave_up, self.outage_bound,
            )  # fmt: skip
            self.crawler.engine.close_spider(self._spider, "outage")
            return
        tick = getattr(self.frontier, "tick", None)
        if tick is not None:
            tick(self)
        if self.images.started:
            self.images.tick()
        if self.on_progress is not None:
            self.on_progress(self.progress())

    def progress(self) -> dict[str, Any]:
        """Live counts of this process (pages stored, outcomes, queued here, in flight)."""
        frontier = self.frontier
        return {
            "pages": self.counts["pages"],
            "failed": self.counts["failed"],
            "skipped": self.counts["skipped"],
            "queued": getattr(frontier, "queued", lambda: 0)() if frontier is not None else 0,
            "in_flight": frontier.in_flight() if frontier is not None else 0,
            "images": self.image_progress(),
        }

    def image_progress(self) -> dict[str, int]:
        """Images found and fetched by this process, and what its image stage has done so far."""
        stats = self.crawler.stats
        return {
            "found": int(stats.get_value("markwatch/images/found", 0) if stats else 0),
            "fetched": self.counts["images"],
            "waiting": len(self.image_backlog or ()),
            **{k: int(v) for k, v in self.images.last.items() if isinstance(v, int)},
        }


def _call_in_reactor(function: Callable[..., Any], *args: Any) -> None:
    from twisted.internet import reactor

    reactor.callFromThread(function, *args)  # type: ignore[attr-defined]
