"""GET routes answer HEAD (RFC 9110 §9.3.2): GET's status and headers, no body; API and console alike."""

from __future__ import annotations

import httpx
from cases_support import LiveServer, make_keys
from console_support import console_app, seed, sign_in
from fastapi.testclient import TestClient


def _same_head(client: TestClient | httpx.Client, path: str, headers: dict[str, str] | None = None) -> None:
    got = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == got.status_code == 200, (path, head.status_code, got.status_code)
    assert head.content == b""
    for name in ("content-type", "content-length", "x-content-type-options"):
        assert head.headers.get(name) == got.headers.get(name), (path, name)


def test_api_get_routes_answer_head_under_uvicorn(sqlite_url: str) -> None:
    keys = make_keys(sqlite_url)
    with LiveServer(console_app(sqlite_url)) as base, httpx.Client(base_url=base) as client:
        _same_head(client, "/v1/health")
        _same_head(client, "/v1/cases", {"X-API-Key": keys["inspector"]})
        _same_head(client, "/v1/selfcheck", {"X-API-Key": keys["enterprise"]})
        keyed = client.head("/v1/cases", headers={"X-API-Key": keys["inspector"]})
        assert "ratelimit-remaining" in keyed.headers
        # HEAD needs the key GET needs, and a route without GET still refuses it, saying what it allows.
        assert client.head("/v1/cases").status_code == 401
        refused = client.head("/v1/cases/1/comments", headers={"X-API-Key": keys["inspector"]})
        assert refused.status_code == 405 and "POST" in refused.headers["allow"]


def test_console_pages_answer_head(sqlite_url: str) -> None:
    data = seed(sqlite_url)
    with TestClient(console_app(sqlite_url)) as client:
        _same_head(client, "/console/login")
        sign_in(client, data.keys["inspector"])
        _same_head(client, "/console/cases")
