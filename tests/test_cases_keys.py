"""API keys: shown once, stored only as a digest, revocable; the `markwatch keys` commands."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import text

from markwatch import db
from markwatch.cases.keys import create_key, find_active_key, hash_key, revoke_key
from markwatch.cases.models import Role
from markwatch.cli import cli


def test_secret_is_never_stored(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        issued = create_key(session, role=Role.INSPECTOR, name="alice")
    with db.session_scope(db_url) as session:
        rows = [tuple(str(v) for v in row) for row in session.execute(text("SELECT * FROM api_keys"))]
        assert rows
        assert not any(issued.secret in value or issued.secret[12:] in value for row in rows for value in row)
        assert any(hash_key(issued.secret) in row for row in rows)
        found = find_active_key(session, issued.secret)
        assert found is not None and found.role == "inspector"
        assert find_active_key(session, issued.secret + "x") is None
        assert find_active_key(session, "not-a-key") is None
        revoke_key(session, issued.id)
        assert find_active_key(session, issued.secret) is None


def test_cli_create_list_revoke(sqlite_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        cli, ["keys", "create", "--role", "enterprise", "--name", "acme", "--db", sqlite_url]
    )
    assert created.exit_code == 0, created.output
    secret = re.search(r"mwk_[A-Za-z0-9_-]+", created.output)
    assert secret is not None
    listed = runner.invoke(cli, ["keys", "list", "--db", sqlite_url])
    assert listed.exit_code == 0
    assert "acme" in listed.output and "enterprise" in listed.output
    assert secret.group(0) not in listed.output
    revoked = runner.invoke(cli, ["keys", "revoke", "1", "--db", sqlite_url])
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in runner.invoke(cli, ["keys", "list", "--db", sqlite_url]).output
    again = runner.invoke(cli, ["keys", "revoke", "1", "--db", sqlite_url])
    assert again.exit_code == 2
    assert "already revoked" in again.output


def test_cli_refuses_unknown_role(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["keys", "create", "--role", "root", "--name", "x", "--db", sqlite_url])
    assert result.exit_code == 2
    assert "root" in result.output
