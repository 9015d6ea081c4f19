"""Every page in tests/data/extract yields exactly the claims in its .expected.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.extract import EXTRACTOR_VERSION, extract_page
from checker.extract.gate import Searcher

CORPUS = Path(__file__).parent / "data" / "extract"
PAGES = sorted(CORPUS.glob("*.html"))


def load_case(page: Path) -> tuple[bytes, dict[str, Any]]:
    """The page's bytes as the extractor gets them, and its expectations."""
    expected_file = page.with_name(page.stem + ".expected.yaml")
    if not expected_file.exists():
        pytest.fail(f"{page.name} has no {expected_file.name}")
    expected = yaml.safe_load(expected_file.read_text(encoding="utf-8"))
    given = expected.get("input") or {}
    return page.read_text(encoding="utf-8").encode(given.get("encode_as", "utf-8")), expected


def test_corpus_is_not_empty() -> None:
    assert len(PAGES) >= 15


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_corpus_page(page: Path, gate: Searcher) -> None:
    raw, expected = load_case(page)
    given = expected.get("input") or {}
    result = extract_page(
        raw, url=f"https://example.test/{page.name}", declared_charset=given.get("declared_charset")
    )
    assert result.extractor_version == EXTRACTOR_VERSION
    if "encoding" in expected:
        assert result.encoding == expected["encoding"]
    wanted = expected.get("claims") or []
    got = [claim.model_dump() for claim in result.claims]
    assert len(got) == len(wanted), [(c["text"], c["location"]) for c in got]
    for number, (claim, want) in enumerate(zip(got, wanted, strict=True), start=1):
        assert claim["id"] == f"c{number}"
        assert {key: claim[key] for key in want} == want
        assert len(claim["snippet"]) <= 300
