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
_CHECK = f"scope IN ({', '.join(repr(s) for s in SCOPES)})"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # In place: batch mode would copy and drop `cases`, which the audit entries and findings links of an
        # existing database refuse (foreign keys are on). SQLite adds a column with its own CHECK in place.
        op.execute(
            "ALTER TABLE cases ADD COLUMN scope VARCHAR(20) DEFAULT 'page' NOT NULL "
            f"CONSTRAINT ck_cases_scope CHECK ({_CHECK})"
        )
        return
    op.add_column("cases", sa.Column("scope", sa.String(length=20), nullable=False, server_default="page"))
    op.create_check_constraint("scope", "cases", _CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cases DROP COLUMN scope")  # SQLite 3.35+, in place for the same reason
        return
    op.drop_constraint("scope", "cases", type_="check")
    op.drop_column("cases", "scope")
