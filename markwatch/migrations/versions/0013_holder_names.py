"""A holder's other registered names: registry_holders.english_names and registry_holders.former_names.

English names come from the holder's registration (its USCC record) and let SHS010 compare an English
claimant ("Ningbo Demo Baby Products Co., Ltd.") with the holder (checker/holder_names.py); former names
are those it had before a rename. Both are JSON lists, empty for every holder imported before this revision
(no English name registered: English claimants are not compared, as before).

Revision ID: 0013_holder_names
Revises: 0012_sweep_heartbeat
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_holder_names"
down_revision = "0012_sweep_heartbeat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registry_holders") as batch:
        batch.add_column(sa.Column("english_names", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("former_names", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("registry_holders") as batch:
        batch.drop_column("former_names")
        batch.drop_column("english_names")
