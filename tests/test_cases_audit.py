"""The audit chain: append-only, and an edited, removed or reordered entry is found and named."""

from __future__ import annotations

import itertools
import json

import pytest
from cases_support import make_case
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from markwatch import db
from markwatch.cases.audit import GENESIS_HASH, append_event, verify_chain
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseEvent, CaseStatus
from markwatch.cases.notes import add_comment, assign
from markwatch.cli import cli
from markwatch.errors import ConflictError


def _history(session: Session) -> Case:
    case = make_case(session, "open", key="audit-1", rule_id="SHS002")
    append_event(session, case_id=case.id, kind="opened", actor="system", to_status="open")
    transition(session, case, CaseStatus.IN_REVIEW, actor="inspector:a#1")
    add_comment(session, case, author="inspector:a#1", body="上海标准认证 wording on the banner")
    assign(session, case, assignee="bob", actor="inspector:a#1")
    transition(session, case, CaseStatus.DISMISSED, actor="inspector:a#1", reason="out of scope")
    return case


def test_chain_links_every_entry(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        _history(session)
    with db.session_scope(db_url) as session:
        events = session.query(CaseEvent).order_by(CaseEvent.seq).all()
        assert [e.seq for e in events] == [1, 2, 3, 4, 5]
        assert events[0].prev_hash == GENESIS_HASH
        assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
        assert verify_chain(session) is None


def drop_append_only_triggers(session: Session) -> None:
    """What someone with DDL rights could do before editing the history."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER case_events_append_only ON case_events"))
    else:
        session.execute(text("DROP TRIGGER case_events_no_update"))
        session.execute(text("DROP TRIGGER case_events_no_delete"))


@pytest.mark.parametrize(
    "statement", ["UPDATE case_events SET actor = 'x' WHERE seq = 2", "DELETE FROM case_events"]
)
def test_database_refuses_edits(db_url: str, statement: str) -> None:
    with db.session_scope(db_url) as session:
        _history(session)
    with pytest.raises(DBAPIError, match="append-only"), db.session_scope(db_url) as session:
        session.execute(text(statement))


@pytest.mark.parametrize(
    ("statement", "broken_seq"),
    [
        ("UPDATE case_events SET payload = :payload WHERE seq = 3", 3),
        ("UPDATE case_events SET actor = 'inspector:mallory#9' WHERE seq = 2", 2),
        ("UPDATE case_events SET to_status = 'confirmed' WHERE seq = 5", 5),
        ("DELETE FROM case_events WHERE seq = 4", 4),
        ("UPDATE case_events SET hash = :fake WHERE seq = 1", 1),
    ],
)
def test_edited_row_is_named(db_url: str, statement: str, broken_seq: int) -> None:
    with db.session_scope(db_url) as session:
        _history(session)
    with db.session_scope(db_url) as session:
        drop_append_only_triggers(session)
        params = {"payload": json.dumps({"comment_id": 1, "body": "nothing to see"}), "fake": "f" * 64}
        session.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    with db.session_scope(db_url) as session:
        broken = verify_chain(session)
        assert broken is not None
        assert broken.seq == broken_seq


def test_orm_refuses_to_change_an_entry(sqlite_url: str) -> None:
    with db.session_scope(sqlite_url) as session:
        _history(session)
    session = db.session_factory(sqlite_url)()
    try:
        event = session.query(CaseEvent).filter_by(seq=2).one()
        event.actor = "someone else"
        with pytest.raises(ConflictError, match="append-only"):
            session.flush()
        session.rollback()
        session.delete(session.query(CaseEvent).filter_by(seq=2).one())
        with pytest.raises(ConflictError, match="append-only"):
            session.flush()
    finally:
        session.rollback()
        session.close()


def test_cli_verify(db_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "0 entries" in result.output
    with db.session_scope(db_url) as session:
        _history(session)
    result = runner.invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "5 entries" in result.output
    with db.session_scope(db_url) as session:
        drop_append_only_triggers(session)
        session.execute(text("UPDATE case_events SET kind = 'commented' WHERE seq = 2"))
    result = runner.invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 1
    assert "audit entry 2" in result.output


def test_concurrent_appends_keep_one_chain(db_url: str) -> None:
    import threading

    with db.session_scope(db_url) as session:
        for n in range(8):
            make_case(session, "open", key=f"c{n}")
    errors: list[BaseException] = []
    retries: list[str] = []

    def work(case_key: str) -> None:
        for _ in range(3):
            for attempt in range(50):
                try:
                    with db.session_scope(db_url) as session:
                        case = session.query(Case).filter_by(case_key=case_key).one()
                        add_comment(session, case, author="inspector:t#1", body=f"note on {case_key}")
                    break
                except Exception as exc:  # SQLite may report "database is locked": retry like a client
                    retries.append(repr(exc))
                    if attempt == 49:
                        errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"c{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    if db_url.startswith("postgresql"):
        assert retries == []  # the advisory lock serialises appenders; nobody has to retry
    with db.session_scope(db_url) as session:
        assert verify_chain(session) is None
        assert session.query(CaseEvent).count() == 24
