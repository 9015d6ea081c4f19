"""HEAD is answered as GET without the body (RFC 9110 §9.3.2): FastAPI's routes list only GET, so HEAD on
them answered 405, and a client or monitor probing a resource with HEAD was told it does not exist.

As ASGI middleware: the request goes on as GET in a copy of the scope (the server keeps its own, still HEAD,
and so keeps dropping any body itself), and every body chunk is emptied on the way out, so the status and
headers (Content-Length, Content-Type, ETag, RateLimit-*) are exactly GET's. A route without GET still
answers HEAD with 405 and its Allow header.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Routes HEAD requests to GET and sends only the answer's status and headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)
