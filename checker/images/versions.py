"""The reader's version string, known without loading any model: the key OCR results are cached under."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

# Defined here, not in marks.py, so that knowing the version never loads OpenCV.
BUNDLED_DIR = Path(__file__).parent / "marks"
MATCHER_VERSION = "orb-ransac-1"
# How an image is prepared before any engine sees it: which frame of an animation is read (loading.py), how
# it is made upright and flattened, gated as blank and cut into tiles. A reading cached before a change here
# was made from other pixels, so a change must bump this and every image is read again once.
# 2: the frame with most detail among the first 8 (was: the first frame).
# 3: SVG text is read by checker/svglines.py (as inline page <svg> is): fill-opacity, opacity in % or !important
# hide, a negative font-size (invalid, ignored) does not.
PREPARATION_VERSION = "prep-3"


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


def reader_version(references: str | None, ocr: str | None = None) -> str:
    """Preparation + OCR engine + models + mark matcher + references: a change to any reads images again.

    `ocr` is the engine's own version when the reader holds one (a test engine), else rapidocr's."""
    return f"{PREPARATION_VERSION}; {ocr or ocr_version()}; {matcher_version(references)}"
