"""The probe rounds' pages (tests/claims_probe_s3*_pages.py) judged as the
inspector's verdicts written before the checker first ran on them: every finding due, none else. A round's OPEN
pages are still judged wrong, each with its reason in the round's file."""

from __future__ import annotations

from typing import Any

import claims_probe_s30_pages
import claims_probe_s31_pages
import claims_probe_s32_pages
import claims_probe_s33_pages
import pytest
from claims_probe_support import AS_OF, REGISTRY

from checker.check import Checker
from checker.claimants import Claimant

ROUNDS = {
    "s30": claims_probe_s30_pages,
    "s31": claims_probe_s31_pages,
    "s32": claims_probe_s32_pages,
    "s33": claims_probe_s33_pages,
}
_JUDGED = [
    (name, probe)
    for name, pages in ROUNDS.items()
    for probe in pages.PAGES
    if probe["id"] not in getattr(pages, "OPEN", frozenset())
]


@pytest.mark.parametrize("probe", [p for _, p in _JUDGED], ids=[f"{name}-{p['id']}" for name, p in _JUDGED])
def test_probe_page(checker: Checker, probe: dict[str, Any]) -> None:
    result = checker.check_page(
        probe["html"].encode(probe["enc"] or "utf-8"),
        url=probe["url"],
        declared_charset=None,
        observed_at=None,
        registry=REGISTRY,
        as_of=AS_OF,
        fallback_claimant=Claimant(probe["seller"], "adapter:seller") if probe["seller"] else None,
    )
    assert sorted(((f.rule_id, f.standard_code) for f in result.findings), key=str) == probe["expected"]


@pytest.mark.parametrize(("name", "at_least", "english"), [("s30", 150, 10), ("s31", 80, 10)])
def test_each_round_covers_the_kinds_of_pages(name: str, at_least: int, english: int) -> None:
    pages = ROUNDS[name].PAGES
    assert len(pages) >= at_least
    assert any(p["enc"] == "gbk" for p in pages)
    assert sum('lang="en"' in p["html"] for p in pages) >= english
