"""A product page around a hostile fragment: the shared frame of the hostile-page tests."""

from __future__ import annotations

import dataclasses
import gc
import time
from collections.abc import Callable

from checker.extract import extract_page
from checker.extract.limits import default_limits
from checker.extract.models import PageClaims

CODE = "T/SHHJ 000003-2018"


def page(body: str, css: str = "") -> bytes:
    """A UTF-8 product page (title, price) holding `body`, with `css` as its own stylesheet."""
    style = f"<style>{css}</style>" if css else ""
    return (
        f'<html><head><meta charset="utf-8">{style}</head><body><h1>塑胶跑道面层材料</h1>'
        f"<p>价格：￥99</p>{body}</body></html>"
    ).encode()


# The smaller page must take at least this much CPU: below it, timer and scheduling noise decide the ratio (a
# 10 ms run that took 15 once made 4x the work look 7x).
MIN_SMALL_SECONDS = 0.05
# The ratio is judged on the fastest of this many timings of each size: a loaded machine only ever adds time.
ATTEMPTS = 3


def extracted_in_linear_time(page_of: Callable[[int], bytes], count: int) -> PageClaims:
    """page_of(4 * n) extracted, after checking it takes about four times page_of(n)'s CPU time, not sixteen:
    linear work, not quadratic. n is `count`, doubled until page_of(n) takes MIN_SMALL_SECONDS. A ratio, not a
    number of seconds: it holds on a slow or loaded machine (an absolute budget that held on one failed on
    another), and the extraction budget is lifted so that what is timed is the whole work."""
    limits = dataclasses.replace(default_limits(), cpu_budget_seconds=600.0)

    def timed(pieces: int) -> tuple[float, PageClaims]:
        raw = page_of(pieces)
        # The collector off while timing: late in a test session a full collection walks the whole session's
        # heap, and the larger page, allocating more, set one off more often (CI: 0.59 s for 2,000 questions, 0.06
        # for 500, where the work alone takes 0.23 and 0.06).
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            result = extract_page(raw, limits=limits)
            return time.process_time() - started, result
        finally:
            gc.enable()

    small, _ = timed(count)
    while small < MIN_SMALL_SECONDS and count < 1_000_000:
        count *= 2
        small, _ = timed(count)
    large = float("inf")
    for _attempt in range(ATTEMPTS):
        seconds, result = timed(4 * count)
        large = min(large, seconds)
        if large < 7 * small:
            return result
        small = min(small, timed(count)[0])
    raise AssertionError(
        f"{4 * count} pieces took {large:.2f} s, {count} took {small:.2f} s (best of {ATTEMPTS})"
    )
