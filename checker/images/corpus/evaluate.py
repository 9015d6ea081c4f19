"""Precision and recall per claim kind of the image reader on the corpus."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from checker.extract.models import Claim

KINDS = ("image-text", "mark-image")


@dataclass
class Score:
    """Counts for one claim kind; a claim matches when its kind and tied code are the expected ones."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0


def score(results: list[tuple[str, list[dict[str, Any]], list[Claim]]]) -> dict[str, Score]:
    """Scores per kind over (file, expected claims, claims found) triples."""
    scores = {kind: Score() for kind in KINDS}
    for name, expected, claims in results:
        want = Counter((e["kind"], e.get("code")) for e in expected)
        got = Counter((c.kind, c.standard_code) for c in claims)
        for (kind, code), _count in (want | got).items():
            hit = min(want[(kind, code)], got[(kind, code)])
            entry = scores.setdefault(kind, Score())
            entry.true_positives += hit
            entry.false_positives += got[(kind, code)] - hit
            entry.false_negatives += want[(kind, code)] - hit
            if got[(kind, code)] != want[(kind, code)]:
                entry.misses.append(
                    f"{name}: {kind} {code} expected {want[(kind, code)]}, found {got[(kind, code)]}"
                )
    return scores
