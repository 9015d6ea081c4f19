"""A JSON body naming a key twice in one object has no one meaning: every JSON body route refuses it with a
422 naming the key and where it is (Python's parser silently kept the last value)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from cases_support import make_keys, make_settings, route_table
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import API_PREFIX, API_ROUTERS, create_app


@pytest.fixture
def client_keys(sqlite_url: str) -> Any:
    keys = make_keys(sqlite_url)
    with TestClient(create_app(make_settings(sqlite_url))) as client:
        yield client, keys


def _post(client: TestClient, path: str, body: bytes, key: str, method: str = "POST") -> Any:
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    return client.request(method, path, content=body, headers=headers)


def test_a_repeated_key_is_named_with_its_path(client_keys: Any) -> None:
    client, keys = client_keys
    top = _post(client, "/v1/selfcheck", b'{"text": "a", "text": "b"}', keys["enterprise"])
    assert top.status_code == 422
    assert top.json()["where"] == "body.text"
    assert top.json()["detail"][0]["type"] == "duplicate_key"
    nested = _post(
        client,
        "/v1/selfcheck/batch",
        b'{"items": [{"text": "a"}, {"text": "a", "html": "<p>x</p>", "text": "b"}]}',
        keys["enterprise"],
    )
    assert nested.status_code == 422
    assert nested.json()["where"] == "body.items.1.text"
    assert "'text' appears more than once" in nested.json()["detail"][0]["msg"]


def test_every_json_body_route_refuses_a_repeated_key(client_keys: Any) -> None:
    client, keys = client_keys
    roles = {(method, path): found for method, path, found in route_table()}
    checked = []
    for route in (r for router in API_ROUTERS for r in router.routes):
        if not isinstance(route, APIRoute) or route.body_field is None:
            continue
        if "multipart" in str(route.body_field.field_info):  # the image upload: no JSON body
            continue
        for method in route.methods:
            path = API_PREFIX + route.path
            allowed = roles[(method, path)]
            key = keys[sorted(r.value for r in allowed)[0]] if allowed else keys["admin"]
            concrete = re.sub(r"\{[a-z_]+\}", "1", path)
            answer = _post(client, concrete, b'{"a": 1, "a": 1}', key, method)
            assert answer.status_code == 422, (method, path, answer.text)
            assert answer.json()["where"] == "body.a", (method, path, answer.text)
            checked.append((method, path))
    assert ("POST", "/v1/selfcheck") in checked and len(checked) >= 5, checked


def test_distinct_keys_and_equal_keys_in_different_objects_are_fine(client_keys: Any) -> None:
    client, keys = client_keys
    body = b'{"items": [{"text": "a"}, {"text": "b"}]}'
    answer = _post(client, "/v1/selfcheck/batch", body, keys["enterprise"])
    # Not refused for duplicates: the (empty) registry is what stops it.
    assert answer.status_code == 503, answer.text
