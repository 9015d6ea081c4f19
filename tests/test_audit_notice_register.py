"""`markwatch audit rebuild-notice-numbers`: the register restored from the chain, never from a tampered one.

A restore can lose the register (notice_numbers) or leave it behind the chain; the next notice would then take
a number already issued. Each damage is done as it happens (rows deleted, the table truncated, entries the
register never saw), then the command rebuilds it and `audit verify` passes; a tampered chain is refused with
nothing written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from console_support import DEADLINE_ISO, confirm_case, console_app, seed, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from test_cases_audit import drop_append_only_triggers

from markwatch import db
from markwatch.cases import notice_numbers
from markwatch.cases.audit import append_event
from markwatch.cases.checkpoints import EXPORT_ENV, KEY_ENV, load_key, write_checkpoint
from markwatch.cases.models import Case, CaseEvent, NoticeNumber
from markwatch.cases.sent import NOTICE_EVENT
from markwatch.cli import cli

KEY = "audit-key-for-tests-0123456789abcdefghijklmnop"
DAYS = ("2025-12-30", "2026-01-02", "2025-12-31", "2026-03-01", "2026-03-02")


def _issue(session: Session, day: str, *, register: bool = True) -> None:
    """A notice entry numbered as issuing does it (the year's next number, under the lock), registered or not
    (as the register restored from a backup older than the chain's never saw it)."""
    year = int(day[:4])
    # Unregistered, it was numbered before the register was restored from the older backup: issuing now refuses
    # while the register is behind (test_no_notice_is_numbered_while_the_register_is_behind_the_chain).
    seq = (notice_numbers.next_seq if register else notice_numbers.likely_next_seq)(session, year)
    number = f"沪标识整改〔{year}〕{seq:04d}号"
    payload = {"number": number, "issued_on": day, "html": f"<p>{number}</p>"}
    event = append_event(session, case_id=None, kind=NOTICE_EVENT, actor="inspector:a#1", payload=payload)
    if register:
        notice_numbers.record(session, year=year, seq=seq, event=event, number=number)


def _issued(db_url: str) -> list[tuple[int, int, int, str]]:
    with db.session_scope(db_url) as session:
        for day in DAYS:
            _issue(session, day)
    return _register(db_url)


def _register(db_url: str) -> list[tuple[int, int, int, str]]:
    with db.session_scope(db_url) as session:
        rows = session.scalars(select(NoticeNumber).order_by(NoticeNumber.year, NoticeNumber.seq))
        return [(r.year, r.seq, r.event_id, r.number) for r in rows]


def _drop_register_triggers(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER notice_numbers_append_only ON notice_numbers"))
    else:
        session.execute(text("DROP TRIGGER notice_numbers_no_update"))
        session.execute(text("DROP TRIGGER notice_numbers_no_delete"))


def _delete_some(session: Session) -> None:
    _drop_register_triggers(session)
    session.execute(text("DELETE FROM notice_numbers WHERE seq = 2 OR (year = 2026 AND seq = 3)"))


def _truncate(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # TRUNCATE fires no row trigger: a restore script (or pg_restore --clean) empties it as it stands.
        session.execute(text("TRUNCATE notice_numbers"))
    else:
        _drop_register_triggers(session)
        session.execute(text("DELETE FROM notice_numbers"))


def _issue_unregistered(session: Session) -> None:
    # The register from an older backup than the chain: two notices it never saw, one per year.
    _issue(session, "2026-04-01", register=False)
    _issue(session, "2025-12-31", register=False)


def _rebuild(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", "rebuild-notice-numbers", "--db", db_url, *args])


def _verify(db_url: str) -> Result:
    return CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])


@pytest.mark.parametrize(
    ("damage", "lost"),
    [(_delete_some, 3), (_truncate, 5), (_issue_unregistered, 2)],
    ids=["rows-deleted", "table-truncated", "behind-the-chain"],
)
def test_rebuild_restores_the_register_and_verify_passes(
    db_url: str, damage: Callable[[Session], None], lost: int
) -> None:
    before = _issued(db_url)
    with db.session_scope(db_url) as session:
        damage(session)
    broken = _verify(db_url)
    assert broken.exit_code == 1 and "missing from the register" in broken.output, broken.output

    result = _rebuild(db_url, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == lost
    assert report["already_registered"] == len(before) + (2 if damage is _issue_unregistered else 0) - lost
    verified = _verify(db_url)
    assert verified.exit_code == 0 and "audit chain OK" in verified.output, verified.output
    rebuilt = _register(db_url)
    assert set(before) <= set(rebuilt)
    # Per year from 1 without gaps, and the year's next number follows the chain's last one.
    for year in (2025, 2026):
        assert [seq for y, seq, *_ in rebuilt if y == year] == list(
            range(1, 1 + sum(y == year for y, *_ in rebuilt))
        )
    with db.session_scope(db_url) as session:
        assert notice_numbers.next_seq(session, 2025) == 1 + sum(y == 2025 for y, *_ in rebuilt)

    again = _rebuild(db_url)
    assert again.exit_code == 0, again.output
    assert "0 added" in again.output
    assert not [line for line in again.output.splitlines() if line.startswith("added ")]
    assert _register(db_url) == rebuilt


def _count_register(db_url: str) -> int:
    with db.session_scope(db_url) as session:
        return int(session.scalar(select(func.count()).select_from(NoticeNumber)) or 0)


def test_a_tampered_chain_is_refused_and_nothing_is_written(db_url: str) -> None:
    _issued(db_url)
    with db.session_scope(db_url) as session:
        _truncate(session)
        drop_append_only_triggers(session)
        # An insider renumbers an issued notice in the chain: the register must not make that number official.
        session.execute(
            text("UPDATE case_events SET actor = 'inspector:x#9' WHERE seq = 2"),
        )
    result = _rebuild(db_url)
    assert result.exit_code == 2
    assert "the audit chain does not verify" in result.output
    assert "audit entry 2" in result.output and "nothing was written" in result.output
    assert _count_register(db_url) == 0


def test_a_truncated_chain_is_refused_against_its_checkpoints(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(EXPORT_ENV, str(tmp_path / "checkpoints.jsonl"))
    key = load_key()
    assert key is not None
    _issued(db_url)
    with db.session_scope(db_url) as session:
        write_checkpoint(session, key, reason="test")
        _truncate(session)
        drop_append_only_triggers(session)
        # The last notice entry removed with its tail: the links still hold, the signed checkpoint does not.
        session.execute(text("DELETE FROM case_events WHERE seq = 5"))
    result = _rebuild(db_url)
    assert result.exit_code == 2 and "truncated:" in result.output, result.output
    assert _count_register(db_url) == 0


def test_a_register_row_the_chain_does_not_account_for_is_refused(db_url: str) -> None:
    _issued(db_url)
    with db.session_scope(db_url) as session:
        _delete_some(session)
        session.execute(text("UPDATE notice_numbers SET number = '第x号' WHERE year = 2025 AND seq = 1"))
    before = _register(db_url)
    result = _rebuild(db_url)
    assert result.exit_code == 2, result.output
    assert "2025/1 is registered as '第x号'" in result.output and "nothing was written" in result.output
    assert _register(db_url) == before


def test_no_notice_is_numbered_while_the_register_is_behind_the_chain(db_url: str) -> None:
    """A restore that left the register behind the chain would hand out a number already issued (two
    enterprises holding letters with one number). Issuing refuses, with the typed form given back and the
    command that mends it named, until the register is rebuilt; then the next number follows the chain's."""
    data = seed(db_url)
    first, second = data.cases["expired"], data.cases["wording"]
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        for case_id in (first, second):
            confirm_case(client, case_id, token)
        issue = {"deadline": DEADLINE_ISO, "csrf_token": token, "enterprise": "演示企业（虚构）"}
        assert client.post(f"/console/cases/{first}/notices", data=issue).status_code == 200
        with db.session_scope(db_url) as session:
            _truncate(session)
        refused = client.post(f"/console/cases/{second}/notices", data=issue, follow_redirects=False)
        assert refused.status_code == 503, refused.text
        assert "audit rebuild-notice-numbers" in refused.text and "演示企业（虚构）" in refused.text
        assert "需由管理员先处理" in refused.text or "an operator must first" in refused.text
        with db.session_scope(db_url) as session:
            assert session.scalar(select(func.count()).where(CaseEvent.kind == NOTICE_EVENT)) == 1
            assert session.get(Case, second).status == "confirmed"  # type: ignore[union-attr]
        assert _rebuild(db_url).exit_code == 0
        assert client.post(f"/console/cases/{second}/notices", data=issue).status_code == 200
    with db.session_scope(db_url) as session:
        numbers = session.scalars(
            select(CaseEvent.payload["number"].as_string())
            .where(CaseEvent.kind == NOTICE_EVENT)
            .order_by(CaseEvent.seq)
        ).all()
    assert [int(re.findall(r"(\d{4})号", n)[0]) for n in numbers] == [1, 2]
    assert _verify(db_url).exit_code == 0
