"""Any other address under /console: the console's own HTML 404 page (or 405 naming the methods allowed),
never the API's JSON. Registered last, so every real console page is matched first."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request, status
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from api.console.auth import OptionalUser
from api.console.common import console_router
from api.console.routing import error_page

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NOT_FOUND_ROUTE = "console_not_found"


def _allowed(pages: Sequence[APIRouter], path: str) -> set[str]:
    # Starlette would answer 405 for a console page asked with the wrong method; this route matches every
    # method, so it looks the page up itself, among the console's own routes.
    return {
        method
        for page_router in pages
        for route in page_router.routes
        if isinstance(route, APIRoute) and route.path_regex.match(path)
        for method in route.methods or ()
    }


def fallback_router(pages: Sequence[APIRouter]) -> APIRouter:
    """A router answering every address under /console that none of `pages` has. It changes nothing, so it
    needs no CSRF token: it only says that the address is not a console page (with the navigation when
    signed in; `_user` is read for the page, which takes it from the request)."""
    router = console_router()

    @router.api_route("/{rest:path}", methods=METHODS, name=NOT_FOUND_ROUTE)
    def not_found(request: Request, rest: str, _user: OptionalUser) -> Response:
        """The 404 page for an address the console does not have; 405 for a page asked with the wrong method."""
        path = request.url.path
        # Starlette's own slash redirect never runs now that this route matches everything: keep it.
        if path.endswith("/") and path != "/console/" and request.method in _allowed(pages, path.rstrip("/")):
            target = path.rstrip("/") + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(target, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
        allowed = _allowed(pages, path)
        if allowed:
            page = error_page(
                request,
                status.HTTP_405_METHOD_NOT_ALLOWED,
                f"{request.method} is not allowed here (allowed: {', '.join(sorted(allowed))})",
            )
            page.headers["Allow"] = ", ".join(sorted(allowed))
            return page
        return error_page(request, status.HTTP_404_NOT_FOUND, f"no console page at {path}")

    return router
