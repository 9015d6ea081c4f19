"""Item pages whose product images are found after the crawl's pages: sweep_pages.image_scan.

A local sweep stores an item page at once and finds its images later, when no page is waiting to be fetched
(crawler/images/scan.py): "pending" until then, "done" once its sightings are written. NULL: a page whose
images are not looked for, or were found with the page (cluster workers, sweeps before this revision).

Revision ID: 0011_image_scan
Revises: 0010_images
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_image_scan"
down_revision = "0010_images"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sweep_pages") as batch:
        batch.add_column(sa.Column("image_scan", sa.String(length=10), nullable=True))
    op.create_index("ix_sweep_pages_sweep_image_scan", "sweep_pages", ["sweep_id", "image_scan"])


def downgrade() -> None:
    op.drop_index("ix_sweep_pages_sweep_image_scan", table_name="sweep_pages")
    with op.batch_alter_table("sweep_pages") as batch:
        batch.drop_column("image_scan")
