"""The item pipeline of a sweep: every page or outcome goes to the page writer (sweeps/writer.py).

The writer checks each page (claims, findings), stores it with its snapshot and findings and the URLs
discovered before it, in one transaction, and only then acknowledges the frontier entry it answers. The
Deferred returned here fires once the job is stored (or, while the database is down, spooled to the job
directory), so Scrapy keeps its own back-pressure.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred

from crawler.items import PageItem, UrlOutcome
from crawler.ledger import Outcome
from sweeps.runtime import SweepRuntime
from sweeps.writer import Job


class SweepPipeline:
    """Hands PageItems and UrlOutcomes to the sweep's writer."""

    def __init__(self, runtime: SweepRuntime) -> None:
        self.runtime = runtime

    @classmethod
    def from_crawler(cls, crawler: Any) -> SweepPipeline:
        return cls(SweepRuntime.of(crawler))

    def process_item(self, item: Any, spider: Any) -> Deferred[Any] | Any:
        if isinstance(item, PageItem):
            job = Job(page=item, entry=item.entry)
        elif isinstance(item, UrlOutcome):
            job = Job(outcome=Outcome(item.url, item.state, item.reason, kind=item.kind), entry=item.entry)
        else:
            return item
        done: Deferred[Any] = Deferred()
        job.on_released = lambda: done.callback(item)
        self.runtime.submit(job)
        return done
