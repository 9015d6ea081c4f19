"""Builders for case and API tests: sweeps, findings, pages, apps and keys (imported by test_cases_* / test_api_*)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from crawler.snapshots import store_snapshot
from crawler.store.models import Sweep, SweepPage
from sweeps.models import Finding

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
PAGE = "https://shop.example.com/item/1"
REGISTRY = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"


@contextlib.contextmanager
def recorded_statements(db_url: str, into: list[str] | None = None) -> Iterator[list[str]]:
    """Every SQL statement the engine of `db_url` runs inside the block, white space folded, appended to `into`
    (a new list when not given): tests that pin what runs under the case-write lock read it."""
    from markwatch import db

    seen: list[str] = [] if into is None else into

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(" ".join(statement.split()))

    engine = db.get_engine(db_url)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def make_case(
    session: Session,
    status: str = "open",
    *,
    key: str | None = None,
    rule_id: str = "SHS001",
    severity: str = "high",
) -> Any:
    """A bare case in `status` (no findings), flushed so it has an id."""
    from markwatch.cases.models import Case

    case = Case(
        case_key=key or f"k-{status}-{id(session)}",
        status=status,
        rule_id=rule_id,
        severity=severity,
        first_seen_at=T0,
        last_seen_at=T0,
        message="m",
        reopen_count=0,
    )
    session.add(case)
    session.flush()
    return case


def make_sweep(session: Session, target: str = "demo") -> Sweep:
    """A finished sweep row."""
    sweep = Sweep(target=target, state="finished", started_at=T0, finished_at=T0)
    session.add(sweep)
    session.flush()
    return sweep


def add_finding(
    session: Session,
    sweep: Sweep,
    *,
    key: str = "case-key-1",
    observed_at: dt.datetime = T0,
    page_url: str = PAGE,
    rule_id: str = "SHS003",
    severity: str = "high",
    claimant: str | None = "上海某某科技有限公司",
    message: str = "designation expired",
    snippet: str = "执行标准：DB31/T 1108-2018（上海标准）",
) -> Finding:
    """A finding of `sweep`, with an archived snapshot."""
    body = f"<p>{snippet}</p><!-- {key} {observed_at.isoformat()} -->".encode()
    snapshot = store_snapshot(
        session,
        body=body,
        requested_url=page_url,
        final_url=page_url,
        status=200,
        headers={},
        fetched_at=observed_at,
        sweep_id=sweep.id,
    )
    finding = Finding(
        finding_key=key,
        rule_id=rule_id,
        severity=severity,
        standard_code="DB31/T 1108-2018",
        claim={"text": snippet},
        message=message,
        evidence={"snippet": snippet, "location": "body"},
        page_url=page_url,
        site="shop.example.com",
        claimant=claimant,
        observed_at=observed_at,
        sweep_id=sweep.id,
        snapshot_id=snapshot.id,
    )
    session.add(finding)
    session.flush()
    return finding


def add_page(session: Session, sweep: Sweep, url: str = PAGE, fetched_at: dt.datetime = T0) -> Any:
    """Record that `sweep` fetched and checked `url`."""
    page = SweepPage(sweep_id=sweep.id, url=url, status="ok", checked_at=fetched_at)
    session.add(page)
    session.flush()
    return page


TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnop"


def make_settings(database_url: str, **overrides: Any) -> Any:
    """Test settings: generous rate limits and failure throttles unless a test narrows them."""
    from api.settings import Settings

    values: dict[str, Any] = {
        "environment": "test",
        "secret_key": TEST_SECRET,
        "database_url": database_url,
        "rate_limit_per_minute": 100_000,
        "rate_limit_burst": 10_000,
        "auth_failures_per_minute": 100_000,
        "auth_failure_burst": 10_000,
        "sign_in_failures_per_minute": 100_000,
        "sign_in_failure_burst": 10_000,
    }
    values.update(overrides)
    return Settings(**values)


def import_example_registry(database_url: str) -> None:
    """The example registry (examples/registry.yaml): self-checks refuse to run against an empty one."""
    from checker.registry import import_registry_file
    from markwatch import db

    with db.session_scope(database_url) as session:
        import_registry_file(session, REGISTRY)


def make_keys(database_url: str) -> dict[str, str]:
    """One key per role, by role name."""
    from markwatch import db
    from markwatch.cases.keys import create_key
    from markwatch.cases.models import Role

    with db.session_scope(database_url) as session:
        return {role.value: create_key(session, role=role, name=f"test-{role.value}").secret for role in Role}


class LiveServer:
    """The app under uvicorn on 127.0.0.1 (random port) in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(self.config)
        self.thread: Any = None

    def __enter__(self) -> str:
        import threading
        import time

        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def route_table() -> list[tuple[str, str, frozenset[Any] | None]]:
    """(method, path, roles) for every API route, read from the routers the app mounts; None = no guard."""
    from fastapi.routing import APIRoute

    from api.app import API_PREFIX, API_ROUTERS
    from api.deps import RoleGuard

    def guards(dependant: Any) -> list[RoleGuard]:
        found = [d.call for d in dependant.dependencies if isinstance(d.call, RoleGuard)]
        for sub in dependant.dependencies:
            found.extend(guards(sub))
        return found

    rows: list[tuple[str, str, frozenset[Any] | None]] = []
    for router in API_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), f"{route} is not an API route"
            found = guards(route.dependant)
            assert len(found) <= 1, f"{route.path} has several role guards"
            for method in sorted(route.methods or ()):
                rows.append((method, API_PREFIX + route.path, found[0].roles if found else None))
    return rows
