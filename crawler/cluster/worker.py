"""A cluster worker: one crawl process pulling a sweep's requests from Redis until the frontier is drained."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from crawler.cluster.coordinator import connect
from crawler.cluster.keys import SweepKeys
from crawler.cluster.membership import Membership, new_worker_id
from crawler.cluster.spiders import ClusterSpiderMixin, cluster_spider_for
from crawler.run import EXIT_FAILED, EXIT_FINISHED, EXIT_INTERRUPTED, CloseWatcher, parse_overrides
from crawler.settings import DOWNLOADER_MIDDLEWARES, base_settings, target_settings
from crawler.store.models import Sweep
from crawler.sweeps import finish_once
from crawler.targets import Target
from markwatch import db
from markwatch.errors import ConflictError, NotFoundError

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 5.0


class ClusterScheduler(RedisScheduler):
    """scrapy-redis's scheduler that tells the registry this worker is busy as soon as it takes a request."""

    def next_request(self) -> Any:
        request = super().next_request()
        membership: Membership | None = getattr(self.spider, "membership", None)
        if request is not None and membership is not None:
            membership.mark_busy()
        return request


@dataclass
class Completion:
    """What this worker did about the end of the sweep."""

    remaining_workers: int
    finished_sweep: bool = False
    pages: int = 0
    findings: int = 0
    cases: str | None = None


class ClusterWorker:
    """Extension: heartbeat, stay open while others may still add requests, and the last one out finishes."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.db_url: str = settings.get("MARKWATCH_DB")
        self.sweep_id = settings.getint("MARKWATCH_SWEEP_ID")
        self.idle_grace = settings.getfloat("MARKWATCH_CLUSTER_IDLE_GRACE")
        self.make_cases = settings.getbool("MARKWATCH_CLUSTER_CASES")
        self.keys = SweepKeys(self.sweep_id)
        self.redis = connect(settings.get("MARKWATCH_REDIS_URL"))
        self.membership = Membership(
            self.redis,
            self.keys,
            new_worker_id(),
            stale_after=settings.getfloat("MARKWATCH_CLUSTER_STALE_AFTER"),
        )
        self.heartbeat = LoopingCall(self.membership.heartbeat)
        self.completion: Completion | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClusterWorker:
        return cls(crawler)

    def spider_opened(self, spider: ClusterSpiderMixin) -> None:
        spider.bind(self.redis, self.keys)
        spider.membership = self.membership  # type: ignore[attr-defined]
        self.heartbeat.start(HEARTBEAT_SECONDS, now=True)
        log.info("worker %s joined sweep %d", self.membership.worker_id, self.sweep_id)

    def spider_idle(self, spider: Any) -> None:
        # Scrapy calls this when our scheduler (the shared frontier) is empty and nothing is in flight here.
        # Another worker's pages may still add links, so we stay until all have been idle for the grace time.
        self.membership.mark_idle()
        if not self.membership.drained(self.idle_grace):
            raise DontCloseSpider

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.heartbeat.running:
            self.heartbeat.stop()
        remaining = self.membership.leave()
        self.completion = Completion(remaining_workers=remaining)
        frontier = int(self.redis.zcard(self.keys.requests))
        if reason != "finished" or remaining or frontier:
            log.info("worker left sweep %d (%s); %d worker(s), %d request(s) remain", self.sweep_id, reason,
                     remaining, frontier)  # fmt: skip
            return
        swept = finish_once(self.db_url, self.sweep_id)
        if swept is None:
            return
        self.completion.finished_sweep = True
        self.completion.pages = int((swept.summary or {}).get("pages_checked") or 0)
        self.completion.findings = int((swept.summary or {}).get("findings") or 0)
        if self.make_cases:
            self.completion.cases = ingest(self.db_url, self.sweep_id)
        self.redis.delete(*self.keys.all())
        log.info("sweep %d finished by worker %s", self.sweep_id, self.membership.worker_id)


def ingest(db_url: str, sweep_id: int) -> str:
    """Turn the finished sweep's findings into cases, as `markwatch sweep run` does."""
    from markwatch.cases.ingest import ingest_sweep

    with db.session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id)
    return (
        f"{report.created} new, {report.updated} updated, {report.reopened} reopened, "
        f"{report.escalated} escalated, {report.closed} closed after re-check"
    )


def worker_settings(
    target: Target,
    *,
    sweep_id: int,
    db_url: str,
    redis_url: str,
    idle_grace: float,
    make_cases: bool,
    overrides: dict[str, Any],
) -> dict[str, Any]:
    """The Scrapy settings of a worker: our polite defaults, with scrapy-redis as scheduler and dupefilter."""
    keys = SweepKeys(sweep_id)
    settings = base_settings()
    settings.update(target_settings(target.delay, target.concurrency, target.max_depth))
    settings.update(
        {
            "MARKWATCH_DB": db_url,
            "MARKWATCH_SWEEP_ID": sweep_id,
            "MARKWATCH_REDIS_URL": redis_url,
            "MARKWATCH_CLUSTER_IDLE_GRACE": idle_grace,
            "MARKWATCH_CLUSTER_STALE_AFTER": 60.0,
            "MARKWATCH_CLUSTER_CASES": make_cases,
            "REDIS_URL": redis_url,
            # A worker takes from the shared frontier only what it can download at once: with the default
            # of 16 one fast worker would hoard the queue in its per-host slots and leave the others idle.
            "CONCURRENT_REQUESTS": target.concurrency,
            "SCHEDULER": "crawler.cluster.worker.ClusterScheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            # JSON, not scrapy-redis's default pickle: a writable Redis must not mean code execution here.
            "SCHEDULER_SERIALIZER": "crawler.cluster.serializer",
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            # Without persist, the first worker to stop would flush the frontier and fingerprints of all.
            "SCHEDULER_PERSIST": True,
            # Blocking pops would stall the reactor; the priority queue never blocks, idle is handled above.
            "SCHEDULER_IDLE_BEFORE_CLOSE": 0,
            "DOWNLOADER_MIDDLEWARES": {
                **DOWNLOADER_MIDDLEWARES,
                # After robots.txt and snapshot replay: only real downloads wait for the host's shared slot.
                "crawler.cluster.politeness.SharedPolitenessMiddleware": 130,
            },
            "EXTENSIONS": {"crawler.cluster.worker.ClusterWorker": 500},
        }
    )
    settings.update(overrides)
    return settings


def load_sweep_target(client: Any, sweep_id: int, db_url: str) -> Target:
    """The target of a running distributed sweep, as the coordinator stored it."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        if not (sweep.summary or {}).get("distributed"):
            raise ConflictError(f"sweep {sweep_id} is not a distributed sweep")
        if sweep.state != "running":
            raise ConflictError(f"sweep {sweep_id} is {sweep.state}, not running")
    raw = client.get(SweepKeys(sweep_id).target)
    if raw is None:
        raise ConflictError(f"sweep {sweep_id} has no frontier in this Redis (another server, or abandoned?)")
    return Target.model_validate_json(raw)


@dataclass(frozen=True)
class WorkerResult:
    """How this worker's crawl ended, and whether it finished the sweep."""

    exit_code: int
    reason: str | None
    completion: Completion | None


def run_worker(
    sweep_id: int,
    *,
    db_url: str,
    redis_url: str,
    idle_grace: float = 10.0,
    make_cases: bool = True,
    overrides: list[str] = (),  # type: ignore[assignment]
) -> WorkerResult:
    """Crawl from the shared frontier until it is drained (one reactor: call once per process)."""
    from scrapy.crawler import CrawlerProcess

    target = load_sweep_target(connect(redis_url), sweep_id, db_url)
    settings = worker_settings(
        target,
        sweep_id=sweep_id,
        db_url=db_url,
        redis_url=redis_url,
        idle_grace=idle_grace,
        make_cases=make_cases,
        overrides=parse_overrides(list(overrides)),
    )
    process = CrawlerProcess(settings, install_root_handler=True)
    watcher = CloseWatcher()
    crawler = process.create_crawler(cluster_spider_for(target.adapter))
    crawler.signals.connect(watcher.spider_closed, signal=signals.spider_closed)
    process.crawl(crawler, target=target)
    process.start()
    loaded = crawler.extensions.middlewares if crawler.extensions is not None else ()
    extension = next((e for e in loaded if isinstance(e, ClusterWorker)), None)
    if watcher.reason == "finished" or (watcher.reason or "").startswith("closespider_"):
        code = EXIT_FINISHED
    else:
        code = EXIT_INTERRUPTED if watcher.reason == "shutdown" else EXIT_FAILED
    return WorkerResult(code, watcher.reason, extension.completion if extension else None)
