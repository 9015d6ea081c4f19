"""`markwatch cases ingest` and `markwatch cases list`."""

from __future__ import annotations

from cases_support import add_finding, make_sweep
from click.testing import CliRunner

from markwatch import db
from markwatch.cli import cli


def test_ingest_then_list(sqlite_url: str) -> None:
    with db.session_scope(sqlite_url) as session:
        sweep = make_sweep(session)
        add_finding(session, sweep, key="A", rule_id="SHS009")
        add_finding(session, sweep, key="B", rule_id="SHS002")
        sweep_id = sweep.id
    runner = CliRunner()
    ingested = runner.invoke(cli, ["cases", "ingest", "--sweep", str(sweep_id), "--db", sqlite_url])
    assert ingested.exit_code == 0, ingested.output
    assert "2 case(s) opened" in ingested.output
    again = runner.invoke(cli, ["cases", "ingest", "--sweep", str(sweep_id), "--db", sqlite_url])
    assert "0 new finding(s)" in again.output
    listed = runner.invoke(cli, ["cases", "list", "--rule", "SHS009", "--db", sqlite_url])
    assert listed.exit_code == 0
    assert "1 of 1 case(s)" in listed.output and "SHS009" in listed.output
    missing = runner.invoke(cli, ["cases", "ingest", "--sweep", "999", "--db", sqlite_url])
    assert missing.exit_code == 1
    assert "no sweep 999" in missing.output
