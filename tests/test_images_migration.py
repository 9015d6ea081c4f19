"""Migration 0010_images creates exactly what the image models describe; the reading cache works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import markwatch.models  # noqa: F401 - every table in Base.metadata
from checker.images.models import ImageReading
from checker.images.store import DbCache
from markwatch import db

IMAGE_TABLES = {"image_sightings", "image_readings", "sweep_urls"}


def test_image_tables_match_the_models(db_url: str) -> None:
    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= IMAGE_TABLES
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    mine = [d for d in diffs if any(f"'{t}'" in repr(d) or f"{t}." in repr(d) for t in IMAGE_TABLES)]
    assert mine == []


def test_readings_are_cached_per_reader_version_and_run_failures_are_not(db_url: str) -> None:
    read = ImageReading(sha256="a" * 64, engine="v1", status="read", width=10, height=10)
    timed_out = ImageReading(sha256="b" * 64, engine="v1", status="error", reason="timeout")
    with db.session_scope(db_url) as session:
        cache = DbCache(session)
        cache.put(read)
        cache.put(read)  # once only
        cache.put(timed_out)
    with db.session_scope(db_url) as session:
        cache = DbCache(session)
        assert cache.get("a" * 64, "v1") == read
        assert cache.get("a" * 64, "v2") is None  # a new engine or model version reads again
        assert cache.get("b" * 64, "v1") is None
        assert (cache.hits, cache.misses) == (1, 2)
