"""Every route, from the app's own route table: 401 without a key, 403 for each wrong role, plus limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cases_support import make_keys, make_settings, route_table
from fastapi.testclient import TestClient

from api.app import API_PREFIX, create_app
from markwatch import db
from markwatch.cases.models import Role

# The only routes that answer without a key. Adding one here is a deliberate, reviewed decision.
PUBLIC = {
    ("GET", f"{API_PREFIX}/health"),
    ("HEAD", f"{API_PREFIX}/health"),
}  # HEAD: load balancers probe with it


ROUTES = route_table()
GUARDED = [(m, p, r) for m, p, r in ROUTES if (m, p) not in PUBLIC]
WRONG_ROLE = [
    (m, p, role) for m, p, roles in GUARDED for role in Role if roles is not None and role not in roles
]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('auth') / 'auth.db'}"
    app = create_app(make_settings(url))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client, make_keys(url)
    db.reset_caches()


def test_every_route_is_guarded_or_declared_public() -> None:
    unguarded = {(m, p) for m, p, roles in ROUTES if roles is None}
    assert unguarded == PUBLIC
    assert len(ROUTES) > len(PUBLIC)


def test_app_serves_exactly_the_route_table(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, _keys = client
    schema = test_client.get("/openapi.json").json()
    served = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert served == {(m, p) for m, p, _roles in ROUTES}


@pytest.mark.parametrize(("method", "path", "roles"), GUARDED, ids=[f"{m} {p}" for m, p, _ in GUARDED])
def test_no_key_is_401(client: tuple[TestClient, dict[str, str]], method: str, path: str, roles: Any) -> None:
    test_client, _keys = client
    for headers in ({}, {"X-API-Key": "mwk_not-a-real-key"}, {"X-API-Key": ""}):
        response = test_client.request(method, _concrete(path), json={}, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers.get("www-authenticate") == "ApiKey"


@pytest.mark.parametrize(
    ("method", "path", "role"), WRONG_ROLE, ids=[f"{m} {p} as {r.value}" for m, p, r in WRONG_ROLE]
)
def test_wrong_role_is_403(
    client: tuple[TestClient, dict[str, str]], method: str, path: str, role: Role
) -> None:
    test_client, keys = client
    response = test_client.request(method, _concrete(path), json={}, headers={"X-API-Key": keys[role.value]})
    assert response.status_code == 403, response.text


def test_revoked_key_is_401_within_the_cache_time(tmp_path: Path) -> None:
    import time

    from markwatch.cases.keys import revoke_key

    url = f"sqlite:///{tmp_path / 'k.db'}"
    app = create_app(make_settings(url, auth_cache_seconds=0.5))
    keys = make_keys(url)
    headers = {"X-API-Key": keys["inspector"]}
    with TestClient(app) as test_client:
        assert test_client.get("/v1/cases", headers=headers).status_code == 200
        with db.session_scope(url) as session:
            revoke_key(session, 1)
        revoked_at = time.monotonic()
        while test_client.get("/v1/cases", headers=headers).status_code == 200:
            assert time.monotonic() - revoked_at < 1.5, "a revoked key still worked after the cache time"
            time.sleep(0.05)
        assert test_client.get("/v1/cases", headers=headers).status_code == 401
    db.reset_caches()


def test_revoked_key_is_401_at_once_without_cache(tmp_path: Path) -> None:
    from markwatch.cases.keys import revoke_key

    url = f"sqlite:///{tmp_path / 'k0.db'}"
    app = create_app(make_settings(url, auth_cache_seconds=0))
    keys = make_keys(url)
    with TestClient(app) as test_client:
        assert test_client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}).status_code == 200
        with db.session_scope(url) as session:
            revoke_key(session, 1)
        assert test_client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}).status_code == 401
    db.reset_caches()


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    app = create_app(make_settings(url, rate_limit_per_minute=6, rate_limit_burst=3))
    keys = make_keys(url)
    with TestClient(app) as test_client:
        answers = [test_client.get("/v1/cases", headers={"X-API-Key": keys["inspector"]}) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert 1 <= int(answers[-1].headers["retry-after"]) <= 10
        # Limits are per key: another key is not affected.
        assert test_client.get("/v1/cases", headers={"X-API-Key": keys["admin"]}).status_code == 200
    db.reset_caches()


def test_request_size_limit_is_413(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    app = create_app(make_settings(url, max_body_bytes=4096))
    keys = make_keys(url)
    with TestClient(app) as test_client:
        headers = {"X-API-Key": keys["inspector"]}
        big = {"body": "x" * 10_000}
        assert test_client.post("/v1/cases/1/comments", json=big, headers=headers).status_code == 413

        def chunks() -> Iterator[bytes]:
            yield b'{"body": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}'

        streamed = test_client.post(
            "/v1/cases/1/comments", content=chunks(), headers={**headers, "Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
    db.reset_caches()


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "offset=100001"])
def test_paging_is_capped(client: tuple[TestClient, dict[str, str]], query: str) -> None:
    test_client, keys = client
    response = test_client.get(f"/v1/cases?{query}", headers={"X-API-Key": keys["inspector"]})
    assert response.status_code == 422


def test_refusals_carry_the_error_field_of_every_error_answer(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test_client, keys = client
    missing = test_client.get("/v1/cases")
    assert (missing.status_code, missing.json()["error"]) == (401, "Unauthorized")
    wrong_role = test_client.get("/v1/cases", headers={"X-API-Key": keys["enterprise"]})
    assert (wrong_role.status_code, wrong_role.json()["error"]) == (403, "Forbidden")
    no_route = test_client.get("/v1/nothing-here")
    assert (no_route.status_code, no_route.json()["error"]) == (404, "NotFound")
    assert test_client.head("/v1/health").status_code == 200
