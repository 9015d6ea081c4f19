"""Images as evidence: image bodies by sha256, where each was seen, OCR readings by (sha256, reader version).

Revision ID: 0010_images
Revises: 0009_sweep_accounting
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0010_images"
down_revision = "0009_sweep_accounting"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_images")),
    )
    op.create_table(
        "image_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("block_text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sweep_id"], ["sweeps.id"], name=op.f("fk_image_sightings_sweep_id_sweeps")
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_image_sightings_snapshot_id_snapshots")
        ),
        sa.ForeignKeyConstraint(
            ["image_sha256"], ["images.sha256"], name=op.f("fk_image_sightings_image_sha256_images")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_sightings")),
    )
    op.create_index("ix_image_sightings_sweep_url", "image_sightings", ["sweep_id", "url"])
    op.create_index(op.f("ix_image_sightings_sweep_id"), "image_sightings", ["sweep_id"])
    op.create_index(op.f("ix_image_sightings_snapshot_id"), "image_sightings", ["snapshot_id"])
    op.create_index(op.f("ix_image_sightings_image_sha256"), "image_sightings", ["image_sha256"])
    op.create_table(
        "image_readings",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("reading", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "engine", name=op.f("pk_image_readings")),
    )


def downgrade() -> None:
    op.drop_table("image_readings")
    op.drop_index(op.f("ix_image_sightings_image_sha256"), table_name="image_sightings")
    op.drop_index(op.f("ix_image_sightings_snapshot_id"), table_name="image_sightings")
    op.drop_index(op.f("ix_image_sightings_sweep_id"), table_name="image_sightings")
    op.drop_index("ix_image_sightings_sweep_url", table_name="image_sightings")
    op.drop_table("image_sightings")
    op.drop_table("images")
