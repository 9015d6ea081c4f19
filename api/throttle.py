"""Console sign-in throttle: failed sign-ins are counted per client address; past the allowance, 429."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import Response

from api.auth import client_address
from api.ratelimit import RateLimiter

TOO_MANY = "Too many failed sign-ins from your address; wait and try again. 登录失败次数过多，请稍后再试。"


def _failures(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.sign_in_failures
    return limiter


def sign_in_refused(request: Request) -> Response | None:
    """A 429 page with Retry-After while the caller's address has used up its failed sign-ins, else None."""
    wait = _failures(request).waiting(client_address(request))
    if wait <= 0:
        return None
    from api.console.routing import error_page  # the console renders its own pages

    page = error_page(request, status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY)
    page.headers["Retry-After"] = RateLimiter.retry_after(wait)
    return page


def sign_in_failed(request: Request) -> None:
    """Count a failed sign-in (unknown key, or a key of a role the console does not admit)."""
    _failures(request).acquire(client_address(request))
