"""Spiders for cluster workers: they take requests only from the shared frontier, and share max_pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy

from crawler.cluster.keys import SweepKeys
from crawler.spiders.base import SweepSpider
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.spiders.site import SiteSpider


class ClusterSpiderMixin(SweepSpider):
    """Seeds come from the coordinator's queue, not start(); the page budget is one Redis counter."""

    redis: Any = None
    keys: SweepKeys | None = None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # The coordinator queued the seeds once; every worker yielding them again would only be filtered.
        return
        yield

    def bind(self, redis: Any, keys: SweepKeys) -> None:
        """Attach the sweep's Redis keys (the worker does this before the crawl starts)."""
        self.redis, self.keys = redis, keys

    def take_page(self) -> bool:
        if self.redis is None or self.keys is None:
            return super().take_page()
        return int(self.redis.incr(self.keys.pages)) <= self.target.max_pages

    def pages_left(self) -> bool:
        if self.redis is None or self.keys is None:
            return super().pages_left()
        return int(self.redis.get(self.keys.pages) or 0) < self.target.max_pages


class ClusterSiteSpider(ClusterSpiderMixin, SiteSpider):
    """SiteSpider on a shared frontier."""

    name = "cluster-site"


class ClusterMarketplaceSpider(ClusterSpiderMixin, MarketplaceSpider):
    """MarketplaceSpider on a shared frontier."""

    name = "cluster-marketplace"


def cluster_spider_for(adapter_name: str) -> type[ClusterSpiderMixin]:
    """The cluster spider class a target's adapter needs (the same on the coordinator and every worker)."""
    return ClusterSiteSpider if adapter_name == "generic" else ClusterMarketplaceSpider
