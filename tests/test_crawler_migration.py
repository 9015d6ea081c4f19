"""Migrations 0009_sweep_accounting, 0012_sweep_heartbeat and 0015_retries create exactly what the sweep models
describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from crawler.store.models import Sweep, SweepUrl
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


def test_a_heartbeat_keeps_its_instant_on_both_databases(db_url: str) -> None:
    from crawler import heartbeat

    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=db.utcnow(), state="running")
        session.add(sweep)
        session.flush()
        assert heartbeat.beat(session, sweep.id)
        sweep_id = sweep.id
    with db.session_scope(db_url) as session:
        beat_at = session.get(Sweep, sweep_id).heartbeat_at  # type: ignore[union-attr]
        now = heartbeat.clock(session)
        # Aware UTC, from the clock the views judge it by (the server's on PostgreSQL).
        assert (
            beat_at is not None and beat_at.tzinfo is not None and 0 <= (now - beat_at).total_seconds() < 600
        )


def test_0012_upgrades_a_database_with_a_running_sweep(tmp_path: object) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{Path(str(tmp_path)) / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.attributes["connection_engine"] = db.get_engine(url)
    command.upgrade(config, "0011_image_scan")
    with db.get_engine(url).begin() as connection:
        connection.execute(
            text("INSERT INTO sweeps (target, started_at, state, job_dir, pages_fetched, robots_skipped, "
                 "offsite_dropped, errors, claims, findings_new, findings_recurring, findings_resolved, summary, "
                 "urls_discovered, urls_taken, urls_failed, urls_skipped, urls_missing, skipped) VALUES ('t', "
                 "'2026-01-05 08:00:00.000000', 'running', NULL, 0, 0, 0, '{}', 0, 0, 0, 0, '{}', 0, 0, 0, 0, 0, "
                 "'{}')")
        )  # fmt: skip
    db.upgrade(url)
    with db.session_scope(url) as session:
        sweep = session.scalars(select(Sweep)).one()
        # A sweep from before heartbeats never beat: its start is its last sign of life.
        assert (sweep.state, sweep.heartbeat_at) == ("running", None)
    command.downgrade(config, "0011_image_scan")
    with db.get_engine(url).connect() as connection:
        assert "heartbeat_at" not in {c["name"] for c in inspect(connection).get_columns("sweeps")}


def test_0015_counts_retries_from_zero_for_rows_already_there_and_downgrades(tmp_path: object) -> None:
    """Rows a sweep wrote before the revision have been retried 0 times (each gets its full attempts)."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{Path(str(tmp_path)) / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.attributes["connection_engine"] = db.get_engine(url)
    command.upgrade(config, "0014_notice_numbers")
    with db.get_engine(url).begin() as connection:
        connection.execute(
            text("INSERT INTO sweeps (target, started_at, state, job_dir, pages_fetched, robots_skipped, "
                 "offsite_dropped, errors, claims, findings_new, findings_recurring, findings_resolved, summary, "
                 "urls_discovered, urls_taken, urls_failed, urls_skipped, urls_missing, skipped) VALUES ('t', "
                 "'2026-01-05 08:00:00.000000', 'incomplete', NULL, 0, 0, 0, '{}', 0, 0, 0, 0, '{}', 0, 0, 0, 0, 0, "
                 "'{}')")
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO sweep_urls (sweep_id, url, state, kind, reason, taken, requeues, discovered_at) "
                 "VALUES (1, 'http://x/1', 'failed', 'page', 'check_failed', 1, 0, '2026-01-05 08:00:00.000000')")
        )  # fmt: skip
    db.upgrade(url)
    with db.session_scope(url) as session:
        assert session.scalars(select(SweepUrl.retries)).all() == [0]
    command.downgrade(config, "0014_notice_numbers")
    with db.get_engine(url).connect() as connection:
        inspector = inspect(connection)
        for table, column in (("sweep_urls", "retries"), ("image_sightings", "retries"),
                              ("sweep_pages", "image_scan_retries")):  # fmt: skip
            assert column not in {c["name"] for c in inspector.get_columns(table)}
