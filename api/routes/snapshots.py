"""Archived pages as evidence for integrators: the stored bytes exactly as fetched, verified against their hash.

The case detail names each finding's snapshot (id, sha256) and the codec its page was read with
(`decoded_as`); this route gives the bytes, so the hash can be checked and the quotes found again outside
markwatch. The bytes are hostile: they are only ever a download, never a page of this origin.
"""

from __future__ import annotations

import base64
import hashlib

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import SessionDep, StaffDep
from api.routing import api_router
from api.schemas.common import ERROR_RESPONSES, IdPath
from crawler.snapshots import snapshot_body
from crawler.store.models import Snapshot
from markwatch.errors import ExecutionError, NotFoundError

router: APIRouter = api_router("/snapshots", ["snapshots"], responses=ERROR_RESPONSES)
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


@router.get(
    "/{snapshot_id}/raw",
    summary="An archived page's bytes as fetched (inspectors)",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the stored bytes"}},
)
def raw_route(snapshot_id: IdPath, session: SessionDep, who: StaffDep) -> Response:
    """The bytes whose sha256 the findings cite, as a download; `Repr-Digest` (RFC 9530) carries the same
    hash, and `X-Markwatch-Content-Type` the Content-Type the server sent with the page (its charset)."""
    snapshot = session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"no snapshot {snapshot_id}")
    try:
        body = snapshot_body(session, snapshot)
    except (LookupError, ValueError) as exc:
        # A body that no longer matches its hash is not evidence: say so rather than serve it.
        raise ExecutionError(str(exc)) from exc
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
    served_as = next((str(v) for k, v in (snapshot.headers or {}).items() if k.lower() == "content-type"), "")
    headers = {
        **DOWNLOAD_HEADERS,
        "Content-Disposition": f'attachment; filename="snapshot-{snapshot_id}-{snapshot.sha256[:16]}.bin"',
        "Repr-Digest": f"sha-256=:{digest}:",
        # Header values must be latin-1: a hostile server's non-ASCII Content-Type is escaped, not echoed.
        "X-Markwatch-Content-Type": served_as.encode("ascii", "backslashreplace").decode("ascii")[:200],
    }
    return Response(body, media_type="application/octet-stream", headers=headers)
