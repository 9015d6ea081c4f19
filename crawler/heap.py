"""The crawl process's garbage collector: fewer young collections, and long-lived objects out of its reach.

Measured on the bench's saturated sweep (600 item pages, images off, Python 3.11 defaults): in a 3 s crawl
the collector ran ~630 young collections and 5 full ones, each full one ~50 ms over ~145,000 objects that
live as long as the process (Scrapy, Twisted, SQLAlchemy, the checker, the registry); 0.45 s in all, paid by
the reactor and the page writer in turns. Everything loaded before the crawl starts is frozen (still freed
by reference counting, only never scanned), and a young collection runs every YOUNG_COLLECTION_EVERY
allocations instead of 700: the same sweep fetched 1.3-1.4 times as many pages a second.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 5_000


def tune_collector() -> None:
    """Young collections less often (older generations keep their own thresholds)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)


def freeze_long_lived() -> None:
    """Move everything alive now out of the collector's scans (call once what lives for the process is loaded)."""
    gc.collect()
    gc.freeze()
