"""SSRF guard: refused addresses are refused before any connection; size, time and redirects are bounded."""

from __future__ import annotations

import asyncio
import http.server
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from api.fetch import (
    AddressPolicy,
    FetchedPage,
    FetchRefused,
    SafeFetcher,
    refusal_reason,
    system_resolver,
)
from markwatch.errors import FetchError


@pytest.fixture(params=["sync", "async"])
def fetch(request: pytest.FixtureRequest) -> Any:
    """Fetch with the blocking client or with the API's async one: both obey the same guard."""

    def run(fetcher: SafeFetcher, url: str) -> FetchedPage:
        if request.param == "sync":
            return fetcher.fetch(url)
        return asyncio.run(fetcher.afetch(url))

    return run


REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",
    "224.0.0.1",
    "255.255.255.255",
    "100.64.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::1",
    "::127.0.0.1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every address a socket connection was attempted to (the guard must refuse before this)."""
    seen: list[tuple[Any, ...]] = []
    real = socket.create_connection

    def recording(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        seen.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", recording)
    return seen


def _resolver(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        # Names not in the table are numeric forms (0x7f.1) the C library reads without the network.
        return table[host] if host in table else system_resolver(host, port)

    return resolve


FAKE_DNS = {
    "internal.example": ["10.0.0.5"],
    "metadata.example": ["169.254.169.254"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "mapped.example": ["::ffff:192.168.0.1"],
}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/",
        "http://[::ffff:127.0.0.1]:9/",
        "http://0x7f.1:9/",
        "http://2130706433:9/",
        "http://internal.example/",
        "http://metadata.example/latest",
        "http://mixed.example/",
        "http://mapped.example/",
        "https://user:pw@internal.example/",
    ],
)
def test_refused_before_connecting(url: str, connections: list[tuple[Any, ...]], fetch: Any) -> None:
    fetcher = SafeFetcher(AddressPolicy.from_strings([], resolver=_resolver(FAKE_DNS)))
    with pytest.raises(FetchRefused) as refused:
        fetch(fetcher, url)
    assert connections == []
    # A resolved address is never echoed: the answer would map the server's network.
    for resolved in ("10.0.0.5", "169.254.169.254", "127.0.0.1", "192.168.0.1"):
        if resolved not in url:
            assert resolved not in str(refused.value)


def test_localhost_resolved_by_the_system_is_refused(connections: list[tuple[Any, ...]], fetch: Any) -> None:
    with pytest.raises(FetchRefused, match="loopback") as refused:
        fetch(SafeFetcher(AddressPolicy()), "http://localhost:9/")
    assert connections == []
    assert "127.0.0.1" not in str(refused.value) and "::1" not in str(refused.value)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://example.com/", "ftp://example.com/", "http:///x"]
)
def test_only_http_urls(url: str, connections: list[tuple[Any, ...]], fetch: Any) -> None:
    with pytest.raises(FetchRefused):
        fetch(SafeFetcher(AddressPolicy()), url)
    assert connections == []


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        action = self.routes.get(self.path.split("?")[0])
        if action is None:
            self.send_error(404)
            return
        action(self)

    def log_message(self, *_args: Any) -> None:
        pass


def _redirect(target: str) -> Any:
    def send(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", target)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return send


def _page(body: bytes, content_type: str = "text/html; charset=utf-8") -> Any:
    def send(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return send


def _chunked_forever(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(10_000):
            handler.wfile.write(b"x" * 65536)
    except OSError:
        pass


def _slow(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    try:
        for _ in range(40):
            handler.wfile.write(b"<p>slow</p>")
            handler.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 with redirects to forbidden places."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.routes = {
        "/page": _page("<p>执行标准：DB31/T 1108-2018（上海标准）</p>".encode()),
        "/to-page": _redirect("/page"),
        "/to-metadata": _redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-private": _redirect("http://10.0.0.1/admin"),
        "/to-other-loopback": _redirect(f"http://127.0.0.2:{server.server_address[1]}/page"),
        "/to-internal-name": _redirect("http://internal.example/"),
        "/to-file": _redirect("file:///etc/passwd"),
        "/loop": _redirect("/loop"),
        "/huge": _chunked_forever,
        "/slow": _slow,
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def _allowing_local(**kwargs: Any) -> SafeFetcher:
    return SafeFetcher(AddressPolicy.from_strings(["127.0.0.1/32"], resolver=_resolver(FAKE_DNS)), **kwargs)


def test_allowlisted_local_page_is_fetched(local_server: str, fetch: Any) -> None:
    page = fetch(_allowing_local(), local_server + "/to-page")
    assert "上海标准" in page.body.decode()
    assert page.redirects == (local_server + "/page",)
    assert page.charset == "utf-8"


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("/to-metadata", "link-local"),
        ("/to-private", "private"),
        ("/to-other-loopback", "loopback"),
        ("/to-internal-name", r"'internal\.example \(as resolved\)': it is a private address"),
        ("/to-file", "only http"),
    ],
)
def test_redirects_are_rechecked(
    local_server: str, path: str, match: str, connections: list[tuple[Any, ...]], fetch: Any
) -> None:
    with pytest.raises(FetchRefused, match=match) as refused:
        fetch(_allowing_local(), local_server + path)
    assert "10.0.0.5" not in str(refused.value)
    assert all(host == "127.0.0.1" for host, _port in connections)


def test_redirect_loops_end(local_server: str, fetch: Any) -> None:
    with pytest.raises(FetchError, match="redirects"):
        fetch(_allowing_local(max_redirects=3), local_server + "/loop")


def test_size_is_bounded(local_server: str, fetch: Any) -> None:
    with pytest.raises(FetchError, match="larger than"):
        fetch(_allowing_local(max_bytes=1024 * 1024), local_server + "/huge")


def test_time_is_bounded(local_server: str, fetch: Any) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer|timed out"):
        fetch(_allowing_local(timeout=1.0), local_server + "/slow")
    assert time.monotonic() - started < 3
