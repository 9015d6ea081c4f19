"""A product page around a hostile fragment: the shared frame of the hostile-page tests."""

from __future__ import annotations

import dataclasses
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


def extracted_in_linear_time(page_of: Callable[[int], bytes], count: int) -> PageClaims:
    """page_of(4 * count) extracted, after checking it takes about four times page_of(count)'s CPU time, not
    sixteen: linear work, not quadratic. A ratio, not a number of seconds: it holds on a slow or loaded machine
    (an absolute budget that held on one failed on another), and the extraction budget is lifted so that what
    is timed is the whole work."""
    limits = dataclasses.replace(default_limits(), cpu_budget_seconds=600.0)
    seconds = []
    for pieces in (count, 4 * count):
        started = time.process_time()
        result = extract_page(page_of(pieces), limits=limits)
        seconds.append(time.process_time() - started)
    small, large = seconds
    assert large < 7 * small, f"{4 * count} pieces took {large:.2f} s, {count} took {small:.2f} s"
    return result
