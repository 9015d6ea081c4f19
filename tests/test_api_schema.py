"""Schemathesis against the OpenAPI schema of a live uvicorn server on 127.0.0.1: no 5xx for any input."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from cases_support import LiveServer, add_finding, make_keys, make_settings, make_sweep, route_table
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from api.fetch import AddressPolicy, SafeFetcher
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import Role
from markwatch.errors import FetchError

ROUTES = route_table()


def _no_dns(host: str, _port: int) -> list[str]:
    # Generated URLs must not make the test send DNS queries off this machine.
    raise FetchError(f"no DNS lookups in this test ({host})")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded database served by uvicorn; yields the base URL and a key per role."""
    path: Path = tmp_path_factory.mktemp("schema") / "schema.db"
    url = f"sqlite:///{path}"
    db.upgrade(url)
    with db.session_scope(url) as session:
        sweep = make_sweep(session)
        for n in range(3):
            add_finding(session, sweep, key=f"K{n}")
        ingest_sweep(session, sweep.id)
    keys = make_keys(url)
    # Triggered sweeps run a harmless stand-in, logging under the test's directory.
    app = create_app(
        make_settings(
            url, sweep_command=(sys.executable, "-c", "pass"), sweep_log_dir=str(path.parent / "logs")
        )
    )
    app.state.fetcher = SafeFetcher(AddressPolicy(resolver=_no_dns), timeout=2)
    with LiveServer(app) as base:
        yield base, keys
    db.reset_caches()


@pytest.fixture(scope="module")
def live_schema(live: tuple[str, dict[str, str]]) -> Any:
    base, _keys = live
    return schemathesis.openapi.from_url(f"{base}/openapi.json")


def _key_for(roles: frozenset[Role] | None, keys: dict[str, str]) -> dict[str, str]:
    if roles is None:
        return {}
    role = Role.ADMIN if Role.ADMIN in roles else sorted(roles)[0]
    return {"X-API-Key": keys[role.value]}


# Parametrised from the route table, so every route is fuzzed and a new one cannot be missed.
@pytest.mark.parametrize(("method", "path", "roles"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_no_server_errors(
    method: str, path: str, roles: frozenset[Role] | None, live: tuple[str, dict[str, str]], live_schema: Any
) -> None:
    base, keys = live
    headers = _key_for(roles, keys)
    operation = live_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(base_url=base, headers=headers, checks=[not_a_server_error], timeout=30)

    fuzz()
