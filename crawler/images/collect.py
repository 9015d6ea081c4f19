"""Image requests for a fetched page: the adapter's areas, lazy-loaded copies, the target's image hosts.

Image requests are ordinary requests of the sweep: they go through its scheduler (canonical URL, dupe filter,
the ledger, allowed hosts = the target's domains and its `image_domains`), robots.txt of the image host,
the User-Agent, AutoThrottle and the per-host delay (shared across cluster workers), retries, at a lower
priority than pages, with the image byte cap as their own `download_maxsize`. They are ledger URLs of kind
"image": each ends stored (its bytes a snapshot, keyed by sha256) or failed/skipped with a reason, and they
never count against the page budget. Every page that shows an image records a sighting, so an image on a
thousand listings is fetched once per sweep and read once per reader version."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import scrapy
from scrapy.http import Response

from crawler.decoding import page_encoding, query_in_page_encoding, readable
from crawler.frontier import META_IMAGE
from crawler.images.discover import PageImage, find_images
from crawler.images.settings import ImageSettings
from crawler.items import PageItem

# Pages first: an image waits behind every page request already queued.
IMAGE_PRIORITY = -10
# Only formats the reader decodes (no AVIF/HEIC): a CDN then serves one of these.
ACCEPT = "image/webp,image/png,image/jpeg,image/gif;q=0.9,image/bmp;q=0.5"
STAT_FOUND = "markwatch/images/found"
STAT_REQUESTED = "markwatch/images/requested"
STAT_OVER_LIMIT = "markwatch/images/over_page_limit"
STAT_FETCHED = "markwatch/images/fetched"
STAT_FAILED = "markwatch/images/failed"
# Page kinds whose images are evidence: item pages, and any page of a generic site.
IMAGE_PAGE_KINDS = ("item", "page")


def enabled(spider: Any) -> bool:
    """Images are fetched when the crawl's MARKWATCH_IMAGES setting and the target both allow it."""
    settings = getattr(getattr(spider, "crawler", None), "settings", None)
    on = settings.getbool("MARKWATCH_IMAGES", True) if settings is not None else True
    return bool(on and spider.target.images)


def rewritten(url: str, rules: list[tuple[str, str]]) -> str:
    """An image address after the adapter's thumbnail-to-full-size rewrites."""
    for pattern, replacement in rules:
        url = re.sub(pattern, replacement, url)
    return url


@dataclass(frozen=True)
class FoundImages:
    """A page's images, at most max_images_per_page of them, and how many were found before that cut."""

    images: list[PageImage]
    found: int
    over_limit: bool


def looks_for_images(spider: Any, response: Response, kind: str) -> bool:
    """Whether this page's images are evidence: an item page (or any page of a generic site), images on."""
    return kind in IMAGE_PAGE_KINDS and enabled(spider) and hasattr(response, "text")


def found_images(spider: Any, response: Response) -> FoundImages:
    """The page's images by the adapter's rules, read as the checker reads the page (no counting: any thread
    may call this)."""
    limit = spider.target.max_images_per_page
    found = find_images(readable(response).text, response.url, dict(spider.adapter.images), limit=limit + 1)
    rules = list(spider.adapter.image_rewrites)
    encoding = page_encoding(response)
    # An image address is requested as the browser requests it: its query in the page's encoding (a GBK
    # page's /img?name=标签 is name=%B1%EA%C7%A9 to its server), like the page's links.
    found = [
        image
        if image.inline is not None  # carried by the page: no address to rewrite or request
        else replace(
            image, url=query_in_page_encoding(rewritten(image.url, rules) if rules else image.url, encoding)
        )
        for image in found
    ]
    found = list({image.url: image for image in reversed(found)}.values())[::-1]
    return FoundImages(found[:limit], len(found), len(found) > limit)


def fetched_images(images: list[PageImage]) -> list[PageImage]:
    """The images to request: all but those the page carries as data: URIs."""
    return [image for image in images if image.inline is None]


def inline_items(images: list[PageImage], fetched_at: dt.datetime) -> list[PageItem]:
    """The page's data: URI images as fetched images (stored by the page writer under their key, read behind
    the crawl like any image): their bytes came with the page."""
    unique = {image.url: image.inline for image in images if image.inline is not None}
    return [
        PageItem(
            requested_url=key,
            final_url=key,
            status=200,
            headers={"Content-Type": inline.media_type},
            body=inline.body,
            fetched_at=fetched_at,
            declared_charset=None,
            kind="image",
        )
        for key, inline in unique.items()
    ]


def count_found(stats: Any, found: FoundImages) -> None:
    """The crawl's image counters for one page (reactor thread)."""
    stats.inc_value(STAT_FOUND, found.found)
    if found.over_limit:
        stats.inc_value(STAT_OVER_LIMIT)


def image_requests(spider: Any, pairs: list[tuple[str, str]]) -> list[scrapy.Request]:
    """One request per (image URL, URL of the page that showed it), with that page as its Referer.

    Requests go to the scheduler whatever their host: one off the target's hosts is recorded there as
    skipped ("offsite"), like any link, so every sighting ends with a reason."""
    max_bytes = _max_bytes()
    requests = [
        scrapy.Request(
            url,
            callback=spider.parse_image,
            errback=spider.on_error,
            priority=IMAGE_PRIORITY,
            headers={"Referer": page_url, "Accept": ACCEPT},
            meta={META_IMAGE: True, "download_maxsize": max_bytes},
        )
        for url, page_url in pairs
    ]
    spider.crawler.stats.inc_value(STAT_REQUESTED, len(requests))
    return requests


@cache
def _max_bytes() -> int:
    # The environment is read once per process (it was read for every page).
    return ImageSettings.from_env().max_bytes


def sightings(images: list[PageImage]) -> list[dict[str, Any]]:
    """The page's images as JSON values (PageItem.images)."""
    # Built by hand: dataclasses.asdict deep-copies every field, for each image of every page.
    return [
        {
            "url": image.url,
            "position": image.position,
            "area": image.area,
            "location": image.location,
            "block_text": image.block_text,
        }
        for image in images
    ]
