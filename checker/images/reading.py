"""Read one image: load it safely, gate it, OCR it, look for the mark. Runs inside an OCR worker."""

from __future__ import annotations

import time

from checker.images.gate import gate_reason
from checker.images.marks import MarkMatcher, load_references
from checker.images.models import ImageReading
from checker.images.ocr import OcrEngine, RapidOcrEngine
from checker.images.versions import reader_version
from crawler.images.loading import ImageError, load_image, sha256_of
from crawler.images.settings import ImageSettings


class ImageReader:
    """One OCR engine and one mark matcher, loaded once per process (the models take ~0.5 s to load)."""

    def __init__(
        self,
        settings: ImageSettings,
        engine: OcrEngine | None = None,
        matcher: MarkMatcher | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or RapidOcrEngine(settings)
        self.matcher = matcher or MarkMatcher(load_references(settings.mark_references or None))
        # The same key the callers look cached readings up by (versions.reader_version), or none would hit.
        self.version = reader_version(settings.mark_references or None, self.engine.version)

    def read(self, raw: bytes) -> ImageReading:
        """Everything in one image; refusals and failures come back as status error with their reason."""
        started = time.perf_counter()
        digest = sha256_of(raw)
        try:
            loaded = load_image(raw, self.settings)
        except ImageError as exc:
            return ImageReading(
                sha256=digest, engine=self.version, status="error", reason=exc.reason, message=exc.detail,
                seconds=round(time.perf_counter() - started, 3),
            )  # fmt: skip
        reading = ImageReading(
            sha256=digest,
            engine=self.version,
            status="read",
            format=loaded.format,
            width=loaded.width,
            height=loaded.height,
            notes=loaded.notes,
        )
        skip = gate_reason(loaded.image, self.settings)
        if skip is not None:
            reading.status, reading.reason = "skipped", skip
        else:
            reading.lines = self.engine.read(loaded.image)
            reading.marks = self.matcher.find(loaded.image)
        reading.seconds = round(time.perf_counter() - started, 3)
        return reading
