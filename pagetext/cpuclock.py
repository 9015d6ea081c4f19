"""The CPU clock a page's work is measured by: this thread's CPU time, less what was not the page's doing.

Two kinds of CPU time are spent while a page is read but are not the page's work, and charging them to it cut
pages that were cheap to read:
- a full garbage collection scans the whole process's heap (seconds of other pages' garbage in a long sweep);
- one-time, process-wide preparation that the first page to need it happens to trigger: compiling the raw-bytes
  gate's Hyperscan database took 1-2 s of CPU, so the first page of every `markwatch check`, sweep process or
  cluster worker stopped at its 2 s budget and was reported not read whole.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Iterator


class _NotThePages(threading.local):
    """CPU seconds this thread spent on work that is not the page's (collections and one-time preparation)."""

    collector: float = 0.0
    collection_began: float = 0.0
    preparation: float = 0.0
    preparing: int = 0  # nesting depth: only the outermost block is counted


_spent = _NotThePages()


def _count_collection(phase: str, _info: dict[str, int]) -> None:
    # Collections run in the allocating thread, so this thread's clock is the collection's.
    if phase == "start":
        _spent.collection_began = time.thread_time()
    else:
        _spent.collector += time.thread_time() - _spent.collection_began


gc.callbacks.append(_count_collection)


@contextlib.contextmanager
def preparation() -> Iterator[None]:
    """A block of one-time, process-wide work (building tables, compiling a database): its CPU time is not
    charged to the page being read when it runs."""
    _spent.preparing += 1
    began, collector_began = time.thread_time(), _spent.collector
    try:
        yield
    finally:
        _spent.preparing -= 1
        if _spent.preparing == 0:
            # A collection inside the block is already counted as the collector's.
            _spent.preparation += (time.thread_time() - began) - (_spent.collector - collector_began)


def page_clock() -> float:
    """This thread's CPU seconds less collections and one-time preparation: differences of it are a page's work."""
    return time.thread_time() - _spent.collector - _spent.preparation
