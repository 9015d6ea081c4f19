"""Archived pages: served only under a sandboxing CSP, or shown as escaped text. Never live in our origin."""

from __future__ import annotations

import codecs
import re

from fastapi import Request
from fastapi.responses import Response

from api.console.auth import CurrentUser
from api.console.common import console_router
from api.console.pages import render
from api.deps import SessionDep
from api.schemas.common import IdPath
from crawler.snapshots import snapshot_body
from crawler.store.models import Snapshot
from markwatch.errors import ExecutionError, NotFoundError

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
_CHARSET = re.compile(r"charset=([A-Za-z0-9_\-]{1,40})")


def _load(session: SessionDep, snapshot_id: int) -> tuple[Snapshot, bytes]:
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot {snapshot_id}")
    try:
        return snapshot, snapshot_body(session, snapshot)
    except (LookupError, ValueError) as exc:
        # A body that no longer matches its hash is not evidence: say so rather than show it.
        raise ExecutionError(str(exc)) from exc


def _declared_charset(snapshot: Snapshot) -> str | None:
    headers = {str(k).lower(): str(v) for k, v in (snapshot.headers or {}).items()}
    match = _CHARSET.search(headers.get("content-type", ""))
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:
        return None  # an invented charset name: let the browser read the page's own <meta>


@router.get("/snapshots/{snapshot_id}/body")
def archived_body(snapshot_id: IdPath, session: SessionDep, _user: CurrentUser) -> Response:
    """The stored bytes exactly as fetched, as sandboxed HTML."""
    snapshot, body = _load(session, snapshot_id)
    charset = _declared_charset(snapshot)
    media_type = f"text/html; charset={charset}" if charset else "text/html"
    return Response(body, media_type=media_type, headers=ARCHIVE_HEADERS)


@router.get("/snapshots/{snapshot_id}/source")
def archived_source(
    request: Request, snapshot_id: IdPath, session: SessionDep, user: CurrentUser
) -> Response:
    """The stored page as escaped text, for reading the markup itself."""
    snapshot, body = _load(session, snapshot_id)
    text = body.decode(_declared_charset(snapshot) or "utf-8", errors="replace")
    context = {"user": user, "csrf_token": user.csrf_token, "snapshot": snapshot, "source": text}
    return render(request, "source.html", context)
