"""Registry: designations, holders, import batches, per-field changes.

Revision ID: 0001_registry
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_designations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("code_key", sa.String(length=100), nullable=False),
        sa.Column("number_key", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("designated_on", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("abolished_on", sa.Date(), nullable=True),
        sa.Column("pool_entered_on", sa.Date(), nullable=True),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "type IN ('local', 'group', 'enterprise', 'enterprise-joint')",
            name=op.f("ck_registry_designations_type"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_designations")),
        sa.UniqueConstraint("code_key", name=op.f("uq_registry_designations_code_key")),
    )
    op.create_index(
        op.f("ix_registry_designations_number_key"), "registry_designations", ["number_key"], unique=False
    )

    op.create_table(
        "registry_holders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("designation_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("uscc", sa.String(length=18), nullable=True),
        sa.ForeignKeyConstraint(
            ["designation_id"],
            ["registry_designations.id"],
            name=op.f("fk_registry_holders_designation_id_registry_designations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_holders")),
        sa.UniqueConstraint("designation_id", "position", name=op.f("uq_registry_holders_position")),
    )
    op.create_index(
        op.f("ix_registry_holders_designation_id"), "registry_holders", ["designation_id"], unique=False
    )

    op.create_table(
        "registry_import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_import_batches")),
    )
    op.create_index(
        op.f("ix_registry_import_batches_sha256"), "registry_import_batches", ["sha256"], unique=False
    )

    op.create_table(
        "registry_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("designation_id", sa.Integer(), nullable=False),
        sa.Column("code_key", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.CheckConstraint("action IN ('added', 'updated')", name=op.f("ck_registry_changes_action")),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["registry_import_batches.id"],
            name=op.f("fk_registry_changes_batch_id_registry_import_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["designation_id"],
            ["registry_designations.id"],
            name=op.f("fk_registry_changes_designation_id_registry_designations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_changes")),
    )
    op.create_index(op.f("ix_registry_changes_batch_id"), "registry_changes", ["batch_id"], unique=False)
    op.create_index(
        op.f("ix_registry_changes_designation_id"), "registry_changes", ["designation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("registry_changes")
    op.drop_table("registry_import_batches")
    op.drop_table("registry_holders")
    op.drop_table("registry_designations")
