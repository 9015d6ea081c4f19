"""Measure the occurrence classifier on held-out claims pages (tests/data/claims_heldout).

Prints, for the pages of one round (or all): occurrence accuracy per expected use, claim precision and recall
(a claim is a product or organisation occurrence), false findings on discussion pages, false and missed
findings on product and organisation pages, and how many wrong claims and false findings were `review`
rather than `high`. Run from the repository root: `.venv/bin/python scripts/claims_heldout_measure.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.check import Checker  # noqa: E402
from checker.registry import RegistryIndex  # noqa: E402
from checker.rules.cases import record_from_case  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "claims_heldout"
REGISTRIES = (ROOT / "tests" / "data" / "claims" / "registry.yaml", HELDOUT / "registry.yaml")
USES = ("product", "organisation", "discussion")


def registry() -> RegistryIndex:
    records = []
    for path in REGISTRIES:
        records.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["designations"])
    return RegistryIndex.from_records(record_from_case(r, n) for n, r in enumerate(records, start=1))


@dataclass
class Tally:
    pages: int = 0
    occurrences: Counter[str] = field(default_factory=Counter)  # expected use -> count
    right: Counter[str] = field(default_factory=Counter)  # expected use -> classified right
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (expected, got)
    count_mismatch: list[str] = field(default_factory=list)
    claims: int = 0  # occurrences classified product/organisation
    claims_right: int = 0  # ... with the expected use
    claims_not_discussion: int = 0  # ... expected to be a claim at all (either use)
    expected_claims: int = 0
    wrong_claim_confidence: Counter[str] = field(default_factory=Counter)
    false_findings: Counter[str] = field(default_factory=Counter)  # page kind -> count
    missed_findings: Counter[str] = field(default_factory=Counter)
    false_confidence: Counter[str] = field(default_factory=Counter)
    pages_with_false: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    details: list[str] = field(default_factory=list)


def _pairs(expected: list[str], got: list[str]) -> list[tuple[str, str | None]] | None:
    """(expected, got) per occurrence when the page lists them in order and the counts agree."""
    if len(expected) != len(got):
        return None
    return list(zip(expected, got, strict=True))


def measure_page(checker: Checker, index: RegistryIndex, page: Path, tally: Tally) -> None:
    expected: dict[str, Any] = yaml.safe_load(page.with_name(page.stem + ".expected.yaml").read_text("utf-8"))
    given = expected.get("input") or {}
    raw = page.read_text(encoding="utf-8").encode(given.get("encode_as", "utf-8"))
    as_of = expected.get("as_of", "2026-11-26")
    result = checker.check_page(
        raw,
        url=expected["url"],
        declared_charset=given.get("declared_charset"),
        observed_at=None,
        registry=index,
        as_of=as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of)),
    )
    kind = expected["kind"]
    tally.pages += 1
    tally.kinds[kind] += 1
    occurrences = result.page.occurrences
    claims = {c.id: c for c in result.page.claims}
    got = [o.use for o in occurrences]
    wanted = expected["occurrences"]
    notes: list[str] = []
    if isinstance(wanted, dict):
        # Counts only (long policy texts): every expected occurrence of a use is matched by one got.
        want = Counter(wanted)
        have = Counter(got)
        for use in USES:
            tally.occurrences[use] += want[use]
            tally.right[use] += min(want[use], have[use])
        if sum(want.values()) != len(got):
            tally.count_mismatch.append(page.stem)
        tally.expected_claims += want["product"] + want["organisation"]
        for occurrence in occurrences:
            if occurrence.use == "discussion":
                continue
            tally.claims += 1
            if want[occurrence.use] > 0:
                want[occurrence.use] -= 1
                tally.claims_right += 1
                tally.claims_not_discussion += 1
            else:
                claim = claims.get(occurrence.claim_id or "")
                tally.wrong_claim_confidence[claim.use_confidence if claim else "?"] += 1
                notes.append(f"  extra {occurrence.use}: {occurrence.snippet[:70]!r}")
        for use, left in want.items():
            if use != "discussion" and left > 0:
                notes.append(f"  missed {left} {use}")
    else:
        pairs = _pairs(list(wanted), got)
        if pairs is None:
            tally.count_mismatch.append(page.stem)
            notes.append(f"  count: expected {len(wanted)}, got {len(got)}: {got}")
            pairs = [(use, None) for use in wanted]
        for (want_use, got_use), occurrence in zip(pairs, occurrences + [None] * len(pairs), strict=False):
            tally.occurrences[want_use] += 1
            tally.expected_claims += want_use != "discussion"
            if got_use is None:
                continue
            tally.confusion[(want_use, got_use)] += 1
            if want_use == got_use:
                tally.right[want_use] += 1
            else:
                snippet = occurrence.snippet[:70] if occurrence else ""
                notes.append(f"  {want_use} -> {got_use}: {snippet!r}")
            if got_use != "discussion":
                tally.claims += 1
                tally.claims_right += want_use == got_use
                tally.claims_not_discussion += want_use != "discussion"
                if want_use != got_use and occurrence is not None:
                    claim = claims.get(occurrence.claim_id or "")
                    tally.wrong_claim_confidence[claim.use_confidence if claim else "?"] += 1
    findings = {}
    for finding in result.findings:
        claim = claims[finding.claim_id]
        findings[(finding.rule_id, claim.standard_code or claim.standard_title)] = finding
    want_findings = {tuple(pair) for pair in expected.get("findings") or []}
    false = set(findings) - want_findings
    missed = want_findings - set(findings)
    tally.false_findings[kind] += len(false)
    tally.missed_findings[kind] += len(missed)
    if false:
        tally.pages_with_false[kind] += 1
    for pair in sorted(false, key=str):
        tally.false_confidence[findings[pair].confidence] += 1
        notes.append(f"  FALSE finding {pair} ({findings[pair].confidence})")
    for pair in sorted(missed, key=str):
        notes.append(f"  MISSED finding {pair}")
    if notes:
        tally.details.append(f"{page.stem} [{kind}]\n" + "\n".join(notes))


def report(tally: Tally) -> str:
    lines = [f"pages: {tally.pages} {dict(tally.kinds)}"]
    total = sum(tally.occurrences.values())
    right = sum(tally.right.values())
    lines.append(f"occurrences right: {right}/{total}")
    for use in USES:
        lines.append(f"  {use:<13} {tally.right[use]}/{tally.occurrences[use]}")
    if tally.count_mismatch:
        lines.append(f"  pages whose occurrence count differs: {tally.count_mismatch}")
    lines.append(
        f"claims (product/organisation occurrences): precision {tally.claims_right}/{tally.claims}"
        f" (a claim at all: {tally.claims_not_discussion}/{tally.claims}),"
        f" recall {tally.claims_right}/{tally.expected_claims}"
    )
    lines.append(f"  wrong claims by confidence: {dict(tally.wrong_claim_confidence)}")
    lines.append(
        f"false findings on discussion pages: {tally.false_findings['discussion']}"
        f" on {tally.pages_with_false['discussion']} of {tally.kinds['discussion']} pages"
    )
    for kind in ("product", "organisation"):
        lines.append(
            f"{kind} pages: false findings {tally.false_findings[kind]}, missed {tally.missed_findings[kind]}"
        )
    lines.append(f"  false findings by confidence: {dict(tally.false_confidence)}")
    confusion = ", ".join(f"{a}->{b}: {n}" for (a, b), n in sorted(tally.confusion.items()) if a != b)
    lines.append(f"confusion (expected->got): {confusion or 'none'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--round", type=int, help="only the pages of this round (r<N>_*)")
    parser.add_argument("--details", action="store_true", help="list every wrong occurrence and finding")
    args = parser.parse_args()
    pattern = f"r{args.round}_*.html" if args.round else "*.html"
    pages = sorted(HELDOUT.glob(pattern))
    tally = Tally()
    checker = Checker()
    try:
        index = registry()
        for page in pages:
            measure_page(checker, index, page, tally)
    finally:
        checker.close()
    print(report(tally))
    if args.details:
        print("\n".join(tally.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
