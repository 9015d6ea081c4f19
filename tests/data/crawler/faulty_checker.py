"""Test checker for fault injection in crawl subprocess tests: code_checker's findings, except on the pages
MARKWATCH_TEST_FAULTS names ("check:/item/2.html,store:/item/3.html"): `check` raises as the rules engine
does when it cannot evaluate a claim, `store` returns a finding the database refuses to store (a lone
surrogate, which no database driver can encode)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace

from code_checker import ClaimChecker

from markwatch.errors import EngineError
from sweeps.checking import CheckOutcome


class FaultyChecker(ClaimChecker):
    """ClaimChecker with the faults MARKWATCH_TEST_FAULTS asks for."""

    def __init__(self, faults: dict[str, str]) -> None:
        self.faults = faults

    def check(
        self,
        raw: bytes,
        *,
        url: str,
        declared_charset: str | None,
        observed_at: dt.datetime,
        seller: str | None = None,
    ) -> CheckOutcome:
        outcome = super().check(
            raw, url=url, declared_charset=declared_charset, observed_at=observed_at, seller=seller
        )
        fault = next((kind for path, kind in self.faults.items() if url.endswith(path)), None)
        if fault == "check":
            raise EngineError("a rule action raised: injected")
        if fault == "store":
            return replace(outcome, findings=[replace(f, message="\ud800") for f in outcome.findings])
        return outcome


def factory(db_url: str) -> FaultyChecker:
    """MARKWATCH_CHECKER=faulty_checker:factory"""
    pairs = (pair.partition(":") for pair in os.environ.get("MARKWATCH_TEST_FAULTS", "").split(",") if pair)
    return FaultyChecker({path: kind for kind, _, path in pairs})
