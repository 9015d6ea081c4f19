"""Nothing is lost without a word: faults injected into a real database (and a real disk) while inspectors act.

A bulk action whose write fails for one case, a CSV export whose database fails mid-stream, a checkpoint that
cannot be shipped: each must say what was and was not recorded, and why, to the person acting and in the log.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cases_support import LiveServer, make_case, make_keys, make_settings
from click.testing import CliRunner
from console_support import console_app, seed, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from test_cases_audit import _history

from api.app import create_app
from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.audit_models import AuditCheckpoint
from markwatch.cases.checkpoints import EXPORT_ENV, KEY_ENV
from markwatch.cases.export import COLUMNS
from markwatch.cases.models import Case, CaseEvent
from markwatch.cli import cli

KEY = "audit-key-for-tests-0123456789abcdefghijklmnop"
# A disk that is full: every write fails with ENOSPC (opening and appending succeed, as on a full volume).
FULL_DISK = Path("/dev/full")


def _inject_fault(db_url: str, event: str, when: str) -> None:
    """A trigger that makes the database refuse the rows `when` picks, as a failing disk page or a lost
    connection would: `event` is "UPDATE ON cases" or "INSERT ON case_events", `when` a condition on OLD/NEW."""
    with db.session_scope(db_url) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text(
                    "CREATE FUNCTION injected_fault() RETURNS trigger AS $$ "
                    "BEGIN RAISE EXCEPTION 'injected disk fault'; END $$ LANGUAGE plpgsql"
                )
            )
            session.execute(
                text(
                    f"CREATE TRIGGER injected_fault BEFORE {event} FOR EACH ROW "
                    f"WHEN ({when}) EXECUTE FUNCTION injected_fault()"
                )
            )
        else:
            session.execute(
                text(
                    f"CREATE TRIGGER injected_fault BEFORE {event} WHEN {when} "
                    "BEGIN SELECT RAISE(ABORT, 'injected disk fault'); END"
                )
            )


def _fail_writes_to_case(db_url: str, case_id: int) -> None:
    """The database refuses any change to one case row."""
    _inject_fault(db_url, "UPDATE ON cases", f"OLD.id = {case_id}")


def _outcomes(html: str) -> dict[int, str]:
    return {int(i): o for i, o in re.findall(r'<tr data-case-id="(\d+)" data-outcome="([a-z-]+)">', html)}


def test_a_bulk_action_whose_write_fails_for_one_case_reports_every_case(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the database error escaped the loop, the inspector got an error page (409 or 500) while the
    cases before it were already moved and the ones after it never tried, with no word of which."""
    data = seed(db_url)
    ids = sorted(data.cases.values())
    failing = ids[1]
    _fail_writes_to_case(db_url, failing)
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        boxes = re.findall(r'form="bulk-form" name="case" value="([^"]+)"', client.get("/console/cases").text)
        with caplog.at_level(logging.WARNING):
            page = client.post(
                "/console/cases/bulk", data={"csrf_token": token, "action": "review", "case": boxes}
            )
    assert page.status_code == 200, page.text[:500]
    assert _outcomes(page.text) == {ids[0]: "done", failing: "not-saved", ids[2]: "done"}
    assert "开始审查：2 件已处理，1 件被拒绝。" in page.text
    assert "未能保存" in page.text and "injected disk fault" in page.text
    assert any(
        f"case {failing}" in r.getMessage() and "injected disk fault" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    with db.session_scope(db_url) as session:
        statuses = {case.id: case.status for case in session.query(Case)}
        moved = {e.case_id for e in session.query(CaseEvent).filter_by(kind="transition")}
        assert verify_chain(session) is None
    assert statuses == {ids[0]: "in_review", failing: "open", ids[2]: "in_review"}
    assert moved == {ids[0], ids[2]}  # no entry for the case whose row could not be written


def _fail_audit_entries_of_case(db_url: str, case_id: int) -> None:
    """The database refuses every audit entry of one case (its decisions, comments and assignments)."""
    _inject_fault(db_url, "INSERT ON case_events", f"NEW.case_id = {case_id}")


def test_a_decision_comment_or_assignment_the_database_fails_is_an_error_answer_and_logged(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each API write is one transaction, so a failed audit entry takes the change with it, the client is
    answered an error (never a 2xx), and the reason is in the log. Before: SQLite's refusal was answered
    409 "a concurrent change conflicted; retry", which no retry cures; now 500 on both databases."""
    with db.session_scope(db_url) as session:
        case_id = make_case(session, key="fault").id
    _fail_audit_entries_of_case(db_url, case_id)
    keys = make_keys(db_url)
    headers = {"X-API-Key": keys["inspector"]}
    writes = [
        ("post", f"/v1/cases/{case_id}/transitions", {"to": "in_review"}),
        ("post", f"/v1/cases/{case_id}/comments", {"body": "上海标准 wording seen"}),
        ("put", f"/v1/cases/{case_id}/assignee", {"assignee": "张三"}),
    ]
    app = create_app(make_settings(db_url))
    with caplog.at_level(logging.WARNING), TestClient(app, raise_server_exceptions=False) as client:
        for method, path, body in writes:
            answer = client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 500, (path, answer.text)
            assert answer.json()["error"] in ("WriteRefused", "InternalError"), (path, answer.text)
            assert "retry" not in answer.json()["detail"]
    assert caplog.text.count("injected disk fault") >= len(writes), caplog.text
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.assignee, list(case.comments)) == ("open", None, [])
        assert session.query(CaseEvent).filter_by(case_id=case_id).count() == 0


def test_a_console_form_the_database_fails_comes_back_filled_in(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the console answered the API's JSON error (409 WriteConflict on SQLite, 500 on PostgreSQL) and
    the inspector's typed words were not on it. Now the form comes back filled in to send again or drop."""
    data = seed(db_url)
    case_id = data.cases["expired"]
    _fail_audit_entries_of_case(db_url, case_id)
    comment = "电话核实：企业称已下架该商品，待复查。"
    with TestClient(console_app(db_url), raise_server_exceptions=False) as client:
        token = sign_in(client, data.keys["inspector"])
        with caplog.at_level(logging.WARNING):
            page = client.post(
                f"/console/cases/{case_id}/comment", data={"body": comment, "csrf_token": token}
            )
        assert page.status_code == 503, page.text[:300]
        assert page.headers["content-type"].startswith("text/html")
        assert f'action="/console/cases/{case_id}/comment"' in page.text
        assert f">{comment}</textarea>" in page.text and "injected disk fault" in page.text
        assert "未作任何变更" in page.text and 'id="sign-out"' in page.text
        fresh = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert fresh is not None and fresh.group(1) == token
    assert any(
        f"/console/cases/{case_id}/comment" in r.getMessage() and "injected disk fault" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]
    with db.session_scope(db_url) as session:
        case = session.get(Case, case_id)
        assert case is not None and list(case.comments) == []


EXPORTED_CASES = 1000
# Long enough that the export (about 40 MB) fills the socket buffers while the client is not reading: the
# server is then stopped inside the first batch of 500 cases, before the second batch is queried.
MESSAGE = "上海标准" * 3000


@pytest.fixture
def big_export(db_url: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    with db.session_scope(db_url) as session:
        for n in range(EXPORTED_CASES):
            make_case(session, key=f"export-{n:04d}").message = MESSAGE
    keys = make_keys(db_url)
    with LiveServer(create_app(make_settings(db_url))) as base:
        yield db_url, base, keys


def _break_the_database_under_the_stream(db_url: str) -> None:
    if db_url.startswith("sqlite"):
        # SQLite holds no lock between the stream's queries: the next batch finds its table gone.
        engine = create_engine(db_url)
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE case_findings RENAME TO case_findings_gone"))
        engine.dispose()
        return
    # PostgreSQL: the server ends the stream's connection (an administrator, a failover, an OOM kill).
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()


def test_a_csv_export_cut_by_a_database_error_says_so(
    big_export: tuple[str, str, dict[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the file simply stopped after the last whole row; saved by a client that ignores the broken
    transfer, it looked like a complete export of fewer cases."""
    db_url, base, keys = big_export
    body = bytearray()
    headers = {"X-API-Key": keys["inspector"]}
    with (
        caplog.at_level(logging.ERROR),
        httpx.Client(base_url=base, timeout=60) as client,
        client.stream("GET", "/v1/cases/export.csv", headers=headers) as answer,
    ):
        assert answer.status_code == 200
        chunks = answer.iter_raw()
        body += next(chunks)
        time.sleep(1.0)  # the server fills the socket and waits, inside the first batch
        _break_the_database_under_the_stream(db_url)
        with pytest.raises(httpx.RemoteProtocolError):  # the transfer is also broken, not ended
            for chunk in chunks:
                body += chunk
    lines = body.decode("utf-8-sig").splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines[1:-1]))))
    assert lines[0].split(",") == list(COLUMNS)
    assert 0 < len(rows) < EXPORTED_CASES and all(len(row) == len(COLUMNS) for row in rows)
    assert lines[-1].startswith(f"# EXPORT INCOMPLETE: cut after {len(rows)} cases by an error"), lines[-1]
    assert any(
        "case export cut after" in r.getMessage() and r.exc_info is not None for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


def test_a_csv_export_that_completes_has_no_marker(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        for n in range(3):
            make_case(session, key=f"export-{n}")
    keys = make_keys(db_url)
    with LiveServer(create_app(make_settings(db_url))) as base:
        answer = httpx.get(f"{base}/v1/cases/export.csv", headers={"X-API-Key": keys["inspector"]})
    assert answer.status_code == 200
    assert "EXPORT INCOMPLETE" not in answer.text and len(answer.text.splitlines()) == 4


@pytest.fixture
def unwritable_export(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The checkpoint file's directory is a file (a mount that did not come up): every append fails. Not
    /dev/full here: verify reads the shipped file back when it exists, and that one never ends."""
    (tmp_path / "shipped").write_text("not a directory")
    export = tmp_path / "shipped" / "audit" / "checkpoints.jsonl"
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(EXPORT_ENV, str(export))
    return export


def test_verify_reports_a_checkpoint_it_could_not_ship(db_url: str, unwritable_export: Path) -> None:
    """Before: a traceback, and the verification's own result never printed."""
    with db.session_scope(db_url) as session:
        _history(session)
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1, result.output
    assert "audit chain OK: 5 entries" in result.stdout
    assert f"PROBLEM: no checkpoint was written: cannot append to {unwritable_export}" in result.stderr
    assert "Not a directory" in result.stderr
    as_json = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url, "--format", "json"])
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and report["ok"] and report["checkpoint_written"] is False
    assert "Not a directory" in report["checkpoint_error"]
    # The table and the shipped file stay in step: no checkpoint in the one that the other lacks.
    with db.session_scope(db_url) as session:
        assert session.query(AuditCheckpoint).count() == 0
    manual = CliRunner().invoke(cli, ["audit", "checkpoint", "--db", db_url])
    assert manual.exit_code == 2 and "Not a directory" in manual.stderr
    assert "Traceback" not in manual.output


def test_the_api_logs_each_checkpoint_it_could_not_ship(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(EXPORT_ENV, str(FULL_DISK))  # written only, never read back, by the API
    with db.session_scope(sqlite_url) as session:
        _history(session)
    app = create_app(make_settings(sqlite_url, audit_checkpoint_seconds=0.2))
    with caplog.at_level(logging.ERROR, logger="api.checkpointer"), TestClient(app):
        deadline = time.monotonic() + 10
        while not any(r.name == "api.checkpointer" for r in caplog.records):
            assert time.monotonic() < deadline, "no failed checkpoint was logged"
            time.sleep(0.1)
    # The reason, with the file it could not be written to, is in the log; the API kept serving.
    assert "writing an audit checkpoint failed" in caplog.text
    assert "No space left on device" in caplog.text and str(FULL_DISK) in caplog.text
