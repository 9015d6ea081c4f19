"""Migration 0003_cases creates exactly the tables the case models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from markwatch import db

CASE_TABLES = {
    "cases",
    "case_findings",
    "case_events",
    "notice_numbers",
    "case_comments",
    "waivers",
    "api_keys",
    "self_checks",
}


def test_case_tables_match_the_models(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= CASE_TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"{t}." in repr(d) for t in CASE_TABLES)]
    assert mine == []


def test_audit_chain_columns_are_unique(db_url: str) -> None:
    with db.get_engine(db_url).connect() as connection:
        uniques = inspect(connection).get_unique_constraints("case_events")
    assert {tuple(u["column_names"]) for u in uniques} >= {("seq",), ("prev_hash",), ("hash",)}
