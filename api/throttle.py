"""Console sign-in throttle: failed sign-ins are counted per client address; past the allowance, 429 for any
key but an active one (others' failures at a shared address never lock out a valid key)."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import Response

from api.auth import Authenticator, client_address
from api.ratelimit import RateLimiter
from markwatch.cases.keys import KEY_PREFIX, hash_key

TOO_MANY = "Too many failed sign-ins from your address; wait and try again. 登录失败次数过多，请稍后再试。"


def _failures(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.sign_in_failures
    return limiter


def _active(request: Request, secret: str) -> bool:
    if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
        return False
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.active.contains(authenticator.factory, hash_key(secret))


def sign_in_refused(request: Request, secret: str) -> Response | None:
    """A 429 page with Retry-After while the caller's address has used up its failed sign-ins and `secret`
    is no active key (checked in memory, no lookup), else None."""
    wait = _failures(request).waiting(client_address(request))
    if wait <= 0 or _active(request, secret.strip()):
        return None
    from api.console.routing import error_page  # the console renders its own pages

    page = error_page(request, status.HTTP_429_TOO_MANY_REQUESTS, TOO_MANY)
    page.headers["Retry-After"] = RateLimiter.retry_after(wait)
    return page


def sign_in_failed(request: Request) -> None:
    """Count a failed sign-in (unknown key, or a key of a role the console does not admit)."""
    _failures(request).acquire(client_address(request))
