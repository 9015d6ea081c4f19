"""The console's own stylesheets, from a fixed list (no path from the URL ever reaches the filesystem)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi.responses import Response

from api.console.common import console_router
from markwatch.errors import NotFoundError

router = console_router()
STATIC_FILES = {"console.css": "text/css; charset=utf-8", "notice.css": "text/css; charset=utf-8"}


@cache
def _read(name: str) -> bytes:
    return resources.files("api.console").joinpath("static", name).read_bytes()


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    """One of STATIC_FILES; anything else is 404."""
    if name not in STATIC_FILES:
        raise NotFoundError(f"no static file {name!r}")
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"}
    return Response(_read(name), media_type=STATIC_FILES[name], headers=headers)
