"""A reproducible image corpus (seeded): label lines, the stand-in mark, traps and text-free images,
in several fonts, sizes, colours, rotations, JPEG qualities, detail strips and photo-like clutter.

`generate(directory)` writes the images and `manifest.json` (each image's template, variation and the
claims expected in it, from templates.yaml); the same seed gives the same images on the same fonts."""

from __future__ import annotations

import io
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from checker.images.corpus.draw import cjk_fonts, clutter, paste_rotated, standin_mark, text_block

TEMPLATES = Path(__file__).parent / "templates.yaml"
SEED = 20261130
PER_TEMPLATE = 22
# Sentences a detail strip carries besides the label: product prose with no claim in it.
FILLER = (
    "精选优质材料，安全环保，放心使用",
    "采用人体工学设计，舒适耐用",
    "多重工艺检测，品质看得见",
    "大容量设计，满足全家需求",
    "细节决定品质，每一处都用心",
    "官方正品 假一赔十 七天无理由退换",
)
_INKS = (((20, 20, 20), (255, 255, 255)), ((30, 30, 110), (245, 240, 225)), ((250, 250, 250), (40, 60, 90)),
         ((140, 20, 20), (255, 248, 235)), ((10, 80, 40), (235, 245, 235)))  # fmt: skip
_PLACEMENTS = ("label", "strip", "photo")


@dataclass
class Sample:
    """One generated image and what a reader must find in it."""

    file: str
    template: str
    placement: str
    font: str
    size: int
    angle: float
    quality: int | None
    mark_side: int | None
    expected: list[dict[str, Any]]
    stratum: str = field(default="")


def load_templates() -> list[dict[str, Any]]:
    """The templates: lines, mark or not, expected claims."""
    data = yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))
    return list(data["templates"])


def _label(template: dict[str, Any], rng: random.Random, font_path: str, size: int) -> Image.Image:
    ink, paper = rng.choice(_INKS)
    lines = list(template["lines"])
    block = text_block(lines, font_path, size, ink, paper) if lines else None
    if not template.get("mark"):
        if block is None:
            return clutter(rng, rng.randint(300, 700), rng.randint(240, 600))
        return block
    side = rng.choice((56, 80, 120, 180, 260))
    mark_colour = rng.choice(((200, 16, 46), (20, 60, 160), (30, 30, 30), (0, 120, 90)))
    mark = standin_mark(side, mark_colour, paper)
    width = max(mark.width, block.width if block else 0) + 48
    height = mark.height + (block.height if block else 0) + 48
    canvas = Image.new("RGB", (width, height), paper)
    canvas.paste(mark, ((width - mark.width) // 2, 24))
    if block is not None:
        canvas.paste(block, ((width - block.width) // 2, 24 + mark.height))
    canvas.info["mark_side"] = side
    return canvas


def _strip(piece: Image.Image, rng: random.Random, font_path: str, angle: float) -> Image.Image:
    width = 750
    blocks: list[Image.Image] = []
    for _ in range(rng.randint(2, 4)):
        if rng.random() < 0.5:
            blocks.append(clutter(rng, width, rng.randint(300, 700)))
        else:
            lines = rng.sample(FILLER, 2)
            blocks.append(text_block(lines, font_path, rng.randint(26, 34), (40, 40, 40), (250, 250, 250)))
    position = rng.randint(0, len(blocks))
    height = sum(b.height for b in blocks) + piece.height + 200
    canvas = Image.new("RGB", (width, height), (250, 250, 250))
    y = 40
    for index in range(len(blocks) + 1):
        if index == position:
            paste_rotated(canvas, piece, (max(0, (width - piece.width) // 2), y), angle)
            y += piece.height + 60
        if index < len(blocks):
            canvas.paste(blocks[index], (0, y))
            y += blocks[index].height + 20
    return canvas


def _photo(piece: Image.Image, rng: random.Random, angle: float) -> Image.Image:
    width, height = piece.width + rng.randint(160, 400), piece.height + rng.randint(160, 400)
    canvas = clutter(rng, width, height)
    paste_rotated(
        canvas,
        piece,
        (rng.randint(20, width - piece.width - 40), rng.randint(20, height - piece.height - 40)),
        angle,
    )
    return canvas


def samples(seed: int = SEED, per_template: int = PER_TEMPLATE) -> list[tuple[Sample, dict[str, Any]]]:
    """The corpus plan: each template in `per_template` variations (deterministic for a seed)."""
    rng = random.Random(seed)
    fonts = cjk_fonts()
    plan: list[tuple[Sample, dict[str, Any]]] = []
    for template in load_templates():
        for index in range(per_template):
            placement = _PLACEMENTS[index % len(_PLACEMENTS)]
            sample = Sample(
                file=f"{template['name']}-{index:02d}." + ("png" if index % 4 == 0 else "jpg"),
                template=template["name"],
                placement=placement,
                font=fonts[index % len(fonts)].rsplit("/", 1)[-1],
                size=rng.choice((18, 22, 26, 30, 36, 44)),
                angle=round(rng.uniform(-4, 4), 1) if index % 3 else 0.0,
                quality=None if index % 4 == 0 else rng.choice((35, 55, 75, 92)),
                mark_side=None,
                expected=list(template["expected"]),
                stratum=f"{template['name']}/{placement}",
            )
            plan.append((sample, template))
    return plan


def render(sample: Sample, template: dict[str, Any], seed: int = SEED) -> bytes:
    """The image bytes of one sample (its own seeded generator, so any subset renders identically)."""
    rng = random.Random(f"{seed}:{sample.file}")
    font_path = next(p for p in cjk_fonts() if p.endswith(sample.font))
    piece = _label(template, rng, font_path, sample.size)
    sample.mark_side = piece.info.get("mark_side")
    if sample.placement == "strip":
        image = _strip(piece, rng, font_path, sample.angle)
    elif sample.placement == "photo":
        image = _photo(piece, rng, sample.angle)
    else:
        image = (
            piece.rotate(sample.angle, expand=True, fillcolor=piece.getpixel((0, 0)))
            if sample.angle
            else piece
        )
    out = io.BytesIO()
    if sample.quality is None:
        image.save(out, "PNG", optimize=False)
    else:
        image.save(out, "JPEG", quality=sample.quality)
    return out.getvalue()


def generate(directory: Path, *, seed: int = SEED, only: set[str] | None = None) -> list[Sample]:
    """Write the corpus (or the named files of it) and its manifest.json into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Sample] = []
    for sample, template in samples(seed):
        if only is not None and sample.file not in only:
            continue
        (directory / sample.file).write_bytes(render(sample, template, seed))
        written.append(sample)
    manifest = [asdict(s) for s in written]
    (directory / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return written
