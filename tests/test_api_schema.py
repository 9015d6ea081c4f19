"""Schemathesis against the OpenAPI schema of a live uvicorn server on 127.0.0.1: no 5xx for any input.

Every operation is fuzzed with every role's key (and none), on SQLite and on PostgreSQL, from schemathesis'
valid and invalid cases; each case may then have one field replaced by something hostile: a lone surrogate,
NUL, a non-finite or overflowing number, a far-future date. Requests are encoded here rather than by the
HTTP client, which would refuse to send NaN or a surrogate.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import schemathesis
from cases_support import LiveServer, add_finding, make_keys, make_settings, make_sweep, route_table
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NotSet

from api.app import create_app
from api.fetch import AddressPolicy, SafeFetcher
from checker.registry import import_registry_file
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.errors import FetchError

ROUTES = route_table()
ROLES = ("enterprise", "inspector", "admin", None)
CASES = [(m, p, role) for m, p, _roles in ROUTES for role in ROLES]
EXAMPLES = 20
# Raw JSON tokens for values that json.dumps cannot spell (or would spell validly).
NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")
HOSTILE_TEXT = (
    "\ud800",
    "a\udfffb",
    "\x00",
    "x\x00y",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31",
    "\u202e\ufeff",
    "x" * 3000,
)
_MARK = "\ue000hostile\ue000"


def _no_dns(host: str, _port: int) -> list[str]:
    # Generated URLs must not make the test send DNS queries off this machine.
    raise FetchError(f"no DNS lookups in this test ({host})")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded database served by uvicorn; yields the base URL and a key per role."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'schema.db'}"
        db.upgrade(url)
        yield from _serve(url, tmp_path_factory)
    else:
        # The function-scoped postgres_url fixture cannot serve a module: make one database here.
        import os
        import uuid

        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = os.environ.get("MARKWATCH_TEST_PG_URL")
        if not admin:
            if os.environ.get("MARKWATCH_REQUIRE_SERVICES") == "1":
                raise RuntimeError("MARKWATCH_REQUIRE_SERVICES=1 but MARKWATCH_TEST_PG_URL is not set")
            pytest.skip("no PostgreSQL server: set MARKWATCH_TEST_PG_URL")
        name = f"mw_schema_{uuid.uuid4().hex[:12]}"
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        db.upgrade(url)
        try:
            yield from _serve(url, tmp_path_factory)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()


def _serve(url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    from cases_support import REGISTRY

    with db.session_scope(url) as session:
        import_registry_file(session, REGISTRY)
        sweep = make_sweep(session)
        for n in range(3):
            add_finding(session, sweep, key=f"K{n}")
        ingest_sweep(session, sweep.id)
    keys = make_keys(url)
    logs = tmp_path_factory.mktemp("logs")
    # Triggered sweeps run a harmless stand-in, logging under the test's directory.
    app = create_app(
        make_settings(url, sweep_command=(sys.executable, "-c", "pass"), sweep_log_dir=str(logs))
    )
    app.state.fetcher = SafeFetcher(AddressPolicy(resolver=_no_dns), timeout=2)
    try:
        with LiveServer(app) as base:
            yield base, keys
    finally:
        db.reset_caches()


@pytest.fixture(scope="module")
def live_schema(live: tuple[str, dict[str, str]]) -> Any:
    base, _keys = live
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    # NUL and every code point, not only what encodes to UTF-8.
    schema.config.generation.update(allow_x00=True, codec=None)
    return schema


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Where in a JSON value a scalar could be replaced."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _paths(v, (*at, k))] or [at]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _paths(v, (*at, i))] or [at]
    return [at]


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(copy[head], rest, new)
    return copy


@st.composite
def _mutation(draw: st.DrawFn) -> tuple[str, Any]:
    """Nothing, or where to put which hostile value: ('text', str) or ('number', raw JSON token)."""
    kind = draw(st.sampled_from(["none", "text", "text", "number"]))
    if kind == "text":
        return kind, draw(st.sampled_from(HOSTILE_TEXT))
    if kind == "number":
        return kind, draw(st.sampled_from(NON_FINITE))
    return kind, None


def _body_bytes(body: Any, mutation: tuple[str, Any], pick: int) -> bytes:
    if isinstance(body, bytes):  # an invalid case may already be raw bytes
        return body
    kind, value = mutation
    if kind != "none" and isinstance(body, dict | list):
        paths = _paths(body)
        path = paths[pick % len(paths)]
        body = _replace(body, path, value if kind == "text" else _MARK)
    # ensure_ascii spells a lone surrogate as the escape \ud800, as a hostile client would.
    text = json.dumps(body, ensure_ascii=True, allow_nan=True)
    if kind == "number":
        text = text.replace(json.dumps(_MARK, ensure_ascii=True), value)
    return text.encode("ascii")


def _query_string(query: dict[str, Any] | None, mutation: tuple[str, Any], pick: int) -> str:
    items = [(k, v) for k, vs in (query or {}).items() for v in (vs if isinstance(vs, list) else [vs])]
    kind, value = mutation
    if kind != "none" and items:
        index = pick % len(items)
        items[index] = (items[index][0], value)
    # surrogatepass: percent-encode a lone surrogate's bytes instead of failing to encode it.
    return "&".join(
        f"{quote(str(k), errors='surrogatepass')}={quote(str(v), errors='surrogatepass')}" for k, v in items
    )


@pytest.mark.slow
@pytest.mark.parametrize(("method", "path", "role"), CASES, ids=[f"{m} {p} as {r}" for m, p, r in CASES])
def test_no_server_errors(
    method: str, path: str, role: str | None, live: tuple[str, dict[str, str]], live_schema: Any
) -> None:
    base, keys = live
    headers = {"X-API-Key": keys[role]} if role else {}
    operation = live_schema[path][method]
    strategy = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE)
    failures: list[str] = []

    with httpx.Client(base_url=base, timeout=30) as client:

        @given(case=strategy, mutation=_mutation(), pick=st.integers(0, 1000))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case: Any, mutation: tuple[str, Any], pick: int) -> None:
            target = quote(case.formatted_path, safe="/%", errors="surrogatepass")
            query = _query_string(case.query, mutation, pick)
            request_headers = dict(headers)
            content = None
            if case.body is not None and not isinstance(case.body, NotSet):
                content = _body_bytes(case.body, mutation, pick)
                request_headers["Content-Type"] = "application/json"
            response = client.request(
                method, target + (f"?{query}" if query else ""), content=content, headers=request_headers
            )
            if response.status_code >= 500:
                failures.append(
                    f"{response.status_code} for {method} {target}?{query} {content!r}: {response.text}"
                )
            if response.status_code == 422:
                assert response.headers["content-type"].startswith("application/json"), response.text
                assert response.json()["detail"]
            if method == "GET":
                # The same request as HEAD: GET's status, no body (never a 405, never a server error).
                head = client.request(
                    "HEAD", target + (f"?{query}" if query else ""), headers=request_headers
                )
                if head.status_code != response.status_code or head.content:
                    failures.append(f"HEAD {target}?{query}: {head.status_code}, GET {response.status_code}")

        fuzz()
    assert failures == []


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        ("POST", "/v1/selfcheck", b'{"text": "\\ud800"}'),
        ("POST", "/v1/selfcheck", b'{"text": "ok", "enterprise_name": "\\udfff"}'),
        ("POST", "/v1/selfcheck", b'{"text": NaN}'),
        ("POST", "/v1/selfcheck", b'{"text": 1e999}'),
        ("POST", "/v1/selfcheck", b'{"text": "a", "\\ud800": 1}'),
        ("POST", "/v1/selfcheck", b"[" * 200_000 + b"]" * 200_000),
        ("POST", "/v1/selfcheck/batch", b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ("POST", "/v1/cases/1/comments", b'{"body": "\\u0000"}'),
        # A key named twice, at the top and deep in a batch, and with the duplicate's value hostile too.
        ("POST", "/v1/selfcheck", b'{"text": "a", "text": "b"}'),
        ("POST", "/v1/selfcheck/batch", b'{"items": [{"text": "a", "text": "\\ud800"}]}'),
        ("POST", "/v1/cases/1/comments", b'{"body": "a", "body": NaN}'),
        ("POST", "/v1/cases/1/comments", b'{"body": "\\ud800"}'),
        ("PUT", "/v1/cases/1/assignee", b'{"assignee": "bob\\u0000"}'),
        ("POST", "/v1/cases/1/transitions", b'{"to": "dismissed", "reason": "x\\u0000"}'),
        (
            "POST",
            "/v1/cases/1/transitions",
            b'{"to": "rectification_due", "due_at": "9999-12-31T23:59:59-12:00"}',
        ),
        ("POST", "/v1/cases/1/waivers", b'{"reason": "x", "expires_at": "9999-12-31T23:59:59-12:00"}'),
        # Within the range as written, past it in UTC (QA #16: stored as year 3000).
        (
            "POST",
            "/v1/cases/1/transitions",
            b'{"to": "rectification_due", "due_at": "2999-12-31T23:59:59-12:00"}',
        ),
        ("POST", "/v1/cases/1/waivers", b'{"reason": "x", "expires_at": "2999-12-31T23:59:59-12:00"}'),
        ("POST", "/v1/cases/1/waivers", b'{"reason": "x", "expires_at": "1900-01-01T00:00:00+14:00"}'),
        ("POST", "/v1/cases/1/waivers", b'{"reason": "\\u0000", "expires_at": "2030-01-01T00:00:00Z"}'),
        ("GET", "/v1/cases?claimant=a%00b", None),
        ("GET", "/v1/cases?assignee=%00", None),
        ("GET", "/v1/cases/export.csv?claimant=%00", None),
        ("GET", "/v1/cases?seen_from=9999-12-31", None),
        ("GET", "/v1/registry?as_of=0001-01-01", None),
        ("GET", "/v1/registry?q=%ED%A0%80", None),
    ],
)
def test_hostile_input_is_a_json_422(
    live: tuple[str, dict[str, str]], method: str, path: str, raw: bytes | None
) -> None:
    base, keys = live
    role = "enterprise" if path.startswith("/v1/selfcheck") else "admin"
    headers = {"X-API-Key": keys[role], "Content-Type": "application/json"}
    response = httpx.request(method, base + path, content=raw, headers=headers, timeout=30)
    if path.startswith("/v1/registry?q="):
        # A percent-encoded surrogate is decoded as U+FFFD: harmless text, a normal answer.
        assert response.status_code == 200, response.text
        return
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] in {"RequestValidationError", "InputError"}
    assert body.get("where"), body
