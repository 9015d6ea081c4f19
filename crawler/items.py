"""What spiders hand to the pipeline: a fetched page, or what became of a request that gave no page.

Every request a sweep takes from its frontier ends in exactly one of these, so every taken URL is
accounted for (stored, failed with a reason, or skipped with a reason) before its frontier entry is
acknowledged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    """A fetched page, as received."""

    requested_url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    declared_charset: str | None
    # "listing", "item", "page", or "image" (a product image: stored as evidence, read behind the crawl)
    kind: str
    # The shop or seller name where the site adapter says it sits (the page's shop header); the checker
    # uses it only for claims whose own context names no claimant.
    seller: str | None = None
    # Page-level notes the spider made (e.g. the adapter's parameter table is missing: layout drift).
    notes: list[str] = field(default_factory=list)
    # Parts of the page the crawl did not take ({code, message}: images past max_images_per_page): the page
    # is then "partial", like one the extractor did not read whole.
    warnings: list[dict[str, str]] = field(default_factory=list)
    # The frontier entry the page answers (acknowledged once the page is stored).
    entry: Any = None
    # The page's product images, each {url, position, area, location, block_text} (crawler.images.discover.
    # PageImage as JSON values, so a spooled page keeps them): recorded as sightings with the page.
    images: list[dict[str, Any]] = field(default_factory=list)
    # Or, with a local frontier: the page's images are found once no page waits to be fetched, from the
    # stored page (crawler/images/scan.py), so finding them never slows the pages' crawl.
    scan_images: bool = False

    def asdict(self) -> dict[str, Any]:
        """Fields without the body (logs, feeds)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("body", "entry")}


@dataclass
class UrlOutcome:
    """A taken request that gave no page: failed (an error kind) or skipped (robots.txt, off-site, ...)."""

    url: str
    state: str  # "failed" | "skipped"
    reason: str
    entry: Any = None
    kind: str = "page"  # "image" for a product image request
