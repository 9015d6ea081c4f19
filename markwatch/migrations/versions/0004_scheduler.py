"""Scheduler: scheduler_runs, the log of every scheduled sweep run.

Revision ID: 0004_scheduler
Revises: 0003_cases
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0004_scheduler"
down_revision = "0003_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("scheduled_for", UTCDateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("sweep_id", sa.Integer(), nullable=True),
        sa.Column("coalesced", sa.Integer(), nullable=False),
        sa.Column("log_path", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["sweep_id"], ["sweeps.id"], name=op.f("fk_scheduler_runs_sweep_id_sweeps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduler_runs")),
    )
    op.create_index(
        "ix_scheduler_runs_target_scheduled_for", "scheduler_runs", ["target", "scheduled_for"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_scheduler_runs_target_scheduled_for", table_name="scheduler_runs")
    op.drop_table("scheduler_runs")
