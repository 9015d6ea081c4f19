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
# Outputs of one response handled at once. Every callback yields its requests and then exactly one item
# (crawler/spiders/base.py), and only the item waits (for the writer). Scrapy's default of 100 set up 100
# cooperative tasks for every response, pages and each product image alike; each task takes one output
# per turn of the event loop, so 16 still queues a listing's links quickly.
CONCURRENT_ITEMS = 16
# Product images downloaded or scraped beside pages while any page is (sweeps/scheduler.py).
MARKWATCH_IMAGES_BESIDE_PAGES = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
RANDOMIZE_DOWNLOAD_DELAY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
# A gzip sitemap (.xml.gz) is read up to this many bytes decompressed: the sitemaps protocol's own limit.
# Past it the sitemap fails as sitemap_too_large (crawler/sitemaps.py).
MARKWATCH_SITEMAP_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# A robots.txt is read up to this many bytes (cut after the last whole line; the sweep warns
# robots_truncated): RFC 9309 2.5 asks for at least 500 KiB, and Google reads that much. Protego took 7.5 s
# to parse 4 MiB of rules and 0.1-0.2 s for every URL checked against them, blocking the crawl; 500 KiB:
# 0.65 s and 36 ms.
MARKWATCH_ROBOTSTXT_MAXSIZE = 500 * 1024
# A response's status line and headers are read up to this many bytes; past it (or a line past 16 KiB) the
# answer fails as headers_too_large (crawler/http_limits.py: Twisted itself reads headers without end).
MARKWATCH_MAX_HEADER_BYTES = 256 * 1024
# Scrapy's default, said here because the sweep relies on it: a body shorter than its Content-Length, or a
# chunked body cut before its last chunk, fails (retried, then "truncated") instead of passing as the page.
DOWNLOAD_FAIL_ON_DATALOSS = True
# A dead page costs at most timeout x (retries + 1) plus backoff: 8 s x 3 + 1 s + 2 s, under 30 s.
DOWNLOAD_TIMEOUT = 8
DNS_TIMEOUT = 8
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 503, 502, 504, 500, 408]
RETRY_BACKOFF_BASE = 1.0
# A server asking for a longer pause than this is not retried in this sweep (the page fails with its code);
# its host waits this long (crawler/politeness.py).
RETRY_AFTER_MAX = 30.0
# Longest robots.txt Crawl-delay (or Request-rate spacing) honoured per host; one asking more gets this, and
# the sweep records a crawl_delay_capped warning (crawler/politeness.py).
MARKWATCH_CRAWL_DELAY_MAX = 60.0
# Scrapy's downloader, with slots that keep each host's robots.txt spacing and Retry-After pause.
DOWNLOADER = "crawler.politeness.PoliteDownloader"

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    # Off-site requests are refused (and recorded) by the scheduler and LinkGuardMiddleware.
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    # A meta refresh page is checked itself; the spider follows its target as a separate request.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.LinkGuardMiddleware": 40,
    "crawler.middlewares.AddressGuardMiddleware": 45,
    "crawler.middlewares.WaitingRobotsTxtMiddleware": 100,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    # After HttpCompressionMiddleware (590): every Content-Encoding is undone strictly and bounded, or the
    # page fails with its reason (a sitemap's is left for crawler/sitemaps.py), never read up to a cut.
    "crawler.middlewares.ContentCodingMiddleware": 595,
    "crawler.middlewares.RedirectGuardMiddleware": 650,
}
SPIDER_MIDDLEWARES = {
    # Over-long URLs reach the scheduler, which records them as skipped instead of dropping them unseen.
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
}
# The item pipeline, the sweep extension and the scheduler are the sweep's (sweeps/run.py adds them): the crawl
# names nothing above it.
# Depth is tracked by Scrapy's DepthMiddleware; the scheduler enforces the target's max_depth and records it.
DEPTH_LIMIT = 0

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"


def base_settings() -> dict[str, Any]:
    """This module's settings as a dict (for CrawlerProcess)."""
    return {key: value for key, value in globals().items() if key.isupper()}


def target_settings(target: Any) -> dict[str, Any]:
    """Per-target politeness and limits: delay and concurrency per domain, timeout and retries."""
    return {
        "DOWNLOAD_DELAY": target.delay,
        "AUTOTHROTTLE_START_DELAY": max(target.delay, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": target.concurrency,
        "DOWNLOAD_TIMEOUT": target.timeout,
        "RETRY_TIMES": target.retries,
        "MARKWATCH_TARGET": target.model_dump(mode="json"),
    }
