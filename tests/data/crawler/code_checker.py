"""Test checker for crawl subprocess tests: one finding per extracted claim that carries a standard code."""

from __future__ import annotations

import datetime as dt

from checker.claimants import Claimant, fill_claimant
from checker.extract import extract_page
from checker.findings import finding_key
from sweeps.checking import CheckOutcome, FindingRecord


class ClaimChecker:
    """Every claim with a code is a finding; keys from checker.findings.finding_key."""

    def check(
        self,
        raw: bytes,
        *,
        url: str,
        declared_charset: str | None,
        observed_at: dt.datetime,
        seller: str | None = None,
    ) -> CheckOutcome:
        page = extract_page(raw, url=url, declared_charset=declared_charset, observed_at=observed_at)
        if seller:
            fill_claimant(page, Claimant(seller, "adapter:seller"))
        findings = []
        for claim in page.claims:
            if not claim.standard_code:
                continue
            key = finding_key(url, claim.claimant, "TEST001", claim.standard_key)
            findings.append(
                FindingRecord(
                    finding_key=key,
                    rule_id="TEST001",
                    severity="info",
                    standard_code=claim.standard_code,
                    message=f"claims {claim.standard_code}",
                    claim={"text": claim.text},
                    evidence={"snippet": claim.snippet, "location": claim.location},
                    claimant=claim.claimant,
                )
            )
        return CheckOutcome(claims=len(page.claims), findings=findings)


def factory(db_url: str) -> ClaimChecker:
    """MARKWATCH_CHECKER=code_checker:factory"""
    return ClaimChecker()
