"""The console's routers, registered explicitly and combined into the one router the app mounts."""

from __future__ import annotations

from fastapi import APIRouter

from api.console import (
    routes_auth,
    routes_bulk,
    routes_cases,
    routes_evidence,
    routes_notice,
    routes_reports,
    routes_sessions,
    routes_static,
)
from api.console.routes_fallback import fallback_router

PAGE_ROUTERS: tuple[APIRouter, ...] = (
    routes_auth.router,
    routes_bulk.router,  # before the case pages: /cases/bulk is not a case id
    routes_cases.router,
    routes_evidence.router,
    routes_notice.router,
    routes_reports.router,
    routes_sessions.router,
    routes_static.router,
)
# Last: it answers every other /console address with the console's own 404 (or 405) page.
CONSOLE_ROUTERS: tuple[APIRouter, ...] = (*PAGE_ROUTERS, fallback_router(PAGE_ROUTERS))


def build_console_router() -> APIRouter:
    """One router holding every console page, for `create_app(extra_routers=(...,))`."""
    router = APIRouter()
    for part in CONSOLE_ROUTERS:
        router.include_router(part)
    return router


console_router = build_console_router()
