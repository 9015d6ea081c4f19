"""Headers every answer carries, as ASGI middleware (no per-request objects, so no measurable cost); and a
keyed request's rate-limit budget (RateLimit-*, api/ratelimit.py), on its answer whatever it is (an error
included), once the key's limit was applied."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.ratelimit import QUOTA_SCOPE_KEY, Quota

# nosniff: a browser must never read a JSON answer (which may quote hostile page text) as HTML or script.
DEFAULT_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _relative_location(header: tuple[bytes, bytes], scope: Scope) -> tuple[bytes, bytes]:
    """A redirect to this server by the address the client gave in its Host header, made relative.

    Starlette's trailing-slash redirect (/v1/cases/ -> /v1/cases) is built from the Host header: a request with
    `Host: evil.example` was sent to http://evil.example/v1/cases (a cache or a proxy may keep that answer)."""
    name, value = header
    if name.lower() != b"location":
        return header
    host = next((v for k, v in scope.get("headers", []) if k == b"host"), None)
    for scheme in (b"http://", b"https://"):
        if host and value.startswith(scheme + host + b"/"):
            return name, value[len(scheme) + len(host) :]
    return header


class SecurityHeaders:
    """Adds DEFAULT_HEADERS to every HTTP answer that does not set them itself, and RateLimit-* when the
    request's key was charged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in DEFAULT_HEADERS if h[0] not in present)
                quota: Quota | None = scope.get(QUOTA_SCOPE_KEY)
                if quota is not None:
                    headers.extend(quota.headers())
                if message.get("status") in _REDIRECTS:
                    headers = [_relative_location(h, scope) for h in headers]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
