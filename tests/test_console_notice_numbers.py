"""Notices issued at the same moment from different cases get different numbers (SQLite file and PostgreSQL).

A notice number is a document's identity outside markwatch: two enterprises holding letters with one number
is a legal mess. The numbers are issued by a live server while another writer holds the database, so every
request has read the case and is waiting for the lock at once; on a database whose next number was read
before the lock, they all get the same one.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from cases_support import TEST_SECRET, LiveServer, recorded_statements
from console_support import AUTHORITY, DEADLINE_ISO, confirm_case, console_app, seed, sign_in
from fastapi.testclient import TestClient
from servers import wait_until_serving
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases import notice_numbers
from markwatch.cases.audit import _APPEND_LOCK_ID, append_event, verify_chain
from markwatch.cases.checkpoints import verify_audit
from markwatch.cases.models import CaseEvent, NoticeNumber


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


def _issue_all_at_once(base: str, db_url: str, keys: dict[str, str], case_ids: list[int]) -> None:
    """Confirm the cases, then issue a notice on each from its own client while another writer waits."""
    clients = [httpx.Client(base_url=base, timeout=60) for _ in case_ids]
    answers: dict[int, httpx.Response] = {}
    try:
        tokens = [sign_in(client, keys["inspector"]) for client in clients]
        for case_id in case_ids:
            confirm_case(clients[0], case_id, tokens[0])

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
    for event, number in zip(issued, numbers, strict=True):
        # The document is rendered before the lock with the number the year would take then: whichever
        # number the lock gave, the document (and the facts recorded beside it) must print that one only.
        html = str(event.payload["html"])
        assert f'<span id="notice-number">{number}</span>' in html, number
        assert not [other for other in numbers if other != number and other in html], number
        assert event.payload["notice"]["number"] == number
        assert event.payload["content_sha256"] == hashlib.sha256(html.encode("utf-8")).hexdigest()
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


def _statements_while(db_url: str, action: Callable[[], None]) -> list[str]:
    """Every SQL statement the app's engine runs during `action`."""
    with recorded_statements(db_url) as seen:
        action()
    return seen


def test_the_next_number_is_found_without_reading_other_notices(db_url: str) -> None:
    """Numbering runs under the lock every case write waits for: it must not read the notices issued before
    (each holds its whole rendered document), or every issue holds all writers for as long as that takes
    (1.57 s at 2,000 notices). Only the case's own entries may be read whole."""
    data = seed(db_url)
    first, second = data.cases["expired"], data.cases["wording"]
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        for case_id in (first, second):
            confirm_case(client, case_id, token)
        issue = {"deadline": DEADLINE_ISO, "csrf_token": token}
        assert client.post(f"/console/cases/{first}/notices", data=issue).status_code == 200

        def issue_second() -> None:
            answer = client.post(f"/console/cases/{second}/notices", data=issue, follow_redirects=False)
            assert answer.status_code == 303, answer.text

        statements = _statements_while(db_url, issue_second)
    payload_reads = [
        s
        for s in statements
        if s.startswith("SELECT") and re.search(r"\bcase_events\.payload\b", s.split(" FROM ")[0])
    ]
    assert payload_reads, "the case's own history is read: the capture saw nothing"
    # Every read of an entry's payload is of this case's entries (its page, its own notices), never the year's.
    assert all("case_events.case_id =" in s for s in payload_reads), payload_reads
    numbers = _numbers(db_url)
    assert [int(re.findall(r"(\d{4})号", n)[0]) for n in numbers] == [1, 2]


def _alembic(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.attributes["connection_engine"] = db.get_engine(url)
    return config


def test_0014_registers_the_notices_issued_before_it_by_year_in_chain_order(db_url: str) -> None:
    """The register is what the chain says: the n-th notice entry of a year took its number n. Filled from the
    chain on upgrade, it gives each year's next number; a row the chain does not account for is named by
    `audit verify`, and the register refuses edits as the chain does."""
    from alembic import command

    config = _alembic(db_url)
    command.downgrade(config, "0013_holder_names")
    issued: dict[str, int] = {}
    with Session(db.get_engine(db_url)) as session:
        for name, day in (("a", "2025-12-30"), ("b", "2026-01-02"), ("c", "2025-12-31")):
            payload = {"number": f"第{name}号", "issued_on": day, "html": "<p>通知书</p>" * 2000}
            event = append_event(session, case_id=None, kind="notice_issued", actor="test", payload=payload)
            issued[name] = event.id
        other = append_event(session, case_id=None, kind="session_revoked", actor="test").id
        session.commit()
    command.upgrade(config, "head")
    with db.session_scope(db_url) as session:
        rows = session.scalars(select(NoticeNumber).order_by(NoticeNumber.year, NoticeNumber.seq)).all()
        assert [(r.year, r.seq, r.event_id, r.number) for r in rows] == [
            (2025, 1, issued["a"], "第a号"),
            (2025, 2, issued["c"], "第c号"),
            (2026, 1, issued["b"], "第b号"),
        ]
        assert [notice_numbers.next_seq(session, y) for y in (2025, 2026, 2027)] == [3, 2, 1]
        assert verify_audit(session, None).problems == []
    with db.session_scope(db_url) as session:
        session.add(NoticeNumber(year=2026, seq=2, event_id=other, number="第x号"))
    with db.session_scope(db_url) as session:
        assert verify_audit(session, None).problems == [
            "notice number 2026/2 ('第x号') is registered but no entry issued it"
        ]
    with pytest.raises(DBAPIError), db.get_engine(db_url).begin() as connection:
        connection.execute(text("DELETE FROM notice_numbers WHERE year = 2026 AND seq = 2"))
    command.downgrade(config, "0013_holder_names")
    with db.get_engine(db_url).connect() as connection:
        assert "notice_numbers" not in inspect(connection).get_table_names()
    command.upgrade(config, "head")
