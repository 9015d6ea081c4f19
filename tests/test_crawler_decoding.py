"""Text the crawl keeps (the seller, the text beside a product image) is read as the checker reads the page,
whatever the server's header says about the charset (crawler/decoding.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse

from crawler.decoding import declared_charset, readable
from crawler.images.collect import found_images
from crawler.items import PageItem
from crawler.snapshots import flat_headers
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.targets import Target
from pagetext.charsets import header_charset

REALPAGES = Path(__file__).resolve().parent / "data" / "realpages"
SELLER = "苏宁易购官方旗舰店"


class _Stats:
    def inc_value(self, key: str, count: int = 1) -> None:
        return None


def _spider(adapter: str) -> Any:
    target = Target(
        name="t", seeds=[{"url": "https://detail.tmall.com/", "kind": "listing"}],  # type: ignore[list-item]
        allowed_domains=["tmall.com", "jd.com"], adapter=adapter,
    )  # fmt: skip
    spider = MarketplaceSpider(target=target)
    spider.crawler = SimpleNamespace(stats=_Stats())  # type: ignore[assignment]
    return spider


def _served(page: str, content_type: str | None) -> HtmlResponse:
    url = "https://detail.tmall.com/item.htm?id=1"
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse(url, body=(REALPAGES / page).read_bytes(), headers=headers, request=Request(url))


def _kept(spider: Any, response: Response) -> tuple[str | None, list[tuple[str, str, str]]]:
    """The seller on the page item and every image's (URL, location, block text), as the crawl keeps them."""
    items = [out for out in spider.parse_item(response) if isinstance(out, PageItem)]
    found = found_images(spider, response)
    return items[0].seller, [(i.url, i.location, i.block_text) for i in found.images]


@pytest.mark.parametrize(
    "lying_header",
    [
        "text/html; charset=utf-8",  # GBK bytes declared UTF-8: Scrapy read it as U+FFFD before
        "text/html; charset=iso-8859-1",  # a Western label: Scrapy read it as Latin-1 letters
    ],
)
def test_a_gbk_page_whose_header_lies_keeps_its_real_seller_and_image_text(lying_header: str) -> None:
    spider = _spider("tmall")
    truthful = _kept(spider, _served("tmall_item_01_gbk.html", "text/html; charset=gbk"))
    lied_to = _kept(spider, _served("tmall_item_01_gbk.html", lying_header))
    assert truthful[0] == SELLER
    assert lied_to == truthful
    # The same page in UTF-8 keeps the same text: nothing depends on how the bytes were encoded.
    assert _kept(spider, _served("tmall_item_01.html", "text/html; charset=utf-8")) == truthful
    texts = [block for _, _, block in truthful[1]]
    assert any("手机" in block for block in texts)
    assert not any("\ufffd" in block for block in texts)


def test_a_page_without_a_header_charset_is_read_by_its_bytes() -> None:
    spider = _spider("tmall")
    response = _served("tmall_item_01_gbk.html", None)
    # Scrapy misses this page's <meta charset="gbk"> and reads it as ASCII (7,835 U+FFFD).
    assert "\ufffd" in response.text
    seller, images = _kept(spider, response)
    assert seller == SELLER and images and not any("\ufffd" in block for _, _, block in images)


def test_a_gbk_page_whose_meta_lies_keeps_its_real_seller() -> None:
    spider = _spider("tmall")
    raw = (
        (REALPAGES / "tmall_item_01_gbk.html")
        .read_bytes()
        .replace(b'<meta charset="gbk">', b'<meta charset="utf-8">')
    )
    url = "https://detail.tmall.com/item.htm?id=1"
    response = HtmlResponse(url, body=raw, request=Request(url))
    assert "\ufffd" in response.text  # Scrapy's own reading
    seller, images = _kept(spider, response)
    assert seller == SELLER and images and not any("\ufffd" in block for _, _, block in images)


def test_a_page_scrapy_already_reads_right_is_not_copied() -> None:
    response = _served("tmall_item_01.html", "text/html; charset=utf-8")
    assert readable(response) is response
    lied_to = _served("tmall_item_01_gbk.html", "text/html; charset=utf-8")
    first = readable(lied_to)
    assert first is not lied_to and readable(lied_to) is first  # decoded once per response
    assert isinstance(first, TextResponse) and first.encoding == "utf-8"
    assert (first.url, first.status, first.request) == (lied_to.url, lied_to.status, lied_to.request)
    binary = Response("https://img.example/a.jpg", body=b"\xff\xd8\xff")
    assert readable(binary) is binary


@pytest.mark.parametrize(
    ("headers", "charset"),
    [
        ({"Content-Type": "text/html; charset=GBK"}, "gbk"),
        ({"content-type": 'text/html; charset="utf-8"'}, "utf-8"),
        ({"Content-Type": "text/html"}, None),
        ({}, None),
        (None, None),
        ({"X-Note": "charset=gbk", "Content-Type": "text/html; charset=big5"}, "big5"),
    ],
)
def test_the_header_charset_is_read_one_way_everywhere(
    headers: dict[str, str] | None, charset: str | None
) -> None:
    assert header_charset(headers) == charset
    if headers is not None:
        response = HtmlResponse("https://a.example/", body=b"<p>x</p>", headers=headers)
        # The crawler's reading of a live response equals every later reading of the stored headers.
        assert declared_charset(response) == header_charset(flat_headers(response.headers)) == charset


def test_links_and_refresh_on_a_gbk_page_whose_header_lies_are_followed_as_written() -> None:
    from urllib.parse import quote, unquote

    from crawler.spiders.site import SiteSpider

    target = Target(
        name="t", seeds=[{"url": "http://127.0.0.1:9/", "kind": "listing"}],  # type: ignore[list-item]
        allowed_domains=["127.0.0.1"], adapter="generic",
    )  # fmt: skip
    spider = SiteSpider(target=target)
    spider.crawler = SimpleNamespace(stats=_Stats())  # type: ignore[assignment]
    body = (
        '<html><head><meta http-equiv="refresh" content="0; url=/新页.html"></head>'
        '<body><a href="/搜索?q=上海标准">上海标准产品</a></body></html>'
    ).encode("gbk")
    url = "http://127.0.0.1:9/list.html"
    response = HtmlResponse(
        url, body=body, headers={"Content-Type": "text/html; charset=utf-8"}, request=Request(url)
    )
    followed = [r.url for r in spider.parse_listing(response) if isinstance(r, Request)]
    # The path in UTF-8 and the query in the page's own encoding, as a browser sends them (WHATWG URL).
    assert unquote(followed[0].split("?")[0]) == "http://127.0.0.1:9/搜索"
    assert followed[0].split("?")[1] == "q=" + quote("上海标准".encode("gbk"))
    assert unquote(followed[1]) == "http://127.0.0.1:9/新页.html"
