"""The claims corpus (issue 13): each page's occurrences, claims and findings are exactly those its
.expected.yaml declares, checked through the full Checker against the corpus registry."""

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

CORPUS = Path(__file__).parent / "data" / "claims"
PAGES = sorted(CORPUS.glob("*.html"))
KINDS = ("discussion", "organisation", "product")
FIELDS = {"why", "kind", "script", "markup", "url", "as_of", "input", "page_kind", "occurrences", "claims"}
FIELDS |= {"findings", "long", "byline"}


def corpus_registry() -> RegistryIndex:
    """The corpus registry: the example registry's records and the corpus's own (invented) ones."""
    data = yaml.safe_load((CORPUS / "registry.yaml").read_text(encoding="utf-8"))
    return RegistryIndex.from_records(
        record_from_case(record, number) for number, record in enumerate(data["designations"], start=1)
    )


def expectations(page: Path) -> dict[str, Any]:
    """The page's .expected.yaml, with its keys checked (a typo must not silently skip a check)."""
    path = page.with_name(page.stem + ".expected.yaml")
    if not path.exists():
        pytest.fail(f"{page.name} has no {path.name}")
    expected = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = set(expected) - FIELDS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert expected["kind"] in KINDS, path.name
    return expected


def check(checker: Checker, registry: RegistryIndex, page: Path, expected: dict[str, Any]) -> PageResult:
    """The page through the full pipeline, as a sweep would check it."""
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


def uses_of(expected: dict[str, Any]) -> list[str] | Counter[str]:
    """Expected occurrence uses: a list in document order, or counts per use for long policy texts."""
    wanted = expected["occurrences"]
    return Counter(wanted) if isinstance(wanted, dict) else list(wanted)


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def registry() -> RegistryIndex:
    return corpus_registry()


def test_corpus_covers_issue_13() -> None:
    # Done means: at least 20 discussion pages, 10 organisation-claim pages, product pages with duplicated
    # parameter blocks; simplified and traditional, with and without article markup, some long.
    pages = [expectations(page) for page in PAGES]
    kinds = Counter(e["kind"] for e in pages)
    assert kinds["discussion"] >= 20 and kinds["organisation"] >= 10 and kinds["product"] >= 5, kinds
    discussion = [e for e in pages if e["kind"] == "discussion"]
    assert {e["script"] for e in discussion} >= {"simplified", "traditional"}
    assert {e["markup"] for e in discussion} == {"article", "none"}
    assert {e.get("byline") for e in discussion if e.get("long")} >= {"start", "end"}


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_corpus_page(page: Path, checker: Checker, registry: RegistryIndex) -> None:
    expected = expectations(page)
    result = check(checker, registry, page, expected)
    extracted = result.page
    if expected.get("long"):
        text = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml").get_text()
        assert len("".join(text.split())) > 2000, "a long page holds more than 2,000 characters of text"
    got_uses = [o.use for o in extracted.occurrences]
    wanted = uses_of(expected)
    got: list[str] | Counter[str] = Counter(got_uses) if isinstance(wanted, Counter) else got_uses
    assert got == wanted, [(o.use, o.signals, o.snippet[:60]) for o in extracted.occurrences]
    if "page_kind" in expected:
        assert extracted.page_kind == expected["page_kind"], extracted.page_signals
    if "claims" in expected:
        claims = [c.model_dump() for c in extracted.claims]
        assert len(claims) == len(expected["claims"]), [(c["text"], c["use"]) for c in claims]
        for claim, want in zip(claims, expected["claims"], strict=True):
            assert {key: claim[key] for key in want} == want, claim["use_signals"]
    claims_by_id = {c.id: c for c in extracted.claims}
    findings = {
        (f.rule_id, claims_by_id[f.claim_id].standard_code or claims_by_id[f.claim_id].standard_title)
        for f in result.findings
    }
    assert findings == {tuple(pair) for pair in expected.get("findings") or []}
    if expected["kind"] == "discussion":
        assert result.findings == [], "a discussion page yields no finding"
    for occurrence in extracted.occurrences:
        assert occurrence.verbatim and occurrence.verbatim in occurrence.snippet
        assert len(occurrence.snippet) <= 300
    assert {o.claim_id for o in extracted.occurrences if o.claim_id} == set(claims_by_id)
