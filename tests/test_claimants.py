"""A claimant known from outside the claim (adapter's shop header, self-check's enterprise) fills only gaps."""

from __future__ import annotations

import datetime as dt

from checker.check import Checker
from checker.claimants import Claimant
from checker.registry import RegistryIndex
from checker.registry.models import DesignationType
from checker.registry.records import DesignationRecord, Holder

DAY = dt.date(2026, 11, 26)
RECORD = DesignationRecord(
    id=1,
    code="Q/DEMO 0009-2024",
    code_key="Q/DEMO 9-2024",
    number_key="Q/DEMO 9",
    year=2024,
    title="演示企业标准",
    type=DesignationType.ENTERPRISE,
    holders=(Holder(name="演示持有公司（虚构）", uscc=None),),
    designated_on=dt.date(2025, 1, 1),
    valid_until=None,
    revoked_on=None,
    abolished_on=None,
    pool_entered_on=None,
    scope=(),
    source=None,
    note="demo record",
)
UNNAMED = "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li></ul>".encode()
NAMED = (
    "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>生产企业：演示持有公司（虚构）</li></ul>".encode()
)


def _check(raw: bytes, fallback: Claimant | None) -> tuple[list[str], list[str | None], list[str | None]]:
    result = Checker().check_page(
        raw,
        url="http://127.0.0.1/item",
        declared_charset="utf-8",
        observed_at=None,
        registry=RegistryIndex.from_records([RECORD]),
        as_of=DAY,
        fallback_claimant=fallback,
    )
    claims = result.page.claims
    return (
        sorted(f.rule_id for f in result.findings),
        [c.claimant for c in claims],
        [c.claimant_source for c in claims],
    )


def test_seller_from_the_shop_header_fills_a_claim_that_names_nobody() -> None:
    # No claimant on the page: the holder rule has no evidence and stays silent.
    assert _check(UNNAMED, None)[0] == []
    rules, names, sources = _check(UNNAMED, Claimant("别家旗舰店", "adapter:seller"))
    assert rules == ["SHS010"] and names == ["别家旗舰店"] and sources == ["adapter:seller"]
    # The holder's own shop: no finding.
    assert _check(UNNAMED, Claimant("演示持有公司（虚构）", "adapter:seller"))[0] == []


def test_the_page_s_own_claimant_wins_over_the_fallback() -> None:
    rules, names, sources = _check(NAMED, Claimant("别家旗舰店", "adapter:seller"))
    # The page's own claimant as extracted (normalised: full-width brackets folded).
    assert rules == [] and names == ["演示持有公司(虚构)"] and sources != ["adapter:seller"]
