"""Registry import: add, update by code key, idempotency, recorded changes, YAML/JSON/CSV, the sample file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from checker.codes import parse_code
from checker.registry import (
    ChangeAction,
    Designation,
    DesignationChange,
    DesignationHolder,
    DesignationStatus,
    DesignationType,
    ImportBatch,
    RegistryIndex,
    import_registry_file,
    importer,
)
from markwatch.db import session_scope
from markwatch.errors import ConflictError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "registry.yaml"
DATA = Path(__file__).parent / "data" / "registry"

V1 = """\
designations:
  - code: "T/DEMO 001-2022"
    title: "演示用智能水杯"
    type: group
    holders:
      - {name: "演示标准化协会（虚构）", uscc: "51310000DEMO00001X"}
    designated_on: 2022-06-01
    valid_until: 2030-05-31
    scope: ["智能水杯"]
    note: "demo record (invented)"
  - code: "Q/DEMO 0002-2023"
    title: "演示用儿童座椅"
    type: enterprise
    holders:
      - {name: "演示科技有限公司（虚构）"}
      - {name: "演示起草单位甲（虚构）"}
    pool_entered_on: 2023-01-10
    note: "demo record (invented)"
"""

# Same two standards: the first spelled differently with a new end date and scope, the second now
# designated with one holder fewer; plus a new record.
V2 = """\
designations:
  - code: "T/DEMO 1-2022"
    title: "演示用智能水杯"
    type: group
    holders:
      - {name: "演示标准化协会（虚构）", uscc: "51310000DEMO00001X"}
    designated_on: 2022-06-01
    valid_until: 2027-05-31
    scope: ["智能水杯", "保温杯"]
    note: "demo record (invented)"
  - code: "Q/DEMO 0002-2023"
    title: "演示用儿童座椅"
    type: enterprise
    holders:
      - {name: "演示科技有限公司（虚构）", uscc: "91310000DEMO00002Y"}
    pool_entered_on: 2023-01-10
    designated_on: 2023-12-15
    note: "demo record (invented)"
  - code: "T/DEMO 003-2020"
    title: "演示用共享单车"
    type: group
    designated_on: 2021-06-01
    revoked_on: 2024-05-01
    note: "demo record (invented)"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Designation, DesignationHolder, ImportBatch, DesignationChange)
        }


def load_index(url: str) -> RegistryIndex:
    with session_scope(url) as session:
        return RegistryIndex.load(session)


def test_first_import_adds_every_record_and_records_the_batch(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "v1.yaml", V1)
    with session_scope(db_url) as session:
        report = import_registry_file(session, path)
    assert (report.added, report.updated, report.unchanged) == (2, 0, 0)
    assert [c.action for c in report.changes] == [ChangeAction.ADDED, ChangeAction.ADDED]
    assert counts(db_url) == {
        "registry_designations": 2,
        "registry_holders": 3,
        "registry_import_batches": 1,
        "registry_changes": 2,
    }
    with session_scope(db_url) as session:
        batch = session.scalars(select(ImportBatch)).one()
        assert batch.file_name == "v1.yaml"
        assert len(batch.sha256) == 64
        assert batch.imported_at.tzinfo is not None
        assert (batch.added, batch.updated, batch.unchanged) == (2, 0, 0)
    record = load_index(db_url).find("T/DEMO 001-2022")
    assert record is not None
    assert record.code_key == "T/DEMO 1-2022"
    assert record.number_key == "T/DEMO 1"
    assert record.year == 2022
    assert record.type is DesignationType.GROUP
    assert record.holders[0].uscc == "51310000DEMO00001X"
    assert record.scope == ("智能水杯",)
    assert record.valid_until == dt.date(2030, 5, 31)


def test_reimporting_the_same_file_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "v1.yaml", V1)
    with session_scope(db_url) as session:
        import_registry_file(session, path)
    before = load_index(db_url)
    with session_scope(db_url) as session:
        report = import_registry_file(session, path)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 2)
    assert report.changes == ()
    after = counts(db_url)
    # A batch is still recorded (provenance: this file was imported at this time), with no change rows.
    assert after["registry_import_batches"] == 2
    assert after["registry_changes"] == 2
    assert load_index(db_url).records == before.records


def test_changed_records_are_updated_by_code_key_and_each_field_change_recorded(
    db_url: str, tmp_path: Path
) -> None:
    with session_scope(db_url) as session:
        import_registry_file(session, write(tmp_path, "v1.yaml", V1))
    with session_scope(db_url) as session:
        report = import_registry_file(session, write(tmp_path, "v2.yaml", V2))
    assert (report.added, report.updated, report.unchanged) == (1, 2, 0)
    fields = {
        (c.code_key, c.field): (c.old, c.new) for c in report.changes if c.action is ChangeAction.UPDATED
    }
    assert fields == {
        ("T/DEMO 1-2022", "code"): ('"T/DEMO 001-2022"', '"T/DEMO 1-2022"'),
        ("T/DEMO 1-2022", "valid_until"): ('"2030-05-31"', '"2027-05-31"'),
        ("T/DEMO 1-2022", "scope"): ('["智能水杯"]', '["智能水杯", "保温杯"]'),
        ("Q/DEMO 2-2023", "holders"): (
            '[{"name": "演示科技有限公司（虚构）", "uscc": null}, {"name": "演示起草单位甲（虚构）", "uscc": null}]',
            '[{"name": "演示科技有限公司（虚构）", "uscc": "91310000DEMO00002Y"}]',
        ),
        ("Q/DEMO 2-2023", "designated_on"): ("null", '"2023-12-15"'),
    }
    assert counts(db_url) == {
        "registry_designations": 3,
        "registry_holders": 2,
        "registry_import_batches": 2,
        "registry_changes": 2 + 1 + 5,
    }
    with session_scope(db_url) as session:
        batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert batch is not None
        stored = {(c.code_key, c.action, c.field) for c in batch.changes}
    assert ("T/DEMO 3-2020", "added", None) in stored
    assert ("Q/DEMO 2-2023", "updated", "designated_on") in stored
    index = load_index(db_url)
    seat = index.find("Q/DEMO 0002-2023")
    assert seat is not None
    assert seat.status_as_of(dt.date(2024, 1, 1)) is DesignationStatus.DESIGNATED
    assert [h.name for h in seat.holders] == ["演示科技有限公司（虚构）"]
    cup = index.find("T/DEMO 001-2022")
    assert cup is not None and cup.code == "T/DEMO 1-2022"


def test_updated_at_moves_only_for_changed_records(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        import_registry_file(session, write(tmp_path, "v1.yaml", V1))
    with session_scope(db_url) as session:
        stamps = {
            row.code_key: (row.created_at, row.updated_at) for row in session.scalars(select(Designation))
        }
    same = write(tmp_path, "v1b.yaml", V1.replace("演示用儿童座椅", "演示用儿童安全座椅"))
    with session_scope(db_url) as session:
        import_registry_file(session, same)
    with session_scope(db_url) as session:
        rows = {row.code_key: row for row in session.scalars(select(Designation))}
        assert (rows["T/DEMO 1-2022"].created_at, rows["T/DEMO 1-2022"].updated_at) == stamps["T/DEMO 1-2022"]
        assert rows["Q/DEMO 2-2023"].updated_at > stamps["Q/DEMO 2-2023"][1]
        assert rows["Q/DEMO 2-2023"].created_at == stamps["Q/DEMO 2-2023"][0]


def test_dry_run_reports_changes_and_writes_nothing(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        import_registry_file(session, write(tmp_path, "v1.yaml", V1))
    before = counts(db_url)
    with session_scope(db_url) as session:
        report = import_registry_file(session, write(tmp_path, "v2.yaml", V2), dry_run=True)
    assert report.dry_run and report.batch_id is None
    assert (report.added, report.updated, report.unchanged) == (1, 2, 0)
    assert counts(db_url) == before
    record = load_index(db_url).find("T/DEMO 1-2022")
    assert record is not None and record.valid_until == dt.date(2030, 5, 31)


def test_json_and_csv_import_the_same_fields(db_url: str) -> None:
    with session_scope(db_url) as session:
        csv_report = import_registry_file(session, DATA / "good.csv")
    assert csv_report.added == 2
    seat = load_index(db_url).find("Q/DEMO 0002-2023")
    assert seat is not None
    assert [(h.name, h.uscc) for h in seat.holders] == [
        ("演示科技有限公司（虚构）", "91310000DEMO00002Y"),
        ("演示起草单位甲（虚构）", None),
    ]
    cup = load_index(db_url).find("T/DEMO 001-2022")
    assert cup is not None and cup.scope == ("智能水杯", "保温杯")
    with session_scope(db_url) as session:
        json_report = import_registry_file(session, DATA / "good.json")
    assert (json_report.added, json_report.updated) == (0, 2)
    cup = load_index(db_url).find("T/DEMO 001-2022")
    assert cup is not None and cup.scope == ("智能水杯",) and cup.valid_until is None


def test_enterprise_joint_codes_are_accepted_as_data(db_url: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "joint.yaml",
        'designations:\n  - {code: "some joint code 7", title: "演示", type: enterprise-joint}\n'
        '  - {code: "PDLH/DEMO 001-2023", title: "演示二", type: enterprise-joint}\n',
    )
    with session_scope(db_url) as session:
        assert import_registry_file(session, path).added == 2
    index = load_index(db_url)
    odd = index.find("some  joint code 7")
    assert odd is not None and odd.year is None and odd.number_key == odd.code_key
    parsed = index.find("PDLH/DEMO 1-2023")
    assert parsed is not None and parsed.year == 2023


def test_example_registry_covers_every_status_and_type(db_url: str) -> None:
    with session_scope(db_url) as session:
        report = import_registry_file(session, EXAMPLE)
    assert report.added == len(load_index(db_url))
    index = load_index(db_url)
    day = dt.date(2026, 11, 26)
    assert {r.status_as_of(day) for r in index.records} == set(DesignationStatus)
    assert {r.type for r in index.records} == set(DesignationType)
    not_designated = [r for r in index.records if r.status_as_of(day) is DesignationStatus.NOT_DESIGNATED]
    assert any(r.designated_on is None for r in not_designated)  # pool only
    assert any(r.designated_on is not None and r.designated_on > day for r in not_designated)  # later
    assert any(h.uscc for r in index.records for h in r.holders)
    assert any(r.scope for r in index.records)
    editions = index.by_code(parse_code("T/DEMO 001-2022"))
    assert editions.exact is not None and [r.code for r in editions.other_editions] == ["T/DEMO 001-2019"]


def test_example_registry_marks_invented_records_and_keeps_real_ones_sourced(db_url: str) -> None:
    with session_scope(db_url) as session:
        import_registry_file(session, EXAMPLE)
    index = load_index(db_url)
    real = {"DB31/T 1108-2018", "T/SHHJ 000003-2018"}
    for record in index.records:
        if record.code in real:
            assert record.designated_on == dt.date(2020, 12, 24)
            assert record.valid_until is None
            assert record.source and record.source.startswith("https://")
            assert record.note and "demo" not in record.note
        else:
            assert "DEMO" in record.code
            assert record.note and record.note.startswith("demo record (invented)")
    assert real <= {r.code for r in index.records}


def test_report_changes_serialise_as_json(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as session:
        import_registry_file(session, write(tmp_path, "v1.yaml", V1))
    with session_scope(db_url) as session:
        report = import_registry_file(session, write(tmp_path, "v2.yaml", V2))
    for change in report.changes:
        if change.action is ChangeAction.UPDATED:
            assert change.old is not None and change.new is not None
            json.loads(change.old)
            json.loads(change.new)


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json", ".csv"])
def test_every_supported_suffix_is_read(db_url: str, tmp_path: Path, suffix: str) -> None:
    if suffix == ".csv":
        text = "code,title,type\nT/DEMO 001-2022,演示用智能水杯,group\n"
    elif suffix == ".json":
        text = '{"designations": [{"code": "T/DEMO 001-2022", "title": "演示用智能水杯", "type": "group"}]}'
    else:
        text = 'designations:\n  - {code: "T/DEMO 001-2022", title: "演示用智能水杯", type: group}\n'
    with session_scope(db_url) as session:
        assert import_registry_file(session, write(tmp_path, "one" + suffix, text)).added == 1


def test_empty_holders_and_scope_mean_none(db_url: str, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "blank.yaml",
        'designations:\n  - code: "T/DEMO 001-2022"\n    title: "演示用智能水杯"\n    type: group\n'
        "    holders:\n    scope:\n    valid_until:\n",
    )
    with session_scope(db_url) as session:
        assert import_registry_file(session, path).added == 1
    record = load_index(db_url).find("T/DEMO 001-2022")
    assert record is not None and record.holders == () and record.scope == () and record.valid_until is None


def test_concurrent_insert_of_the_same_code_is_a_conflict_not_a_crash(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "v1.yaml", V1)
    with session_scope(db_url) as session:
        import_registry_file(session, path)
    before = counts(db_url)
    # As if another import added the same codes after this one read the registry.
    monkeypatch.setattr(importer, "_load_existing", lambda session: {})
    with (
        pytest.raises(ConflictError, match="the registry changed during this import"),
        session_scope(db_url) as s,
    ):
        import_registry_file(s, path)
    assert counts(db_url) == before
