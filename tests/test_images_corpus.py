"""Reader accuracy on the generated image corpus: precision and recall per claim kind, never below landing.

The suite reads a fixed stratified subset (each template once in each placement: a plain label, inside a
tall detail strip, on photo-like clutter; 42 images, about a minute on two OCR workers); the benchmark
(`python -m bench images`) reads all 308. Floors are the figures measured when this landed, less nothing:
a change that reads worse must say why here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from checker.images.claims import ImageContext, image_claims
from checker.images.corpus import Sample, generate, samples
from checker.images.corpus.evaluate import score
from checker.images.pool import ReaderPool
from crawler.images.settings import ImageSettings

# Measured 2026-11-30 on the subset below (the full corpus in bench/images.py: image-text P 0.994 / R 0.903
# before the 準 fix, mark-image P 1.000 / R 0.886).
FLOORS = {
    "image-text": {"precision": 1.0, "recall": 1.0},
    "mark-image": {"precision": 1.0, "recall": 1.0},
}


def stratified() -> list[Sample]:
    """The first sample of every (template, placement): every template in every surrounding."""
    chosen: dict[str, Sample] = {}
    for sample, _ in samples():
        chosen.setdefault(sample.stratum, sample)
    return list(chosen.values())


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The subset, generated once per session (or read from MARKWATCH_IMAGE_CORPUS_DIR when set)."""
    given = os.environ.get("MARKWATCH_IMAGE_CORPUS_DIR")
    directory = Path(given) if given else tmp_path_factory.mktemp("image-corpus")
    wanted = {s.file for s in stratified()}
    if not all((directory / name).exists() for name in wanted):
        generate(directory, only=wanted)
    return directory


@pytest.mark.slow
def test_precision_and_recall_per_claim_kind(corpus_dir: Path) -> None:
    subset = stratified()
    assert len(subset) == 42 and {s.placement for s in subset} == {"label", "strip", "photo"}
    settings = ImageSettings(workers=2)
    with ReaderPool(settings) as pool:
        readings = pool.read_all([(corpus_dir / s.file).read_bytes() for s in subset])
    results = [
        (s.file, s.expected, image_claims(r, ImageContext())) for s, r in zip(subset, readings, strict=True)
    ]
    scores = score(results)
    report = {k: (round(v.precision, 3), round(v.recall, 3), v.misses) for k, v in scores.items()}
    print("image corpus subset (precision, recall, misses):", report)
    for kind, floor in FLOORS.items():
        assert scores[kind].precision >= floor["precision"], report[kind]
        assert scores[kind].recall >= floor["recall"], report[kind]
