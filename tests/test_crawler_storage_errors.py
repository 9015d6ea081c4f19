"""Which database errors a sweep waits out and which stop it: a full disk is no outage.

A sweep whose SQLite file filled its disk alternated "database unreachable (database or disk is full)" and
"reachable again" for ever (the `SELECT 1` probe succeeds on a full disk), past its outage bound, and the
scheduler then skipped the target for ever. Real SQLite errors: a file capped with max_page_count, and a lock.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from sweeps.storage import is_retryable, is_unreachable


def _full(tmp_path: Path) -> OperationalError:
    engine = create_engine(f"sqlite:///{tmp_path / 'full.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (b BLOB)"))
    try:
        with engine.begin() as connection:
            connection.execute(text("PRAGMA max_page_count = 4"))  # the file may not grow: "disk" full
            connection.execute(text("INSERT INTO t VALUES (zeroblob(100000))"))
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the insert should not fit")


def _locked(tmp_path: Path) -> OperationalError:
    path = tmp_path / "locked.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    except OperationalError as exc:
        return exc
    finally:
        engine.dispose()
        holder.close()
    raise AssertionError("the insert should wait for the lock")


def test_a_full_disk_is_not_an_outage_to_wait_for(tmp_path: Path) -> None:
    full = _full(tmp_path)
    assert "full" in str(full.orig)
    assert not is_unreachable(full) and not is_retryable(full)


def test_a_lock_is_waited_for(tmp_path: Path) -> None:
    locked = _locked(tmp_path)
    assert is_retryable(locked) or is_unreachable(locked)


@pytest.mark.parametrize("message", ["connection refused", "server closed the connection unexpectedly"])
def test_a_postgres_connection_error_is_still_an_outage(message: str) -> None:
    class NoState(Exception):
        sqlstate = None

    assert is_unreachable(OperationalError("SELECT 1", {}, NoState(message)))
