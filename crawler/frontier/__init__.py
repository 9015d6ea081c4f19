"""The sweep's frontier: the requests still to fetch, behind a Scrapy scheduler (`scheduler.py`).

Two backends with one contract: `local.LocalFrontier` (one process, in memory, rebuilt from the ledger on
resume) and `stream.StreamFrontier` (Redis Streams with a consumer group, shared by cluster workers). Both
deduplicate by canonical URL, spend the target's page budget when a URL is accepted, and keep every taken
request "in flight" until its outcome is committed to the database and the entry acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

from crawler.frontier import serializer

# Request.meta keys: the frontier entry a request was taken as (process-local), and the ledger URL it
# answers (kept through retries and redirects).
META_ENTRY = "markwatch_entry"
META_URL = "markwatch_url"
# A product image request (issue 15): a ledger URL of kind "image", outside the page budget, allowed on the
# target's image hosts too.
META_IMAGE = "markwatch_image"
# A URL delivered this often without an outcome (it crashed its workers) is failed as "poison".
MAX_DELIVERIES = 5


@dataclass
class Taken:
    """A request handed to this process."""

    entry: Any
    url: str
    request: Request
    deliveries: int = 1


class Frontier(Protocol):
    """What FrontierScheduler needs from a backend."""

    def seen_add(self, url: str) -> bool:
        """Mark `url` known; True when it was new."""

    def push_new(self, url: str, request: Request, payload: dict[str, Any]) -> str:
        """Queue a newly discovered URL: "queued", or "dup" (known), or "limit" (page budget spent)."""

    def push_derived(self, request: Request, payload: dict[str, Any], parent: Any, target: str | None) -> str:
        """Queue a retry or redirect of an in-flight request: "queued", or "dup" (target already known)."""

    def take(self, spider: Spider) -> Taken | None:
        """The next request to fetch, or None."""

    def ack(self, entry: Any) -> None:
        """The entry's outcome is committed: forget it."""

    def has_local(self) -> bool:
        """Requests waiting in this process (Scrapy's has_pending_requests)."""

    def budget_left(self) -> bool:
        """Whether the page budget still accepts URLs (spiders stop following links when it does not)."""

    def in_flight(self) -> int:
        """Entries taken by this process and not yet acknowledged."""


def request_payload(request: Request, spider: Spider) -> dict[str, Any]:
    """A request as JSON values, without process-local meta (what the ledger and Redis keep)."""
    data = request.to_dict(spider=spider)
    data["meta"] = {k: v for k, v in data.get("meta", {}).items() if k != META_ENTRY}
    try:
        return serializer.encode(data)
    except TypeError:
        # Some middleware put a non-JSON value in meta: queue the request without it rather than fail.
        data["meta"] = {k: v for k, v in data["meta"].items() if _jsonable(v)}
        return serializer.encode(data)


def request_from_payload(payload: dict[str, Any], spider: Spider) -> Request:
    """The Request back (callbacks looked up on `spider` by name)."""
    return request_from_dict(serializer.decode(payload), spider=spider)


def _jsonable(value: Any) -> bool:
    try:
        serializer.encode({"v": value})
    except TypeError:
        return False
    return True
