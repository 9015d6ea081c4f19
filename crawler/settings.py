"""Polite Scrapy defaults for markwatch crawls; per-target values come from `target_settings`."""

from __future__ import annotations

from typing import Any

from markwatch.config import USER_AGENT as DEFAULT_USER_AGENT

BOT_NAME = "markwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = DEFAULT_USER_AGENT
ROBOTSTXT_OBEY = True
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 15
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 503, 502, 504, 500, 408]
RETRY_BACKOFF_BASE = 1.0
RETRY_AFTER_MAX = 120.0

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.LinkGuardMiddleware": 40,
    "crawler.middlewares.WaitingRobotsTxtMiddleware": 100,
    "crawler.middlewares.SnapshotReplayMiddleware": 120,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.RedirectGuardMiddleware": 650,
}
# Images run behind the pages: SweepPipeline stores the page first, ImagePipeline its images' sightings.
ITEM_PIPELINES = {"crawler.pipelines.SweepPipeline": 300, "crawler.images.pipeline.ImagePipeline": 310}
# Product images (crawler/images): off with --set MARKWATCH_IMAGES=false (or `images: false` per target).
MARKWATCH_IMAGES = True
# The dupefilter is rebuilt on resume from the sweep's own records; JOBDIR keeps the pending queue.
DUPEFILTER_CLASS = "crawler.middlewares.MemoryDupeFilter"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"


def base_settings() -> dict[str, Any]:
    """This module's settings as a dict (for CrawlerProcess)."""
    return {key: value for key, value in globals().items() if key.isupper()}


def target_settings(delay: float, concurrency: int, max_depth: int) -> dict[str, Any]:
    """Per-target politeness: delay and concurrency per domain, depth limit."""
    return {
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_START_DELAY": max(delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DEPTH_LIMIT": max_depth,
    }
