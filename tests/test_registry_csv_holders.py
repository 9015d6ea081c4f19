"""A CSV holders cell carries English and former names (`name|USCC|en:…|former:…`), and a registry listed as
CSV and imported again keeps every holder field: the CSV export dropped them and the import had no place for
them, so a round trip lost the names SHS010 compares English claimants with."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from markwatch.cli import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"


def _run(db_url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["registry", *args, "--db", db_url])


def _listed(db_url: str) -> list[dict[str, object]]:
    result = _run(db_url, "list", "--format", "json", "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)["designations"]
    for record in records:  # where each copy came from is not the registry's content
        record.pop("source_file", None)
        record.pop("updated_at", None)
        record.pop("id", None)
    return sorted(records, key=lambda record: str(record["code"]))


def test_a_registry_listed_as_csv_and_imported_again_keeps_every_holder_field(
    db_url: str, tmp_path: Path
) -> None:
    assert _run(db_url, "import", str(EXAMPLE)).exit_code == 0
    exported = _run(db_url, "list", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    copy = tmp_path / "registry.csv"
    copy.write_text(exported.stdout, encoding="utf-8")
    refused = _run(f"sqlite:///{tmp_path / 'refused.db'}", "import", str(copy))
    assert refused.exit_code == 2
    assert "record 1 (line 2), field status: status is computed from the dates" in refused.stderr
    # What an operator does: drop the computed column, keep the rest.
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    status = rows[0].index("status")
    with copy.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [cell for index, cell in enumerate(row) if index != status] for row in rows
        )
    second = f"sqlite:///{tmp_path / 'second.db'}"
    imported = _run(second, "import", str(copy))
    assert imported.exit_code == 0, imported.output
    original, again = _listed(db_url), _listed(second)
    names = [h for record in original for h in record["holders"]]  # type: ignore[attr-defined]
    assert any(h["english_names"] for h in names)  # the example registry has English names to keep
    assert [r["holders"] for r in again] == [r["holders"] for r in original]


def test_labelled_pieces_give_english_and_former_names(tmp_path: Path) -> None:
    path = tmp_path / "holders.csv"
    path.write_text(
        "code,title,type,holders\n"
        'T/DEMO 001-2022,x,group,"演示协会（虚构）|91310000DEMO00002Y|en:Demo Association, Ltd.|'
        'former:演示旧名协会;演示二号公司||en:Demo Two Co.|en:Demo 2 Co."\n',
        encoding="utf-8",
    )
    db_url = f"sqlite:///{tmp_path / 'r.db'}"
    assert _run(db_url, "import", str(path)).exit_code == 0
    [record] = _listed(db_url)
    assert record["holders"] == [
        {
            "name": "演示协会（虚构）",
            "uscc": "91310000DEMO00002Y",
            "english_names": ["Demo Association, Ltd."],
            "former_names": ["演示旧名协会"],
        },
        {
            "name": "演示二号公司",
            "uscc": None,
            "english_names": ["Demo Two Co.", "Demo 2 Co."],
            "former_names": [],
        },
    ]


def test_an_unlabelled_piece_is_an_error_naming_record_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "code,title,type,holders\nT/DEMO 001-2022,x,group,ok公司\nT/DEMO 002-2022,x,group,某公司|91310000DEMO00002Y|Demo Co\n",
        encoding="utf-8",
    )
    db_url = f"sqlite:///{tmp_path / 'r.db'}"
    result = _run(db_url, "import", str(path))
    assert result.exit_code == 2
    assert "record 2 (line 3), field holders.0: unlabelled piece 'Demo Co'" in result.stderr
    assert "Traceback" not in result.output
    assert _listed(db_url) == []  # nothing half imported
