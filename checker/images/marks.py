"""Find the special mark's artwork in an image by matching operator-supplied reference images.

Method, chosen by measurement on the 308-image corpus (44 images with the stand-in at 56-260 px, 264
without; 2026-11-30): ORB keypoints, a brute-force Hamming matcher with Lowe's ratio test, then a RANSAC
homography; a hit needs enough geometric inliers and must project the reference to a plausible convex box.
  ORB, reference at 256 px only          31/44 found, 0 false hits
  ORB, references at 256 + 128 px        35/44, 0
  ORB, references at 256 + 128 + 80 px   39/44, 0   <- used (ORB's pyramid only shrinks: small marks
                                                       need a small reference)
  SIFT (float descriptors), 256 + 128    33/44, 0, 1.6x the time of ORB at 256 + 128
AKAZE is not in opencv-python 5 (moved to contrib). Feature matching survives scaling, small rotations,
JPEG and recolouring (grey levels, against the reference and its negative). Misses are marks of 56-80 px
in JPEG q35-55 strips and one heavily rotated photo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from checker.images.models import Box, MarkHit
from checker.images.versions import BUNDLED_DIR, MATCHER_VERSION

# Each reference is described at these long sides (see the measurements above).
REFERENCE_SIDES = (256, 128, 80)
# Long side an image (or a tile of a tall strip) is searched at: marks on product images are 40-400 px.
_SEARCH_SIDE = 1400
_TILE = 1200
_TILE_OVERLAP = 400
_RATIO = 0.78
_MIN_INLIERS = 14
_MIN_INLIER_SHARE = 0.3
_MAX_HITS = 3
_PAD = 24


@dataclass(frozen=True)
class Reference:
    """One reference artwork: its name, size and ORB features (and those of its negative)."""

    name: str
    width: int
    height: int
    pad: int
    variants: tuple[tuple[tuple[cv2.KeyPoint, ...], np.ndarray], ...]


def _orb(features: int) -> Any:
    create: Any = getattr(cv2, "ORB_create")  # noqa: B009 - missing from opencv's type stubs
    return create(nfeatures=features, scaleFactor=1.2, nlevels=8, edgeThreshold=15, patchSize=31)


def _grey(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L"))


def load_reference(name: str, image: Image.Image, side: int = REFERENCE_SIDES[0]) -> Reference:
    """Features of one reference image at one size (and of its negative)."""
    grey = _grey(image)
    scale = side / max(grey.shape)
    grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # A white margin gives keypoints at the artwork's outer edge room for their patch.
    grey = cv2.copyMakeBorder(grey, _PAD, _PAD, _PAD, _PAD, cv2.BORDER_CONSTANT, value=255)
    orb = _orb(800)
    variants = []
    for variant in (grey, 255 - grey):
        points, descriptors = orb.detectAndCompute(variant, None)
        if descriptors is not None and len(points) >= _MIN_INLIERS:
            variants.append((tuple(points), descriptors))
    if not variants:
        raise ValueError(f"reference {name} has too little detail to match at {side} px")
    return Reference(name, grey.shape[1], grey.shape[0], _PAD, tuple(variants))


def load_references(directory: str | Path | None = None) -> list[Reference]:
    """Every *.png under `directory` (the operator's reference artwork), else the bundled stand-in."""
    folder = Path(directory) if directory else BUNDLED_DIR
    paths = sorted(folder.glob("*.png"))
    if not paths:
        raise FileNotFoundError(f"no reference images (*.png) in {folder}")
    refs: list[Reference] = []
    for path in paths:
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        refs.extend(load_reference(path.name, rgb, side) for side in REFERENCE_SIDES)
    return refs


def _plausible(corners: np.ndarray, ref: Reference, width: int, height: int) -> Box | None:
    quad = corners.reshape(4, 2)
    if not cv2.isContourConvex(quad.astype(np.float32)):
        return None
    sides = [float(np.linalg.norm(quad[i] - quad[(i + 1) % 4])) for i in range(4)]
    if min(sides) < 12:
        return None
    # A small rotation or perspective keeps opposite sides alike and the aspect near the reference's.
    if max(sides[0], sides[2]) > 1.6 * min(sides[0], sides[2]) or max(sides[1], sides[3]) > 1.6 * min(
        sides[1], sides[3]
    ):
        return None
    aspect = (sides[0] + sides[2]) / max(1e-6, sides[1] + sides[3])
    inner = (ref.width - 2 * ref.pad) / (ref.height - 2 * ref.pad)
    if not 0.6 < aspect / inner < 1.6:
        return None
    x0, y0 = quad.min(axis=0)
    x1, y1 = quad.max(axis=0)
    box = (max(0, int(x0)), max(0, int(y0)), min(width, int(x1)), min(height, int(y1)))
    return box if box[2] - box[0] >= 12 and box[3] - box[1] >= 12 else None


class MarkMatcher:
    """Searches images for any of the reference marks."""

    version = MATCHER_VERSION

    def __init__(self, references: list[Reference]) -> None:
        self.references = references
        self._orb = _orb(4000)
        self._matcher = cv2.BFMatcher(cv2.NORM_HAMMING)

    def find(self, image: Image.Image) -> list[MarkHit]:
        """Marks in the image, in its own pixels."""
        grey = _grey(image)
        scale = min(1.0, _SEARCH_SIDE / grey.shape[1])
        if scale < 1.0:
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        hits: list[MarkHit] = []
        top = 0
        height = grey.shape[0]
        while top < height and len(hits) < _MAX_HITS:
            bottom = min(height, top + _TILE)
            for hit in self._find_in(grey[top:bottom], top):
                if not any(_overlap(hit.bbox, other.bbox) > 0.3 for other in hits):
                    hits.append(hit)
            if bottom >= height:
                break
            top = bottom - _TILE_OVERLAP
        return [hit.model_copy(update={"bbox": tuple(round(v / scale) for v in hit.bbox)}) for hit in hits]

    def _find_in(self, grey: np.ndarray, dy: int) -> list[MarkHit]:
        mask = np.full(grey.shape, 255, dtype=np.uint8)
        found: list[MarkHit] = []
        for _ in range(_MAX_HITS):
            points, descriptors = self._orb.detectAndCompute(grey, mask)
            if descriptors is None or len(points) < _MIN_INLIERS:
                break
            best = self._best(points, descriptors, grey.shape)
            if best is None:
                break
            hit, box = best
            found.append(hit.model_copy(update={"bbox": (box[0], box[1] + dy, box[2], box[3] + dy)}))
            mask[box[1] : box[3], box[0] : box[2]] = 0  # look for another mark elsewhere
        return found

    def _best(
        self, points: Any, descriptors: np.ndarray, shape: tuple[int, ...]
    ) -> tuple[MarkHit, Box] | None:
        best: tuple[MarkHit, Box] | None = None
        for ref in self.references:
            for ref_points, ref_descriptors in ref.variants:
                pairs = self._matcher.knnMatch(ref_descriptors, descriptors, k=2)
                good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
                if len(good) < _MIN_INLIERS:
                    continue
                src = np.array([ref_points[m.queryIdx].pt for m in good], dtype=np.float32).reshape(-1, 1, 2)
                dst = np.array([points[m.trainIdx].pt for m in good], dtype=np.float32).reshape(-1, 1, 2)
                homography, inlier_mask = cv2.findHomography(src, dst, cv2.RANSAC, 5.0)
                if homography is None or inlier_mask is None:
                    continue
                inliers = int(inlier_mask.sum())
                share = inliers / len(good)
                if inliers < _MIN_INLIERS or share < _MIN_INLIER_SHARE:
                    continue
                near, far_x, far_y = ref.pad, ref.width - ref.pad, ref.height - ref.pad
                corners = np.array(
                    [[near, near], [far_x, near], [far_x, far_y], [near, far_y]], dtype=np.float32
                ).reshape(-1, 1, 2)
                box = _plausible(cv2.perspectiveTransform(corners, homography), ref, shape[1], shape[0])
                if box is None:
                    continue
                hit = MarkHit(bbox=box, reference=ref.name, score=round(share, 3), inliers=inliers)
                if best is None or inliers > best[0].inliers:
                    best = (hit, box)
        return best


def _overlap(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0
