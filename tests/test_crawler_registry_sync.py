"""Registry sync from the regulator's list page (fixture in that shape)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func, select

from checker.registry.models import Designation
from checker.registry.sync import parse_list_page
from markwatch import db
from markwatch.cli import cli
from markwatch.errors import RegistryImportError

PAGE = Path(__file__).parent / "data" / "crawler" / "regulator_list.html"


def test_parses_table_rows() -> None:
    records = parse_list_page(PAGE.read_bytes(), "list.html")
    assert [r["code"] for r in records] == ["T/DEMO 001-2022", "Q/DEMO 0002-2023", "T/DEMO 005-2024"]
    assert records[0]["designated_on"] == "2022-06-01"
    assert records[1]["type"] == "enterprise"
    assert [h["name"] for h in records[2]["holders"]] == [
        "演示标准化协会（虚构）",
        "演示电器有限公司（虚构）",
    ]


def test_bad_date_names_row_and_column() -> None:
    raw = PAGE.read_bytes().replace(b"2023-12-15", b"soon")
    with pytest.raises(RegistryImportError, match=r"list.html: table row 2, column date: unreadable"):
        parse_list_page(raw, "list.html")


def test_dry_run_diffs_then_import_writes(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(cli, ["sweep", "sync-registry", str(PAGE), "--db", sqlite_url, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would import 3 rows: 3 added" in dry.output
    with db.session_scope(sqlite_url) as session:
        assert session.scalar(select(func.count()).select_from(Designation)) == 0
    saved = tmp_path / "import.yaml"
    done = runner.invoke(cli, ["sweep", "sync-registry", str(PAGE), "--db", sqlite_url, "--save", str(saved)])
    assert done.exit_code == 0, done.output
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["designations"][0]["code"] == "T/DEMO 001-2022"
    with db.session_scope(sqlite_url) as session:
        assert session.scalar(select(func.count()).select_from(Designation)) == 3
    changed = tmp_path / PAGE.name
    changed.write_bytes(PAGE.read_bytes().replace("演示用儿童座椅".encode(), "演示用儿童安全座椅".encode()))
    diff = runner.invoke(cli, ["sweep", "sync-registry", str(changed), "--db", sqlite_url, "--dry-run"])
    assert "1 updated, 2 unchanged" in diff.output
    assert "Q/DEMO 0002-2023 title" in diff.output
