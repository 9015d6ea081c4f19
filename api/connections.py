"""Connections that never finish a request's headers are closed, so idle sockets cannot use up the server.

uvicorn times a connection out only between requests (keep-alive, after a response): a connection that sends
nothing, or sends headers a byte now and then, is held for ever. Each one holds a file descriptor, so one
client holding ~1,000 of them (the soft limit a systemd service starts with) made every other client's
connection fail, `/v1/health` included. Request bodies have their own deadline (api/limits.py).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)
_TIMED_OUT_BODY = b'{"detail":"the request headers did not arrive in time","error":"RequestTimeout"}'
_TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    + f"content-length: {len(_TIMED_OUT_BODY)}\r\n\r\n".encode()
    + _TIMED_OUT_BODY
)


@functools.cache
def header_seconds() -> float:
    """MARKWATCH_HEADER_TIMEOUT_SECONDS, read once per process (every worker reads the same environment)."""
    from api.settings import Settings

    return Settings.from_env().header_timeout_seconds


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers.

    The deadline is armed when the connection opens and again after each response, and disarmed when a
    request's headers are complete: idle and trickling connections are closed when it passes (with a 408
    when part of a request had arrived)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._partial = False

    def _arm(self) -> None:
        self._disarm()
        self._header_deadline = self.loop.call_later(header_seconds(), self._headers_late)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or (self.cycle is not None and not self.cycle.response_complete):
            return  # a request is being answered: its headers did arrive
        if self._partial:
            self.transport.write(_TIMED_OUT)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._partial = True

    def on_headers_complete(self) -> None:
        self._disarm()
        self._partial = False
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._arm()


def raise_open_files_limit(wanted: int = 65536) -> None:
    """Lift the soft limit on open files towards the hard one (systemd starts services at 1,024 soft, far
    below its hard limit): each connection, idle or not, holds a descriptor until it is closed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:  # a container may forbid it: serve anyway, and say so
            log.warning("could not raise the open-files limit from %s to %s: %s", soft, target, exc)
