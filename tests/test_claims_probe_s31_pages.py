"""Probe round s31's pages (tests/claims_probe_s31_pages.py) judged as the inspector's verdicts written before the
checker first ran on them: every finding due, none else."""

from __future__ import annotations

from typing import Any

import pytest
from claims_probe_s31_pages import OPEN, PAGES
from claims_probe_support import AS_OF, REGISTRY

from checker.check import Checker
from checker.claimants import Claimant

_JUDGED = [p for p in PAGES if p["id"] not in OPEN]


@pytest.mark.parametrize("probe", _JUDGED, ids=[p["id"] for p in _JUDGED])
def test_probe_s31_page(checker: Checker, probe: dict[str, Any]) -> None:
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


def test_the_probe_covers_the_kinds_of_pages() -> None:
    assert len(PAGES) >= 80
    assert any(p["enc"] == "gbk" for p in PAGES)
    assert sum('lang="en"' in p["html"] for p in PAGES) >= 10
