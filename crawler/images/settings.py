"""Limits and knobs of image reading, explicit defaults with MARKWATCH_IMAGE_* overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from markwatch.errors import InputError

ENV_PREFIX = "MARKWATCH_IMAGE_"


@dataclass(frozen=True)
class ImageSettings:
    """Every limit an operator may tune; `from_env` reads MARKWATCH_IMAGE_<FIELD>."""

    # Fetched bytes above this are refused before decoding (detail strips are 0.2-3 MB as JPEG).
    max_bytes: int = 12 * 1024 * 1024
    # Decoded pixels (width x height, read from the header) above this are refused, never decoded:
    # 790 x 30,000 detail strips are 24 Mpx; a 40,000 x 40,000 PNG (1.6 Gpx, a few KB compressed) is a bomb.
    max_pixels: int = 40_000_000
    max_side: int = 40_000
    # Wall time for one image in a worker (decode, gate, OCR, mark search); past it the worker is killed.
    time_limit_s: float = 60.0
    # The gate: images this small cannot hold a line of text or a legible mark.
    gate_min_side: int = 20
    gate_min_area: int = 48 * 48
    # A line of text needs some contrast: a thumbnail this flat (grey-level standard deviation) is blank.
    gate_min_stddev: float = 4.0
    # Tall detail strips are read in tiles of this height, overlapping by more than a tall line of text.
    tile_height: int = 960
    tile_overlap: int = 96
    # Wider images are scaled down to this width first (text on product images is large where they are wide).
    max_width: int = 1600
    # A finding resting on an OCR read under this confidence (0..1) goes to review (checker/confidence.py's
    # `ocr-low` reason), never straight to the queue as high. The one threshold: ocr_review_below() reads it.
    low_confidence: float = 0.80
    # Worker processes for OCR, their pending queue, and the resident size after which one is recycled.
    workers: int = 1
    queue_size: int = 64
    worker_max_rss_mb: int = 800
    # OCR workers run at this niceness: on a small machine the crawl (and the API) keep the CPU first.
    worker_nice: int = 10
    # After its crawl, a sweep waits at most this long for the OCR of the images it fetched (and gives up
    # sooner when no image is finished for twice the per-image time limit); what is left keeps the sweep
    # `incomplete`, and `sweep resume` reads it.
    drain_timeout_s: float = 900.0
    # Where operators keep reference images of the special mark (PNG); empty: the bundled stand-in.
    mark_references: str = ""

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ImageSettings:
        """Defaults overridden by MARKWATCH_IMAGE_<FIELD> variables; a bad value names its variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for item in fields(cls):
            name = ENV_PREFIX + item.name.upper()
            raw = env.get(name)
            if raw is None:
                continue
            kind = type(getattr(cls(), item.name))
            try:
                values[item.name] = kind(raw)
            except ValueError:
                raise InputError(f"must be a {kind.__name__}, got {raw!r}", source=name) from None
        settings = replace(cls(), **values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse settings that cannot work (an overlap as tall as a tile never advances)."""
        if self.tile_overlap >= self.tile_height // 2:
            raise InputError("must be under half of tile_height", source=ENV_PREFIX + "TILE_OVERLAP")
        for name in ("max_bytes", "max_pixels", "max_side", "workers", "queue_size", "worker_max_rss_mb"):
            if getattr(self, name) < 1:
                raise InputError("must be at least 1", source=ENV_PREFIX + name.upper())
        if not 0 < self.low_confidence <= 1:
            raise InputError("must be in (0, 1]", source=ENV_PREFIX + "LOW_CONFIDENCE")


def ocr_review_below(environ: dict[str, str] | None = None) -> float:
    """The OCR confidence under which a finding goes to review: MARKWATCH_IMAGE_LOW_CONFIDENCE, else the
    default. Read on each call (cheap: one variable), so every process and test sees the same setting."""
    env = os.environ if environ is None else environ
    raw = env.get(ENV_PREFIX + "LOW_CONFIDENCE")
    if raw is None:
        return ImageSettings.low_confidence
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"must be a float, got {raw!r}", source=ENV_PREFIX + "LOW_CONFIDENCE") from None
    if not 0 < value <= 1:
        raise InputError("must be in (0, 1]", source=ENV_PREFIX + "LOW_CONFIDENCE")
    return value
