"""Migration 0001_registry creates exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from markwatch import db

REGISTRY_TABLES = {"registry_designations", "registry_holders", "registry_import_batches", "registry_changes"}


def test_registry_tables_match_the_models(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= REGISTRY_TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    assert [d for d in diffs if any(t in repr(d) for t in REGISTRY_TABLES)] == []


def test_code_key_is_unique_and_number_key_indexed(db_url: str) -> None:
    with db.get_engine(db_url).connect() as connection:
        inspector = inspect(connection)
        uniques = inspector.get_unique_constraints("registry_designations")
        indexes = inspector.get_indexes("registry_designations")
    assert any(u["column_names"] == ["code_key"] for u in uniques)
    assert any(i["column_names"] == ["number_key"] for i in indexes)


def test_0013_gives_holders_imported_before_it_no_other_names(db_url: str) -> None:
    """Holders written before 0013 upgrade to empty name lists (nothing registered: English claimants are not
    compared), and downgrading drops the columns again, on both databases."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from checker.registry import RegistryIndex
    from checker.registry.records import Holder

    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.attributes["connection_engine"] = db.get_engine(db_url)
    command.downgrade(config, "0012_sweep_heartbeat")
    with db.get_engine(db_url).connect() as connection:
        assert "english_names" not in {c["name"] for c in inspect(connection).get_columns("registry_holders")}
    with db.get_engine(db_url).begin() as connection:
        connection.execute(
            text("INSERT INTO registry_designations (id, code, code_key, number_key, year, title, type, scope, "
                 "created_at, updated_at) VALUES (1, 'Q/DEMO 0002-2023', 'Q/DEMO0002-2023', 'Q/DEMO0002', 2023, "
                 "'演示用儿童座椅', 'enterprise', '[]', '2026-01-05 08:00:00', '2026-01-05 08:00:00')")
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO registry_holders (designation_id, position, name, uscc) "
                 "VALUES (1, 0, '演示科技有限公司（虚构）', NULL)")
        )  # fmt: skip
    command.upgrade(config, "head")
    with db.session_scope(db_url) as session:
        [record] = RegistryIndex.load(session).records
    assert record.holders == (Holder("演示科技有限公司（虚构）", None, (), ()),)
    command.downgrade(config, "0012_sweep_heartbeat")
    with db.get_engine(db_url).connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("registry_holders")}
    assert not columns & {"english_names", "former_names"}
