"""Hostile pages (issue 14): sweep pages remember what the extractor could not read.

`sweep_pages.warnings` holds the page's warnings ({code, message}); such a page has status "partial", so a
sweep never closes a case on a page it could not read whole.

Revision ID: 0008_registry_hardening
Revises: 0007_console_sessions
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_registry_hardening"
down_revision = "0007_console_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_pages") as batch:
        batch.add_column(sa.Column("warnings", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("sweep_pages") as batch:
        batch.drop_column("warnings")
