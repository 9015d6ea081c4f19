"""Attempts of what markwatch failed itself, counted across resumes of one sweep: sweep_urls.retries,
image_sightings.retries and sweep_pages.image_scan_retries.

A URL markwatch could not check or store, an image its own reading failed on, a page whose images it could not
look for: a resume does each again, but only MARKWATCH_MAX_ATTEMPTS times in all (retries + 1 attempts);
then it is given up, so one item that fails the same way every time (an image crafted to time the OCR out)
no longer keeps its sweep resuming for ever. Rows already there have been retried 0 times.

Revision ID: 0015_retries
Revises: 0014_notice_numbers
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_retries"
down_revision = "0014_notice_numbers"
branch_labels = None
depends_on = None

_COLUMNS = (("sweep_urls", "retries"), ("image_sightings", "retries"), ("sweep_pages", "image_scan_retries"))


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
