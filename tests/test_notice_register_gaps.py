"""The notice register (notice_numbers) that lost rows in its middle, as a partial restore or a hand's DELETE
leaves it: a number lost at the end of a year must not be issued again, an inspector issuing while the register
has a gap is told so (the next number is still right: the year's highest stays), and the console's register page
shows the gap with the commands that mend it. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from console_support import AUTHORITY, DEADLINE_ISO, confirm_case, console_app, seed, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from test_audit_notice_register import _issue, _issued

from api.console.settings import ConsoleSettings
from markwatch import db
from markwatch.cases import notice_numbers
from markwatch.cli import cli


def _lose(session: Session, year: int, seq: int) -> None:
    # The register is append-only (triggers): the damage is done around them, as a restore would.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER IF EXISTS notice_numbers_append_only ON notice_numbers"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS notice_numbers_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS notice_numbers_no_delete"))
    session.execute(text("DELETE FROM notice_numbers WHERE year = :y AND seq = :s"), {"y": year, "s": seq})


def test_a_year_whose_last_number_was_lost_in_the_middle_of_the_register_is_not_numbered_again(
    db_url: str,
) -> None:
    # 2025/1, 2026/1, 2025/2, 2026/2, 2026/3 in chain order: 2025/2 is the year's last, not the register's.
    _issued(db_url)
    with db.session_scope(db_url) as session:
        _lose(session, 2025, 2)
    with db.session_scope(db_url) as session, pytest.raises(notice_numbers.RegisterBehind) as refused:
        notice_numbers.next_seq(session, 2025)  # was 2: the number the 2025-12-31 notice holds
    assert "audit rebuild-notice-numbers" in str(refused.value)
    with db.session_scope(db_url) as session:
        assert notice_numbers.next_seq(session, 2026) == 4  # a whole year numbers on
        assert notice_numbers.register_gaps(session) == {}  # the lost number is past the year's highest
    rebuilt = CliRunner().invoke(cli, ["audit", "rebuild-notice-numbers", "--db", db_url])
    assert rebuilt.exit_code == 0, rebuilt.output
    with db.session_scope(db_url) as session:
        assert notice_numbers.next_seq(session, 2025) == 3


def test_a_gap_inside_a_year_is_found_and_the_next_number_still_follows_the_highest(db_url: str) -> None:
    _issued(db_url)
    with db.session_scope(db_url) as session:
        _lose(session, 2026, 2)
        _lose(session, 2025, 1)
    with db.session_scope(db_url) as session:
        assert notice_numbers.register_gaps(session) == {2025: [1], 2026: [2]}
        assert notice_numbers.register_gaps(session, year=2026) == {2026: [2]}
        assert notice_numbers.next_seq(session, 2026) == 4


def test_an_inspector_issuing_with_a_gap_is_warned_and_the_register_page_shows_it(db_url: str) -> None:
    data = seed(db_url)
    case_id = data.cases["expired"]
    year = dt.datetime.now(ConsoleSettings(**AUTHORITY).zone).year
    with db.session_scope(db_url) as session:
        for _ in range(2):
            _issue(session, f"{year}-01-02")
    with db.session_scope(db_url) as session:
        _lose(session, year, 1)
    with TestClient(console_app(db_url)) as client:
        token = sign_in(client, data.keys["inspector"])
        confirm_case(client, case_id, token)
        before = client.get(f"/console/cases/{case_id}?lang=en").text
        issued = client.post(
            f"/console/cases/{case_id}/notices?lang=en", data={"deadline": DEADLINE_ISO, "csrf_token": token}
        )
        register = client.get("/console/notices/register?lang=en").text
        chinese = client.get("/console/notices/register?lang=zh").text
    for page in (before, issued.text):
        warning = re.search(r'<p class="warning" id="notice-register-gap"([^>]*)>(.*?)</p>', page, flags=re.S)
        assert warning is not None, page[-3000:]
        assert f'data-missing="{year}/1"' in warning.group(
            1
        ) and "/console/notices/register" in warning.group(2)
    assert f"{year} no. 1" in before and "The next number still follows the highest of the year" in before
    assert issued.status_code == 200
    with db.session_scope(db_url) as session:
        assert notice_numbers.next_seq(session, year) == 4  # this notice took 3, after the highest
    gaps = re.search(r'<ul id="register-gaps">(.*?)</ul>', register, flags=re.S)
    assert gaps is not None and f'data-year="{year}" data-seq="1"' in gaps.group(1)
    assert "markwatch audit rebuild-notice-numbers" in register and "markwatch audit verify" in register
    row = re.search(rf'<tr data-year="{year}">(.*?)</tr>', register, flags=re.S)
    assert row is not None and re.findall(r">(\d+)<", row.group(1))[:3] == [str(year), "2", "3"]
    assert "缺少" in chinese
