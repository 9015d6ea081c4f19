"""`markwatch registry ...` through click's CliRunner, and once as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from checker.registry import Designation, DesignationChange, ImportBatch
from markwatch.cli import cli
from markwatch.db import session_scope

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "registry.yaml"
DATA = Path(__file__).parent / "data" / "registry"


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["registry", *args, "--db", db_url])


def row_count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_prints_counts_and_changes(db_url: str) -> None:
    result = run(db_url, "import", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "imported registry.yaml" in result.stdout
    assert "10 added, 0 updated, 0 unchanged" in result.stdout
    assert "  + T/SHHJ 000003-2018" in result.stdout
    again = run(db_url, "import", str(EXAMPLE))
    assert "0 added, 0 updated, 10 unchanged" in again.stdout


def test_import_dry_run_writes_nothing(db_url: str) -> None:
    result = run(db_url, "import", str(EXAMPLE), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run of registry.yaml, nothing written: 10 added" in result.stdout
    assert row_count(db_url, Designation) == 0
    assert row_count(db_url, ImportBatch) == 0


def test_import_update_shows_field_changes(db_url: str, tmp_path: Path) -> None:
    run(db_url, "import", str(EXAMPLE))
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("2030-05-31", "2029-05-31"), encoding="utf-8"
    )
    result = run(db_url, "import", str(changed))
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 9 unchanged" in result.stdout
    assert '  ~ T/DEMO 001-2022  valid_until: "2030-05-31" -> "2029-05-31"' in result.stdout
    history = run(db_url, "history", "--batch", "2")
    assert "valid_until" in history.stdout and "2029-05-31" in history.stdout


def test_bad_file_exits_2_with_message_and_leaves_database_unchanged(db_url: str) -> None:
    run(db_url, "import", str(EXAMPLE))
    before = (
        row_count(db_url, Designation),
        row_count(db_url, ImportBatch),
        row_count(db_url, DesignationChange),
    )
    result = run(db_url, "import", str(DATA / "many_errors.yaml"))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: many_errors.yaml: 4 problems, nothing imported")
    assert "record 3 (line 9), field title" in result.stderr
    assert "Traceback" not in result.output
    after = (
        row_count(db_url, Designation),
        row_count(db_url, ImportBatch),
        row_count(db_url, DesignationChange),
    )
    assert after == before


def test_missing_file_exits_2(db_url: str, tmp_path: Path) -> None:
    result = run(db_url, "import", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_list_filters_by_status_type_and_date(db_url: str) -> None:
    run(db_url, "import", str(EXAMPLE))
    everything = run(db_url, "list", "--as-of", "2026-11-26")
    assert everything.exit_code == 0, everything.output
    assert "10 designation(s), status as of 2026-11-26" in everything.stdout
    expired = run(db_url, "list", "--status", "expired", "--as-of", "2026-11-26")
    assert "T/DEMO 001-2019" in expired.stdout and "T/DEMO 001-2022" not in expired.stdout
    assert "1 designation(s)" in expired.stdout
    earlier = run(db_url, "list", "--status", "expired", "--as-of", "2021-01-01")
    assert "0 designation(s)" in earlier.stdout
    enterprise = run(db_url, "list", "--type", "enterprise", "--format", "json", "--as-of", "2026-11-26")
    payload = json.loads(enterprise.stdout)
    assert payload["as_of"] == "2026-11-26"
    assert {d["code"]: d["status"] for d in payload["designations"]} == {
        "Q/DEMO 0002-2023": "designated",
        "Q/DEMO 0004-2021": "abolished",
        "Q/DEMO 0006-2025": "not-designated",
    }


def test_list_bad_arguments_exit_2(db_url: str) -> None:
    bad_date = run(db_url, "list", "--as-of", "2024-13-01")
    assert bad_date.exit_code == 2
    assert "'2024-13-01' is not a date: use YYYY-MM-DD" in bad_date.stderr
    not_iso = run(db_url, "list", "--as-of", "01/05/2024")
    assert not_iso.exit_code == 2
    bad_status = run(db_url, "list", "--status", "valid")
    assert bad_status.exit_code == 2


def test_show_any_spelling(db_url: str) -> None:
    run(db_url, "import", str(EXAMPLE))
    result = run(db_url, "show", "ｔ／ｄｅｍｏ　１—２０２２", "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("T/DEMO 001-2022  演示用智能水杯")
    assert "designated (as of 2026-11-26)" in result.stdout
    assert "演示标准化协会（虚构） (USCC 51310000DEMO00001X)" in result.stdout
    assert "T/DEMO 001-2019 (expired)" in result.stdout
    as_json = json.loads(run(db_url, "show", "TSHHJ 003-2018", "--format", "json").stdout)
    assert as_json["code"] == "T/SHHJ 000003-2018"
    # A real holder: no English name registered (its source publishes none), so none is listed.
    assert as_json["holders"] == [
        {"name": "上海市化学建材行业协会", "uscc": None, "english_names": [], "former_names": []}
    ]


def test_show_not_found_exits_1_and_names_other_editions(db_url: str) -> None:
    run(db_url, "import", str(EXAMPLE))
    result = run(db_url, "show", "T/DEMO 001-2020")
    assert result.exit_code == 1
    assert "error: no designation for 'T/DEMO 001-2020'" in result.stderr
    assert "registered editions of this number: T/DEMO 001-2019, T/DEMO 001-2022" in result.stderr
    unknown = run(db_url, "show", "hello")
    assert unknown.exit_code == 1 and "no designation for 'hello'" in unknown.stderr


def test_history_lists_batches_newest_first(db_url: str) -> None:
    run(db_url, "import", str(EXAMPLE))
    run(db_url, "import", str(DATA / "good.csv"))
    result = run(db_url, "history")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("batch 2 ") and "good.csv" in lines[0]
    assert lines[1].startswith("batch 1 ") and "10 added, 0 updated, 0 unchanged" in lines[1]
    assert lines[-1] == "2 import batch(es)"
    assert run(db_url, "history", "--batch", "9").exit_code == 1


def test_real_subprocess_import_and_show(db_url: str) -> None:
    executable = Path(sys.executable).with_name("markwatch")
    env = {**os.environ, "MARKWATCH_DB": db_url}
    imported = subprocess.run(
        [str(executable), "registry", "import", str(EXAMPLE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imported.returncode == 0, imported.stderr
    assert "10 added" in imported.stdout
    shown = subprocess.run(
        [str(executable), "registry", "show", "DB31/T1108—2018"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "监护型救护车配置规范" in shown.stdout
    refused = subprocess.run(
        [str(executable), "registry", "import", str(DATA / "binary.yaml")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "error: binary.yaml: line 2: binary data (NUL byte): expected UTF-8 text"


def test_locked_database_is_one_line_error_and_nothing_written(sqlite_url: str) -> None:
    import sqlite3

    assert row_count(sqlite_url, Designation) == 0  # creates the schema
    path = sqlite_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the file past our busy timeout
    try:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("markwatch")),
                "registry",
                "import",
                str(EXAMPLE),
                "--db",
                sqlite_url,
            ],
            env=dict(os.environ, MARKWATCH_SQLITE_BUSY_MS="200"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 2, result.stderr
    assert "error: database unavailable, nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert row_count(sqlite_url, Designation) == 0
