"""Generic site spider: every same-domain link, within the target's depth and page limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders.base import SweepSpider


class SiteSpider(SweepSpider):
    """Crawls a site breadth-first (DEPTH_LIMIT and max_pages bound it); every page is evidence."""

    name = "site"

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Any page: follow its links (and its meta refresh), then keep it."""
        for href in self.links(response, ["a"]):
            yield from self.follow(response, href, self.parse_listing)
        yield from self.refresh(response, self.parse_listing)
        yield from self.page_with_images(response, "page")
