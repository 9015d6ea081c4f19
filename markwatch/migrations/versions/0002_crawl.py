"""Crawl: snapshot bodies, snapshots, sweeps, sweep pages, findings.

Revision ID: 0002_crawl
Revises: 0001_registry
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from markwatch.db import UTCDateTime

revision = "0002_crawl"
down_revision = "0001_registry"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "snapshot_bodies",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_snapshot_bodies")),
    )
    op.create_table(
        "sweeps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("job_dir", sa.Text(), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("robots_skipped", sa.Integer(), nullable=False),
        sa.Column("offsite_dropped", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("findings_new", sa.Integer(), nullable=False),
        sa.Column("findings_recurring", sa.Integer(), nullable=False),
        sa.Column("findings_resolved", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweeps")),
    )
    op.create_index(op.f("ix_sweeps_target"), "sweeps", ["target"], unique=False)
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("requested_url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("fetched_at", UTCDateTime(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["body_sha256"], ["snapshot_bodies.sha256"], name=op.f("fk_snapshots_body_sha256_snapshot_bodies")
        ),
        sa.ForeignKeyConstraint(["sweep_id"], ["sweeps.id"], name=op.f("fk_snapshots_sweep_id_sweeps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshots")),
    )
    op.create_index(op.f("ix_snapshots_body_sha256"), "snapshots", ["body_sha256"], unique=False)
    op.create_index(op.f("ix_snapshots_sweep_id"), "snapshots", ["sweep_id"], unique=False)
    op.create_table(
        "sweep_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sweep_id"], ["sweeps.id"], name=op.f("fk_sweep_pages_sweep_id_sweeps")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_sweep_pages_snapshot_id_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_pages")),
        sa.UniqueConstraint("sweep_id", "url", name=op.f("uq_sweep_pages_sweep_id")),
    )
    op.create_index(op.f("ix_sweep_pages_sweep_id"), "sweep_pages", ["sweep_id"], unique=False)
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sweep_id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("finding_key", sa.String(length=200), nullable=False),
        sa.Column("rule_id", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("standard_code", sa.String(length=100), nullable=True),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=True),
        sa.Column("site", sa.String(length=255), nullable=True),
        sa.Column("claimant", sa.Text(), nullable=True),
        sa.Column("observed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sweep_id"], ["sweeps.id"], name=op.f("fk_findings_sweep_id_sweeps")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["snapshots.id"], name=op.f("fk_findings_snapshot_id_snapshots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_findings")),
        sa.UniqueConstraint("sweep_id", "finding_key", name=op.f("uq_findings_sweep_id")),
    )
    op.create_index("ix_findings_finding_key", "findings", ["finding_key"], unique=False)
    op.create_index(op.f("ix_findings_sweep_id"), "findings", ["sweep_id"], unique=False)
    op.create_index(op.f("ix_findings_snapshot_id"), "findings", ["snapshot_id"], unique=False)


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("sweep_pages")
    op.drop_table("snapshots")
    op.drop_table("sweeps")
    op.drop_table("snapshot_bodies")
