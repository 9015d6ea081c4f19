"""Every bad import file is refused with a message naming file, record/line and field, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from checker.registry import (
    MAX_FILE_BYTES,
    Designation,
    DesignationChange,
    DesignationHolder,
    ImportBatch,
    import_registry_file,
)
from markwatch.db import session_scope
from markwatch.errors import RegistryImportError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = REPO_ROOT / "examples" / "registry.yaml"
DATA = Path(__file__).parent / "data" / "registry"


def counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Designation, DesignationHolder, ImportBatch, DesignationChange)
        }


@pytest.fixture
def seeded_url(db_url: str) -> str:
    """A database already holding the sample registry, so "unchanged" means something."""
    with session_scope(db_url) as session:
        import_registry_file(session, EXAMPLE)
    return db_url


def refused(url: str, path: Path) -> str:
    """Import `path`, expect RegistryImportError, check nothing was written, return the message."""
    before = counts(url)
    with pytest.raises(RegistryImportError) as caught, session_scope(url) as session:
        import_registry_file(session, path)
    assert counts(url) == before
    assert caught.value.source == path.name
    assert caught.value.exit_code == 2
    return str(caught.value)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("malformed.yaml", ["malformed.yaml: line 8, column 1: malformed YAML"]),
        ("unknown_key.yaml", ["record 2 (line 9), field valid_untill: unknown key"]),
        ("bad_date.yaml", ["record 1 (line 5), field designated_on", "'2022-13-45'", "not a calendar date"]),
        ("unknown_type.yaml", ["record 1 (line 4), field type", "'national'", "'enterprise-joint'"]),
        (
            "duplicate_code.yaml",
            ["record 3 (line 8), field code: duplicate", "same code as record 1", "T/DEMO 1-2022"],
        ),
        ("empty.yaml", ["empty.yaml: file is empty"]),
        ("comments_only.yaml", ["file is empty"]),
        ("binary.yaml", ["binary.yaml: line 2: binary data (NUL byte): expected UTF-8 text"]),
        (
            "wrong_columns.csv",
            [
                "2 problems",
                "record 2 (line 3): expected 6 columns (as in the header), found 5",
                "record 3 (line 4): expected 6 columns (as in the header), found 7",
            ],
        ),
        (
            "unparseable_code.yaml",
            [
                "3 problems",
                "record 1 (line 2), field code: cannot read 'not a code' as a group standard code",
                "record 2 (line 5), field code: 'GB/T 1-2020' is a national code",
                "record 3 (line 8), field code: 'DB44/T 1-2020' is a local code",
            ],
        ),
        (
            "many_errors.yaml",
            [
                "4 problems, nothing imported",
                "record 2 (line 8), field valid_until: expected a date as YYYY-MM-DD, got '31/12/2028'",
                "record 3 (line 9), field title: required field is missing",
                "record 3 (line 11), field holders.0.uscc: a unified social credit code is 18",
                "record 4 (line 13): expected a mapping of fields, got str",
            ],
        ),
        ("malformed.json", ["malformed.json: line 3, column 69: malformed JSON"]),
        ("bad_record.json", ["record 2 (line 4), field designated_on", "'next week'"]),
        # Refused at its first line now that records are read one by one (the aliases come later).
        ("alias_bomb.yaml", ["alias_bomb.yaml: line 1: unknown top-level key 'a'"]),
    ],
)
def test_bad_file_is_refused_with_a_precise_message(
    seeded_url: str, fixture: str, expected: list[str]
) -> None:
    message = refused(seeded_url, DATA / fixture)
    for part in expected:
        assert part in message


def test_unparseable_code_is_accepted_only_for_enterprise_joint(seeded_url: str) -> None:
    message = refused(seeded_url, DATA / "unparseable_code.yaml")
    assert "record 4" not in message  # "some joint code 7", type enterprise-joint


def test_fifty_megabyte_file_is_refused_before_it_is_read(seeded_url: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    record = '  - {code: "T/DEMO 001-2022", title: "演示用智能水杯", type: group}\n'.encode()
    with path.open("wb") as handle:
        handle.write(b"designations:\n")
        chunk = record * 10_000
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(chunk)
    assert path.stat().st_size > MAX_FILE_BYTES
    message = refused(seeded_url, path)
    assert "above the 20 MB limit" in message
    assert "huge.yaml: file is 50." in message


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("list.yaml", "- a\n- b\n", "line 1: expected a mapping with the key 'designations'"),
        ("other.yaml", "designations: []\nextra: 1\n", "line 2: unknown top-level key 'extra'"),
        ("missing.yaml", "records: []\n", "unknown top-level key 'records'"),
        ("none.yaml", "designations: []\n", "no designations in file"),
        ("scalar.yaml", "designations: 3\n", "'designations' must be a list of records"),
        (
            "twice.yaml",
            'designations:\n  - code: "T/DEMO 001-2022"\n    title: "x"\n    type: group\n    type: local\n',
            "record 1 (line 2), field type: given twice (lines 4 and 5)",
        ),
        ("bad.txt", "designations: []\n", "unknown file type '.txt'"),
        (
            "alias.yaml",
            'designations:\n  - &r {code: "T/DEMO 1-2022", title: x, type: group}\n  - *r\n',
            "line 3, column 5: malformed YAML: aliases (*name) are not allowed",
        ),
        ("latin1.yaml", "designations:\n  - {code: 'caf\xe9'}\n", "not UTF-8 text"),
        ("noheader.csv", "code,title\nT/DEMO 001-2022,x\n", "line 1: header is missing column(s) ['type']"),
        ("dupheader.csv", "code,title,type,type\n", "header repeats column(s) ['type']"),
        (
            "unknowncol.csv",
            "code,title,type,colour\nT/DEMO 001-2022,x,group,red\n",
            "field colour: unknown key",
        ),
        ("quote.csv", 'code,title,type\n"T/DEMO 001-2022,x,group\n', "malformed CSV"),
        ("empty.csv", "\n\n", "file is empty"),
        ("top.json", "[1, 2]", "expected an object with the key 'designations'"),
        ("dupkey.json", '{"designations": [{"code": "a", "code": "b"}]}', "key 'code' given twice"),
        (
            "badholder.csv",
            "code,title,type,holders\nT/DEMO 001-2022,x,group,某公司|123\n",
            "record 1 (line 2), field holders.0.uscc",
        ),
        (
            "lowercase-uscc.yaml",
            'designations:\n  - {code: "T/DEMO 1-2022", title: x, type: group, holders: [{name: a, uscc: "91310000demo00002y"}]}\n',
            "a unified social credit code is 18 digits or capital letters",
        ),
        (
            "date-as-number.yaml",
            'designations:\n  - {code: "T/DEMO 1-2022", title: x, type: group, valid_until: 20251223}\n',
            "field valid_until: expected a date as YYYY-MM-DD, got 20251223",
        ),
        (
            "blank-title.yaml",
            'designations:\n  - {code: "T/DEMO 1-2022", title: "  ", type: group}\n',
            "field title",
        ),
        (
            "long-joint-code.yaml",
            'designations:\n  - {code: "' + "\ufdfa" * 20 + '", title: x, type: enterprise-joint}\n',
            "field code: code is too long once normalised",
        ),
        (
            "local-without-db31.yaml",
            'designations:\n  - {code: "T/DEMO 1-2022", title: x, type: local}\n',
            "'T/DEMO 1-2022' is a group code; type local needs a Shanghai local standard code",
        ),
    ],
)
def test_other_malformed_inputs_are_refused(
    seeded_url: str, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1") if name.startswith("latin1") else text.encode("utf-8"))
    assert expected in refused(seeded_url, path)


def test_one_bad_record_among_good_ones_writes_nothing(seeded_url: str, tmp_path: Path) -> None:
    good = "\n".join(
        f'  - {{code: "T/DEMO {n:03d}-2025", title: "演示{n}", type: group, designated_on: 2025-01-01}}'
        for n in range(100, 150)
    )
    path = tmp_path / "mostly-good.yaml"
    path.write_text(f'designations:\n{good}\n  - {{code: "T/DEMO 999-2025", title: x, type: grup}}\n')
    message = refused(seeded_url, path)
    assert "record 51 (line 52), field type" in message
