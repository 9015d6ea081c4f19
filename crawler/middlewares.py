"""Downloader middlewares: robots.txt that waits, link guards, Retry-After retries, snapshot replay on resume."""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.interfaces import IReactorTime

from crawler.targets import host_allowed

log = logging.getLogger(__name__)

STAT_ROBOTS = "markwatch/robots_skipped"
STAT_OFFSITE = "markwatch/dropped/offsite"
STAT_NON_HTTP = "markwatch/dropped/non_http"
STAT_LOOP = "markwatch/dropped/redirect_loop"


class MemoryDupeFilter(RFPDupeFilter):
    """RFPDupeFilter that never persists to JOBDIR (resume re-discovers links from snapshots)."""

    def __init__(self, path: str | None = None, debug: bool = False, **kwargs: Any) -> None:
        super().__init__(None, debug, **kwargs)


def _stats(spider: Spider) -> Any:
    return spider.crawler.stats


def _allowed_domains(spider: Spider, request: Request | None = None) -> list[str]:
    domains = list(getattr(spider, "allowed_domains", None) or [])
    target = getattr(spider, "target", None)
    is_robots = (
        request is not None
        and request.meta.get("dont_obey_robotstxt")
        and request.url.endswith("/robots.txt")
    )
    if request is not None and target is not None and (request.meta.get("markwatch_image") or is_robots):
        # Image CDNs: for image requests (and their hosts' robots.txt) only, never for pages.
        domains += list(target.image_domains)
    return domains


class LinkGuardMiddleware:
    """Drops, and counts, requests that are not http(s) or leave the target's domains."""

    def process_request(self, request: Request, spider: Spider) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            _stats(spider).inc_value(STAT_NON_HTTP)
            raise IgnoreRequest(f"not http(s): {request.url}")
        domains = _allowed_domains(spider, request)
        if domains and not host_allowed(parts.hostname or "", domains):
            _stats(spider).inc_value(STAT_OFFSITE)
            raise IgnoreRequest(f"off-site: {request.url}")


class RedirectGuardMiddleware:
    """Stops redirects that leave the target or loop, before RedirectMiddleware builds the next request."""

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            _stats(spider).inc_value(STAT_NON_HTTP)
            raise IgnoreRequest(f"redirect to non-http {target}")
        domains = _allowed_domains(spider, request)
        if domains and not host_allowed(parts.hostname or "", domains):
            _stats(spider).inc_value(STAT_OFFSITE)
            raise IgnoreRequest(f"redirect off-site to {target}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            _stats(spider).inc_value(STAT_LOOP)
            raise IgnoreRequest(f"redirect loop at {target}")
        return response


class WaitingRobotsTxtMiddleware:
    """robots.txt for every host, and no request to a host goes out before its robots.txt is parsed.

    Scrapy 2.14-2.19 let requests issued while robots.txt was loading skip the check; here each
    request awaits the host's parser. A robots.txt that fails to load or answers 5xx disallows
    the host (a compliance crawler errs on the side of not fetching); a 4xx allows everything.
    """

    def __init__(self, crawler: Any) -> None:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.user_agent: str = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get(
            "USER_AGENT"
        )
        self._parsers: dict[str, ProtegoRobotParser | bool] = {}
        self._waiters: dict[str, list[defer.Deferred[None]]] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> WaitingRobotsTxtMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider) -> defer.Deferred[None] | None:
        if request.meta.get("dont_obey_robotstxt"):
            return None
        return deferred_from_coro(self._check(request, spider))

    async def _check(self, request: Request, spider: Spider) -> None:
        parts = urlsplit(request.url)
        netloc = parts.netloc
        if netloc not in self._parsers:
            waiter: defer.Deferred[None] = defer.Deferred()
            if netloc in self._waiters:
                self._waiters[netloc].append(waiter)
            else:
                self._waiters[netloc] = [waiter]
                deferred_from_coro(self._load(f"{parts.scheme}://{netloc}/robots.txt", netloc))
            await maybe_deferred_to_future(waiter)
        parser = self._parsers[netloc]
        if parser is True:
            return
        if parser is False or not parser.allowed(request.url, self.user_agent):
            _stats(spider).inc_value(STAT_ROBOTS)
            raise IgnoreRequest(f"forbidden by robots.txt: {request.url}")

    async def _load(self, url: str, netloc: str) -> None:
        # allow_offsite: Scrapy's own offsite filter knows only allowed_domains; LinkGuardMiddleware decides
        # (an image CDN's robots.txt is allowed there, other hosts' are not).
        meta = {"dont_obey_robotstxt": True, "allow_offsite": True}
        request = Request(url, meta=meta, callback=NO_CALLBACK, priority=1000)
        try:
            response = await maybe_deferred_to_future(self.crawler.engine.download(request))
            if response.status >= 500:
                self._parsers[netloc] = False
            elif response.status >= 400:
                self._parsers[netloc] = True
            else:
                self._parsers[netloc] = ProtegoRobotParser(response.body, None)
            self.crawler.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        except Exception as exc:
            log.warning("robots.txt for %s unavailable (%s): not fetching from this host", netloc, exc)
        finally:
            self._parsers.setdefault(netloc, False)
            for waiter in self._waiters.pop(netloc, []):
                waiter.callback(None)


class RetryAfterMiddleware:
    """Retries 429/503 (and other transient codes) after Retry-After, else exponential backoff."""

    def __init__(self, settings: Any) -> None:
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.max_times = settings.getint("RETRY_TIMES")
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        return cls(crawler.settings)

    def process_response(self, request: Request, response: Response, spider: Spider) -> Any:
        if response.status not in self.codes or request.meta.get("dont_retry"):
            return response
        retry = get_retry_request(
            request, spider=spider, reason=f"http_{response.status}", max_retry_times=self.max_times
        )
        if retry is None:
            return response
        attempt = retry.meta.get("retry_times", 1)
        delay = retry_after_seconds(response.headers.get(b"Retry-After"), time.time())
        if delay is None:
            delay = self.base * 2 ** (attempt - 1)
        delay = min(delay, self.cap)
        _stats(spider).inc_value(f"markwatch/retry/{response.status}")
        # Imported late: the crawl process must install the asyncio reactor before anything imports one.
        from twisted.internet import reactor, task

        return task.deferLater(cast(IReactorTime, reactor), delay, lambda: retry)

    def process_exception(self, request: Request, exception: Exception, spider: Spider) -> Any:
        if isinstance(exception, IgnoreRequest) or request.meta.get("dont_retry"):
            return None
        if isinstance(exception, defer.CancelledError):
            return None  # DOWNLOAD_MAXSIZE cancels: retrying would download the same oversized body
        return get_retry_request(
            request, spider=spider, reason=type(exception).__name__, max_retry_times=self.max_times
        )


def retry_after_seconds(value: bytes | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


class SnapshotReplayMiddleware:
    """On resume, answers requests for pages this sweep already checked from their stored snapshot."""

    def process_request(self, request: Request, spider: Spider) -> Response | None:
        replay = getattr(spider, "replay", None)
        if replay is None or request.meta.get("dont_obey_robotstxt"):
            return None
        stored = replay(request.url)
        if stored is None:
            return None
        final_url, body, headers = stored
        request.meta["markwatch_replayed"] = True
        return HtmlResponse(final_url, body=body, headers=headers, request=request, status=200)
