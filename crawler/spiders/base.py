"""Shared spider plumbing: seeds, page items, error kinds, page limits."""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.adapters import Adapter, get_adapter
from crawler.images.collect import STAT_FAILED, STAT_FETCHED, failed_item, image_item, page_images
from crawler.items import PageItem
from crawler.middlewares import STAT_NON_HTTP
from crawler.snapshots import flat_headers
from crawler.targets import Target

# Counted as an error kind of the sweep, so layout drift shows in its summary.
STAT_LAYOUT_DRIFT = "markwatch/errors/layout_param_table_missing"
# A shop name is short; anything longer is a selector that matched a whole block by mistake.
SELLER_MAX_CHARS = 120
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class SweepSpider(scrapy.Spider, abc.ABC):
    """Base for markwatch spiders: takes a validated Target, yields PageItems, counts errors by kind."""

    def __init__(self, target: Target, **kwargs: Any) -> None:
        super().__init__(name=target.name, **kwargs)
        self.target = target
        self.adapter: Adapter = get_adapter(target.adapter)
        self.allowed_domains = list(target.allowed_domains)
        self.pages_seen = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.seed_requests():
            yield request

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """One request per seed, with the callback its kind needs (a cluster coordinator queues these)."""
        for seed in self.target.seeds:
            callback = {"sitemap": self.parse_sitemap, "product": self.parse_item}.get(
                seed.kind, self.parse_listing
            )
            yield scrapy.Request(seed.url, callback=callback, errback=self.on_error, cb_kwargs={})

    @abc.abstractmethod
    def parse_listing(self, response: Response) -> Iterator[Any]:
        """A listing or site page: items and further links, as the concrete spider understands them."""

    def parse_item(self, response: Response) -> Iterator[Any]:
        """An item page: evidence only, no further links."""
        for item in self.page_item(response, "item"):
            if isinstance(item, PageItem):  # once per page, not per image request that follows it
                self.check_layout(response)
            yield item

    def check_layout(self, response: Response) -> None:
        """Count item pages where none of the adapter's parameter-table selectors matches.

        Extraction reads parameter rows by their labels on any layout, so a miss loses nothing by itself;
        it tells the operator that the site changed its markup and the adapter needs a look."""
        selectors = self.adapter.param_table
        if selectors and is_html(response) and not any(response.css(sel) for sel in selectors):
            self._stats().inc_value(STAT_LAYOUT_DRIFT)
            self.logger.warning("no parameter table of adapter %s on %s", self.adapter.name, response.url)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Sitemap or sitemap index: each <loc> is followed (nested sitemaps recursively)."""
        locs = [loc.strip() for loc in response.xpath("//*[local-name()='loc']/text()").getall()]
        nested = bool(response.xpath("//*[local-name()='sitemapindex']"))
        for loc in locs:
            yield from self.follow(response, loc, self.parse_sitemap if nested else self.parse_listing)

    def page_item(self, response: Response, kind: str) -> Iterator[Any]:
        """The page as evidence, unless the target's page limit is reached; then its product images."""
        if not self.take_page():
            return
        images, image_requests = page_images(self, response) if kind in ("item", "page") else ([], [])
        yield PageItem(
            requested_url=requested_url(response),
            final_url=response.url,
            status=response.status,
            headers=flat_headers(response.headers),
            body=response.body,
            fetched_at=dt.datetime.now(dt.UTC),
            declared_charset=declared_charset(response),
            kind=kind,
            replayed=bool(response.meta.get("markwatch_replayed")),
            seller=self.seller(response),
            images=images,
        )
        yield from image_requests

    def parse_image(self, response: Response) -> Iterator[Any]:
        """A fetched product image: evidence for the image pipeline (no links followed)."""
        self._stats().inc_value(STAT_FETCHED)
        yield from image_item(response)

    def on_image_error(self, failure: Failure) -> Iterator[Any]:
        """A failed image fetch, counted and recorded against its sightings."""
        kind = error_kind(failure) or "dropped"
        self._stats().inc_value(STAT_FAILED)
        if hasattr(failure, "request"):
            yield failed_item(failure.request, kind)

    def seller(self, response: Response) -> str | None:
        """The first non-empty text at the adapter's seller selectors, whitespace collapsed."""
        if not is_html(response):
            return None
        for selector in self.adapter.seller:
            for node in response.css(selector):
                text = " ".join(" ".join(node.css("::text").getall()).split())
                if text:
                    return text[:SELLER_MAX_CHARS]
        return None

    def follow(self, response: Response, href: str, callback: Any) -> Iterator[scrapy.Request]:
        """A request for href, unless it is not http(s) or the page limit is reached."""
        url = urldefrag(response.urljoin(href))[0]
        if urlsplit(url).scheme not in ("http", "https"):
            self._stats().inc_value(STAT_NON_HTTP)
            return
        if not self.pages_left():
            return
        yield scrapy.Request(url, callback=callback, errback=self.on_error)

    def take_page(self) -> bool:
        """Count one page against max_pages; False once the target's page limit is reached."""
        if self.pages_seen >= self.target.max_pages:
            return False
        self.pages_seen += 1
        return True

    def pages_left(self) -> bool:
        """Whether the page limit still allows following links."""
        return self.pages_seen < self.target.max_pages

    def links(self, response: Response, selectors: list[str]) -> list[str]:
        """href values of <a> elements matched by any selector (the element itself or its <a> descendants)."""
        if not is_html(response):
            return []
        found: list[str] = []
        for selector in selectors:
            for node in response.css(selector):
                found.extend(node.xpath("self::a/@href | .//a/@href").getall())
        return list(dict.fromkeys(found))

    def _stats(self) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        return stats

    def on_error(self, failure: Failure) -> None:
        """Count a failed request by kind (robots/off-site drops are counted where they happen)."""
        kind = error_kind(failure)
        if kind is not None:
            self._stats().inc_value(f"markwatch/errors/{kind}")
            self.logger.info("%s: %s", kind, failure.request.url if hasattr(failure, "request") else failure)


def error_kind(failure: Failure) -> str | None:
    """A short stable name for a failed request, or None for deliberate drops."""
    from scrapy.exceptions import IgnoreRequest

    if failure.check(HttpError):
        return f"http_{getattr(failure.value, 'response').status}"  # noqa: B009 - HttpError lacks types
    if failure.check(IgnoreRequest):
        return None
    if failure.check(DNSLookupError):
        return "dns"
    if failure.check(TimeoutError, TCPTimedOutError):
        return "timeout"
    if failure.check(ConnectError):
        return "connection"
    name = type(failure.value).__name__
    if name == "CancelledError":
        return "too_large"
    return name.lower()


def requested_url(response: Response) -> str:
    """The URL the crawl asked for (before redirects)."""
    chain = response.meta.get("redirect_urls")
    return str(chain[0]) if chain else str(response.url)


def declared_charset(response: Response) -> str | None:
    """The charset from the Content-Type header, as the server declared it (right or wrong)."""
    content_type = response.headers.get(b"Content-Type") or b""
    match = _CHARSET.search(content_type)
    return match.group(1).decode("ascii").lower() if match else None


def is_html(response: Response) -> bool:
    """Whether Scrapy could read the body as text (binary bodies are not parsed for links)."""
    return hasattr(response, "css") and hasattr(response, "text")
