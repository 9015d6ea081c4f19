"""A running sweep's last sign of life: sweeps.heartbeat_at.

The process crawling a sweep (or each worker of a distributed one) writes it at a bounded interval, so any
host can tell a dead sweep from a live one (crawler/heartbeat.py); a pid can only be judged on its own
machine. NULL: a sweep that ended before this revision, or one whose process never beat (its start time is
then its last sign of life).

Revision ID: 0012_sweep_heartbeat
Revises: 0011_image_scan
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0012_sweep_heartbeat"
down_revision = "0011_image_scan"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweeps") as batch:
        batch.add_column(sa.Column("heartbeat_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sweeps") as batch:
        batch.drop_column("heartbeat_at")
