"""Shared spider plumbing: seeds, page items, outcomes of failed requests, error kinds.

Every callback ends with exactly one item for the request it answers (a PageItem, or a UrlOutcome when
there is no page), after the requests for the links it found: the sweep then knows of those links before
the page is stored and its frontier entry acknowledged.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_meta_refresh
from twisted.internet.error import (
    ConnectError,
    ConnectionDone,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure
from twisted.web._newclient import ParseError, ResponseFailed, ResponseNeverReceived, _DataLoss

from crawler.adapters import Adapter, get_adapter
from crawler.decoding import declared_charset, page_encoding, query_in_page_encoding, readable
from crawler.frontier import META_ENTRY, META_IMAGE, META_URL
from crawler.http_limits import HeadersTooLarge
from crawler.images.collect import (
    STAT_FAILED,
    STAT_FETCHED,
    count_found,
    fetched_images,
    found_images,
    image_requests,
    inline_items,
    looks_for_images,
    sightings,
)
from crawler.images.storage import images_over_limit
from crawler.items import PageItem, UrlOutcome
from crawler.middlewares import SkipRequest
from crawler.sitemaps import (
    DEFAULT_SITEMAP_MAXSIZE,
    SITEMAP_ENCODINGS,
    is_sitemap_request,
    read_sitemap,
    sitemap_xml,
)
from crawler.snapshots import flat_headers
from crawler.targets import Target, link_refusal
from markwatch.errors import SitemapError
from pagetext.bodies import unreadable_reason

# A page note (counted in the sweep's summary), so layout drift shows without failing the page.
LAYOUT_DRIFT = "layout_param_table_missing"
STAT_LAYOUT_DRIFT = f"markwatch/notes/{LAYOUT_DRIFT}"
STAT_BAD_URL = "markwatch/links/bad_url"
STAT_NON_HTTP = "markwatch/skipped/non_http"
# A shop name is short; anything longer is a selector that matched a whole block by mistake.
SELLER_MAX_CHARS = 120


class SweepSpider(scrapy.Spider, abc.ABC):
    """Base for markwatch spiders: takes a validated Target, yields PageItems, counts errors by kind."""

    def __init__(self, target: Target, **kwargs: Any) -> None:
        super().__init__(name=target.name, **kwargs)
        self.target = target
        self.adapter: Adapter = get_adapter(target.adapter)
        self.allowed_domains = list(target.allowed_domains)

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
        """An item page: evidence only (and its meta refresh target and product images, if it has them)."""
        yield from self.refresh(response, self.parse_item)
        yield from self.page_with_images(response, "item", notes=self.layout_notes(response))

    def page_with_images(
        self, response: Response, kind: str, notes: list[str] | None = None
    ) -> Iterator[Any]:
        """The page as evidence, and its product images: found later from the stored page when the sweep has
        an image backlog (a local frontier: crawler/images/scan.py), else found now and requested with it."""
        if not looks_for_images(self, response, kind):
            yield self.page_item(response, kind, notes=notes)
            return
        if getattr(self._runtime(), "image_scans", None) is not None:
            yield self.page_item(response, kind, notes=notes, scan_images=True)
            return
        found = found_images(self, response)
        count_found(self._stats(), found)
        images = found.images
        yield from image_requests(self, [(image.url, response.url) for image in fetched_images(images)])
        yield from inline_items(images, dt.datetime.now(dt.UTC))
        item = self.page_item(response, kind, notes=notes, images=sightings(images))
        if found.over_limit:
            item.warnings.append(images_over_limit(len(images)))
        yield item

    def parse_image(self, response: Response) -> Iterator[Any]:
        """A fetched product image: stored as evidence by the page writer, read behind the crawl."""
        self._stats().inc_value(STAT_FETCHED)
        yield PageItem(
            requested_url=requested_url(response),
            final_url=response.url,
            status=response.status,
            headers=flat_headers(response.headers),
            body=response.body,
            fetched_at=dt.datetime.now(dt.UTC),
            declared_charset=None,
            kind="image",
            entry=entry_of(response),
        )

    def layout_notes(self, response: Response) -> list[str]:
        """Layout drift: none of the adapter's parameter-table selectors matches this item page.

        Extraction reads parameter rows by their labels on any layout, so a miss loses nothing by itself;
        it tells the operator that the site changed its markup and the adapter needs a look."""
        selectors = self.adapter.param_table
        if not selectors or not is_html(response) or not _readable_page(response):
            return []  # a PDF or binary bytes fail as not_html/undecodable: no layout to drift from
        if not any(response.css(sel) for sel in selectors):
            self._stats().inc_value(STAT_LAYOUT_DRIFT)
            self.logger.warning("no parameter table of adapter %s on %s", self.adapter.name, response.url)
            return [LAYOUT_DRIFT]
        return []

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """Sitemap or sitemap index, plain or gzip, XML, feed or text (crawler/sitemaps.py): each URL is
        followed (nested sitemaps recursively); one that cannot be read fails with its reason
        (sitemap_too_large, sitemap_corrupt, sitemap_encoding, sitemap_format), one read only in part follows
        what it read and fails as sitemap_malformed."""
        settings = getattr(getattr(self, "crawler", None), "settings", None)
        maxsize = (
            settings.getint("MARKWATCH_SITEMAP_MAXSIZE", DEFAULT_SITEMAP_MAXSIZE)
            if settings is not None
            else DEFAULT_SITEMAP_MAXSIZE
        )
        try:
            # The encodings ContentCodingMiddleware left undone; a response built without a request (a saved
            # sitemap read by hand) has none.
            meta = response.request.meta if response.request is not None else {}
            encodings = tuple(meta.get(SITEMAP_ENCODINGS) or ())
            content = read_sitemap(sitemap_xml(response.body, max_size=maxsize, content_encodings=encodings))
        except SitemapError as exc:
            yield self._sitemap_failed(response, exc)
            return
        for url in content.urls:
            yield from self.follow(
                response, url, self.parse_sitemap if content.nested else self.parse_listing
            )
        if content.problem is not None:
            yield self._sitemap_failed(response, content.problem)
            return
        yield UrlOutcome(requested_url(response), "skipped", "sitemap", entry=entry_of(response))

    def _sitemap_failed(self, response: Response, exc: SitemapError) -> UrlOutcome:
        self._stats().inc_value(f"markwatch/failed/{exc.reason}")
        self.logger.warning("sitemap %s not read: %s", response.url, exc)
        return UrlOutcome(requested_url(response), "failed", exc.reason, entry=entry_of(response))

    def refresh(self, response: Response, callback: Any) -> Iterator[scrapy.Request]:
        """A <meta http-equiv=refresh> target, as a request of its own under the same rules as a link (read
        as the checker reads the page, like links)."""
        if not is_html(response):
            return
        try:
            _interval, url = get_meta_refresh(cast(TextResponse, readable(response)))
        except ValueError:  # a malformed refresh target (url=http://[bad/): followed by no browser either
            self._stats().inc_value(STAT_BAD_URL)
            self.logger.info("malformed meta refresh target on %s: not followed", response.url)
            return
        if url:
            yield from self.follow(response, url, callback)

    def page_item(
        self,
        response: Response,
        kind: str,
        notes: list[str] | None = None,
        images: list[dict[str, Any]] | None = None,
        scan_images: bool = False,
    ) -> PageItem:
        """The page as evidence (with the product images it shows, requested just before)."""
        item = PageItem(
            requested_url=requested_url(response),
            final_url=response.url,
            status=response.status,
            headers=flat_headers(response.headers),
            body=response.body,
            fetched_at=dt.datetime.now(dt.UTC),
            declared_charset=declared_charset(response),
            kind=kind,
            seller=self.seller(response),
            notes=notes or [],
            entry=entry_of(response),
            images=images or [],
            scan_images=scan_images,
        )
        unverified = end_unseen(response)
        if unverified is not None:
            item.warnings.append(unverified)
        return item

    def seller(self, response: Response) -> str | None:
        """The first non-empty text at the adapter's seller selectors, whitespace collapsed (read as the
        checker reads the page: crawler/decoding.py)."""
        if not is_html(response) or not self.adapter.seller:
            return None
        page = readable(response)
        for selector in self.adapter.seller:
            for node in page.css(selector):
                text = " ".join(" ".join(node.css("::text").getall()).split())
                if text:
                    return text[:SELLER_MAX_CHARS]
        return None

    def follow(self, response: Response, href: str, callback: Any) -> Iterator[scrapy.Request]:
        """A request for href (the scheduler records off-site, too deep or over budget links as skipped)."""
        try:
            url = query_in_page_encoding(
                urldefrag(response.urljoin(href.strip()))[0], page_encoding(response)
            )
            scheme = urlsplit(url).scheme
            if scheme in ("http", "https"):
                scrapy.Request(url)  # Scrapy's own checks (a port out of range…) before anything is yielded
        except ValueError:
            # http://[invalid/x, a port of 99999: no browser follows it either. One such link must not cost
            # the page its evidence (the exception made the whole page a parse error) nor the links after it.
            self._stats().inc_value(STAT_BAD_URL)
            runtime = self._runtime()
            if runtime is not None:
                runtime.refuse_link(href.strip()[:2000], "bad_url")
            return
        if scheme not in ("http", "https"):
            self._stats().inc_value(STAT_NON_HTTP)
            runtime = self._runtime()
            if runtime is not None:
                runtime.refuse_link(url, "non_http")  # mailto:, javascript:, ftp: ... counted, not fetched
            return
        if not self.budget_left():
            # Still recorded: a link seen after the page budget was spent is "skipped: page_limit" in the
            # ledger, like one the scheduler refused, never missing from it; unless no budget would ever have
            # fetched it (off-site, a metadata address, too deep): then that is its reason, as before the
            # budget ran out.
            runtime = self._runtime()
            if runtime is not None:
                canonical = runtime.canonical(url)
                depth = int(response.meta.get("depth", 0)) + 1  # as DepthMiddleware would set it
                runtime.refuse_link(
                    canonical, link_refusal(canonical, self.target, depth=depth) or "page_limit"
                )
            return
        yield scrapy.Request(url, callback=callback, errback=self.on_error)

    def budget_left(self) -> bool:
        """Whether the sweep's page budget still takes URLs (once spent, links are not even followed)."""
        runtime = self._runtime()
        return True if runtime is None else bool(runtime.budget_left())

    def _runtime(self) -> Any:
        return getattr(getattr(self, "crawler", None), "_markwatch_runtime", None)

    def links(self, response: Response, selectors: list[str]) -> list[str]:
        """href values of <a> elements matched by any selector (the element itself or its <a> descendants),
        read as the checker reads the page: a GBK page declared UTF-8 keeps its Chinese search links."""
        if not is_html(response) or not selectors:
            return []
        page = readable(response)
        found: list[str] = []
        for selector in selectors:
            for node in page.css(selector):
                found.extend(node.xpath("self::a/@href | .//a/@href").getall())
        return list(dict.fromkeys(found))

    def _stats(self) -> Any:
        stats = self.crawler.stats
        assert stats is not None
        return stats

    def on_error(self, failure: Failure) -> Iterator[UrlOutcome]:
        """What became of a request that gave no page: skipped (robots.txt, off-site, ...) or failed."""
        request = getattr(failure, "request", None)
        if request is None:
            return
        url = request.meta.get(META_URL) or request.url
        refused = failure.value
        if isinstance(refused, SkipRequest):
            state, reason = refused.state, refused.reason
        else:
            state, reason = "failed", error_kind(failure)
            if reason == "too_large" and is_sitemap_request(request):
                # Past MARKWATCH_SITEMAP_MAXSIZE on the wire, or once decompressed (a deflate or brotli
                # Content-Encoding, which Scrapy still decodes): the reason a .xml.gz bomb gets.
                reason = "sitemap_too_large"
        image = bool(request.meta.get(META_IMAGE))
        self._stats().inc_value(STAT_FAILED if image else f"markwatch/{state}/{reason}")
        self.logger.info("%s (%s): %s", state, reason, url)
        yield UrlOutcome(
            url, state, reason, entry=request.meta.get(META_ENTRY), kind="image" if image else "page"
        )


# A page whose end could not be told from a cut: checked, kept as evidence, never read as the whole page.
BODY_END_UNSEEN = "body-end-unseen"
# How far from the end of a body its closing </html> tag is looked for (trailing comments, scripts, padding).
_END_TAIL = 4096


def end_unseen(response: Response) -> dict[str, str] | None:
    """The warning of a body that may have been cut short unseen: the server gave no length (no
    Content-Length, not chunked) and ended it by closing the connection, which Twisted cannot tell from a
    connection reset mid-body (Scrapy flags such a response "partial"), and the document's closing </html>
    did not arrive. None for a body whose length was given, or whose end was seen."""
    if "partial" not in response.flags or b"</html" in response.body[-_END_TAIL:].lower():
        return None
    return {
        "code": BODY_END_UNSEEN,
        "message": "the server ended the page by closing the connection without saying its length, and the "
        "page stops before </html>: it may have been cut short",
    }


def entry_of(response: Response) -> Any:
    """The frontier entry the response answers."""
    return response.request.meta.get(META_ENTRY) if response.request is not None else None


def error_kind(failure: Failure) -> str:
    """A short stable name for why a request failed."""
    from scrapy.exceptions import IgnoreRequest

    if failure.check(HttpError):
        return f"http_{getattr(failure.value, 'response').status}"  # noqa: B009 - HttpError lacks types
    if failure.check(IgnoreRequest):
        # Scrapy's own refusals say why only in their message: name the two a sweep meets.
        message = str(failure.value)
        if "max redirections" in message:
            return "too_many_redirects"
        if "during decompression" in message:
            return "too_large"  # a compressed body past the size limit once decompressed (a gzip bomb)
        return "ignored"
    if failure.check(ResponseFailed, ResponseNeverReceived):
        reasons = getattr(failure.value, "reasons", None) or []
        if any(r.check(HeadersTooLarge) for r in reasons):
            return "headers_too_large"
        # Twisted refused what the server sent (a status line without a number, conflicting or non-numeric
        # Content-Length headers, a header line without a colon): the server answered, not in HTTP.
        if any(r.check(ParseError, ValueError) for r in reasons):
            return "bad_response"
        if failure.check(ResponseNeverReceived):
            return "no_response"
        # The connection ended inside the body: shorter than its Content-Length or a chunked body cut before
        # its last chunk (DOWNLOAD_FAIL_ON_DATALOSS) is "truncated"; reset or dropped otherwise.
        return "truncated" if any(r.check(_DataLoss) for r in reasons) else "connection_lost"
    if failure.check(ConnectionLost, ConnectionDone):
        return "connection_lost"
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
    """The sweep URL the response answers (its canonical URL as queued, before any redirect)."""
    request = response.request
    if request is not None and request.meta.get(META_URL):
        return str(request.meta[META_URL])
    chain = response.meta.get("redirect_urls") if request is not None else None
    return str(chain[0]) if chain else str(response.url)


def _readable_page(response: Response) -> bool:
    content_type = response.headers.get(b"Content-Type")
    return unreadable_reason(response.body, content_type.decode("latin-1") if content_type else None) is None


def is_html(response: Response) -> bool:
    """Whether Scrapy could read the body as text (binary bodies are not parsed for links)."""
    return hasattr(response, "css") and hasattr(response, "text")
