"""Registry and database edges (issue 14): deep nesting, date order, formula cells, problem floods, big files,
and concurrent first runs on a new database (real processes)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.registry_import import write_registry
from checker.registry import Designation, DesignationChange, import_registry_file
from markwatch import db
from markwatch.cases.export import safe_cell
from markwatch.cli import cli
from markwatch.db import session_scope
from markwatch.errors import RegistryImportError

MARKWATCH = str(Path(sys.executable).with_name("markwatch"))
REPO = Path(__file__).resolve().parent.parent


def run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["registry", *args, "--db", db_url])


def count(url: str, model: type) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- nesting ---


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep.json", '{"designations": [' + "[" * 50_000 + "]" * 50_000 + "]}"),
        ("deep-object.json", '{"designations": [{"code": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}]}"),
        ("deep-flow.yaml", "designations:\n  - " + "[" * 50_000 + "]" * 50_000 + "\n"),
        ("deep-map.yaml", "designations:\n  - {code: " + "{a: " * 50_000 + "1" + "}" * 50_000 + "}\n"),
        ("deep-block.yaml", "designations:\n" + "".join("  " * i + "- \n" for i in range(1, 3000))),
    ],
)
def test_deeply_nested_files_are_refused_in_one_line(
    db_url: str, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run(db_url, "import", str(path))
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert result.output.startswith(f"error: {name}: line ")
    # Our bound (32 levels) or libyaml's own (1,000 levels, reached first in flow style): one line either way.
    assert (
        "nested more than 32 levels deep" in result.output
        or "exceeded maximum nesting depth" in result.output
    )
    assert count(db_url, Designation) == 0


# --- dates ---


def test_a_designation_cannot_end_before_it_begins(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(
        "designations:\n"
        '  - {code: "T/DEMO 001-2022", title: a, type: group, designated_on: 2022-06-01, valid_until: 2021-06-01}\n'
        '  - {code: "T/DEMO 002-2022", title: b, type: group, designated_on: 2022-06-01, revoked_on: 2022-05-31}\n'
        '  - {code: "T/DEMO 003-2022", title: c, type: group, designated_on: 2022-06-01, valid_until: 2022-06-01}\n',
        encoding="utf-8",
    )
    with pytest.raises(RegistryImportError) as caught, session_scope(db_url) as session:
        import_registry_file(session, path)
    message = str(caught.value)
    assert "2 problems, nothing imported" in message
    assert (
        "record 1 (line 2), field valid_until: valid_until 2021-06-01 is before designated_on 2022-06-01"
        " (code 'T/DEMO 001-2022')" in message
    )
    assert (
        "record 2 (line 3), field revoked_on: revoked_on 2022-05-31 is before designated_on 2022-06-01"
        in message
    )
    assert "record 3" not in message  # ending on the day it begins is allowed
    assert count(db_url, Designation) == 0


# --- formula cells ---

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formula_cells_are_neutralised(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("上海标准") == "上海标准" and safe_cell(None) == ""


def test_formula_fields_are_data_in_the_registry_and_inert_in_its_csv(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "formula.yaml"
    path.write_text(
        "designations:\n"
        '  - {code: "T/DEMO 001-2022", title: "=cmd|\' /C calc\'!A0", type: group, designated_on: 2022-06-01,'
        ' holders: [{name: "@SUM(1+1)"}], source: "+source", note: "-note", scope: ["=scope"]}\n',
        encoding="utf-8",
    )
    assert run(db_url, "import", str(path)).exit_code == 0
    with session_scope(db_url) as session:
        stored = session.scalars(select(Designation)).one()
        assert stored.title == "=cmd|' /C calc'!A0" and stored.holders[0].name == "@SUM(1+1)"
    exported = run(db_url, "list", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows[0]["title"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["holders"] == "'@SUM(1+1)"
    assert (rows[0]["source"], rows[0]["note"], rows[0]["scope"]) == ("'+source", "'-note", "'=scope")
    assert rows[0]["status"] == "designated"


# --- problem floods ---


def _invalid(path: Path, records: int) -> Path:
    lines = ["designations:"]
    lines += [f'  - {{code: "T/DEMO {n:05d}-2022", title: x, type: nope}}' for n in range(1, records + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ten_thousand_invalid_records_print_twenty_problems_and_a_count(db_url: str, tmp_path: Path) -> None:
    path = _invalid(tmp_path / "invalid.yaml", 10_000)
    result = run(db_url, "import", str(path))
    assert result.exit_code == 2
    progress, *lines = result.stderr.splitlines()
    assert progress == "validated 10,000 records…"
    assert lines[0] == "error: invalid.yaml: 10,000 problems, nothing imported:"
    assert len(lines) == 22
    assert lines[1].startswith("  record 1 (line 2), field type: ")
    assert lines[-1] == "  … and 9,980 more (--errors-file PATH writes the full list)"
    errors = tmp_path / "errors.txt"
    full = run(db_url, "import", str(path), "--errors-file", str(errors))
    assert full.exit_code == 2
    assert full.stderr.splitlines()[-1] == (
        f"error: invalid.yaml: 10,000 problems, nothing imported; all of them are in {errors}"
    )
    written = errors.read_text(encoding="utf-8").splitlines()
    assert len(written) == 10_000
    assert written[-1].startswith("invalid.yaml: record 10000 (line 10001), field type: ")


# --- big files ---


def test_a_big_import_reports_progress_and_lists_only_the_first_changes(db_url: str, tmp_path: Path) -> None:
    path = write_registry(tmp_path / "big.yaml", 12_000)
    result = CliRunner().invoke(cli, ["registry", "import", str(path), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "validated 10,000 records…" in result.stderr
    assert "12000 added, 0 updated, 0 unchanged" in result.stdout
    assert result.stdout.count("  + T/BENCH") == 20
    assert "  … and 11,980 more change(s): see markwatch registry history --batch 1" in result.stdout
    assert count(db_url, Designation) == 12_000 and count(db_url, DesignationChange) == 12_000
    again = CliRunner().invoke(cli, ["registry", "import", str(path), "--db", db_url])
    assert (
        "0 added, 0 updated, 12000 unchanged" in again.stdout and count(db_url, DesignationChange) == 12_000
    )
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        path.read_text(encoding="utf-8").replace("2027-05-31", "2028-05-31", 3), encoding="utf-8"
    )
    update = CliRunner().invoke(cli, ["registry", "import", str(changed), "--db", db_url])
    assert "0 added, 3 updated, 11997 unchanged" in update.stdout
    assert '  ~ T/BENCH 000001-2024  valid_until: "2027-05-31" -> "2028-05-31"' in update.stdout
    with session_scope(db_url) as session:
        first = session.scalars(select(Designation).where(Designation.code == "T/BENCH 000001-2024")).one()
        assert str(first.valid_until) == "2028-05-31" and [h.name for h in first.holders] == ["基准协会1"]


# --- concurrent first runs on a new database (real processes) ---


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO
    )


def _all_succeed(processes: list[subprocess.Popen[str]]) -> list[str]:
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-2000:]
        assert "already exists" not in err and "Traceback" not in err
        outputs.append(out)
    return outputs


@pytest.fixture
def fresh_urls(tmp_path: Path) -> Iterator[dict[str, str]]:
    """URLs of databases with no schema at all: a new SQLite file, and a new PostgreSQL database."""
    urls = {"sqlite": f"sqlite:///{tmp_path / 'new' / 'markwatch.db'}"}
    admin = os.environ.get("MARKWATCH_TEST_PG_URL")
    name = f"mw_fresh_{uuid.uuid4().hex[:10]}"
    if admin:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        urls["postgres"] = make_url(admin).set(database=name).render_as_string(hide_password=False)
    elif os.environ.get("MARKWATCH_REQUIRE_SERVICES") == "1":
        raise RuntimeError("MARKWATCH_REQUIRE_SERVICES=1 but MARKWATCH_TEST_PG_URL is not set")
    yield urls
    db.reset_caches()
    if admin:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def test_eight_checks_on_a_new_database_all_succeed(fresh_urls: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>上海品牌</p>", encoding="utf-8")  # no claim: exit 0 means the run itself succeeded
    for url in fresh_urls.values():
        env = {**os.environ, "MARKWATCH_DB": url, "MARKWATCH_HOME": str(tmp_path / "home")}
        processes = [_spawn([MARKWATCH, "check", str(page)], env) for _ in range(8)]
        for out in _all_succeed(processes):
            assert "1 target(s), 0 claim(s), 0 finding(s)" in out


def test_two_concurrent_first_imports_both_succeed(fresh_urls: dict[str, str], tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "registry.yaml", 300)
    for backend, url in fresh_urls.items():
        env = {**os.environ, "MARKWATCH_HOME": str(tmp_path / "home")}
        processes = [
            _spawn([MARKWATCH, "registry", "import", str(registry), "--db", url], env) for _ in range(2)
        ]
        outputs = sorted(_all_succeed(processes))
        # One import added every record, the other found them all there.
        assert "300 added, 0 updated, 0 unchanged" in outputs[0] or "300 added" in outputs[1], backend
        assert any("0 added, 0 updated, 300 unchanged" in out for out in outputs), outputs
        assert count(url, Designation) == 300
