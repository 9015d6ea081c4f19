"""The demo marketplace's product images (invented text, the project's STAND-IN mark), drawn reproducibly.

`python -m markwatch.demo_site.images` rewrites pages/img/; the committed files are its output."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image

from checker.images.corpus import FILLER
from checker.images.corpus.draw import cjk_fonts, clutter, paste_rotated, standin_mark, text_block

IMG_DIR = Path(__file__).parent / "pages" / "img"


def label_photo() -> Image.Image:
    """A photographed packaging label: the claim exists only here (an expired edition: SHS003)."""
    rng = random.Random(7)
    label = text_block(
        [
            "产品名称：演示保温杯",
            "执行标准：T/DEMO 001-2019（上海标准）",
            "生产企业：演示杯业有限公司（虚构）",
        ],
        cjk_fonts()[0],
        30,
        (25, 25, 25),
        (250, 246, 235),
    )
    photo = clutter(rng, label.width + 200, label.height + 220)
    paste_rotated(photo, label, (90, 100), 2.0)
    return photo


def detail_strip() -> Image.Image:
    """A tall detail strip with the stand-in mark and no standard disclosed anywhere (SHS008)."""
    rng = random.Random(11)
    width = 750
    blocks = [
        clutter(rng, width, 520),
        text_block(list(FILLER[:3]), cjk_fonts()[0], 30, (40, 40, 40), (250, 250, 250)),
        clutter(rng, width, 480),
    ]
    mark = standin_mark(200, (200, 16, 46), (250, 250, 250))
    height = sum(b.height for b in blocks) + mark.height + 160
    strip = Image.new("RGB", (width, height), (250, 250, 250))
    y = 0
    for block in blocks[:2]:
        strip.paste(block, (0, y))
        y += block.height + 40
    strip.paste(mark, ((width - mark.width) // 2, y))
    y += mark.height + 80
    strip.paste(blocks[2], (0, y))
    return strip


def main() -> None:
    """Write the demo images."""
    IMG_DIR.mkdir(parents=True, exist_ok=True)
    label_photo().save(IMG_DIR / "label-photo.jpg", quality=82)
    detail_strip().save(IMG_DIR / "detail-strip.jpg", quality=80)


if __name__ == "__main__":
    main()
