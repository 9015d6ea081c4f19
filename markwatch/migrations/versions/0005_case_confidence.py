"""Case confidence and dismissal kinds: findings that need review, and what inspectors' decisions teach.

Revision ID: 0005_case_confidence
Revises: 0004_scheduler
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_case_confidence"
down_revision = "0004_scheduler"
branch_labels = None
depends_on = None

CONFIDENCES = ("high", "review")
DISMISSAL_KINDS = ("not-a-claim", "wrong-standard", "other")


def _in_list(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("confidence", sa.String(length=10), nullable=False, server_default="high"))
        batch.add_column(sa.Column("confidence_reasons", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("dismissal_kind", sa.String(length=20), nullable=True))
        batch.create_check_constraint("confidence", _in_list("confidence", CONFIDENCES))
        batch.create_check_constraint(
            "dismissal_kind", "dismissal_kind IS NULL OR " + _in_list("dismissal_kind", DISMISSAL_KINDS)
        )
        batch.create_index("ix_cases_confidence", ["confidence"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_confidence")
        batch.drop_constraint("dismissal_kind", type_="check")
        batch.drop_constraint("confidence", type_="check")
        batch.drop_column("dismissal_kind")
        batch.drop_column("confidence_reasons")
        batch.drop_column("confidence")
