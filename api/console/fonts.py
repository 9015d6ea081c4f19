"""CJK fonts for notice PDFs, embedded as real (TrueType) fonts so the text is searchable and the file small.

Chromium's PDF backend (Skia) embeds TrueType-outline fonts as Type 0/CIDFontType2 with a ToUnicode map,
but turns CFF-outline fonts, which is what Debian's fonts-noto-cjk ships, and synthetic bold into Type 3
bitmaps-as-glyph-programs: hundreds of fonts, large, and not searchable in most readers. So for each notice we
subset Noto Serif CJK SC (regular and bold) to the characters the notice uses, convert the subset's cubic CFF
outlines to quadratic TrueType glyphs (fontTools' cu2qu), and hand them to Chromium as @font-face data URLs.
"""

from __future__ import annotations

import base64
import io
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

from api.console.errors import PdfRenderError

FONT_DIR_ENV = "MARKWATCH_NOTICE_FONT_DIR"
FAMILY = "MW Notice Serif"
FACE_FAMILY = "Noto Serif CJK SC"
FACES = {400: "NotoSerifCJK-Regular.ttc", 700: "NotoSerifCJK-Bold.ttc"}
# Debian/Ubuntu (fonts-noto-cjk), Fedora, Arch, and fonts installed by hand.
SEARCH_DIRS = (
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/noto-cjk",
    "/usr/local/share/fonts",
)
# Always present besides the document's own characters: the spaces Chromium may lay out between runs.
BASE_CHARACTERS = " \u00a0\u3000"
# Error tolerance of the cubic-to-quadratic conversion in font units (of 1000 per em): invisible in print.
_CU2QU_ERROR = 1.0


@dataclass(frozen=True)
class EmbeddedFace:
    """One converted face: its CSS weight and the TrueType bytes."""

    weight: int
    data: bytes


def font_path(file_name: str) -> Path:
    """Where a Noto CJK collection is installed ($MARKWATCH_NOTICE_FONT_DIR first)."""
    dirs = [os.environ[FONT_DIR_ENV]] if os.environ.get(FONT_DIR_ENV) else []
    for directory in [*dirs, *SEARCH_DIRS]:
        path = Path(directory, file_name)
        if path.is_file():
            return path
    raise PdfRenderError(
        f"cannot make a PDF with embedded CJK fonts: {file_name} not found (install fonts-noto-cjk or set "
        f"{FONT_DIR_ENV})"
    )


@cache
def _face_index(path: Path) -> int:
    collection = TTCollection(str(path), lazy=True)
    for number, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == FACE_FAMILY:
            return number
    raise PdfRenderError(f"{path} holds no {FACE_FAMILY} face")


def _to_truetype(font: TTFont) -> None:
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, _CU2QU_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def embedded_face(weight: int, text: str) -> EmbeddedFace:
    """The `weight` face subset to `text` (plus BASE_CHARACTERS) as TrueType bytes."""
    path = font_path(FACES[weight])
    try:
        # recalcTimestamp off: the same notice must give the same font bytes, so reprints are identical.
        font = TTFont(str(path), fontNumber=_face_index(path), lazy=False, recalcTimestamp=False)
        options = subset.Options()
        options.layout_features = ["*"]
        options.notdef_outline = True
        options.hinting = False
        options.desubroutinize = True
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text + BASE_CHARACTERS)
        subsetter.subset(font)
        _to_truetype(font)
        out = io.BytesIO()
        font.save(out)
    except PdfRenderError:
        raise
    except Exception as exc:  # fontTools raises many unrelated types for a damaged font file
        raise PdfRenderError(f"cannot embed {path.name}: {exc}") from exc
    return EmbeddedFace(weight=weight, data=out.getvalue())


def font_face_css(text: str, bold_text: str | None = None) -> str:
    """@font-face rules for every weight (bold subset to `bold_text` when given), and a rule that puts all of
    the document in that family."""
    rules = []
    for weight in FACES:
        face = embedded_face(weight, bold_text if weight == 700 and bold_text is not None else text)
        data = base64.b64encode(face.data).decode("ascii")
        rules.append(
            f"@font-face{{font-family:'{FAMILY}';font-weight:{weight};font-style:normal;"
            f"src:url(data:font/ttf;base64,{data}) format('truetype');}}"
        )
    # No synthetic bold or italics: Skia prints those as Type 3 fonts.
    rules.append(f"*{{font-family:'{FAMILY}'!important;font-style:normal!important;font-synthesis:none;}}")
    return "".join(rules)
