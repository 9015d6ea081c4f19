"""Read one image: load it safely, gate it, OCR it, look for the mark. Runs inside an OCR worker."""

from __future__ import annotations

import time

from checker.images.gate import gate_reason
from checker.images.marks import MarkMatcher, load_references
from checker.images.models import ImageReading, OcrLine
from checker.images.ocr import OcrEngine, RapidOcrEngine
from checker.images.svg import SvgRefused, is_icon, parse_svg, rasterise, render_size
from checker.images.versions import reader_version
from crawler.images.loading import ImageError, load_image, sha256_of, sniff
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
        if len(raw) <= self.settings.max_bytes and sniff(raw) == "svg":
            reading = self._read_svg(raw, digest)
            reading.seconds = round(time.perf_counter() - started, 3)
            return reading
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

    def _read_svg(self, raw: bytes, digest: str) -> ImageReading:
        """An SVG: its shown <text> read from the markup, the drawing without it OCRed, the whole matched for marks.

        Lines read from the markup are set below the drawing's own (one row each, one paragraph), so OCR rows and
        them never merge; they are exact (confidence 1). An icon-sized SVG with no text is skipped as an icon."""
        reading = ImageReading(sha256=digest, engine=self.version, status="read", format="svg")
        try:
            document = parse_svg(raw)
            if is_icon(document):
                reading.status, reading.reason = "skipped", "icon"
                return reading
            size = render_size(document, self.settings)
            drawing = rasterise(document.drawing, size)
        except SvgRefused as exc:
            reading.status, reading.reason, reading.message = "error", exc.reason, exc.message
            return reading
        reading.width, reading.height = drawing.size
        reading.notes.append(
            f"SVG drawn at {drawing.width} x {drawing.height}; {len(document.lines)} line(s) of text read from its"
            " markup"
        )
        if document.has_graphics:
            try:
                bare = rasterise(document.drawing_without_text, size) if document.lines else drawing
            except SvgRefused as exc:
                reading.status, reading.reason, reading.message = "error", exc.reason, exc.message
                return reading
            if gate_reason(bare, self.settings) is None:
                reading.lines = self.engine.read(bare)
            if gate_reason(drawing, self.settings) is None:
                reading.marks = self.matcher.find(drawing)
        top = drawing.height + 8 * _SOURCE_LINE
        for index, text in enumerate(document.lines):
            y = top + index * _SOURCE_LINE
            box = (0, y, max(1, len(text)) * _SOURCE_LINE, y + _SOURCE_LINE - 4)
            reading.lines.append(OcrLine(text=text, bbox=box, confidence=1.0))
        if not reading.lines and not reading.marks:
            skip = gate_reason(drawing, self.settings)
            if skip is not None:
                reading.status, reading.reason = "skipped", skip
        return reading


# The height given to a line read from an SVG's markup (its place in the drawing is not computed).
_SOURCE_LINE = 24
