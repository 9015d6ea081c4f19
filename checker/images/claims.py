"""Claims read in an image: OCR lines go through the same extraction as page text; marks are tied nearby.

OCR lines are grouped into visual rows (left to right) and rows into paragraphs (by vertical gaps); each
paragraph becomes one block of a small HTML page, one row per line, and `extract_page` reads it exactly as
it reads a seller's page: the same mention patterns and traps, ties, certification wording and context
(a 生产企业 row printed on the label names the claimant). The page the image sits on still gives the
claimant and product where the image itself names none."""

from __future__ import annotations

import html
import itertools
import statistics
from dataclasses import dataclass, field

from checker.codes import CodeMatch, find_codes
from checker.extract import Claim, extract_page
from checker.extract.models import ImageRef
from checker.extract.patterns import CERTIFICATION, STANDARD_TITLE
from checker.images.models import Box, ImageReading, MarkHit, OcrLine
from checker.images.ocrtext import normalize_ocr
from pagetext.normalize import normalize_text

# Rows further apart than this many line heights start a new paragraph (a new block of the label).
_PARAGRAPH_GAP = 1.6
# A code or title this many mark heights away from a mark (or nearer) is printed "with" it.
_MARK_REACH = 1.0
_SNIPPET = 300


@dataclass(frozen=True)
class ImageContext:
    """What the page around an image says: claimant, product, the text beside the <img>, where it sits."""

    url: str | None = None
    claimant: str | None = None
    claimant_source: str | None = None
    product_name: str | None = None
    product_source: str | None = None
    product_category: str | None = None
    block_text: str = ""
    location: str = ""


@dataclass
class Row:
    """OCR lines on one visual row, left to right."""

    lines: list[OcrLine] = field(default_factory=list)

    @property
    def box(self) -> Box:
        return union(line.bbox for line in self.lines)

    @property
    def raw(self) -> str:
        return " ".join(_without_repeats(self.lines))

    @property
    def text(self) -> str:
        return normalize_ocr(self.raw)

    @property
    def confidence(self) -> float:
        return min(line.confidence for line in self.lines)


def _without_repeats(lines: list[OcrLine]) -> list[str]:
    """Texts left to right; where the detector boxed overlapping pieces, the repeated characters go once."""
    texts: list[str] = []
    for previous, line in zip([None, *lines], lines, strict=False):
        text = line.text
        if previous is not None and line.bbox[0] < previous.bbox[2] - 2:
            for k in range(min(4, len(text), len(previous.text)), 0, -1):
                if previous.text.endswith(text[:k]):
                    text = text[k:]
                    break
        texts.append(text)
    return [text for text in texts if text]


def union(boxes: object) -> Box:
    """The box around several boxes."""
    items = list(boxes)  # type: ignore[call-overload]
    return (
        min(b[0] for b in items),
        min(b[1] for b in items),
        max(b[2] for b in items),
        max(b[3] for b in items),
    )


def rows_of(lines: list[OcrLine]) -> list[Row]:
    """Lines grouped into rows: a line joins a row it overlaps by half its height."""
    rows: list[Row] = []
    for line in sorted(lines, key=lambda item: (item.bbox[1] + item.bbox[3]) / 2):
        _x0, y0, _x1, y1 = line.bbox
        for row in rows:
            top, bottom = row.box[1], row.box[3]
            overlap = min(y1, bottom) - max(y0, top)
            if overlap > 0.5 * min(y1 - y0, bottom - top):
                row.lines.append(line)
                break
        else:
            rows.append(Row([line]))
    for row in rows:
        row.lines.sort(key=lambda item: item.bbox[0])
    return rows


def paragraphs_of(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped into paragraphs, split where the vertical gap exceeds a line height and a half."""
    if not rows:
        return []
    height = statistics.median(row.box[3] - row.box[1] for row in rows) or 1
    groups: list[list[Row]] = [[rows[0]]]
    for previous, row in itertools.pairwise(rows):
        if row.box[1] - previous.box[3] > _PARAGRAPH_GAP * height:
            groups.append([])
        groups[-1].append(row)
    return groups


def document(paragraphs: list[list[Row]]) -> bytes:
    """The image's text as a small HTML page: one <p> per paragraph, one line per row."""
    body = "".join(
        f'<p id="b{index}">' + "<br>".join(html.escape(row.text) for row in rows) + "</p>"
        for index, rows in enumerate(paragraphs)
    )
    return f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()


def _rows_holding(rows: list[Row], needle: str) -> list[Row]:
    compact_needle = needle.replace(" ", "")
    return [row for row in rows if compact_needle and compact_needle in row.text.replace(" ", "")]


def _code_rows(rows: list[Row], key: str | None) -> list[Row]:
    if key is None:
        return []
    return [row for row in rows if any(match.code.key == key for match in find_codes(row.text))]


def _ref(reading: ImageReading, rows: list[Row], context: ImageContext, engine: str) -> ImageRef:
    return ImageRef(
        sha256=reading.sha256,
        url=context.url,
        bbox=union(row.box for row in rows),
        ocr_text="\n".join(row.raw for row in rows),
        ocr_confidence=min(row.confidence for row in rows),
        engine=engine,
    )


def _with_page_context(claim: Claim, context: ImageContext) -> dict[str, object]:
    """Context the image names itself wins; the page fills what it leaves out."""
    update: dict[str, object] = {}
    if not claim.claimant and context.claimant:
        update.update(claimant=context.claimant, claimant_source=context.claimant_source or "page")
    elif claim.claimant:
        update["claimant_source"] = f"image:{claim.claimant_source}"
    if claim.product_name:
        # The image's own little page has no title or metadata: a product it names is a printed row.
        update["product_source"] = f"image:{claim.product_source or 'row'}"
    elif context.product_name:
        update.update(product_name=context.product_name, product_source=context.product_source or "page")
    if not claim.product_category and context.product_category:
        update["product_category"] = context.product_category
    return update


def text_claims(reading: ImageReading, context: ImageContext) -> tuple[list[Claim], list[list[Row]]]:
    """image-text claims: the OCR text read as a page, each claim boxed on the row(s) it came from."""
    paragraphs = paragraphs_of(rows_of(reading.lines))
    if not paragraphs:
        return [], paragraphs
    page = extract_page(document(paragraphs), declared_charset="utf-8")
    claims: list[Claim] = []
    for claim in page.claims:
        index = int(claim.location.rsplit("#b", 1)[-1]) if "#b" in claim.location else 0
        rows = paragraphs[min(index, len(paragraphs) - 1)]
        held = _rows_holding(rows, claim.text)[:1] or rows[:1]
        coded = [r for r in _code_rows(rows, claim.standard_key) if r not in held][:1]
        involved = sorted(held + coded, key=lambda row: row.box[1])
        update = _with_page_context(claim, context)
        # A low OCR confidence is judged where findings are (checker/confidence.py, `ocr-low`).
        ref = _ref(reading, involved, context, reading.engine)
        raw_text = "\n".join(row.raw for row in rows)
        claims.append(
            claim.model_copy(
                update={
                    **update,
                    "kind": "image-text",
                    "verbatim": claim.text,
                    "snippet": raw_text[:_SNIPPET],
                    "snippet_normalized": normalize_text(raw_text)[:_SNIPPET],
                    "location": context.location,
                    "image": ref,
                }
            )
        )
    return claims, paragraphs


def _distance(a: Box, b: Box) -> float:
    dx = max(0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0, max(a[1], b[1]) - min(a[3], b[3]))
    return float(max(dx, dy))


def _nearest_disclosure(mark: MarkHit, rows: list[Row]) -> tuple[Row, CodeMatch | None, str | None] | None:
    reach = _MARK_REACH * (mark.bbox[3] - mark.bbox[1])
    best: tuple[float, Row, CodeMatch | None, str | None] | None = None
    for row in rows:
        distance = _distance(mark.bbox, row.box)
        if distance > reach:
            continue
        codes = find_codes(row.text)
        title = STANDARD_TITLE.search(row.text)
        if (codes or title) and (best is None or distance < best[0]):
            best = (distance, row, codes[0] if codes else None, title.group(1).strip() if title else None)
    return best[1:] if best else None


def mark_claims(reading: ImageReading, paragraphs: list[list[Row]], context: ImageContext) -> list[Claim]:
    """mark-image claims: each mark tied to a code or 《title》 printed near it, else in the page beside it."""
    rows = [row for paragraph in paragraphs for row in paragraph]
    claims: list[Claim] = []
    for mark in reading.marks:
        near = _nearest_disclosure(mark, rows)
        code, title, tie, ocr_rows = None, None, "none", []
        if near is not None:
            row, match, title = near
            code, tie, ocr_rows = (match.code if match else None), "caption", [row]
        else:
            page_codes = find_codes(context.block_text)
            page_title = STANDARD_TITLE.search(context.block_text)
            if page_codes:
                code, tie = page_codes[0].code, "sentence"
            elif page_title:
                title, tie = page_title.group(1).strip(), "title-only"
        if code is None and title is not None and tie == "caption":
            tie = "title-only"
        nearby = " ".join(r.text for r in ocr_rows)
        ref = ImageRef(
            sha256=reading.sha256,
            url=context.url,
            bbox=mark.bbox if not ocr_rows else union([mark.bbox, *(r.box for r in ocr_rows)]),
            ocr_text="\n".join(r.raw for r in ocr_rows) or None,
            ocr_confidence=min([r.confidence for r in ocr_rows], default=None),
            engine=f"{reading.engine} ({mark.reference}, {mark.inliers} inliers)",
        )
        claim = Claim(
            id="",
            kind="mark-image",
            text=f"[mark {mark.reference}]",
            pattern=f"mark:{mark.reference}",
            standard_code=code.display if code else None,
            standard_key=code.key if code else None,
            standard_number_key=code.number_key if code else None,
            standard_kind=code.kind.value if code else None,
            standard_title=title,
            tie=tie,  # type: ignore[arg-type]
            certification_words=[p.name for p in CERTIFICATION if nearby and p.regex.search(nearby)],
            snippet=(nearby or context.block_text)[:_SNIPPET],
            snippet_normalized=normalize_text(nearby or context.block_text)[:_SNIPPET],
            location=context.location,
            image=ref,
        )
        update = _with_page_context(claim, context)
        claims.append(claim.model_copy(update=update))
    return claims


def image_claims(reading: ImageReading, context: ImageContext) -> list[Claim]:
    """Every claim in one read image (ids are left for the page to number)."""
    if reading.status != "read":
        return []
    texts, paragraphs = text_claims(reading, context)
    return texts + mark_claims(reading, paragraphs, context)
