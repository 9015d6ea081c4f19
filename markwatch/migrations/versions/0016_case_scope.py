"""Case scope: an organisation's claim seen on many pages of a site is one case (cases.scope).

page: the case is one page's finding (every case so far); organisation: an organisation's own claim keyed by
site, claimant, rule, standard and the claim's words, each page it is seen on an occurrence of the case.
Existing cases are page cases and keep their keys.

Revision ID: 0016_case_scope
Revises: 0015_retries
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_case_scope"
down_revision = "0015_retries"
branch_labels = None
depends_on = None

SCOPES = ("page", "organisation")


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=20), nullable=False, server_default="page"))
        batch.create_check_constraint("scope", f"scope IN ({', '.join(repr(s) for s in SCOPES)})")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("scope", type_="check")
        batch.drop_column("scope")
