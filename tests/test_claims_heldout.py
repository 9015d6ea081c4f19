"""Held-out claims pages (tests/data/claims_heldout): written blind, measured once, then kept as regression data.

Each page's occurrences and findings are those its .expected.yaml declares, through the full Checker against
the claims corpus registry followed by the held-out registry. An occurrence the classifier is known to get
wrong is listed under `known` with what it gets instead and why: the expectation stays the truth, the test
holds the classifier to its known answer, and an improvement fails here until the entry is removed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from checker.check import Checker, PageResult
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case

DATA = Path(__file__).parent / "data"
HELDOUT = DATA / "claims_heldout"
PAGES = sorted(HELDOUT.glob("*.html"))
REGISTRIES = (DATA / "claims" / "registry.yaml", HELDOUT / "registry.yaml")
KINDS = ("discussion", "organisation", "product")
USES = ("product", "organisation", "discussion")
FIELDS = {"why", "kind", "script", "markup", "url", "as_of", "input", "occurrences", "findings", "long"}
FIELDS |= {"byline", "round", "known", "revised"}


def heldout_registry() -> RegistryIndex:
    records: list[dict[str, Any]] = []
    for path in REGISTRIES:
        records.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["designations"])
    return RegistryIndex.from_records(record_from_case(r, n) for n, r in enumerate(records, start=1))


def expectations(page: Path) -> dict[str, Any]:
    path = page.with_name(page.stem + ".expected.yaml")
    if not path.exists():
        pytest.fail(f"{page.name} has no {path.name}")
    expected: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(expected) - FIELDS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert expected["kind"] in KINDS and expected["round"] in (1, 2), path.name
    assert page.stem.startswith(f"r{expected['round']}_"), "a page's name starts with its round"
    return expected


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def registry() -> RegistryIndex:
    return heldout_registry()


def run(checker: Checker, registry: RegistryIndex, page: Path, expected: dict[str, Any]) -> PageResult:
    given = expected.get("input") or {}
    raw = page.read_text(encoding="utf-8").encode(given.get("encode_as", "utf-8"))
    as_of = expected.get("as_of", "2026-11-26")
    return checker.check_page(
        raw,
        url=expected["url"],
        declared_charset=given.get("declared_charset"),
        observed_at=None,
        registry=registry,
        as_of=as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of),
    )


def test_heldout_covers_the_kinds_of_pages() -> None:
    pages = [expectations(page) for page in PAGES]
    rounds = Counter(e["round"] for e in pages)
    assert rounds[1] >= 40 and rounds[2] >= 15, rounds
    kinds = Counter(e["kind"] for e in pages)
    assert min(kinds[kind] for kind in KINDS) >= 10, kinds
    assert {e["script"] for e in pages} == {"simplified", "traditional", "english"}
    assert {e["markup"] for e in pages} == {"article", "none"}
    assert {e.get("byline") for e in pages if e.get("long")} >= {"start", "end"}


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_heldout_page(page: Path, checker: Checker, registry: RegistryIndex) -> None:
    expected = expectations(page)
    result = run(checker, registry, page, expected)
    occurrences = result.page.occurrences
    if expected.get("long"):
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").get_text()
        assert len("".join(text.split())) > 2000, "a long page holds more than 2,000 characters of text"
    wanted = expected["occurrences"]
    got = [o.use for o in occurrences]
    if isinstance(wanted, dict):
        assert Counter(got) == Counter(wanted), [(o.use, o.signals, o.snippet[:60]) for o in occurrences]
    else:
        truth = list(wanted)
        for known in expected.get("known") or []:
            assert truth[known["occurrence"]] != known["got"] and known["why"], known
            truth[known["occurrence"]] = known["got"]
        assert got == truth, [(o.use, o.signals, o.snippet[:60]) for o in occurrences]
    claims = {c.id: c for c in result.page.claims}
    findings = {
        (f.rule_id, claims[f.claim_id].standard_code or claims[f.claim_id].standard_title)
        for f in result.findings
    }
    assert findings == {tuple(pair) for pair in expected.get("findings") or []}
    if expected["kind"] == "discussion":
        assert result.findings == [], "a discussion page yields no finding"
    for occurrence in occurrences:
        assert occurrence.verbatim and occurrence.verbatim in occurrence.snippet
        assert len(occurrence.snippet) <= 300
    assert {o.claim_id for o in occurrences if o.claim_id} == set(claims)
