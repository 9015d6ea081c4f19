"""Health: the one route that needs no key (liveness and the benchmark's baseline)."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

from api.routing import api_router
from markwatch import __version__

router = api_router("/health", ["health"])


class Health(BaseModel):
    """The app answers."""

    status: str
    version: str


@router.get("", response_model=Health, summary="Liveness check (no key needed)")
async def health() -> Health:
    """Answers without touching the database or the engine."""
    return Health(status="ok", version=__version__)


@router.head("", summary="Liveness check without a body (load balancers and uptime monitors probe with HEAD)")
async def health_head() -> Response:
    """200 and no body, as GET without its answer."""
    return Response(status_code=200, media_type="application/json")
