"""What reading one image gives: OCR lines, mark hits, or the reason it was skipped or refused."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Box = tuple[int, int, int, int]
ReadingStatus = Literal["read", "skipped", "error"]


# The reason of every image answered by a reader pool whose workers cannot start: none was read, and it is not
# the image's fault (never cached; the API answers 503).
READER_UNAVAILABLE = "reader-unavailable"


class OcrLine(BaseModel):
    """One line of text as the OCR engine read it (before any normalisation)."""

    text: str
    bbox: Box = Field(description="x0, y0, x1, y1 in the upright image's pixels")
    confidence: float = Field(description="the engine's confidence, 0..1")


class MarkHit(BaseModel):
    """The special mark's artwork found in an image."""

    bbox: Box
    reference: str = Field(description="the reference image it matched (file name)")
    score: float = Field(description="share of the reference's matched features that fit the geometry, 0..1")
    inliers: int


class ImageReading(BaseModel):
    """Everything read from one image (by sha256) with one engine version; cached and stored as such."""

    sha256: str
    engine: str = Field(description="OCR engine and model version + mark matcher version: the cache key")
    status: ReadingStatus
    reason: str | None = Field(default=None, description="gate reason (skipped) or error reason (error)")
    message: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    lines: list[OcrLine] = Field(default_factory=list)
    marks: list[MarkHit] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def text(self) -> str:
        """All lines, top to bottom."""
        return "\n".join(line.text for line in self.lines)
