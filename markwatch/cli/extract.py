"""`markwatch extract PAGE…`: print the claims found on saved pages (a debugging aid for inspectors)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from checker.extract import Claim, PageClaims
from checker.extract.models import Occurrence
from markwatch.cli.imagefiles import extract_target, memory_source
from markwatch.cli.page_files import SNIFF_BYTES, refuse_non_page
from markwatch.errors import InputError

_FIELDS = (
    ("verbatim", "verbatim"),
    ("standard", "standard_code"),
    ("title", "standard_title"),
    ("tie", "tie"),
    ("claimant", "claimant"),
    ("from", "claimant_source"),
    ("product", "product_name"),
    ("product from", "product_source"),
    ("category", "product_category"),
    ("where", "location"),
)


def _read(path: str, *, images: bool) -> bytes:
    try:
        raw = Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a saved page", source=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the page: {exc.strerror or exc}", source=path) from None
    refuse_non_page(path, raw[:SNIFF_BYTES], images=images)
    return raw


def _claim_lines(claim: Claim) -> list[str]:
    lines = [f"  {claim.id} [{claim.kind}] {claim.text}  use: {claim.use} ({claim.use_confidence})"]
    if claim.use_signals:
        lines.append(f"      why: {', '.join(claim.use_signals)}")
    for label, name in _FIELDS:
        value = getattr(claim, name)
        if value:
            lines.append(f"      {label}: {value}")
    if claim.certification_words:
        lines.append(f"      certification words: {', '.join(claim.certification_words)}")
    if claim.image is not None:
        image = claim.image
        confidence = (
            f", OCR confidence {image.ocr_confidence:.2f}" if image.ocr_confidence is not None else ""
        )
        lines.append(f"      image: {image.sha256[:16]}… box {image.bbox}{confidence}")
    lines.append(f"      snippet: {claim.snippet}")
    return lines


def _occurrence_lines(occurrence: Occurrence) -> list[str]:
    return [
        f"  - {occurrence.use}: {occurrence.verbatim or occurrence.text} at {occurrence.location}",
        f"      why: {', '.join(occurrence.signals) or '-'}",
        f"      snippet: {occurrence.snippet}",
    ]


def render_text(path: str, page: PageClaims) -> str:
    """One page's claims, and the occurrences that are not claims, as indented text."""
    head = f"{path}: {len(page.claims)} claim(s), encoding {page.encoding or 'not decoded'}"
    lines = [head, *(f"  note: {note}" for note in (*page.encoding_notes, *page.notes))]
    if page.page_kind:
        lines.append(f"  page: {page.page_kind} ({', '.join(page.page_signals) or 'no page signal'})")
    # Parts of the page that could not be read: "no claim found" must never look like "not read whole".
    lines += [f"  warning [{w.code}]: {w.message}" for w in page.warnings]
    for claim in page.claims:
        lines.extend(_claim_lines(claim))
    others = [o for o in page.occurrences if o.claim_id is None]
    if others:
        lines.append(f"  not claims: {len(others)} occurrence(s)")
        for occurrence in others:
            lines.extend(_occurrence_lines(occurrence))
    return "\n".join(lines)


@click.command("extract")
@click.argument("pages", nargs=-1, required=True, metavar="PAGE…")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option("--charset", default=None, help="Charset the HTTP header declared, when known.")
@click.option("--url", default=None, help="URL the page was fetched from (only with one PAGE).")
@click.option(
    "--images/--no-images",
    default=True,
    show_default=True,
    help="Read image files and the pages' own images.",
)
def extract(
    pages: tuple[str, ...], output_format: str, charset: str | None, url: str | None, images: bool
) -> None:
    """Print every 上海标准 claim found on saved pages or image files, with its standard and context."""
    if url and len(pages) > 1:
        raise InputError("--url names one page; give one PAGE with it", where="--url")
    source = memory_source() if images else None
    try:
        results = [
            (path, extract_target(source, path, _read(path, images=images), url=url, charset=charset))
            for path in pages
        ]
    finally:
        if source is not None:
            source.close()
    if output_format == "json":
        payload = [{"path": path, **page.model_dump(mode="json")} for path, page in results]
        click.echo(json.dumps(payload if len(payload) > 1 else payload[0], ensure_ascii=False, indent=2))
        return
    click.echo("\n\n".join(render_text(path, page) for path, page in results))
