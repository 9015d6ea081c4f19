"""Cut tall detail strips into overlapping tiles; keep each line once, from the tile that sees it whole."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.images.settings import ImageSettings


@dataclass(frozen=True)
class Tile:
    """Rows [top, bottom) of the image; lines whose top lies in [top, owns_until) belong to this tile."""

    top: int
    bottom: int
    owns_until: int


def tiles(height: int, settings: ImageSettings) -> list[Tile]:
    """Overlapping tiles covering `height` rows; one tile when the image is short enough."""
    size, overlap = settings.tile_height, settings.tile_overlap
    if height <= size + overlap:
        return [Tile(0, height, height)]
    out: list[Tile] = []
    top = 0
    while True:
        bottom = min(top + size, height)
        if bottom >= height:
            out.append(Tile(top, height, height))
            return out
        # A line starting in the last `overlap` rows may be cut at the bottom: the next tile owns it,
        # and sees it whole because the overlap is taller than a line of text.
        out.append(Tile(top, bottom, bottom - overlap))
        top = bottom - overlap


def owns(tile: Tile, line_top: int, previous: Tile | None) -> bool:
    """Whether a line whose box starts at `line_top` (image rows) is kept from this tile."""
    # Two rows of slack either side of the seam, matched by the top-edge test below, so no line is lost.
    if line_top >= tile.owns_until + 2:
        return False
    # A box touching the tile's top edge is a line cut by it: the previous tile read it whole.
    return not (previous is not None and line_top <= tile.top + 1)
