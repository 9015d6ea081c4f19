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
