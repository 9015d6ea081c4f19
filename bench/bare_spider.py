"""The baseline of the sweep benchmark: a bare Scrapy crawl that only fetches (no checks, no storage).

`scrapy runspider bench/bare_spider.py -a start=URL`: follows the same listing and item links as the
demo-marketplace adapter, with Scrapy's own scheduler, dupe filter and robots.txt handling."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy


class BareSpider(scrapy.Spider):
    """Fetch every listing and item page; yield nothing."""

    name = "bare"

    def __init__(self, start: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_url = start

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield scrapy.Request(self.start_url)

    def parse(self, response: Any) -> Iterator[scrapy.Request]:
        for href in response.css("ul.listing a.item::attr(href), a.next-page::attr(href)").getall():
            yield response.follow(href)
