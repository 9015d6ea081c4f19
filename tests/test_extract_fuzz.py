"""Random and mutated HTML bytes never crash or hang the extractor, and never lose a claim without a word.

A few hundred pages with a fixed seed (`python -m bench fuzz` runs 10,000 in a worker process with peak
memory per page): mutated real pages and corpus pages, random bytes, pathological shapes.
"""

from __future__ import annotations

import random
import time

import pytest

from bench.fuzz import BUDGET_GRACE_SECONDS, Seed, lost_claims, mutate, seeds
from checker.extract import PageClaims, extract_page
from checker.extract.limits import default_limits

BUDGET = default_limits().cpu_budget_seconds + BUDGET_GRACE_SECONDS


@pytest.fixture(scope="module")
def pool() -> list[Seed]:
    return seeds()


def _check(raw: bytes, declared_charset: str | None = None) -> PageClaims:
    started = time.thread_time()
    result = extract_page(raw, declared_charset=declared_charset)
    # CPU time of this thread, not wall time: the machine is shared; the budget is what the page may cost.
    assert time.thread_time() - started <= BUDGET, raw[:200]
    assert isinstance(result, PageClaims)
    assert [c.id for c in result.claims] == [f"c{i}" for i in range(1, len(result.claims) + 1)]
    return result


def test_seeds_carry_claims_to_track(pool: list[Seed]) -> None:
    assert len(pool) >= 25
    assert sum(len(seed.claims) for seed in pool) >= 20
    assert any(seed.name.endswith("+claim") and seed.claims for seed in pool)  # real pages with a claim


def test_mutated_pages_never_crash_hang_or_lose_a_claim(pool: list[Seed]) -> None:
    rng = random.Random(20261126)
    untouched = 0
    for _ in range(300):
        seed = rng.choice(pool)
        mutated = mutate(random.Random(rng.randrange(1 << 30)), seed, pool)
        result = _check(mutated.raw, seed.declared_charset)
        untouched += len(seed.claims) - len(mutated.touched)
        assert lost_claims(seed, mutated, result) == [], (seed.name, mutated.ops)
    assert untouched >= 30  # the claim check above had claims to judge


def test_random_bytes_never_crash() -> None:
    rng = random.Random(7)
    for _ in range(300):
        size = rng.choice([0, 1, 2, 3, 17, 500, 5000])
        prefix = rng.choice([b"", "上海标准".encode(), b"<html><body><p>", b"\xff\xfe"])
        _check(prefix + bytes(rng.randint(0, 255) for _ in range(size)))


def test_deep_nesting_is_bounded() -> None:
    raw = ("<div>" * 1500 + "<p>执行标准：T/A 1-2020（上海标准）</p>" + "</div>" * 1500).encode()
    claims = _check(raw).claims
    assert [c.standard_code for c in claims] == ["T/A 1-2020"]


def test_many_claims_stay_linear() -> None:
    card = "<div class=p><h3>产品{n}</h3><ul><li>执行标准：T/A {n}-2020（上海标准）</li><li>生产企业：甲{n}</li></ul></div>"
    raw = ("<html><body>" + "".join(card.format(n=n) for n in range(1, 401)) + "</body></html>").encode()
    claims = _check(raw).claims
    assert len(claims) == 400
    assert (claims[399].product_name, claims[399].claimant) == ("产品400", "甲400")


def test_text_after_a_script_is_read() -> None:
    claims = extract_page("<p>a<script>x</script>本品为上海标准产品 T/A 1-2020</p>".encode()).claims
    assert [c.standard_code for c in claims] == ["T/A 1-2020"]
