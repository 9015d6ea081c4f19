"""One sweep's crawl in this process: one CrawlerProcess, one reactor (so: once per process)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.heap import freeze_long_lived, tune_collector
from crawler.settings import base_settings, target_settings
from crawler.targets import Target

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 3


@dataclass
class CrawlResult:
    """How a crawl ended, as the sweep's bookkeeping needs to know."""

    reason: str | None
    gave_up: str | None = None  # "database" / "redis": an outage outlasted its bound
    all_written: bool = True  # every fetched page reached the database (else it waits in the spool)
    # Fetched pages neither written nor spooled (the job directory full or read-only): fetched again on resume
    unkept: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    # How the image stage ended: drained, gave_up (drain bound), stopped (interrupted), died; None: no images
    images: str | None = None
    # What hosts asked for that the crawl did not do in full (crawler/politeness.py: crawl_delay_capped)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        """The crawl ran out of work by itself (not stopped by a signal, an outage or an error)."""
        return self.reason == "finished" or (self.reason or "").startswith("closespider_")


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE settings overrides (JSON objects/lists, numbers and booleans parsed)."""
    result: dict[str, Any] = {}
    for pair in pairs:
        key, _, raw = pair.partition("=")
        value: Any = raw
        if raw[:1] in ("{", "["):
            value = json.loads(raw)
        elif raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        else:
            try:
                value = float(raw) if "." in raw else int(raw)
            except ValueError:
                value = raw
        result[key] = value
    return result


# What makes a crawl a sweep: each page is written, checked and accounted for by the sweep's pipeline and
# runtime; the sweep's own scheduler keeps canonical URLs, the dupe filter and the page budget on its frontier,
# which is rebuilt from the sweep's ledger in the database (so resume needs no JOBDIR).
SWEEP_COMPONENTS: dict[str, Any] = {
    "ITEM_PIPELINES": {"sweeps.pipelines.SweepPipeline": 300},
    "EXTENSIONS": {"sweeps.runtime.SweepRuntime": 0},
    "SCHEDULER": "sweeps.scheduler.FrontierScheduler",
}


def crawl_settings(
    target: Target,
    *,
    db_url: str,
    sweep_id: int,
    job_dir: Path | None,
    overrides: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the CrawlerProcess for this sweep needs."""
    settings = base_settings()
    settings.update(SWEEP_COMPONENTS)
    settings.update(target_settings(target))
    settings.update(
        {
            "MARKWATCH_DB": db_url,
            "MARKWATCH_SWEEP_ID": sweep_id,
            "MARKWATCH_JOB_DIR": str(job_dir) if job_dir else None,
        }
    )
    settings.update(extra or {})
    settings.update(overrides)
    return settings


def _sweep_process_class() -> type:
    """CrawlerProcess that remembers a shutdown signal (imported late: the reactor is chosen by settings)."""
    from scrapy.crawler import CrawlerProcess

    class SweepProcess(CrawlerProcess):
        """Scrapy answers a second Ctrl-C/SIGTERM by stopping the reactor at once, before the spider is
        closed: the sweep must still read as stopped by a signal (interrupted, resumable), not as a crawl
        that ended by itself with work left (incomplete)."""

        stop_signal: int | None = None

        def _signal_shutdown(self, signum: int, frame: Any) -> None:
            self.stop_signal = signum
            super()._signal_shutdown(signum, frame)

    return SweepProcess


def crawl(
    target: Target,
    settings: dict[str, Any],
    *,
    spider_class: type | None = None,
    on_progress: Callable[[dict[str, Any]], None] | None = None,
) -> CrawlResult:
    """Run the crawl to its end (Ctrl-C / SIGTERM stop it gracefully: reason "shutdown")."""
    from crawler.politeness import HostPolicy
    from crawler.spiders.marketplace import spider_for
    from sweeps.runtime import SweepRuntime

    process_class = _sweep_process_class()
    # The page writer thread waits on the database with the GIL released and needs it back at once; the
    # default 5 ms switch interval would let the reactor keep it that long after every statement.
    sys.setswitchinterval(0.0005)
    process = process_class(settings, install_root_handler=True)
    crawler = process.create_crawler(spider_class or spider_for(target.adapter))
    process.crawl(crawler, target=target)
    runtime = SweepRuntime.of(crawler)
    runtime.on_progress = on_progress
    tune_collector()
    freeze_long_lived()
    process.start()
    if process.stop_signal is not None and not runtime.closed_cleanly():
        runtime.after_forced_stop()
    return CrawlResult(
        reason=runtime.close_reason,
        gave_up=runtime.gave_up,
        all_written=runtime.all_written,
        unkept=runtime.writer.unkept(),
        counts=dict(runtime.counts),
        images=runtime.images_ended,
        warnings=[warning.as_dict() for warning in HostPolicy.of(crawler).warnings],
    )
