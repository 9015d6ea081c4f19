"""Shared pieces of the console's routers: the router factory."""

from __future__ import annotations

from fastapi import APIRouter

from api.console.routing import ConsoleRoute

PREFIX = "/console"


def console_router() -> APIRouter:
    """A router for console pages: HTML errors, kept out of the API's OpenAPI schema."""
    return APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)
