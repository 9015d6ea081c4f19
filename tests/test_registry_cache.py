"""The API's registry cache: reused while the registry is unchanged, rebuilt after an import or a hand edit."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select

from checker.registry import Designation, import_registry_file
from checker.registry.cache import RegistryCache
from markwatch.db import session_scope

ONE = """\
designations:
  - code: "T/DEMO 001-2022"
    title: "演示用智能水杯"
    type: group
    designated_on: 2022-06-01
    valid_until: 2030-05-31
"""
# The same standard with a new end date, and one more.
TWO = (
    ONE.replace("2030-05-31", "2027-05-31")
    + """\
  - code: "DB31/T 9001-2024"
    title: "演示用地方标准"
    type: local
    designated_on: 2024-03-01
"""
)


def _import(url: str, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with session_scope(url) as session:
        import_registry_file(session, path)


def test_cache_is_reused_until_the_registry_changes(db_url: str, tmp_path: Path) -> None:
    cache = RegistryCache()
    _import(db_url, tmp_path, "one.yaml", ONE)
    with session_scope(db_url) as session:
        first = cache.current(session)
        assert cache.current(session) is first  # nothing changed: the same index, not a reload
    assert [r.code for r in first.records] == ["T/DEMO 001-2022"]

    _import(db_url, tmp_path, "two.yaml", TWO)
    with session_scope(db_url) as session:
        second = cache.current(session)
    assert second is not first
    assert sorted(r.code for r in second.records) == ["DB31/T 9001-2024", "T/DEMO 001-2022"]
    demo = second.find("T/DEMO 001-2022")
    assert demo is not None and str(demo.valid_until) == "2027-05-31"

    # A hand edit outside `registry import` (no batch) still moves the fingerprint.
    with session_scope(db_url) as session:
        session.execute(delete(Designation).where(Designation.code_key == "DB31 9001-2024"))
    with session_scope(db_url) as session:
        third = cache.current(session)
        assert [r.code for r in third.records] == ["T/DEMO 001-2022"]
        assert session.scalars(select(Designation.code)).all() == ["T/DEMO 001-2022"]
