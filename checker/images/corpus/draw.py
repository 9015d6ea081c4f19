"""Drawing for synthetic label images: fonts, the stand-in mark, label blocks, clutter, detail strips."""

from __future__ import annotations

import glob
import math
import random
from functools import cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

RGB = tuple[int, int, int]
# fonts-noto-cjk (Debian; CI installs it): Sans and Serif, regular and bold; face index 2 is SC in the TTCs.
_FONT_GLOBS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/**/wqy-*.tt[cf]",
    "/usr/share/fonts/**/*[Hh]ei*.tt[cf]",
)
_SC_FACE = 2
STANDIN_LABEL = "STAND-IN"


@cache
def cjk_fonts() -> tuple[str, ...]:
    """Paths of the CJK fonts on this machine (the corpus needs at least one)."""
    found: list[str] = []
    for pattern in _FONT_GLOBS:
        found.extend(sorted(glob.glob(pattern, recursive=True)))
    if not found:
        raise FileNotFoundError("no CJK font found: install fonts-noto-cjk")
    return tuple(dict.fromkeys(found))


@cache
def font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size (the Simplified Chinese face of a collection)."""
    index = _SC_FACE if path.endswith(".ttc") else 0
    try:
        return ImageFont.truetype(path, size, index=index)
    except OSError:
        return ImageFont.truetype(path, size)


def standin_mark(
    side: int = 240, colour: RGB = (200, 16, 46), background: RGB = (255, 255, 255)
) -> Image.Image:
    """A stand-in for the 上海标准 special mark's graphic, drawn here for tests and the demo.

    It is NOT the official artwork (published by the regulator) and must never be presented as it: it says
    STAND-IN across its foot. Operators configure the real reference images (MARKWATCH_IMAGE_MARK_REFERENCES)."""
    scale = side / 240
    image = Image.new("RGB", (side, side), background)
    d = ImageDraw.Draw(image)

    def s(*values: float) -> list[float]:
        return [v * scale for v in values]

    d.ellipse(s(6, 6, 234, 234), outline=colour, width=max(2, round(10 * scale)))
    # A tower of two spheres on a needle, a skyline, three waves: lines, corners and curves for keypoints.
    d.line(s(120, 28, 120, 170), fill=colour, width=max(1, round(5 * scale)))
    d.ellipse(s(98, 60, 142, 104), outline=colour, width=max(1, round(6 * scale)))
    d.ellipse(s(106, 122, 134, 150), fill=colour)
    for x0, top, x1 in ((48, 120, 70), (74, 96, 92), (150, 104, 166), (170, 128, 192)):
        d.rectangle(s(x0, top, x1, 172), outline=colour, width=max(1, round(4 * scale)))
    d.polygon(s(36, 70, 60, 40, 70, 78), fill=colour)
    d.rectangle(s(176, 52, 200, 76), fill=colour)
    for i in range(3):
        y = 178 + i * 9
        points = [(x * scale, (y + 5 * math.sin(x / 9)) * scale) for x in range(40, 201, 4)]
        d.line(points, fill=colour, width=max(1, round(3 * scale)))
    label_font = font(cjk_fonts()[0], max(8, round(18 * scale)))
    d.text((side / 2, 214 * scale), STANDIN_LABEL, fill=colour, font=label_font, anchor="mm")
    return image


def text_block(
    lines: list[str], font_path: str, size: int, ink: RGB, paper: RGB, pad: int = 24
) -> Image.Image:
    """Lines of text on a plain background, left-aligned, with line spacing of a printed label."""
    face = font(font_path, size)
    widths = [round(face.getbbox(line)[2]) for line in lines]
    line_height = round(size * 1.5)
    width = max(widths) + 2 * pad
    height = line_height * len(lines) + 2 * pad
    image = Image.new("RGB", (width, height), paper)
    d = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        d.text((pad, pad + i * line_height), line, fill=ink, font=face)
    return image


def clutter(rng: random.Random, width: int, height: int) -> Image.Image:
    """A photo-like background: a gradient, blurred shapes and sensor noise, no text."""
    base = Image.new("RGB", (width, height))
    a = [rng.randint(60, 230) for _ in range(3)]
    b = [rng.randint(60, 230) for _ in range(3)]
    gradient = Image.linear_gradient("L").resize((width, height))
    base = Image.composite(
        Image.new("RGB", (width, height), tuple(a)), Image.new("RGB", (width, height), tuple(b)), gradient
    )
    d = ImageDraw.Draw(base)
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randint(-50, width), rng.randint(-50, height)
        w, h = rng.randint(40, max(60, width // 2)), rng.randint(40, max(60, height // 2))
        colour = tuple(rng.randint(20, 240) for _ in range(3))
        if rng.random() < 0.5:
            d.ellipse((x, y, x + w, y + h), fill=colour)
        else:
            d.rectangle((x, y, x + w, y + h), fill=colour)
    base = base.filter(ImageFilter.GaussianBlur(rng.uniform(2, 6)))
    noise = Image.effect_noise((width, height), rng.uniform(6, 16)).convert("RGB")
    return Image.blend(base, noise, 0.08)


def paste_rotated(
    canvas: Image.Image, piece: Image.Image, xy: tuple[int, int], angle: float
) -> tuple[int, int, int, int]:
    """Paste `piece` rotated by `angle` degrees at xy; returns its box on the canvas."""
    rotated = piece.convert("RGBA").rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    canvas.paste(rotated, xy, rotated)
    return (xy[0], xy[1], xy[0] + rotated.width, xy[1] + rotated.height)
