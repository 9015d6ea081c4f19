"""Migration 0009_sweep_accounting creates exactly what the sweep models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from crawler.store.models import Sweep
from markwatch import db

SWEEP_TABLES = {"snapshot_bodies", "snapshots", "sweeps", "sweep_pages", "sweep_urls", "findings"}


def test_sweep_tables_match_the_models(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= SWEEP_TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"{t}." in repr(d) for t in SWEEP_TABLES)]
    assert mine == []


def test_the_database_refuses_a_second_running_sweep_of_a_target(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        session.add(Sweep(target="t", started_at=db.utcnow(), state="running"))
        session.add(Sweep(target="t", started_at=db.utcnow(), state="finished"))
        session.add(Sweep(target="other", started_at=db.utcnow(), state="running"))
    with pytest.raises(IntegrityError), db.session_scope(db_url) as session:
        session.add(Sweep(target="t", started_at=db.utcnow(), state="running"))
    with db.session_scope(db_url) as session:
        session.add(Sweep(target="t", started_at=db.utcnow(), state="interrupted"))
