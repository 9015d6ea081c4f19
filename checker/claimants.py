"""A claimant known from outside a claim's own context, given to the claims that name none."""

from __future__ import annotations

from typing import NamedTuple

from checker.extract import PageClaims
from checker.extract.classify import SITE_OWNER_SOURCES
from checker.extract.context import OTHER_PRODUCT_CARD, PRIVATE_SELLER

# Claims that name nobody on purpose: no claimant from outside may be given to them.
_UNNAMED = frozenset({OTHER_PRODUCT_CARD, PRIVATE_SELLER})
# A product claim whose claimant is only the site's owner (its footer's copyright notice): a crawl's
# own seller (a marketplace adapter's shop) knows better who offers the product than the platform's footer.
_SITE_FURNITURE = frozenset(SITE_OWNER_SOURCES)


class Claimant(NamedTuple):
    """A claimant known from outside the claim's own context, and where it came from."""

    name: str
    source: str


def fill_claimant(page: PageClaims, claimant: Claimant) -> int:
    """Give every claim that names no claimant this one; returns how many claims it filled.

    Claims in a card for another product (OTHER_PRODUCT_CARD) are left unnamed: the page's seller or the
    enterprise asking is not known to be theirs. So are a private reseller's (PRIVATE_SELLER: 卖家：个人闲置): the
    shop a crawl names on a resale platform is that person's nickname, no maker or trader. A product claim that
    names only the site's owner (site:copyright, its footer's notice) takes this one instead."""
    filled = 0
    for index, claim in enumerate(page.claims):
        by_site = claim.use == "product" and claim.claimant_source in _SITE_FURNITURE
        if (not claim.claimant and claim.claimant_source not in _UNNAMED) or by_site:
            page.claims[index] = claim.model_copy(
                update={"claimant": claimant.name, "claimant_source": claimant.source}
            )
            filled += 1
    return filled
