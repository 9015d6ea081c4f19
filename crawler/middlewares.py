"""Downloader middlewares: robots.txt that waits, link and address guards, Retry-After retries.

The spacing a host asks for (robots.txt Crawl-delay, a Retry-After) is handed to the crawl's HostPolicy,
which holds back the host's whole download slot (crawler/politeness.py).

A request one of them refuses raises SkipRequest with a reason (and whether it counts as skipped or
failed): the request's errback turns that into the URL's outcome in the sweep's ledger.
"""

from __future__ import annotations

import codecs
import email.utils
import logging
import time
import weakref
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured, StopDownload
from scrapy.http import Response, TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.responsetypes import responsetypes
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import defer
from twisted.internet.interfaces import IReactorTime
from w3lib.url import safe_url_string

from crawler.addresses import forbidden_kind
from crawler.content_coding import content_codings, decode_content, decoded_prefix
from crawler.frontier import META_IMAGE
from crawler.politeness import ROBOTS_TRUNCATED, HostPolicy, HostWarning, robots_spacing
from crawler.sitemaps import DEFAULT_SITEMAP_MAXSIZE, SITEMAP_ENCODINGS, is_sitemap_request
from crawler.targets import host_allowed, origin_refusal
from markwatch.errors import ContentCodingError

log = logging.getLogger(__name__)


class SkipRequest(IgnoreRequest):
    """A request refused on purpose: `state` "skipped" (robots.txt, off-site, ...) or "failed" (a loop)."""

    def __init__(self, reason: str, detail: str, *, state: str = "skipped") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.state = state


def _stats(spider: Spider) -> Any:
    return spider.crawler.stats


def _allowed_domains(spider: Spider, request: Request) -> list[str]:
    domains = list(getattr(spider, "allowed_domains", None) or [])
    target = getattr(spider, "target", None)
    if target is not None and (request.meta.get(META_IMAGE) or request.meta.get(_ROBOTS_META)):
        # The target's image CDNs: for product images (and those hosts' robots.txt) only, never for pages.
        domains += list(target.image_domains)
    return domains


# Marks the robots.txt requests this module makes itself.
_ROBOTS_META = "markwatch_robots"
# The bytes of a robots.txt read (ContentCodingMiddleware decodes that much of a compressed one).
_ROBOTS_LIMIT = "markwatch_robots_limit"
# A robots.txt is read up to this many bytes (RFC 9309 2.5: at least 500 KiB); settings.py says why.
DEFAULT_ROBOTSTXT_MAXSIZE = 500 * 1024


class LinkGuardMiddleware:
    """Refuses requests that are not http(s), leave the target's domains, or name a forbidden address."""

    def process_request(self, request: Request, spider: Spider) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise SkipRequest("non_http", request.url)
        kind = forbidden_kind(parts.hostname or "")
        if kind is not None:
            raise SkipRequest("forbidden_address", f"{kind} address refused")
        domains = _allowed_domains(spider, request)
        if domains and not host_allowed(parts.hostname or "", domains):
            raise SkipRequest("offsite", request.url)


class AddressGuardMiddleware:
    """Refuses a request whose host name resolves to a link-local or metadata address.

    The check uses the reactor's resolver, whose cache then answers the download's own lookup, so the
    address checked is the address connected to."""

    def __init__(self) -> None:
        self._verdicts: dict[str, str | None] = {}

    def process_request(self, request: Request, spider: Spider) -> defer.Deferred[None] | None:
        host = urlsplit(request.url).hostname or ""
        if not host or _is_ip_literal(host):
            return None  # literals are judged by LinkGuardMiddleware without a lookup
        if host in self._verdicts:
            self._refuse(host)
            return None
        return deferred_from_coro(self._resolve_and_check(host))

    async def _resolve_and_check(self, host: str) -> None:
        from twisted.internet import reactor

        try:
            address = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined]
        except Exception:
            return None  # the download reports the DNS failure itself
        self._verdicts[host] = forbidden_kind(str(address))
        self._refuse(host)
        return None

    def _refuse(self, host: str) -> None:
        kind = self._verdicts.get(host)
        if kind is not None:
            raise SkipRequest("forbidden_address", f"{host} resolves to a {kind} address")


def _is_ip_literal(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class RedirectGuardMiddleware:
    """Stops redirects that leave the target (its hosts, or its origins: another port, crawler/targets.py
    origin_refusal), loop or reach a forbidden address, before RedirectMiddleware builds the next request."""

    def process_response(self, request: Request, response: Response, spider: Spider) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        # Read as RedirectMiddleware reads it (UTF-8, unsafe characters percent-encoded): the guard judges the
        # URL that will be requested, and a loop is seen by comparing like with like.
        try:
            target = urljoin(request.url, safe_url_string(location))
        except ValueError:  # w3lib refuses a port out of range (or not a number) before anything is asked
            raise SkipRequest("bad_url", f"redirect to {location!r}: no valid URL", state="failed") from None
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https"):
            raise SkipRequest("redirect_non_http", f"redirect to {target}", state="failed")
        kind = forbidden_kind(parts.hostname or "")
        if kind is not None:
            raise SkipRequest("forbidden_address", f"redirect to a {kind} address")
        domains = _allowed_domains(spider, request)
        if domains and not host_allowed(parts.hostname or "", domains):
            raise SkipRequest("offsite", f"redirect off-site to {target}")
        refused = origin_refusal(
            target, request.url, getattr(spider, "target", None), image=bool(request.meta.get(META_IMAGE))
        )
        if refused == "bad_url":
            raise SkipRequest(refused, f"redirect to {target}: no valid port", state="failed")
        if refused is not None:
            raise SkipRequest(refused, f"redirect to another origin of the host: {target}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise SkipRequest("redirect_loop", f"redirect loop at {target}", state="failed")
        return response


# A decoding failure's kind (crawler/content_coding.py) as a page's ledger reason.
PAGE_CODING_REASONS = {
    "truncated": "truncated",
    "corrupt": "content_corrupt",
    "too_large": "too_large",
    "encoding": "content_encoding",
}
# Failures a second download may not have (the connection cut the body short, or garbled it).
_TRANSIENT_KINDS = frozenset({"truncated", "corrupt"})


class ContentCodingMiddleware:
    """Every response body whole or not at all: its Content-Encoding undone strictly (crawler/content_coding.py),
    a body the connection cut short never passed on as the page.

    Scrapy's HttpCompressionMiddleware decodes gzip, deflate and brotli leniently: a truncated stream gave the
    page (or sitemap, or robots.txt) up to the cut, a bad CRC was ignored, an encoding it cannot decode was
    passed on still encoded. Placed after it (a higher number), this sees the response first and takes the
    Content-Encoding off, so Scrapy's never runs. A page that cannot be decoded whole is downloaded again (a
    cut is often the network's), then fails with its reason (truncated, content_corrupt, content_encoding,
    too_large); a robots.txt that cannot is unavailable, so its host is not crawled.

    A sitemap is bounded by MARKWATCH_SITEMAP_MAXSIZE (the sitemaps protocol's limit), not DOWNLOAD_MAXSIZE,
    and its Content-Encoding is left for crawler/sitemaps.py to undo with a .xml.gz file's own gzip; the
    encodings travel in the request's meta to the spider's parse_sitemap."""

    def __init__(self, max_size: int, sitemap_max_size: int) -> None:
        self.max_size = max_size
        self.sitemap_max_size = sitemap_max_size

    @classmethod
    def from_crawler(cls, crawler: Any) -> ContentCodingMiddleware:
        settings = crawler.settings
        return cls(
            settings.getint("DOWNLOAD_MAXSIZE"),
            settings.getint("MARKWATCH_SITEMAP_MAXSIZE", DEFAULT_SITEMAP_MAXSIZE),
        )

    def process_request(self, request: Request, spider: Spider) -> None:
        if is_sitemap_request(request):
            # Scrapy's download handlers read the body limit from the request: past it the download is
            # cancelled, and the spider's errback names the failure sitemap_too_large.
            request.meta.setdefault("download_maxsize", self.sitemap_max_size)

    def process_response(self, request: Request, response: Response, spider: Spider) -> Request | Response:
        if request.method == "HEAD":
            return response
        encodings = content_codings(response.headers)
        if encodings:
            # Taken off in every case: Scrapy's lenient decoding must never see it.
            del response.headers[b"Content-Encoding"]
        if is_sitemap_request(request):
            # Set even when empty: a retried request carries its meta, and must not inherit an earlier answer's.
            request.meta[SITEMAP_ENCODINGS] = encodings
            return response
        if "dataloss" in response.flags:
            # Only with DOWNLOAD_FAIL_ON_DATALOSS off: Scrapy then passes on a body shorter than its length.
            return self._undecodable(request, spider, "truncated", "body shorter than its Content-Length")
        if not encodings:
            return response
        # 0 turns the download's limit off (a robots.txt, stopped at its own limit), never the decoder's.
        max_size = int(request.meta.get("download_maxsize") or self.max_size)
        try:
            body = decode_content(response.body, encodings, max_size=max_size)
        except ContentCodingError as exc:
            # A robots.txt is read for its beginning only: past its limit, too large or cut on the wire (its
            # download stopped there) is no failure; the robots.txt middleware cuts it and warns.
            limit = request.meta.get(_ROBOTS_LIMIT)
            prefix = decoded_prefix(response.body, encodings, size=limit) if limit else None
            if prefix is None:
                return self._undecodable(request, spider, exc.kind, f"{', '.join(encodings)} body: {exc}")
            body = prefix
        kind = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        changes: dict[str, Any] = {"cls": kind, "body": body}
        if issubclass(kind, TextResponse):
            changes["encoding"] = None  # from the headers and the decoded body, not the compressed bytes
        return response.replace(**changes)

    def _undecodable(self, request: Request, spider: Spider, kind: str, detail: str) -> Request:
        reason = PAGE_CODING_REASONS[kind]
        _stats(spider).inc_value(f"markwatch/content_coding/{reason}")
        if kind in _TRANSIENT_KINDS and not request.meta.get("dont_retry"):
            retry = get_retry_request(request, spider=spider, reason=reason)
            if retry is not None:
                return retry
        raise SkipRequest(reason, f"{request.url}: {detail}", state="failed")


class WaitingRobotsTxtMiddleware:
    """robots.txt for every host, and no request to a host goes out before its robots.txt is parsed.

    Scrapy 2.14-2.19 let requests issued while robots.txt was loading skip the check; here each
    request awaits the host's parser. A robots.txt that fails to load (a body cut short or corrupt too:
    ContentCodingMiddleware), answers 5xx or 429, or a redirect that leads nowhere (no Location, off the
    target's domains, past REDIRECT_MAX_TIMES) disallows the host (a compliance crawler errs on the side of
    not fetching; reason robots_unavailable); any other 4xx allows everything (RFC 9309). Redirects within
    the target's domains are followed. A file is read up to MARKWATCH_ROBOTSTXT_MAXSIZE (RFC 9309 2.5: at
    least the first 500 KiB, the rest may be ignored): a longer one is cut after its last whole line there
    and the sweep warns robots_truncated; one without a whole line there is unavailable. Its Crawl-delay (or
    Request-rate) for our user agent becomes the least spacing of the host's download slot before any other
    request to the host goes out.
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
        self.policy = HostPolicy.of(crawler)
        self.max_size = crawler.settings.getint("MARKWATCH_ROBOTSTXT_MAXSIZE", DEFAULT_ROBOTSTXT_MAXSIZE)
        # Bytes of each robots.txt answer received so far (its download is stopped past the limit).
        self._received: weakref.WeakKeyDictionary[Request, int] = weakref.WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Any) -> WaitingRobotsTxtMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.bytes_received, signal=signals.bytes_received)
        return middleware

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        """Stop a robots.txt download past the limit, keeping what came (Scrapy passes it on as the answer)."""
        if not request.meta.get(_ROBOTS_META):
            return
        # Per request object, not in its meta: a retry or a redirect copies the meta, and would start counting
        # from what an earlier answer received.
        received = self._received[request] = self._received.get(request, 0) + len(data)
        if received > self.max_size:
            raise StopDownload(fail=False)

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
        if parser is False:
            # Not the site's "no": its robots.txt could not be read. Said apart, so an operator sees a host
            # that was never crawled for want of a readable robots.txt.
            raise SkipRequest(
                "robots_unavailable", f"robots.txt of {netloc} could not be read: {request.url}"
            )
        if not parser.allowed(request.url, self.user_agent):
            raise SkipRequest("robots", f"forbidden by robots.txt: {request.url}")

    async def _load(self, url: str, netloc: str) -> None:
        # No DOWNLOAD_MAXSIZE: past it the download fails (a Content-Length saying so, before any byte); the
        # body is stopped at this middleware's own limit instead (bytes_received).
        meta = {
            "dont_obey_robotstxt": True,
            _ROBOTS_META: True,
            "download_maxsize": 0,
            _ROBOTS_LIMIT: self.max_size,
        }
        request = Request(url, meta=meta, callback=NO_CALLBACK, priority=1000)
        try:
            response = await maybe_deferred_to_future(self.crawler.engine.download(request))
            if response.status == 429 or not (200 <= response.status < 300 or 400 <= response.status < 500):
                # 429 is the server asking for less, not "no robots.txt": treated like a 5xx (as Google does).
                # A 3xx left here (no Location) never led to a robots.txt: not read, not "none" either.
                self._parsers[netloc] = False
            elif response.status >= 400:
                self._parsers[netloc] = True
            else:
                body = self._within_limit(response, netloc)
                if body is not None:
                    body = robots_utf8(body)
                    parser = ProtegoRobotParser(body, None)
                    slot = self.crawler.engine.downloader.get_slot_key(request)
                    text = body.decode("utf-8", errors="ignore")  # as Scrapy reads it for Protego
                    self.policy.robots_asked(slot, robots_spacing(parser.rp, self.user_agent, text))
                    self._parsers[netloc] = parser
            self.crawler.stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        except Exception as exc:
            log.warning("robots.txt for %s unavailable (%s): not fetching from this host", netloc, exc)
        finally:
            self._parsers.setdefault(netloc, False)
            for waiter in self._waiters.pop(netloc, []):
                waiter.callback(None)

    def _within_limit(self, response: Response, netloc: str) -> bytes | None:
        """The robots.txt body up to the limit, cut after its last whole line there (a warning when cut);
        None when no whole line fits."""
        body = response.body
        if len(body) <= self.max_size and "download_stopped" not in response.flags:
            return body
        cut = body[: self.max_size]
        cut = cut[: cut.rfind(b"\n") + 1]  # a rule cut mid-path would say something else
        length = response.headers.get(b"Content-Length") or b""
        # A gzip body's Content-Length is the compressed one: the decoded size is then the better figure.
        size = max(int(length) if length.isdigit() else 0, len(body))
        log.warning("robots.txt of %s is %d bytes or more: %d read (MARKWATCH_ROBOTSTXT_MAXSIZE)", netloc,
                    size, len(cut))  # fmt: skip
        if not cut:
            return None
        self.policy.warn(HostWarning(ROBOTS_TRUNCATED, netloc, float(size), float(len(cut))))
        return cut


_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def robots_utf8(body: bytes) -> bytes:
    """A robots.txt as UTF-8 without a byte order mark. RFC 9309 asks for UTF-8, yet files start with a BOM,
    or are UTF-16 marked by one: Protego read the BOM as part of the first field ("\ufeffuser-agent", an
    unknown line), so the group it opened and its Disallow were lost; UTF-16 read as UTF-8 gave no rules."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if body.startswith(mark):
            return body[len(mark) :].decode(codec, errors="ignore").encode("utf-8")
    return body


class RetryAfterMiddleware:
    """Retries 429/503 (and other transient codes) after Retry-After, else exponential backoff.

    A Retry-After longer than RETRY_AFTER_MAX is not waited for (that would hold the sweep for minutes) and
    not cut short (that would be impolite): the page fails with its status, and the next sweep has it.

    A 429 or 503 speaks for the server, not for one page: the host's whole download slot waits its
    Retry-After (at most RETRY_AFTER_MAX; without one, the retry's backoff), set as the response arrives,
    before the downloader sends the slot's next request. One asking more than RETRY_AFTER_MAX is left alone for the time it asked: the
    host's other requests fail host_paused without being sent (crawler/politeness.py PoliteDownloader)."""

    PAUSING = frozenset({429, 503})

    def __init__(self, settings: Any, policy: HostPolicy | None = None) -> None:
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.max_times = settings.getint("RETRY_TIMES")
        self.base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.cap = settings.getfloat("RETRY_AFTER_MAX")
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        middleware = cls(crawler.settings, HostPolicy.of(crawler))
        # response_downloaded comes before the downloader frees the slot and sends its next request;
        # process_response comes after, too late to hold that one back.
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """Pause the response's host for its Retry-After (429/503), bounded by RETRY_AFTER_MAX."""
        if self.policy is None or response.status not in self.PAUSING:
            return
        delay = retry_after_seconds(response.headers.get(b"Retry-After"), time.time())
        if delay is None:
            # No Retry-After (or none readable): the host rests as long as the retry waits, rather than
            # getting its other pages at once from a server that just said "too many requests".
            delay = self.base * 2 ** request.meta.get("retry_times", 0)
        slot = request.meta.get("download_slot")
        if delay and slot is not None:
            self.policy.pause(slot, min(delay, self.cap))
            if delay > self.cap:
                # Longer than this sweep waits: the host's remaining pages fail host_paused unrequested, rather
                # than going out one every RETRY_AFTER_MAX while the server asked for a day's rest.
                self.policy.leave_alone(slot, delay)
            _stats(spider).inc_value(f"markwatch/host_paused/{response.status}")

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
        elif delay > self.cap:
            _stats(spider).inc_value(f"markwatch/retry_after_too_long/{response.status}")
            return response
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
    if text.isascii() and text.isdigit():  # str.isdigit alone takes "\xb2" (superscript two), float() not
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)
