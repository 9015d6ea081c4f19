"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when a server is given), Redis."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from checker.check import Checker
from checker.extract.gate import GATE_ENV, Searcher, searcher
from checker.extract.gate_cache import CACHE_ENV
from markwatch import db

REPO_ROOT = Path(__file__).resolve().parent.parent
# Byte-for-byte copies of ../shared/fixtures/realpages (checksums in its SOURCES.md, checked by a test),
# kept in the repository so a clean clone on a fresh machine runs the same tests.
REALPAGES_DIR = REPO_ROOT / "tests" / "data" / "realpages"
REQUIRE_SERVICES = os.environ.get("MARKWATCH_REQUIRE_SERVICES") == "1"
CPU_BUDGET_ENV = "MARKWATCH_EXTRACT_CPU_BUDGET_SECONDS"


def pytest_configure(config: pytest.Config) -> None:
    # Compiled gate databases go to a directory of this run (inherited by every subprocess a test starts), not
    # to the user's ~/.cache: the run compiles each once instead of once per process.
    if CACHE_ENV not in os.environ:
        os.environ[CACHE_ENV] = tempfile.mkdtemp(prefix="markwatch-gate-cache-")
    # The 2 s CPU budget per page guards production against hostile pages; here it would turn correctness tests
    # into timing tests on a slow or loaded CI machine (seen: a 2,000-claim page cut at 1,087 claims on a run
    # that took twice as long as usual). Tests of the budget itself pass their own limits; speed is measured in
    # `make bench`. A quadratic blow-up still overruns 30 s and is caught.
    os.environ.setdefault(CPU_BUDGET_ENV, "30")


def _pg_admin_url() -> str | None:
    url = os.environ.get("MARKWATCH_TEST_PG_URL")
    if not url and REQUIRE_SERVICES:
        raise RuntimeError("MARKWATCH_REQUIRE_SERVICES=1 but MARKWATCH_TEST_PG_URL is not set")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file with the schema at head."""
    url = f"sqlite:///{tmp_path / 'markwatch.db'}"
    db.upgrade(url)
    yield url
    db.reset_caches()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database with the schema at head (skipped only outside CI when no server)."""
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip("no PostgreSQL server: set MARKWATCH_TEST_PG_URL (CI sets it and requires it)")
    name = f"mw_test_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    db.upgrade(url)
    try:
        yield url
    finally:
        db.reset_caches()
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


def _redis_test_url() -> str | None:
    url = os.environ.get("MARKWATCH_TEST_REDIS_URL")
    if not url and REQUIRE_SERVICES:
        raise RuntimeError("MARKWATCH_REQUIRE_SERVICES=1 but MARKWATCH_TEST_REDIS_URL is not set")
    return url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis server with no markwatch keys in it (skipped only outside CI when no server)."""
    url = _redis_test_url()
    if url is None:
        pytest.skip("no Redis server: set MARKWATCH_TEST_REDIS_URL (CI sets it and requires it)")
    import redis

    client = redis.Redis.from_url(url)

    def clear() -> None:
        # Only our own keys: each test database starts its sweep ids at 1, so keys would collide.
        for key in client.scan_iter(match="markwatch:*"):
            client.delete(key)

    clear()
    try:
        yield url
    finally:
        clear()
        client.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def realpages_dir() -> Path:
    """The six real marketplace/company pages (tests/data/realpages, see its SOURCES.md)."""
    if not REALPAGES_DIR.is_dir():
        raise RuntimeError(f"real page fixtures missing at {REALPAGES_DIR}")
    return REALPAGES_DIR


@pytest.fixture(params=["hyperscan", "find"])
def gate(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Searcher]:
    """Run a test under each raw-bytes gate searcher, chosen as an operator would (MARKWATCH_GATE)."""
    monkeypatch.setenv(GATE_ENV, request.param)
    searcher.cache_clear()
    yield searcher()
    searcher.cache_clear()


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    """One checker (and its rules engine) per test module; a module may define its own."""
    instance = Checker()
    yield instance
    instance.close()
