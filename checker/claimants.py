"""A claimant known from outside a claim's own context, given to the claims that name none."""

from __future__ import annotations

from typing import NamedTuple

from checker.extract import PageClaims


class Claimant(NamedTuple):
    """A claimant known from outside the claim's own context, and where it came from."""

    name: str
    source: str


def fill_claimant(page: PageClaims, claimant: Claimant) -> int:
    """Give every claim that names no claimant this one; returns how many claims it filled."""
    filled = 0
    for index, claim in enumerate(page.claims):
        if not claim.claimant:
            page.claims[index] = claim.model_copy(
                update={"claimant": claimant.name, "claimant_source": claimant.source}
            )
            filled += 1
    return filled
