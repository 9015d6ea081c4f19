"""OCR engines: one interface, RapidOCR (PP-OCR models on ONNX Runtime, shipped inside the wheel)."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from PIL import Image

from checker.images.models import OcrLine
from checker.images.tiles import owns, tiles
from checker.images.versions import ocr_version
from crawler.images.settings import ImageSettings

Box = tuple[int, int, int, int]


class OcrEngine(Protocol):
    """Reads lines of text in an RGB image; `version` names the engine and its models (the cache key)."""

    version: str

    def read(self, image: Image.Image) -> list[OcrLine]:
        """Every line of text in the image, in image pixels."""
        ...


def _box(points: Any, dx: int, dy: int, scale: float) -> Box:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return (
        round(min(xs) / scale) + dx,
        round(min(ys) / scale) + dy,
        round(max(xs) / scale) + dx,
        round(max(ys) / scale) + dy,
    )


class RapidOcrEngine:
    """rapidocr-onnxruntime, one thread per process (parallelism comes from worker processes)."""

    def __init__(self, settings: ImageSettings) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.settings = settings
        # The package's default scales the *short* side up to 736 px, which makes a 750 x 400 label four
        # times dearer for no better reading on label text; scale the long side down to a tile instead.
        self._ocr = RapidOCR(
            intra_op_num_threads=1,
            inter_op_num_threads=1,
            det_limit_type="max",
            det_limit_side_len=settings.tile_height,
        )
        self.version = ocr_version()

    def read(self, image: Image.Image) -> list[OcrLine]:
        """Lines of the whole image: wide images scaled down, tall ones read tile by tile."""
        scale = 1.0
        if image.width > self.settings.max_width:
            scale = self.settings.max_width / image.width
            image = image.resize((self.settings.max_width, max(1, round(image.height * scale))))
        lines: list[OcrLine] = []
        previous = None
        for tile in tiles(image.height, self.settings):
            crop = np.asarray(image.crop((0, tile.top, image.width, tile.bottom)))[:, :, ::-1]  # RGB -> BGR
            result, _ = self._ocr(np.ascontiguousarray(crop))
            for points, text, confidence in result or []:
                box = _box(points, 0, tile.top, 1.0)
                if not owns(tile, box[1], previous):
                    continue
                x0, y0, x1, y1 = box
                lines.append(
                    OcrLine(
                        text=str(text),
                        bbox=(round(x0 / scale), round(y0 / scale), round(x1 / scale), round(y1 / scale)),
                        confidence=round(float(confidence), 4),
                    )
                )
            previous = tile
        return lines
