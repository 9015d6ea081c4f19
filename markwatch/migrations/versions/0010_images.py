"""Images as evidence: where each image was seen and how far its work got, OCR readings by (sha256, reader
version), and the kind of each ledger URL (product images are ledger URLs outside the page budget).

Image bytes are stored like pages' (snapshot_bodies by sha256, a snapshots row per fetch): no table here.

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
    with op.batch_alter_table("sweep_urls") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=10), server_default="page", nullable=False))
    op.create_table(
        "image_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("page_ledger_url", sa.Text(), nullable=False),
        sa.Column("seller", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=20), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("block_text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=True),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("reading", sa.String(length=10), nullable=True),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.Column("lease_owner", sa.String(length=80), nullable=True),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sweep_id"], ["sweeps.id"], name=op.f("fk_image_sightings_sweep_id_sweeps")
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_image_sightings_snapshot_id_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_sightings")),
        sa.UniqueConstraint("sweep_id", "page_url", "position", name=op.f("uq_image_sightings_sweep_id")),
    )
    op.create_index("ix_image_sightings_sweep_url", "image_sightings", ["sweep_id", "url"])
    op.create_index("ix_image_sightings_sweep_status", "image_sightings", ["sweep_id", "status"])
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
    op.drop_index("ix_image_sightings_sweep_status", table_name="image_sightings")
    op.drop_index("ix_image_sightings_sweep_url", table_name="image_sightings")
    op.drop_table("image_sightings")
    with op.batch_alter_table("sweep_urls") as batch:
        batch.drop_column("kind")
