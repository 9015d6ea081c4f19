"""What spiders hand to the pipeline: one fetched page."""

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
    kind: str
    replayed: bool = False
    # The shop or seller name where the site adapter says it sits (the page's shop header); the checker
    # uses it only for claims whose own context names no claimant.
    seller: str | None = None
    # The page's product images (checker.images.discover.PageImage), recorded as sightings.
    images: list[Any] = field(default_factory=list)

    def asdict(self) -> dict[str, Any]:
        """Fields without the body (logs, feeds)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("body", "images")}
