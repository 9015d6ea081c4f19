"""Notices issued at the same moment from different cases get different numbers (SQLite file and PostgreSQL).

A notice number is a document's identity outside markwatch: two enterprises holding letters with one number
is a legal mess. The numbers are issued by a live server while another writer holds the database, so every
request has read the case and is waiting for the lock at once; on a database whose next number was read
before the lock, they all get the same one.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from cases_support import TEST_SECRET, LiveServer
from console_support import AUTHORITY, DEADLINE_ISO, console_app, seed, sign_in
from servers import wait_until_serving

from markwatch import db
from markwatch.cases.audit import _APPEND_LOCK_ID, verify_chain
from markwatch.cases.models import CaseEvent


@contextmanager
def writer_holding(url: str) -> Iterator[None]:
    """Another writer holding the database: SQLite's write lock, PostgreSQL's case-writes lock."""
    if url.startswith("sqlite"):
        holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_APPEND_LOCK_ID,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_APPEND_LOCK_ID,))


def _confirm(client: httpx.Client, case_id: int, token: str) -> None:
    for target in ("in_review", "confirmed"):
        response = client.post(
            f"/console/cases/{case_id}/transition",
            data={"to": target, "reason": "checked the archive", "csrf_token": token},
        )
        assert response.status_code == 303, response.text


def _issue_all_at_once(base: str, db_url: str, keys: dict[str, str], case_ids: list[int]) -> None:
    """Confirm the cases, then issue a notice on each from its own client while another writer waits."""
    clients = [httpx.Client(base_url=base, timeout=60) for _ in case_ids]
    answers: dict[int, httpx.Response] = {}
    try:
        tokens = [sign_in(client, keys["inspector"]) for client in clients]
        for case_id in case_ids:
            _confirm(clients[0], case_id, tokens[0])

        def issue(n: int) -> None:
            answers[n] = clients[n].post(
                f"/console/cases/{case_ids[n]}/notices",
                data={"deadline": DEADLINE_ISO, "csrf_token": tokens[n]},
            )

        threads = [threading.Thread(target=issue, args=(n,)) for n in range(len(case_ids))]
        with writer_holding(db_url):
            for thread in threads:
                thread.start()
            time.sleep(1.5)  # every request has read its case and waits for the lock
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for client in clients:
            client.close()
    assert sorted(r.status_code for r in answers.values()) == [303] * len(case_ids), [
        r.text[:300] for r in answers.values()
    ]


def _numbers(db_url: str) -> list[str]:
    with db.session_scope(db_url) as session:
        issued = session.query(CaseEvent).filter_by(kind="notice_issued").order_by(CaseEvent.seq).all()
        numbers = [str(event.payload["number"]) for event in issued]
        assert verify_chain(session) is None
    return numbers


def _distinct_from_one(numbers: list[str], count: int) -> None:
    assert len(numbers) == count
    assert len(set(numbers)) == len(numbers), numbers
    # Consecutive from 1 in the year, as a register of letters would be.
    assert sorted(int(re.findall(r"(\d{4})号", n)[0]) for n in numbers) == list(range(1, count + 1))


def test_notices_issued_at_the_same_moment_get_different_numbers(db_url: str) -> None:
    data = seed(db_url)
    case_ids = sorted(data.cases.values())
    with LiveServer(console_app(db_url)) as base:
        _issue_all_at_once(base, db_url, data.keys, case_ids)
    _distinct_from_one(_numbers(db_url), len(case_ids))


@contextmanager
def two_processes(tmp_path: Path, url: str) -> Iterator[str]:
    """`markwatch serve --workers 2` on the SQLite file, with the console's authority configured."""
    port = _free_port()
    env = {
        **os.environ,
        "MARKWATCH_HOME": str(tmp_path),
        "MARKWATCH_ENVIRONMENT": "test",  # cookies without Secure, so a plain-http client sends them
        "MARKWATCH_SECRET_KEY": TEST_SECRET,
        **{f"MARKWATCH_CONSOLE_{name.upper()}": value for name, value in AUTHORITY.items()},
    }
    command = [sys.executable, "-c", "from markwatch.cli import main; main()", "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--db", url, "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(server, base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_server_processes_on_one_sqlite_file_number_notices_apart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    data = seed(url)
    case_ids = sorted(data.cases.values())
    db.reset_caches()
    with two_processes(tmp_path, url) as base:
        _issue_all_at_once(base, url, data.keys, case_ids)
    _distinct_from_one(_numbers(url), len(case_ids))
