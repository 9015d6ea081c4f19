"""Product images found on pages and not yet requested: handed to the scheduler once no page is queued.

A page's images used to go to the scheduler with the page's links, as requests: each one a Request, a trip
through the spider middlewares, a canonical URL, a serialised payload and a ledger row, while pages were
still waiting to be fetched. That work now waits here, as plain (image URL, page URL) pairs, until the
frontier has no page to give; the scheduler then turns a few at a time into ordinary image requests, under
the same rules as before (sweeps/scheduler.py). The pairs come from scans of stored pages
(crawler/images/scan.py), which run at the same moments, so finding the images waits too.

Nothing is lost if the process dies first: every image a scanned page showed is in its stored sightings
(`waiting`), and a resumed sweep starts with those sightings' images in its backlog again (`waiting_images`),
the frontier's dupe filter dropping those that were requested after all; pages not scanned yet are still
marked pending and are scanned then.

Only the local frontier defers: a cluster worker's backlog would die with it, so its spiders request
their images with the page, as before.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.images.models import ImageSighting

__all__ = ["ImageBacklog", "waiting_images"]


class ImageBacklog:
    """(image URL, URL of the page that showed it) pairs, first found first requested."""

    def __init__(self) -> None:
        self._pairs: deque[tuple[str, str]] = deque()

    def __len__(self) -> int:
        return len(self._pairs)

    def add(self, page_url: str, image_urls: Iterable[str]) -> None:
        self._pairs.extend((url, page_url) for url in image_urls)

    def take(self, count: int) -> list[tuple[str, str]]:
        """Up to `count` pairs, in the order they were added."""
        pairs = self._pairs
        return [pairs.popleft() for _ in range(min(count, len(pairs)))]


def waiting_images(session: Session, sweep_id: int) -> list[tuple[str, str]]:
    """Image URLs of the sweep's waiting sightings, each with one page that showed it (a resumed sweep's
    backlog: URLs requested before the interruption come back as duplicates and are dropped)."""
    rows = session.execute(
        select(ImageSighting.url, func.min(ImageSighting.page_url))
        .where(ImageSighting.sweep_id == sweep_id, ImageSighting.status == "waiting")
        .group_by(ImageSighting.url)
        .order_by(func.min(ImageSighting.id))
    )
    return [(url, page_url) for url, page_url in rows]
