"""Request-size and request-time limits as ASGI middleware: 413 before an oversized body is read into memory,
408 when a body does not arrive in time, 415 for a compressed body (never inflated here)."""

from __future__ import annotations

import asyncio
import json
import time

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuses a declared Content-Length over the limit, and stops a streamed body when it crosses it or when
    it has not all arrived `body_seconds` after the request began.

    Without the time limit a client that sends a byte now and then (no key needed: the body is read before
    the key is checked) held its connection and its request for ever; 1,500 of them stayed open for minutes."""

    def __init__(self, app: ASGIApp, max_bytes: int, body_seconds: float = 60.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_seconds = body_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding not in (b"", b"identity"):
            # A gzip body was read as JSON and answered 422 "can't decode byte 0x8b": say what is wrong. A
            # compressed body is never inflated here (its size limit would then be the compressed size).
            await self._answer(
                send,
                415,
                "request bodies are not accepted compressed (Content-Encoding): send them as they are",
                "UnsupportedMediaType",
            )
            return
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(send)
                return
        seen = 0
        started = refused = body_done = False
        deadline = time.monotonic() + self.body_seconds

        async def limited_receive() -> Message:
            nonlocal seen, refused, body_done
            if refused:
                return {"type": "http.disconnect"}
            if body_done:
                return await receive()  # after the body: the app waits for a disconnect, as long as it likes
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                refused = True
                if not started:
                    await self._answer(send, 408, "the request body did not arrive in time", "RequestTimeout")
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if seen > self.max_bytes:
                    # Answer now and tell the app the client left; whatever it answers is dropped.
                    refused = True
                    if not started:
                        await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except ClientDisconnect:
            if not refused:
                raise

    async def _refuse(self, send: Send) -> None:
        await self._answer(send, 413, f"request body larger than {self.max_bytes} bytes", "PayloadTooLarge")

    async def _answer(self, send: Send, status: int, detail: str, error: str) -> None:
        body = json.dumps({"detail": detail, "error": error}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
