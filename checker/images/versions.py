"""The reader's version string, known without loading any model: the key OCR results are cached under."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

# Defined here, not in marks.py, so that knowing the version never loads OpenCV.
BUNDLED_DIR = Path(__file__).parent / "marks"
MATCHER_VERSION = "orb-ransac-1"


@cache
def _digest(directory: str, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob(pattern)):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def ocr_version() -> str:
    """rapidocr-onnxruntime's version and a digest of the model files it ships."""
    import rapidocr_onnxruntime

    models = Path(rapidocr_onnxruntime.__file__).parent / "models"
    return f"rapidocr-onnxruntime {metadata.version('rapidocr-onnxruntime')} models {_digest(str(models), '*.onnx')}"


def matcher_version(references: str | None) -> str:
    """The mark matcher's method version and a digest of the reference images in use."""
    folder = references or str(BUNDLED_DIR)
    return f"{MATCHER_VERSION} refs {_digest(folder, '*.png')}"


def reader_version(references: str | None) -> str:
    """OCR engine + models + mark matcher + references: a change to any of them reads images again."""
    return f"{ocr_version()}; {matcher_version(references)}"
