"""Rule evaluation speed: claims/s through the durable-rules adapter and the plain evaluator on the same
facts, and end-to-end `check` pages/s (extract + enrich + durable rules) on the extraction test pages."""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from pathlib import Path
from typing import Any

from checker.check import Checker
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case
from checker.rules.facts import ClaimFacts
from checker.rules.plain_engine import PlainEngine

PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "extract"
_CHOICES: dict[str, list[Any]] = {
    "claim_kind": ["text", "logo"],
    "has_code": [True, False],
    "has_title": [True, False],
    "code_eligible": [True, False, None],
    "registry_match": ["exact", "other-edition", "title", "none"],
    "record_type": ["group", "enterprise", None],
    "status": ["designated", "expired", "revoked", "abolished", "not-designated", None],
    "days_since_expiry": [None, 3, 400],
    "certification_wording": [True, False],
    "claimant_known": [True, False],
    "claimant_is_holder": [True, False, None],
    "record_has_holders": [True, None],
    "record_has_scope": [True, None],
    "product_known": [True, False],
    "product_in_scope": [True, False, None],
    "product_scope_score": [None, 25, 75],
}


def _facts(count: int) -> list[dict[str, Any]]:
    rng = random.Random(4)
    return [
        ClaimFacts.model_validate({k: rng.choice(v) for k, v in _CHOICES.items()}).as_fact()
        for _ in range(count)
    ]


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def run() -> dict[str, Any]:
    """Figures for the durable adapter, the plain evaluator (baseline) and end-to-end check."""
    quick = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
    facts = _facts(2_000 if quick else 20_000)
    checker = Checker()
    try:
        started = time.perf_counter()
        fired = checker.match(facts)
        durable_s = time.perf_counter() - started
        plain = PlainEngine(checker.rules)
        started = time.perf_counter()
        expected = [plain.matches(f) for f in facts]
        plain_s = time.perf_counter() - started
        assert fired == expected, "durable and plain evaluators disagree"
        registry = RegistryIndex.from_records(
            [
                record_from_case(
                    {
                        "code": "T/ABC 001-2022",
                        "title": "演示",
                        "type": "group",
                        "designated_on": "2022-01-01",
                    },
                    1,
                )
            ]
        )
        raws = [p.read_bytes() for p in sorted(PAGES.glob("*.htm*"))] * (2 if quick else 20)
        started = time.perf_counter()
        for raw in raws:
            checker.check_page(
                raw,
                url=None,
                declared_charset=None,
                observed_at=None,
                registry=registry,
                as_of=dt.date(2026, 11, 26),
            )
        check_s = time.perf_counter() - started
    finally:
        checker.close()
    return {
        "claims": len(facts),
        "rules_fired_per_claim": round(sum(map(len, fired)) / len(facts), 2),
        "durable_claims_per_s": _rate(len(facts), durable_s),
        "plain_claims_per_s (baseline)": _rate(len(facts), plain_s),
        "check_pages": len(raws),
        "check_pages_per_s": _rate(len(raws), check_s),
    }


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key:<32} {value}")
