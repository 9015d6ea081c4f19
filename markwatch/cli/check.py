"""`markwatch check`: judge pages (files, directories, URLs, stdin) and report findings."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NamedTuple

import click
import httpx

from checker.check import Checker
from checker.images.store import UrlCache
from checker.registry import RegistryIndex
from checker.registry.gate import database_name, refuse_empty_registry
from checker.report import TargetResult, dumps, to_explain, to_json, to_json_v1, to_sarif, to_text
from checker.rules.schema import SEVERITY_RANK
from crawler.images.settings import ImageSettings
from markwatch.cases.precision import PrecisionPolicy, review_policy
from markwatch.cli.imagefiles import ImageSource, check_target
from markwatch.cli.options import allow_empty_registry_option, db_option, warn_empty_registry
from markwatch.cli.page_files import SNIFF_BYTES, refuse_non_page, scan_directory, skipped_note
from markwatch.config import USER_AGENT
from markwatch.db import session_scope
from markwatch.errors import FetchError, InputError

MAX_PAGE_BYTES = 8 * 1024 * 1024
FETCH_TIMEOUT_S = 20.0


class Fetched(NamedTuple):
    """A fetched page: its bytes and the charset its Content-Type header declared (often wrong)."""

    body: bytes
    declared_charset: str | None


def fetch(url: str, client: httpx.Client | None = None) -> Fetched:
    """One GET with our user agent, a timeout and a size cap."""
    own = client or httpx.Client(
        headers={"User-Agent": USER_AGENT}, timeout=FETCH_TIMEOUT_S, follow_redirects=True
    )
    try:
        with own.stream("GET", url) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_PAGE_BYTES:
                    raise FetchError(f"{url}: page larger than {MAX_PAGE_BYTES} bytes")
            return Fetched(bytes(body), response.charset_encoding)
    except httpx.HTTPStatusError as exc:
        status = exc.response
        raise FetchError(f"{url}: HTTP {status.status_code} {status.reason_phrase}".rstrip()) from exc
    except httpx.HTTPError as exc:
        # httpx messages may run over several lines (a hint after the status): one line, one error.
        raise FetchError(f"{url}: {' '.join(str(exc).split()) or type(exc).__name__}") from exc
    finally:
        if client is None:
            own.close()


def expand(targets: tuple[str, ...], notes: list[str] | None = None, *, images: bool = True) -> list[str]:
    """Files, directories (every HTML page under them, by name or by content, and with `images` every image
    file: page_files.py), URLs and '-' for stdin, in order. What a directory scan skipped, and why, is added
    to `notes`."""
    out: list[str] = []
    for target in targets:
        if target == "-" or target.startswith(("http://", "https://")):
            out.append(target)
            continue
        path = Path(target)
        if path.is_dir():
            scan = scan_directory(path, images=images)
            out.extend(str(page) for page in scan.pages)
            note = skipped_note(path, scan.skipped)
            if note is not None and notes is not None:
                notes.append(note)
        elif path.is_file():
            refuse_non_page(target, _head(path), images=images)
            out.append(target)
        else:
            raise InputError("no such file, directory or URL", source=target)
    return out


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None


def read_target(target: str, *, images: bool = True) -> tuple[bytes, str | None, str | None]:
    """The raw bytes of a target, its URL when it is one, and the charset its server declared."""
    if target == "-":
        raw = sys.stdin.buffer.read()
        refuse_non_page("stdin", raw[:SNIFF_BYTES], images=images)
        return raw, None, None
    if target.startswith(("http://", "https://")):
        page = fetch(target)
        refuse_non_page(target, page.body[:SNIFF_BYTES], images=images)
        return page.body, target, page.declared_charset
    return Path(target).read_bytes(), None, None


@click.command("check")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Judge as of this day."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "json-v1", "sarif"]),
    default="text",
    help="json is schema markwatch.check.v2; json-v1 is the previous schema (deprecated).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["low", "medium", "high"]),
    default="low",
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option(
    "--images/--no-images",
    default=True,
    show_default=True,
    help="Read image files and the images of pages (OCR and mark matching).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Text format: say why each occurrence was or was not judged and why each finding has its confidence.",
)
@allow_empty_registry_option
@db_option
def check(
    targets: tuple[str, ...],
    as_of: dt.datetime | None,
    output_format: str,
    fail_on: str,
    images: bool,
    explain: bool,
    allow_empty_registry: bool,
    db_url: str | None,
) -> None:
    """Check pages for misuse of the 上海标准 mark; exit 0 clean, 1 findings, 2 error."""
    if explain and output_format != "text":
        # JSON v2 and SARIF already carry the occurrences and every finding's confidence reasons.
        raise click.UsageError("--explain goes with --format text (json and sarif carry the same reasons)")
    day = as_of.date() if as_of else dt.datetime.now(dt.UTC).date()
    notes: list[str] = []
    pages = expand(targets, notes, images=images)
    for note in notes:
        click.echo(note, err=True)
    if not pages:
        # Directories with no page in them: "0 claims" would read as "checked and clean".
        raise InputError("no pages or images to check", source=", ".join(targets))
    with session_scope(db_url) as session:
        registry = RegistryIndex.load(session)
        database = database_name(session)
        # Rules (and extractor patterns) whose recent findings inspectors mostly dismissed go to review.
        review = review_policy(session, PrecisionPolicy.from_env())
    if not allow_empty_registry:
        refuse_empty_registry(len(registry), database)
    elif len(registry) == 0:
        warn_empty_registry(database)
    checker = Checker()
    source = ImageSource(ImageSettings.from_env(), UrlCache(db_url)) if images else None
    try:
        results = []
        for target in pages:
            raw, url, declared_charset = read_target(target, images=images)
            result = check_target(
                checker,
                source,
                target,
                raw,
                url=url,
                declared_charset=declared_charset,
                registry=registry,
                as_of=day,
                review=review,
            )
            results.append(TargetResult(target=target, result=result))
    finally:
        checker.close()
        if source is not None:
            source.close()
    if output_format == "json":
        click.echo(dumps(to_json(results, day)))
    elif output_format == "json-v1":
        click.echo("warning: markwatch.check.v1 is deprecated; --format json writes v2", err=True)
        click.echo(dumps(to_json_v1(results, day)))
    elif output_format == "sarif":
        click.echo(dumps(to_sarif(results, checker.rules)))
    else:
        click.echo(to_text(results))
        if explain:
            click.echo("")
            click.echo(to_explain(results))
    threshold = SEVERITY_RANK[fail_on]
    if any(SEVERITY_RANK[f.severity] >= threshold for r in results for f in r.result.findings):
        raise SystemExit(1)
