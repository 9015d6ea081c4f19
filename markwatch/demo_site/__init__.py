"""A small bundled marketplace-shaped site (invented records only) for `make demo`."""

from __future__ import annotations

from pathlib import Path

PAGES = Path(__file__).parent / "pages"
# Item pages encoded GBK (the server declares it, as Chinese marketplaces often do).
GBK_PAGES = frozenset({"/item/jd-seat.html", "/item/jd-toothbrush.html", "/item/maker-robot.html"})
