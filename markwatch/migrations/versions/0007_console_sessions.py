"""Console sessions held on the server, so sign-out and revocation end a session at once (issue 18).

Revision ID: 0007_console_sessions
Revises: 0006_audit_checkpoints
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0007_console_sessions"
down_revision = "0006_audit_checkpoints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_console_sessions_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("sid_hash", name=op.f("uq_console_sessions_sid_hash")),
    )
    op.create_index("ix_console_sessions_api_key_id", "console_sessions", ["api_key_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_console_sessions_api_key_id", table_name="console_sessions")
    op.drop_table("console_sessions")
