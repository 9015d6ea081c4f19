"""Archived pages: served only under a sandboxing CSP, or shown as escaped text. Never live in our origin.

The page is decoded with the charset the checker decoded it with and served as UTF-8, with the claim marked
at each of its locations; the stored bytes and their sha256 stay untouched and can be downloaded as they are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from api.console.archive import (
    Location,
    MarkedPage,
    decode_snapshot,
    locations_of,
    mark_page,
    read_as,
    read_otherwise,
)
from api.console.auth import CurrentUser
from api.console.casefile import CaseFile
from api.console.common import console_router
from api.console.images import load_image
from api.console.pages import render
from api.deps import SessionDep
from api.schemas.common import IdPath
from api.svg_rendering import is_svg, original_download_headers
from crawler.images.evidence import image_bytes
from crawler.snapshots import snapshot_body
from crawler.store.models import Snapshot
from markwatch.cases.models import CaseFinding
from markwatch.errors import ExecutionError, NotFoundError
from pagetext.charsets import header_charset
from sweeps.models import Finding

router = console_router()

# `sandbox` without allow-scripts: no script runs, forms and popups are blocked and the page gets an
# opaque origin even when opened on its own. Nothing is fetched either (an inspector's browser must
# not call the suspect's servers); the page's own inline styles are all it keeps.
ARCHIVE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
ARCHIVE_HEADERS = {
    "Content-Security-Policy": ARCHIVE_CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# The case page needs the hits (to offer a jump per location) and the frame needs the page: one render.
_CACHE_SIZE = 16
_cache: OrderedDict[tuple[object, ...], MarkedPage] = OrderedDict()
_cache_lock = threading.Lock()


def _load(session: SessionDep, snapshot_id: int) -> tuple[Snapshot, bytes]:
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot {snapshot_id}")
    try:
        return snapshot, snapshot_body(session, snapshot)
    except (LookupError, ValueError) as exc:
        # A body that no longer matches its hash is not evidence: say so rather than show it.
        raise ExecutionError(str(exc)) from exc


def marked_snapshot(
    session: SessionDep, snapshot_id: int, locations: list[Location], decoded_as: str | None = None
) -> MarkedPage:
    """The archived page decoded as the checker did (with the codec the finding recorded, `decoded_as`), with
    `locations` marked (cached per content)."""
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot {snapshot_id}")
    key = (
        snapshot.sha256,
        header_charset(snapshot.headers),
        decoded_as,
        tuple((loc.location, loc.verbatim, loc.snippet, loc.kind) for loc in locations),
    )
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    _, body = _load(session, snapshot_id)
    page = mark_page(decode_snapshot(body, snapshot.headers, decoded_as), locations)
    quotes = [
        loc.snippet or loc.verbatim for loc in locations if loc.kind not in ("image-text", "mark-image")
    ]
    page = replace(page, shown_as=read_otherwise(body, snapshot.headers, page.encoding, quotes))
    with _cache_lock:
        _cache[key] = page
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return page


def page_reading(
    session: SessionDep, file: CaseFile
) -> tuple[MarkedPage | None, tuple[str | None, str | None]]:
    """A case's archived page marked, and how it was read: the charset label a browser showed the quote otherwise
    with (None when it showed it as quoted) and the codec markwatch read it with."""
    snapshot = file.snapshot
    if snapshot is None:
        return None, (None, None)
    archived = marked_snapshot(session, int(snapshot["id"]), file.locations, file.decoded_as)
    return archived, (archived.shown_as, archived.encoding)


def finding_reading(
    session: SessionDep, snapshot_id: int, finding_id: int | None
) -> tuple[list[Location], str | None]:
    """The locations of a finding made on this snapshot and the codec its page was read with (none when no
    finding is named)."""
    if finding_id is None:
        return [], None
    finding = session.get(Finding, finding_id)
    if finding is None or finding.snapshot_id != snapshot_id:
        raise NotFoundError(f"finding {finding_id} was not made on snapshot {snapshot_id}")
    return locations_of(finding.evidence), read_as(finding.evidence)


@router.get("/snapshots/{snapshot_id}/body")
def archived_body(
    snapshot_id: IdPath,
    session: SessionDep,
    _user: CurrentUser,
    finding: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The archived page as sandboxed UTF-8 HTML, with the finding's locations marked (mw-hit-1, -2, …)."""
    page = marked_snapshot(session, snapshot_id, *finding_reading(session, snapshot_id, finding))
    return Response(page.html.encode("utf-8"), media_type="text/html; charset=utf-8", headers=ARCHIVE_HEADERS)


@router.get("/snapshots/{snapshot_id}/raw")
def archived_raw(snapshot_id: IdPath, session: SessionDep, _user: CurrentUser) -> Response:
    """The stored bytes exactly as fetched, as a download (their sha256 is the evidence hash)."""
    snapshot, body = _load(session, snapshot_id)
    headers = {
        **ARCHIVE_HEADERS,
        "Content-Disposition": f'attachment; filename="snapshot-{snapshot_id}-{snapshot.sha256[:16]}.bin"',
    }
    return Response(body, media_type="application/octet-stream", headers=headers)


@router.get("/images/{sha256}")
def archived_image(sha256: str, session: SessionDep, _user: CurrentUser) -> Response:
    """An archived raster image (PNG, JPEG, GIF, WebP) by its sha256, sandboxed like an archived page; for an
    SVG, markwatch's PNG rendering of it."""
    loaded = load_image(session, sha256.lower())
    if loaded is None:
        raise NotFoundError(f"no archived image {sha256[:64]!r}")
    data, info = loaded
    return Response(data, media_type=info.media_type, headers=ARCHIVE_HEADERS)


@router.get("/images/{sha256}/original")
def archived_image_original(sha256: str, session: SessionDep, _user: CurrentUser) -> Response:
    """A stored SVG's original bytes (the ones its sha256 is of), only as a download: the console shows
    markwatch's rendering of it, never the SVG itself (active content)."""
    digest = sha256.lower()
    body = image_bytes(session, digest)
    if body is None or not is_svg(body):
        raise NotFoundError(f"no archived SVG image {sha256[:64]!r}")
    return Response(body, media_type="application/octet-stream", headers=original_download_headers(digest))


@router.get("/snapshots/{snapshot_id}/source")
def archived_source(
    request: Request,
    snapshot_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    finding: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> Response:
    """The stored page as escaped text, decoded as the checker decoded it (for `finding`: as that finding's
    page was read), for reading the markup itself."""
    locations, decoded_as = finding_reading(session, snapshot_id, finding)
    snapshot, body = _load(session, snapshot_id)
    decoded = decode_snapshot(body, snapshot.headers, decoded_as)
    # Back to the case this finding belongs to, and the claim's words marked in the markup (the words as
    # the page wrote them at each location; the mark's own words always).
    case_id = (
        session.scalar(select(CaseFinding.case_id).where(CaseFinding.finding_id == finding))
        if finding is not None
        else None
    )
    context = {
        "case_id": case_id,
        "terms": [loc.verbatim for loc in locations if loc.verbatim],
        "user": user,
        "csrf_token": user.csrf_token,
        "snapshot": snapshot,
        "source": decoded.text,
        "encoding": decoded.encoding,
        "notes": decoded.notes,
        "size": len(body),
    }
    return render(request, "source.html", context)
