"""Signed checkpoints: a removed tail, a rewritten chain and a hand-edited case status are all found.

Every tampering here is done the way an insider with database rights would: plain SQL, triggers dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from cases_support import make_settings
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from test_cases_audit import _history, drop_append_only_triggers

from api.app import create_app
from markwatch import db
from markwatch.cases.audit import canonical_content, entry_hash, verify_chain
from markwatch.cases.audit_models import AuditCheckpoint
from markwatch.cases.checkpoints import (
    EXPORT_ENV,
    KEY_ENV,
    AuditKey,
    checkpoint_interval,
    default_stale_after,
    load_key,
    read_export,
    verify_audit,
    write_checkpoint,
)
from markwatch.cases.models import Case, CaseEvent
from markwatch.cases.notes import add_comment
from markwatch.cli import cli
from markwatch.errors import InputError

KEY = "audit-key-for-tests-0123456789abcdefghijklmnop"


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AuditKey:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(EXPORT_ENV, str(tmp_path / "shipped" / "checkpoints.jsonl"))
    loaded = load_key()
    assert loaded is not None
    return loaded


def _checkpointed_history(db_url: str, key: AuditKey, export: Path | None = None) -> None:
    with db.session_scope(db_url) as session:
        _history(session)
        assert write_checkpoint(session, key, reason="test", export=export) is not None


def _verify(db_url: str, key: AuditKey | None, export: Path | None = None) -> list[str]:
    extra = read_export(export) if export else []
    with db.session_scope(db_url) as session:
        report = verify_audit(session, key, extra)
    return [*([str(report.broken)] if report.broken else []), *report.problems]


def _drop_checkpoint_triggers(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints"))
    else:
        session.execute(text("DROP TRIGGER audit_checkpoints_no_update"))
        session.execute(text("DROP TRIGGER audit_checkpoints_no_delete"))


def test_intact_trail_verifies_and_verify_signs_a_checkpoint(
    db_url: str, key: AuditKey, tmp_path: Path
) -> None:
    _checkpointed_history(db_url, key)
    assert _verify(db_url, key) == []
    with db.session_scope(db_url) as session:
        add_comment(session, session.query(Case).one(), author="inspector:a#1", body="later note")
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["entries"] == 6 and report["checkpoint_written"]
    with db.session_scope(db_url) as session:
        latest = session.query(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).first()
        assert (latest.seq, latest.reason) == (6, "verify")
    shipped = read_export(tmp_path / "shipped" / "checkpoints.jsonl")
    assert [h.seq for h in shipped] == [6] and shipped[0].valid_under(key)


def test_removed_tail_is_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        drop_append_only_triggers(session)
        session.execute(text("DELETE FROM case_events WHERE seq > 3"))
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None  # the chain alone cannot tell
    problems = _verify(db_url, key)
    assert any(p.startswith("truncated:") and "5 entries, the chain has 3" in p for p in problems), problems
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1 and "truncated" in result.output


def test_rewritten_chain_is_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        drop_append_only_triggers(session)
        events = session.query(CaseEvent).order_by(CaseEvent.seq).all()
        prev = "0" * 64
        # Change who dismissed the case, then recompute every hash from the start: a consistent new chain.
        for event in events:
            content = canonical_content(event)
            if event.seq == 5:
                content["actor"] = "inspector:mallory#9"
            new_hash = entry_hash(content, prev)
            session.execute(
                text("UPDATE case_events SET actor = :actor, prev_hash = :prev, hash = :hash WHERE id = :id"),
                {"actor": content["actor"], "prev": prev, "hash": new_hash, "id": event.id},
            )
            prev = new_hash
        session.expunge_all()
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None  # rewritten consistently: the chain alone cannot tell
    problems = _verify(db_url, key)
    assert any(p.startswith("rewritten: entry 5") for p in problems), problems


def test_hand_edited_case_status_is_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        session.execute(text("UPDATE cases SET status = 'closed'"))
    problems = _verify(db_url, key)
    assert problems == [
        "case 1 is 'closed' but its events lead to 'dismissed' (the status was changed without a recorded transition)"
    ]
    # Without a key the case states are still checked.
    assert _verify(db_url, None) == problems


def test_a_deleted_case_row_is_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        # Behind the database's back: the sqlite3 shell runs with foreign keys off; on PostgreSQL a superuser
        # can switch their triggers off.
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET LOCAL session_replication_role = replica"))  # no foreign-key triggers
            session.execute(text("DELETE FROM cases WHERE id = 1"))
        else:
            session.connection().exec_driver_sql("PRAGMA foreign_keys=OFF")
            session.execute(text("DELETE FROM cases WHERE id = 1"))
    problems = _verify(db_url, key)
    assert "case 1 is in the audit trail but its row was deleted" in problems, problems


def test_deleted_checkpoints_are_caught_by_the_shipped_file(
    db_url: str, key: AuditKey, tmp_path: Path
) -> None:
    shipped = tmp_path / "offsite.jsonl"
    _checkpointed_history(db_url, key, export=shipped)
    with db.session_scope(db_url) as session:
        drop_append_only_triggers(session)
        _drop_checkpoint_triggers(session)
        session.execute(text("DELETE FROM audit_checkpoints"))
        session.execute(text("DELETE FROM case_events WHERE seq > 4"))
    assert not [p for p in _verify(db_url, key) if "truncated" in p]  # the database alone no longer knows
    assert any("truncated" in p for p in _verify(db_url, key, shipped))
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url, "--checkpoints", str(shipped)])
    assert result.exit_code == 1 and "offsite.jsonl line 1" in result.output


def test_forged_checkpoint_is_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        _drop_checkpoint_triggers(session)
        session.execute(text("UPDATE audit_checkpoints SET seq = 2"))
    problems = _verify(db_url, key)
    assert any("wrong signature" in p for p in problems), problems


def test_checkpoints_are_append_only(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(db_url) as session:
        session.execute(text("DELETE FROM audit_checkpoints"))


def test_key_handling(tmp_path: Path) -> None:
    assert load_key({}) is None
    with pytest.raises(InputError, match="at least 32"):
        load_key({KEY_ENV: "short"})
    key_file = tmp_path / "audit.key"
    key_file.write_text(KEY + "\n")
    from_file = load_key({"MARKWATCH_AUDIT_KEY_FILE": str(key_file)})
    assert from_file is not None and from_file.key_id == AuditKey(KEY.encode()).key_id
    with pytest.raises(InputError, match="cannot read"):
        load_key({"MARKWATCH_AUDIT_KEY_FILE": str(tmp_path / "missing")})


def test_api_writes_checkpoints_periodically(sqlite_url: str, key: AuditKey) -> None:
    app = create_app(make_settings(sqlite_url, audit_checkpoint_seconds=0.2))
    with TestClient(app):
        with db.session_scope(sqlite_url) as session:
            _history(session)
        deadline = time.monotonic() + 10
        while True:
            with db.session_scope(sqlite_url) as session:
                seqs = [c.seq for c in session.query(AuditCheckpoint).all()]
            if 5 in seqs:
                break
            assert time.monotonic() < deadline, seqs
            time.sleep(0.1)
    assert _verify(sqlite_url, key) == []


def _unsigned_warnings(report_warnings: list[str]) -> list[str]:
    return [w for w in report_warnings if "in no signed checkpoint" in w]


def test_entries_waiting_too_long_for_a_checkpoint_are_reported(db_url: str, key: AuditKey) -> None:
    _checkpointed_history(db_url, key)
    with db.session_scope(db_url) as session:
        add_comment(session, session.query(Case).one(), author="inspector:a#1", body="after the checkpoint")
        add_comment(session, session.query(Case).one(), author="inspector:a#1", body="and another")
    with db.session_scope(db_url) as session:
        fresh = verify_audit(session, key, stale_after=dt.timedelta(minutes=10))
    assert (fresh.unsigned_entries, fresh.ok) == (2, True)
    assert fresh.oldest_unsigned_at is not None and _unsigned_warnings(fresh.warnings) == []
    time.sleep(0.3)
    with db.session_scope(db_url) as session:
        late = verify_audit(session, key, stale_after=dt.timedelta(seconds=0.2))
    [warning] = _unsigned_warnings(late.warnings)
    assert warning.startswith("2 entries are in no signed checkpoint") and "writer" in warning
    assert late.ok  # a writer that is behind is not a tampered chain


def test_a_failing_periodic_checkpoint_writer_is_seen_by_verify(
    sqlite_url: str, key: AuditKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session_scope(sqlite_url) as session:
        assert write_checkpoint(session, key, reason="test") is not None  # the empty chain, signed
    # The shipped file cannot be written (its path is a directory): every periodic checkpoint fails.
    unwritable = tmp_path / "not-a-file"
    unwritable.mkdir()
    monkeypatch.setenv(EXPORT_ENV, str(unwritable))
    app = create_app(make_settings(sqlite_url, audit_checkpoint_seconds=0.1))
    with TestClient(app):
        with db.session_scope(sqlite_url) as session:
            _history(session)
        time.sleep(1.0)
    with db.session_scope(sqlite_url) as session:
        assert [c.seq for c in session.query(AuditCheckpoint).all()] == [0]
    monkeypatch.setenv("MARKWATCH_AUDIT_CHECKPOINT_SECONDS", "0.1")  # as the API was run: due every 0.1 s
    monkeypatch.delenv(EXPORT_ENV)
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", sqlite_url, "--stale-after", "0.5"])
    assert result.exit_code == 0, result.output
    assert "5 entries are in no signed checkpoint" in result.stderr and "writer" in result.stderr
    default = CliRunner().invoke(cli, ["audit", "verify", "--db", sqlite_url, "--format", "json"])
    report = json.loads(default.stdout)
    assert report["unsigned_entries"] == 0 and report["oldest_unsigned_at"] is None  # the verify above signed


def test_stale_after_defaults_follow_the_api_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_stale_after(checkpoint_interval({})) == dt.timedelta(seconds=660)
    assert default_stale_after(checkpoint_interval({"MARKWATCH_AUDIT_CHECKPOINT_SECONDS": "0"})) is None
    with pytest.raises(InputError, match="MARKWATCH_AUDIT_CHECKPOINT_SECONDS"):
        checkpoint_interval({"MARKWATCH_AUDIT_CHECKPOINT_SECONDS": "soon"})
    monkeypatch.setenv("MARKWATCH_AUDIT_CHECKPOINT_SECONDS", "-5")
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", "sqlite:///:memory:"])
    assert result.exit_code != 0 and "MARKWATCH_AUDIT_CHECKPOINT_SECONDS" in result.output
    assert "Traceback" not in result.output
