"""Image requests for a fetched page: the adapter's areas, lazy-loaded copies, the target's image hosts.

Image requests go through the same downloader as pages (robots.txt of the image host, User-Agent,
AutoThrottle and per-host delay, retries) at a lower priority than pages, with the image byte cap as
their own `download_maxsize`. Scrapy's dupefilter fetches an image address once per sweep; every page
that shows it still records a sighting."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from checker.images.discover import PageImage, find_images
from checker.images.settings import ImageSettings
from crawler.targets import host_allowed

IMAGE_META = "markwatch_image"
# Pages first: an image waits behind every page request already queued.
IMAGE_PRIORITY = -10
# Only formats the reader decodes (no AVIF/HEIC): a CDN then serves one of these.
ACCEPT = "image/webp,image/png,image/jpeg,image/gif;q=0.9,image/bmp;q=0.5"
STAT_FOUND = "markwatch/images/found"
STAT_REQUESTED = "markwatch/images/requested"
STAT_OFF_HOSTS = "markwatch/images/off_hosts"
STAT_OVER_LIMIT = "markwatch/images/over_page_limit"
STAT_FETCHED = "markwatch/images/fetched"
STAT_FAILED = "markwatch/images/failed"


@dataclass
class ImageItem:
    """A fetched image (or a failed fetch: body None, reason set)."""

    url: str
    page_url: str
    status: int | None
    content_type: str | None
    body: bytes | None
    fetched_at: dt.datetime
    reason: str | None = None


def enabled(spider: Any) -> bool:
    """Images are fetched when the crawl's MARKWATCH_IMAGES setting and the target both allow it."""
    settings = getattr(spider.crawler, "settings", None)
    on = settings.getbool("MARKWATCH_IMAGES", True) if settings is not None else True
    return bool(on and spider.target.images)


def image_hosts(spider: Any) -> list[str]:
    """Hosts image requests may go to: the target's pages' domains and its image CDNs."""
    return [*spider.target.allowed_domains, *spider.target.image_domains]


def rewritten(url: str, rules: list[tuple[str, str]]) -> str:
    """An image address after the adapter's thumbnail-to-full-size rewrites."""
    for pattern, replacement in rules:
        url = re.sub(pattern, replacement, url)
    return url


def page_images(spider: Any, response: Response) -> tuple[list[PageImage], list[scrapy.Request]]:
    """The page's images (all recorded, at most max_images_per_page), and requests for those allowed."""
    if not enabled(spider) or not hasattr(response, "text"):
        return [], []
    limit = spider.target.max_images_per_page
    found = find_images(response.text, response.url, dict(spider.adapter.images), limit=limit + 1)
    if spider.adapter.image_rewrites:
        rules = list(spider.adapter.image_rewrites)
        found = [replace(image, url=rewritten(image.url, rules)) for image in found]
        found = list({image.url: image for image in reversed(found)}.values())[::-1]
    stats = spider.crawler.stats
    stats.inc_value(STAT_FOUND, len(found))
    if len(found) > limit:
        stats.inc_value(STAT_OVER_LIMIT)
        found = found[:limit]
    settings = ImageSettings.from_env()
    hosts = image_hosts(spider)
    requests = []
    for image in found:
        if not host_allowed(urlsplit(image.url).hostname or "", hosts):
            stats.inc_value(STAT_OFF_HOSTS)
            continue
        requests.append(
            scrapy.Request(
                image.url,
                callback=spider.parse_image,
                errback=spider.on_image_error,
                priority=IMAGE_PRIORITY,
                headers={"Referer": response.url, "Accept": ACCEPT},
                meta={
                    IMAGE_META: True,
                    "allow_offsite": True,  # LinkGuardMiddleware checks image requests against image_domains
                    "download_maxsize": settings.max_bytes,
                    "markwatch_page": response.url,
                },
            )
        )
    stats.inc_value(STAT_REQUESTED, len(requests))
    return found, requests


def image_item(response: Response) -> Iterator[ImageItem]:
    """The fetched image as an item for the image pipeline."""
    content_type = response.headers.get(b"Content-Type")
    yield ImageItem(
        url=response.request.url if response.request is not None else response.url,
        page_url=str(response.meta.get("markwatch_page", "")),
        status=response.status,
        content_type=content_type.decode("latin-1") if content_type else None,
        body=response.body,
        fetched_at=dt.datetime.now(dt.UTC),
    )


def failed_item(request: scrapy.Request, reason: str) -> ImageItem:
    """A failed image fetch, recorded against its sightings."""
    return ImageItem(
        url=request.url,
        page_url=str(request.meta.get("markwatch_page", "")),
        status=None,
        content_type=None,
        body=None,
        fetched_at=dt.datetime.now(dt.UTC),
        reason=reason,
    )
