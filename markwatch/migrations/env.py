"""Alembic environment: runs against the engine markwatch.db hands it, SQLite in batch mode."""

from __future__ import annotations

from alembic import context

import markwatch.models  # noqa: F401  (registers every table on Base.metadata)
from markwatch.db import Base, get_engine

config = context.config
connectable = config.attributes.get("connection_engine") or get_engine(
    config.get_main_option("sqlalchemy.url")
)

with connectable.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
