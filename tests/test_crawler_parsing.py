"""Spiders and middlewares offline: saved responses, a frozen clock, one assertion per field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response

from crawler.items import PageItem
from crawler.middlewares import LinkGuardMiddleware, RedirectGuardMiddleware, retry_after_seconds
from crawler.spiders.base import STAT_LAYOUT_DRIFT, declared_charset, requested_url
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.spiders.site import SiteSpider
from crawler.targets import Target

DEMO = Path(__file__).resolve().parent.parent / "crawler" / "demo_site" / "pages"


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


def test_page_limit_stops_items_and_links() -> None:
    spider = _spider(SiteSpider, "generic", max_pages=1)
    first = list(spider.parse_listing(_response("index.html")))
    second = list(spider.parse_listing(_response("list-2.html")))
    assert sum(isinstance(o, PageItem) for o in first) == 1
    assert second == []


def test_site_spider_drops_non_http_links() -> None:
    spider = _spider(SiteSpider, "generic")
    body = b"<a href='mailto:a@b.c'>m</a><a href='javascript:x()'>j</a><a href='/ok.html'>ok</a>"
    response = HtmlResponse("http://127.0.0.1:9/", body=body, request=Request("http://127.0.0.1:9/"))
    urls = [o.url for o in spider.parse_listing(response) if isinstance(o, Request)]
    assert urls == ["http://127.0.0.1:9/ok.html"]
    assert spider.crawler.stats.get_value("markwatch/dropped/non_http") == 2


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


def test_guards_drop_offsite_and_loops() -> None:
    spider = _spider(SiteSpider, "generic")
    with pytest.raises(IgnoreRequest):
        LinkGuardMiddleware().process_request(Request("http://elsewhere.invalid/"), spider)
    guard = RedirectGuardMiddleware()
    loop_request = Request("http://127.0.0.1:9/b", meta={"redirect_urls": ["http://127.0.0.1:9/a"]})
    with pytest.raises(IgnoreRequest, match="loop"):
        guard.process_response(
            loop_request, Response(loop_request.url, status=302, headers={"Location": "/a"}), spider
        )
    fine = Response(loop_request.url, status=302, headers={"Location": "/c"})
    assert guard.process_response(loop_request, fine, spider) is fine
    stats = spider.crawler.stats
    assert stats.get_value("markwatch/dropped/offsite") == 1
    assert stats.get_value("markwatch/dropped/redirect_loop") == 1


def test_sitemap_and_sitemap_index() -> None:
    from scrapy.http import XmlResponse

    spider = _spider(SiteSpider, "generic")
    ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
    urlset = f"<urlset xmlns='{ns}'><url><loc> http://127.0.0.1:9/a.html </loc></url><url><loc>mailto:x@y.z</loc></url></urlset>"
    index = (
        f"<sitemapindex xmlns='{ns}'><sitemap><loc>http://127.0.0.1:9/s2.xml</loc></sitemap></sitemapindex>"
    )
    pages = list(spider.parse_sitemap(XmlResponse("http://127.0.0.1:9/s.xml", body=urlset.encode())))
    nested = list(spider.parse_sitemap(XmlResponse("http://127.0.0.1:9/i.xml", body=index.encode())))
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
    from crawler.images.collect import IMAGE_META

    url = "https://detail.tmall.com/item.htm?id=1"
    response = HtmlResponse(
        url, body=(REALPAGES / "tmall_item_01.html").read_bytes(), encoding="utf-8", request=Request(url)
    )
    spider = _spider(MarketplaceSpider, "tmall")
    spider.target = spider.target.model_copy(
        update={"allowed_domains": ["tmall.com"], "image_domains": ["alicdn.com"]}
    )
    out = list(spider.parse_item(response))
    page = next(o for o in out if isinstance(o, PageItem))
    requests = [o for o in out if isinstance(o, Request)]
    assert {image.area for image in page.images} >= {"gallery", "detail"}
    assert requests and all(r.meta[IMAGE_META] and r.headers.get("Referer") == url.encode() for r in requests)
    assert not any("_60x60" in r.url for r in requests)  # thumbnails fetched at full size
    hosts = {urlsplit(r.url).hostname or "" for r in requests}
    assert all(
        h.endswith((".alicdn.com", "tmall.com")) for h in hosts
    )  # the target's pages and image CDN only
