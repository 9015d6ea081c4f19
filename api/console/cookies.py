"""When the console's cookies carry the Secure flag."""

from __future__ import annotations

from fastapi import Request

from api.settings import Environment


def cookies_are_secure(request: Request) -> bool:
    """Secure cookies over https, and always in production, where TLS usually ends at a proxy in front of us
    (so the request we see is plain http although the browser's is not)."""
    return request.url.scheme == "https" or request.app.state.settings.environment is Environment.PRODUCTION
