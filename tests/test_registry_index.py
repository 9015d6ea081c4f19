"""RegistryIndex: exact edition, other editions, titles, any spelling; immutable and detached."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from checker.codes import parse_code
from checker.registry import RegistryIndex, import_registry_file
from markwatch.db import session_scope

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"


@pytest.fixture
def index(db_url: str) -> RegistryIndex:
    with session_scope(db_url) as session:
        import_registry_file(session, EXAMPLE)
    with session_scope(db_url) as session:
        return RegistryIndex.load(session)


@pytest.mark.parametrize(
    "spelling",
    [
        "T/SHHJ 000003-2018",
        "T/SHHJ 3-2018",
        "TSHHJ 003-2018",
        "t/shhj 000003—2018",
        "Ｔ／ＳＨＨＪ　０００００３－２０１８",
        "T/SHHJ000003――2018",
    ],
)
def test_find_resolves_any_spelling(index: RegistryIndex, spelling: str) -> None:
    record = index.find(spelling)
    assert record is not None and record.code == "T/SHHJ 000003-2018"


@pytest.mark.parametrize(
    "spelling", ["DB31/T 1108-2018", "DB31/T1108—2018", "ＤＢ３１／Ｔ　１１０８－２０１８"]
)
def test_find_local_standard(index: RegistryIndex, spelling: str) -> None:
    record = index.find(spelling)
    assert record is not None and record.title == "监护型救护车配置规范"


def test_find_unknown_is_none(index: RegistryIndex) -> None:
    assert index.find("T/SHHJ 000004-2018") is None
    assert index.find("T/SHHJ 000003-2019") is None
    assert index.find("gibberish") is None


def test_by_code_exact_and_other_editions(index: RegistryIndex) -> None:
    lookup = index.by_code(parse_code("T/DEMO 1-2022"))
    assert lookup.exact is not None and lookup.exact.code == "T/DEMO 001-2022"
    assert [r.code for r in lookup.other_editions] == ["T/DEMO 001-2019"]


def test_by_code_wrong_edition_gives_only_other_editions(index: RegistryIndex) -> None:
    lookup = index.by_code(parse_code("T/DEMO 001-2020"))
    assert lookup.exact is None
    assert [r.code for r in lookup.other_editions] == ["T/DEMO 001-2019", "T/DEMO 001-2022"]


def test_by_code_without_year_lists_every_edition(index: RegistryIndex) -> None:
    lookup = index.by_code(parse_code("T/DEMO 001"))
    assert lookup.exact is None
    assert len(lookup.other_editions) == 2


def test_by_code_unregistered(index: RegistryIndex) -> None:
    lookup = index.by_code(parse_code("GB/T 1-2020"))
    assert lookup.exact is None and lookup.other_editions == ()


def test_by_title_normalises_width_and_spacing(index: RegistryIndex) -> None:
    assert [r.code for r in index.by_title("监护型救护车配置规范")] == ["DB31/T 1108-2018"]
    assert [r.code for r in index.by_title(" 监护型 救护车配置规范 ")] == ["DB31/T 1108-2018"]
    assert [r.code for r in index.by_title("演示用智能水杯（旧版）")] == ["T/DEMO 001-2019"]
    assert index.by_title("救护车") == ()


def test_index_is_immutable_and_detached(index: RegistryIndex) -> None:
    record = index.records[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        index.records = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        index._by_key["x"] = record  # type: ignore[index]
    # Usable after the session that loaded it is closed.
    assert all(h.name for r in index.records for h in r.holders)
    assert len(index) == 10


def test_from_records_builds_the_same_index(index: RegistryIndex) -> None:
    rebuilt = RegistryIndex.from_records(index.records)
    assert rebuilt.find("T/SHHJ 3-2018") == index.find("T/SHHJ 3-2018")
    assert rebuilt.by_code(parse_code("T/DEMO 1-2022")) == index.by_code(parse_code("T/DEMO 1-2022"))
