"""Sweep accounting: a ledger row per URL of a sweep, aggregated counts, one running sweep per target.

Revision ID: 0009_sweep_accounting
Revises: 0008_registry_hardening
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0009_sweep_accounting"
down_revision = "0008_registry_hardening"
branch_labels = None
depends_on = None

COUNTS = ("urls_discovered", "urls_taken", "urls_failed", "urls_skipped", "urls_missing")


def upgrade() -> None:
    op.create_table(
        "sweep_urls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("taken", sa.Boolean(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=True),
        sa.Column("requeues", sa.Integer(), nullable=False),
        sa.Column("discovered_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["sweep_id"], ["sweeps.id"], name=op.f("fk_sweep_urls_sweep_id_sweeps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_urls")),
        sa.UniqueConstraint("sweep_id", "url", name=op.f("uq_sweep_urls_sweep_id")),
    )
    op.create_index("ix_sweep_urls_sweep_id_state", "sweep_urls", ["sweep_id", "state"], unique=False)
    with op.batch_alter_table("sweeps") as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("skipped", sa.JSON(), nullable=False, server_default="{}"))
    # Older versions could leave several rows of a target "running" (a killed process): keep the newest,
    # the others become interrupted, so the one-running-sweep-per-target index can be built.
    op.execute(
        "UPDATE sweeps SET state = 'interrupted' WHERE state = 'running' AND id < "
        "(SELECT max(s2.id) FROM sweeps s2 WHERE s2.target = sweeps.target AND s2.state = 'running')"
    )
    op.create_index(
        "uq_sweeps_running_target",
        "sweeps",
        ["target"],
        unique=True,
        postgresql_where=sa.text("state = 'running'"),
        sqlite_where=sa.text("state = 'running'"),
    )


def downgrade() -> None:
    op.drop_index("uq_sweeps_running_target", table_name="sweeps")
    with op.batch_alter_table("sweeps") as batch:
        batch.drop_column("skipped")
        for name in reversed(COUNTS):
            batch.drop_column(name)
    op.drop_index("ix_sweep_urls_sweep_id_state", table_name="sweep_urls")
    op.drop_table("sweep_urls")
