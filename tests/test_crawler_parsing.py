"""Spiders and middlewares offline: saved responses, a frozen clock, one assertion per field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.decoding import declared_charset
from crawler.frontier.local import LocalFrontier
from crawler.images.scan import ImageScans
from crawler.items import PageItem, UrlOutcome
from crawler.middlewares import LinkGuardMiddleware, RedirectGuardMiddleware, SkipRequest, retry_after_seconds
from crawler.spiders.base import STAT_LAYOUT_DRIFT, STAT_NON_HTTP, requested_url
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.spiders.site import SiteSpider
from crawler.targets import Target

DEMO = Path(__file__).resolve().parent.parent / "markwatch" / "demo_site" / "pages"


def _target(adapter: str, max_pages: int = 100) -> Target:
    return Target(
        name="t",
        seeds=[{"url": "http://127.0.0.1:9/", "kind": "listing"}],  # type: ignore[list-item]
        allowed_domains=["127.0.0.1"],
        adapter=adapter,
        max_pages=max_pages,
    )


class _Stats:
    """The part of Scrapy's stats collector spiders and middlewares use (no reactor in this process)."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def get_value(self, key: str) -> int | None:
        return self.values.get(key)


def _spider(cls: Any, adapter: str, max_pages: int = 100) -> Any:
    spider = cls(target=_target(adapter, max_pages))
    spider.crawler = SimpleNamespace(stats=_Stats())
    return spider


def _response(name: str, charset: str = "utf-8") -> HtmlResponse:
    url = f"http://127.0.0.1:9/{name}"
    return HtmlResponse(
        url, body=(DEMO / name).read_bytes(), headers={"Content-Type": f"text/html; charset={charset}"},
        request=Request(url),
    )  # fmt: skip


def test_marketplace_listing_yields_page_items_and_next() -> None:
    out = list(_spider(MarketplaceSpider, "demo-marketplace").parse_listing(_response("index.html")))
    items = [o for o in out if isinstance(o, PageItem)]
    urls = [o.url for o in out if isinstance(o, Request)]
    assert [i.kind for i in items] == ["listing"]
    assert "http://127.0.0.1:9/item/tmall-cup.html" in urls
    assert "http://127.0.0.1:9/private/draft.html" in urls  # robots.txt, not the spider, refuses it
    assert "http://127.0.0.1:9/list-2.html" in urls


def test_marketplace_jd_and_plain_layouts() -> None:
    urls = [o.url for o in _spider(MarketplaceSpider, "demo-marketplace").parse_listing(_response("list-2.html"))
            if isinstance(o, Request)]  # fmt: skip
    assert {u.rsplit("/", 1)[1] for u in urls} == {
        "jd-seat.html", "jd-toothbrush.html", "maker-purifier.html", "maker-robot.html", "maker-kettle.html",
    }  # fmt: skip


def test_item_page_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

    class FrozenDateTime(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return frozen

    monkeypatch.setattr("crawler.spiders.base.dt.datetime", FrozenDateTime)
    (item,) = list(
        _spider(MarketplaceSpider, "demo-marketplace").parse_item(_response("item/jd-seat.html", "gbk"))
    )
    assert item.fetched_at == frozen
    assert item.declared_charset == "gbk"
    assert item.kind == "item"
    assert item.requested_url == item.final_url == "http://127.0.0.1:9/item/jd-seat.html"
    assert b"Q/DEMO 0002-2023" in item.body


def test_page_budget_is_spent_when_urls_are_accepted() -> None:
    frontier = LocalFrontier(max_pages=2)
    request = Request("http://127.0.0.1:9/a", meta={"markwatch_url": "http://127.0.0.1:9/a"})
    assert frontier.push_new("http://127.0.0.1:9/a", request, {}) == "queued"
    assert frontier.push_new("http://127.0.0.1:9/a", request, {}) == "dup"
    assert (
        frontier.push_new("http://127.0.0.1:9/b", request.replace(url="http://127.0.0.1:9/b"), {}) == "queued"
    )
    assert not frontier.budget_left()
    assert (
        frontier.push_new("http://127.0.0.1:9/c", request.replace(url="http://127.0.0.1:9/c"), {}) == "limit"
    )
    taken = frontier.take(None)
    assert taken is not None and taken.url == "http://127.0.0.1:9/a" and frontier.in_flight() == 1
    frontier.ack(taken.entry)
    assert frontier.in_flight() == 0


def test_a_page_is_yielded_after_the_links_it_holds() -> None:
    # The sweep must know of a page's links before the page is stored and its entry acknowledged.
    out = list(_spider(MarketplaceSpider, "demo-marketplace").parse_listing(_response("index.html")))
    assert isinstance(out[-1], PageItem) and all(isinstance(o, Request) for o in out[:-1])


ITEM_WITH_IMAGES = """<html><body><div class="desc"><p>执行标准：T/DEMO 001-2022</p>
<img data-src="http://cdn.example/a.jpg"><img src="/b.png"></div></body></html>"""


def test_an_item_s_images_are_found_later_with_a_local_frontier() -> None:
    url = "http://127.0.0.1:9/item/1.html"
    response = HtmlResponse(url, body=ITEM_WITH_IMAGES.encode(), encoding="utf-8", request=Request(url))
    # No sweep runtime (as in a cluster worker): the images are requested with the page, before its item.
    spider = _spider(MarketplaceSpider, "demo-marketplace")
    out = list(spider.parse_item(response))
    assert [o.url for o in out[:-1]] == ["http://cdn.example/a.jpg", "http://127.0.0.1:9/b.png"]
    assert all(o.headers.get("Referer") == url.encode() and o.priority < 0 for o in out[:-1])
    assert [i["url"] for i in out[-1].images] == [o.url for o in out[:-1]]
    # A local frontier's runtime scans stored pages for images (crawler/images/scan.py): the page alone,
    # marked for that scan; nothing found or counted yet.
    spider = _spider(MarketplaceSpider, "demo-marketplace")
    scans = ImageScans()
    spider.crawler._markwatch_runtime = SimpleNamespace(image_scans=scans, budget_left=lambda: True)
    [item] = list(spider.parse_item(response))
    assert isinstance(item, PageItem) and item.scan_images and item.images == []
    assert "markwatch/images/found" not in spider.crawler.stats.values
    # A listing's images are not evidence: nothing to scan.
    [listing] = [o for o in spider.parse_listing(_response("index.html")) if isinstance(o, PageItem)]
    assert not listing.scan_images


def test_site_spider_drops_non_http_links() -> None:
    spider = _spider(SiteSpider, "generic")
    body = b"<a href='mailto:a@b.c'>m</a><a href='javascript:x()'>j</a><a href='/ok.html'>ok</a>"
    response = HtmlResponse("http://127.0.0.1:9/", body=body, request=Request("http://127.0.0.1:9/"))
    urls = [o.url for o in spider.parse_listing(response) if isinstance(o, Request)]
    assert urls == ["http://127.0.0.1:9/ok.html"]
    assert spider.crawler.stats.get_value(STAT_NON_HTTP) == 2


def test_requested_url_and_declared_charset() -> None:
    request = Request("http://127.0.0.1:9/b", meta={"redirect_urls": ["http://127.0.0.1:9/a"]})
    response = Response(
        "http://127.0.0.1:9/b", headers={"Content-Type": "text/html; charset=GBK"}, request=request
    )
    assert requested_url(response) == "http://127.0.0.1:9/a"
    assert declared_charset(response) == "gbk"


def test_retry_after_parsing() -> None:
    now = 1_700_000_000.0
    assert retry_after_seconds(b"7", now) == 7.0
    assert retry_after_seconds(b"Tue, 14 Nov 2023 22:13:30 GMT", now) == pytest.approx(10.0)
    assert retry_after_seconds(b"soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_guards_refuse_offsite_loops_and_metadata_addresses() -> None:
    spider = _spider(SiteSpider, "generic")
    with pytest.raises(SkipRequest) as offsite:
        LinkGuardMiddleware().process_request(Request("http://elsewhere.invalid/"), spider)
    assert (offsite.value.reason, offsite.value.state) == ("offsite", "skipped")
    with pytest.raises(SkipRequest) as metadata:
        LinkGuardMiddleware().process_request(Request("http://169.254.169.254/latest/"), spider)
    assert metadata.value.reason == "forbidden_address" and "169.254" not in str(metadata.value)
    guard = RedirectGuardMiddleware()
    loop_request = Request("http://127.0.0.1:9/b", meta={"redirect_urls": ["http://127.0.0.1:9/a"]})
    with pytest.raises(SkipRequest, match="loop") as loop:
        guard.process_response(
            loop_request, Response(loop_request.url, status=302, headers={"Location": "/a"}), spider
        )
    assert (loop.value.reason, loop.value.state) == ("redirect_loop", "failed")
    for location in (
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/latest/",
        "http://[::ffff:169.254.1.1]/",
    ):
        with pytest.raises(SkipRequest, match="forbidden_address"):
            guard.process_response(
                loop_request, Response(loop_request.url, status=302, headers={"Location": location}), spider
            )
    fine = Response(loop_request.url, status=302, headers={"Location": "/c"})
    assert guard.process_response(loop_request, fine, spider) is fine


def test_a_raw_utf8_location_is_read_as_the_redirect_will_request_it() -> None:
    # Servers send non-ASCII Location bytes raw; RedirectMiddleware requests them as UTF-8, percent-encoded.
    # Read as Latin-1 the guard compared mojibake with the chain and missed the loop.
    spider = _spider(SiteSpider, "generic")
    here = "http://127.0.0.1:9/%E4%B8%AD"
    request = Request(here, meta={"redirect_urls": ["http://127.0.0.1:9/a"]})
    looping = Response(here, status=302, headers={"Location": "/中".encode()})
    with pytest.raises(SkipRequest, match="loop") as loop:
        RedirectGuardMiddleware().process_response(request, looping, spider)
    assert (loop.value.reason, str(loop.value).endswith(here)) == ("redirect_loop", True)


def test_a_refused_request_becomes_its_urls_outcome() -> None:
    from twisted.python.failure import Failure

    spider = _spider(SiteSpider, "generic")
    request = Request(
        "http://127.0.0.1:9/x", meta={"markwatch_url": "http://127.0.0.1:9/x", "markwatch_entry": 7}
    )
    failure = Failure(SkipRequest("robots", "forbidden by robots.txt"))
    failure.request = request  # type: ignore[attr-defined]
    (outcome,) = list(spider.on_error(failure))
    assert outcome == UrlOutcome("http://127.0.0.1:9/x", "skipped", "robots", entry=7)


def test_sitemap_and_sitemap_index() -> None:
    from scrapy.http import XmlResponse

    spider = _spider(SiteSpider, "generic")
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = f"<urlset xmlns='{ns}'><url><loc> http://127.0.0.1:9/a.html </loc></url><url><loc>mailto:x@y.z</loc></url></urlset>"
    index = (
        f"<sitemapindex xmlns='{ns}'><sitemap><loc>http://127.0.0.1:9/s2.xml</loc></sitemap></sitemapindex>"
    )
    pages = [
        r
        for r in spider.parse_sitemap(XmlResponse("http://127.0.0.1:9/s.xml", body=urlset.encode()))
        if isinstance(r, Request)
    ]
    nested = list(spider.parse_sitemap(XmlResponse("http://127.0.0.1:9/i.xml", body=index.encode())))
    assert isinstance(nested.pop(), UrlOutcome)  # the sitemap itself: skipped, "sitemap", not a page
    assert [(r.url, r.callback.__name__) for r in pages] == [("http://127.0.0.1:9/a.html", "parse_listing")]
    assert [(r.url, r.callback.__name__) for r in nested] == [("http://127.0.0.1:9/s2.xml", "parse_sitemap")]


def test_item_carries_the_seller_where_the_adapter_says_it_sits() -> None:
    spider = _spider(MarketplaceSpider, "demo-marketplace")
    (tmall,) = list(spider.parse_item(_response("item/tmall-bike.html")))
    (jd,) = list(spider.parse_item(_response("item/jd-seat.html", "gbk")))
    assert tmall.seller == "演示旗舰店（虚构）"
    assert jd.seller == "演示京东自营店（虚构）"
    # The generic adapter knows no shop header: no guess.
    (plain,) = list(_spider(MarketplaceSpider, "generic").parse_item(_response("item/tmall-bike.html")))
    assert plain.seller is None


def test_item_without_the_adapter_s_parameter_table_counts_as_layout_drift() -> None:
    spider = _spider(MarketplaceSpider, "demo-marketplace")
    list(spider.parse_item(_response("item/tmall-bike.html")))
    assert spider.crawler.stats.values.get(STAT_LAYOUT_DRIFT) is None
    changed = HtmlResponse(
        "http://127.0.0.1:9/item/redesigned.html",
        body="<html><body><div class='new-params'>执行标准：T/DEMO 001-2022</div></body></html>".encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request("http://127.0.0.1:9/item/redesigned.html"),
    )
    (item,) = list(spider.parse_item(changed))  # the page is still kept and checked
    assert item.final_url.endswith("redesigned.html")
    assert spider.crawler.stats.values[STAT_LAYOUT_DRIFT] == 1
    # A PDF served as text fails as not_html: it has no layout to drift from.
    pdf = HtmlResponse(
        "http://127.0.0.1:9/item/manual.html",
        body=b"%PDF-1.4\n" + bytes(range(32)) * 40,
        headers={"Content-Type": "text/html"},
        request=Request("http://127.0.0.1:9/item/manual.html"),
    )
    list(spider.parse_item(pdf))
    assert spider.crawler.stats.values[STAT_LAYOUT_DRIFT] == 1


REALPAGES = Path(__file__).resolve().parent / "data" / "realpages"


@pytest.mark.parametrize(
    ("adapter", "page", "charset", "seller"),
    [
        ("tmall", "tmall_item_01.html", "utf-8", "苏宁易购官方旗舰店"),
        ("tmall", "tmall_item_01_gbk.html", "gb18030", "苏宁易购官方旗舰店"),
        ("taobao", "taobao_item_01.html", "utf-8", "怡科外设KBDfans"),
        ("jd", "jd_item_01_gbk.html", "gbk", None),  # the 2014 template has no shop header
        ("jd", "jd_item_02_derived_jsp.html", "utf-8", "荣耀京东自营旗舰店"),
    ],
)
def test_real_marketplace_pages_match_their_adapters(
    adapter: str, page: str, charset: str, seller: str
) -> None:
    url = f"http://127.0.0.1:9/{page}"
    response = HtmlResponse(url, body=(REALPAGES / page).read_bytes(), encoding=charset, request=Request(url))
    spider = _spider(MarketplaceSpider, adapter)
    (item,) = [out for out in spider.parse_item(response) if isinstance(out, PageItem)]  # then its images
    assert item.seller == seller
    assert spider.crawler.stats.values.get(STAT_LAYOUT_DRIFT) is None


def test_a_name_resolving_to_a_metadata_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from twisted.internet import defer, reactor

    from crawler.middlewares import AddressGuardMiddleware

    answers = {"metadata.example": "169.254.169.254", "shop.example": "93.184.216.34"}
    monkeypatch.setattr(reactor, "resolve", lambda host: defer.succeed(answers[host]), raising=False)
    guard, spider = AddressGuardMiddleware(), _spider(SiteSpider, "generic")
    failures: list[object] = []
    refused = guard.process_request(Request("http://metadata.example/latest/"), spider)
    assert refused is not None
    refused.addErrback(failures.append)
    assert failures and failures[0].check(SkipRequest)  # type: ignore[attr-defined]
    assert failures[0].value.reason == "forbidden_address"  # type: ignore[attr-defined]
    assert "169.254" not in str(failures[0].value)  # type: ignore[attr-defined]
    allowed = guard.process_request(Request("http://shop.example/item"), spider)
    assert allowed is not None and allowed.result is None  # type: ignore[attr-defined]
    with pytest.raises(SkipRequest):  # the verdict is kept for the host
        guard.process_request(Request("http://metadata.example/other"), spider)
    assert guard.process_request(Request("http://127.0.0.1:9/"), spider) is None  # literals: LinkGuard's job


def test_an_over_long_link_is_recorded_not_fetched() -> None:
    from crawler.ledger import Discovery
    from sweeps.scheduler import URL_MAX, FrontierScheduler

    class Runtime:
        def __init__(self) -> None:
            self.target = _target("generic")
            self.frontier = LocalFrontier(100)
            self.found: list[Discovery] = []

        def canonical(self, url: str) -> str:
            return url

        def discover(self, discovery: Discovery) -> None:
            self.found.append(discovery)

    scheduler = FrontierScheduler.__new__(FrontierScheduler)
    runtime = Runtime()
    scheduler.runtime, scheduler.stats, scheduler.spider = runtime, _Stats(), _spider(SiteSpider, "generic")  # type: ignore[assignment]
    long_url = "http://127.0.0.1:9/" + "a" * URL_MAX
    assert scheduler.enqueue_request(Request(long_url)) is False
    [found] = runtime.found
    assert found.state == "skipped" and found.reason == "url_too_long" and len(found.url) < 2000


@pytest.mark.parametrize(
    ("adapter", "thumbnail", "full"),
    [
        ("tmall", "https://img.alicdn.com/i1/x.jpg_60x60q90.jpg", "https://img.alicdn.com/i1/x.jpg"),
        ("taobao", "https://gd3.alicdn.com/i3/y.jpg_400x400.jpg", "https://gd3.alicdn.com/i3/y.jpg"),
        ("jd", "http://img11.360buyimg.com/n5/g14/z.jpg", "http://img11.360buyimg.com/n1/g14/z.jpg"),
        ("jd", "http://img11.360buyimg.com/n1/g14/z.jpg", "http://img11.360buyimg.com/n1/g14/z.jpg"),
    ],
)
def test_adapters_turn_gallery_thumbnails_into_full_size_images(
    adapter: str, thumbnail: str, full: str
) -> None:
    from crawler.adapters import get_adapter
    from crawler.images.collect import rewritten

    assert rewritten(thumbnail, list(get_adapter(adapter).image_rewrites)) == full


def test_real_item_pages_yield_requests_for_their_gallery_and_detail_images() -> None:
    from crawler.frontier import META_IMAGE

    url = "https://detail.tmall.com/item.htm?id=1"
    response = HtmlResponse(
        url, body=(REALPAGES / "tmall_item_01.html").read_bytes(), encoding="utf-8", request=Request(url)
    )
    spider = _spider(MarketplaceSpider, "tmall")
    out = list(spider.parse_item(response))
    assert isinstance(out[-1], PageItem)  # the requests first, then exactly one item for the page
    page = out[-1]
    requests = [o for o in out if isinstance(o, Request)]
    assert {image["area"] for image in page.images} >= {"gallery", "detail"}
    assert [image["url"] for image in page.images] == [r.url for r in requests]
    assert requests and all(r.meta[META_IMAGE] and r.headers.get("Referer") == url.encode() for r in requests)
    assert all(r.callback == spider.parse_image and r.errback == spider.on_error for r in requests)
    assert not any("_60x60" in r.url for r in requests)  # thumbnails fetched at full size


def test_image_requests_are_ledger_urls_on_the_image_hosts_outside_the_page_budget() -> None:
    from crawler.frontier import META_IMAGE
    from crawler.ledger import Discovery
    from sweeps.scheduler import FrontierScheduler

    class Runtime:
        def __init__(self) -> None:
            self.target = _target("tmall", 1).model_copy(
                update={"allowed_domains": ["tmall.com"], "image_domains": ["alicdn.com"], "max_depth": 1}
            )
            self.frontier = LocalFrontier(1)
            self.found: list[Discovery] = []

        def canonical(self, url: str) -> str:
            return url

        def discover(self, discovery: Discovery) -> None:
            self.found.append(discovery)

    scheduler = FrontierScheduler.__new__(FrontierScheduler)
    runtime = Runtime()
    scheduler.runtime, scheduler.stats, scheduler.spider = (
        runtime,
        _Stats(),
        _spider(MarketplaceSpider, "tmall"),
    )  # type: ignore[assignment]
    deep = {"depth": 5}
    image = {META_IMAGE: True, **deep}
    assert scheduler.enqueue_request(
        Request("https://detail.tmall.com/item.htm?id=2")
    )  # the one page allowed
    assert scheduler.enqueue_request(Request("https://img.alicdn.com/a.jpg", meta=dict(image)))
    assert scheduler.enqueue_request(Request("https://detail.tmall.com/b.jpg", meta=dict(image)))
    assert not scheduler.enqueue_request(Request("https://img.alicdn.com/page.html", meta=dict(deep)))
    assert not scheduler.enqueue_request(Request("https://tracker.example/c.jpg", meta=dict(image)))
    assert not scheduler.enqueue_request(Request("https://detail.tmall.com/item.htm?id=3"))
    found = {(d.url.rsplit("/", 1)[-1], d.state, d.reason, d.kind) for d in runtime.found}
    assert found == {
        ("item.htm?id=2", "queued", None, "page"),
        ("a.jpg", "queued", None, "image"),  # an image CDN of the target, past the depth limit, no budget
        ("b.jpg", "queued", None, "image"),
        ("page.html", "skipped", "offsite", "page"),  # image hosts serve images, never pages
        ("c.jpg", "skipped", "offsite", "image"),  # recorded, so its sighting ends with a reason
        ("item.htm?id=3", "skipped", "page_limit", "page"),
    }


class _Slot:
    """What the scheduler reads of a Scrapy download slot."""

    def __init__(self, delay: float, queued: int = 0, transferring: int = 0, concurrency: int = 2) -> None:
        self.delay, self.concurrency = delay, concurrency
        self.queue = [object()] * queued
        self.transferring = {object() for _ in range(transferring)}


class _Downloader:
    def __init__(self, slots: dict[str, _Slot]) -> None:
        self.slots = slots
        self.active: set[Request] = set()

    def get_slot_key(self, request: Request) -> str:
        return urlsplit(request.url).hostname or ""


@pytest.mark.parametrize(
    ("page_slot", "image_slot", "image_host", "expected"),
    [
        (None, None, "cdn.example", "page"),  # nothing waits for the page's host: pages first
        (_Slot(1.0, queued=1), None, "cdn.example", "image"),  # a page waits out the delay: an image meanwhile
        (_Slot(0.0, queued=3, transferring=2), None, "cdn.example", "page"),  # saturated: waits for a connection
        (_Slot(1.0, queued=1, transferring=2), None, "cdn.example", "page"),  # all connections busy
        (_Slot(1.0, queued=1), _Slot(1.0, queued=1), "cdn.example", "page"),  # the image host has one waiting
        (_Slot(1.0, queued=1), None, "shop.example", "page"),  # same host: it would go before the page
    ],
)  # fmt: skip
def test_an_image_goes_beside_pages_only_while_their_host_waits_out_its_delay(
    page_slot: _Slot | None, image_slot: _Slot | None, image_host: str, expected: str
) -> None:
    from crawler.frontier import META_IMAGE, META_URL
    from sweeps.scheduler import FrontierScheduler

    frontier = LocalFrontier(10)
    page = Request("https://shop.example/item/2.html", meta={META_URL: "https://shop.example/item/2.html"})
    image_url = f"https://{image_host}/a.jpg"
    image = Request(image_url, priority=-10, meta={META_IMAGE: True, META_URL: image_url})
    frontier.push_new(page.url, page, {})
    frontier.push_new(image_url, image, {})
    slots = {k: v for k, v in (("shop.example", page_slot), ("cdn.example", image_slot)) if v is not None}
    scheduler = FrontierScheduler.__new__(FrontierScheduler)
    scheduler.runtime = SimpleNamespace(  # type: ignore[assignment]
        frontier=frontier, image_backlog=None, taking_allowed=lambda: True
    )
    scheduler.crawler = SimpleNamespace(engine=SimpleNamespace(downloader=_Downloader(slots), scraper=None))
    scheduler.stats, scheduler.spider = _Stats(), _spider(MarketplaceSpider, "demo-marketplace")
    taken = scheduler.next_request()
    assert taken is not None and taken.url == (image_url if expected == "image" else page.url)
    assert (
        scheduler.next_request() is not None and scheduler.next_request() is None
    )  # the other one, then none


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("max redirections reached", "too_many_redirects"),
        (
            "Ignored response <200 http://x/> because its body (1000 B compressed, 2000000 B decompressed so far) "
            "exceeded DOWNLOAD_MAXSIZE (1000000 B) during decompression.",
            "too_large",
        ),
        ("something else", "ignored"),
    ],
)
def test_scrapys_own_refusals_are_named(message: str, reason: str) -> None:
    # A gzip bomb and a redirect chain past the limit were both recorded as "ignored".
    from scrapy.exceptions import IgnoreRequest
    from twisted.python.failure import Failure

    from crawler.spiders.base import error_kind

    assert error_kind(Failure(IgnoreRequest(message))) == reason
