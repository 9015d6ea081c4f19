"""Marketplace spider: listing/search pages to item pages and next pages, as the site adapter says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from crawler.spiders.base import SweepSpider


class MarketplaceSpider(SweepSpider):
    """Listing → items + pagination + sub-listings, with selectors from the target's adapter."""

    name = "marketplace"

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Items, next pages, sub-listings; then the listing page itself, as evidence (titles carry claims)."""
        for href in self.links(response, self.adapter.item_links):
            yield from self.follow(response, href, self.parse_item)
        for href in self.links(response, [*self.adapter.next_page, *self.adapter.listing_links]):
            yield from self.follow(response, href, self.parse_listing)
        yield from self.refresh(response, self.parse_listing)
        yield self.page_item(response, "listing")


def spider_for(adapter_name: str) -> type:
    """The spider class a target's adapter needs."""
    from crawler.spiders.site import SiteSpider

    return SiteSpider if adapter_name == "generic" else MarketplaceSpider
