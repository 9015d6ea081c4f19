"""The frontier of a sweep run by one process: a priority queue in memory, rebuilt from the ledger."""

from __future__ import annotations

import heapq
import itertools
from typing import Any

from scrapy import Request

from crawler.frontier import META_ENTRY, META_IMAGE, META_URL, Taken, request_from_payload
from crawler.ledger import ResumeState


class LocalFrontier:
    """Higher priority first, first in first out within a priority (breadth-first), as Scrapy would.

    Product images wait in a queue of their own behind the pages (`take` gives a page while any is queued),
    so the scheduler can also ask for an image while pages are queued (`take_image`)."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self.seen: set[str] = set()
        self.accepted = 0
        self._pages: list[tuple[int, int, Request]] = []
        self._images: list[tuple[int, int, Request]] = []
        self._order = itertools.count()
        self._entries = itertools.count(1)
        self._in_flight: dict[int, str] = {}

    def load(self, state: ResumeState, spider: Any, canonical: Any) -> int:
        """Carry on from the ledger: everything it knows is seen, its queued requests are queued again."""
        self.seen |= state.known
        self.seen |= {canonical(url) for url in state.redirected_to}
        self.accepted = state.accepted
        for url, payload in state.queued:
            request = (
                request_from_payload(payload, spider)
                if payload
                else Request(url, callback=spider.parse_listing, errback=spider.on_error)
            )
            request.meta[META_URL] = url
            self._push(request)
        return len(state.queued)

    def seen_add(self, url: str) -> bool:
        if url in self.seen:
            return False
        self.seen.add(url)
        return True

    def push_new(self, url: str, request: Request, payload: dict[str, Any]) -> str:
        if url in self.seen:
            return "dup"
        self.seen.add(url)
        if not request.meta.get(META_IMAGE):  # images are evidence of pages, not pages: no budget
            if self.accepted >= self.max_pages:
                return "limit"
            self.accepted += 1
        self._push(request)
        return "queued"

    def push_derived(self, request: Request, payload: dict[str, Any], parent: Any, target: str | None) -> str:
        if target is not None and not self.seen_add(target):
            return "dup"
        self._push(request)  # keeps its entry: one taken request, however often retried or redirected
        return "queued"

    def _push(self, request: Request) -> None:
        queue = self._images if request.meta.get(META_IMAGE) else self._pages
        heapq.heappush(queue, (-request.priority, next(self._order), request))

    def take(self, spider: Any) -> Taken | None:
        """The next page, else the next image."""
        return self._take(self._pages if self._pages else self._images)

    def take_image(self, spider: Any) -> Taken | None:
        """The next image, whatever pages are queued."""
        return self._take(self._images)

    def _take(self, queue: list[tuple[int, int, Request]]) -> Taken | None:
        if not queue:
            return None
        _, _, request = heapq.heappop(queue)
        entry = request.meta.get(META_ENTRY)
        if entry is None:
            entry = next(self._entries)
            request.meta[META_ENTRY] = entry
        url = request.meta[META_URL]
        self._in_flight[entry] = url
        return Taken(entry, url, request)

    def ack(self, entry: Any) -> None:
        self._in_flight.pop(entry, None)

    def has_local(self) -> bool:
        return bool(self._pages) or bool(self._images)

    def next_page(self) -> Request | None:
        """The page `take` would give next, if any."""
        return self._pages[0][2] if self._pages else None

    def next_image(self) -> Request | None:
        """The image `take_image` would give next, if any."""
        return self._images[0][2] if self._images else None

    def budget_left(self) -> bool:
        return self.accepted < self.max_pages

    def in_flight(self) -> int:
        return len(self._in_flight)

    def in_flight_urls(self) -> list[str]:
        """URLs taken and not yet acknowledged."""
        return sorted(self._in_flight.values())

    def queued(self) -> int:
        """Requests waiting."""
        return len(self._pages) + len(self._images)
