"""The register of notice numbers (notice_numbers): the year's next number without reading every notice.

Each issued notice's audit entry (notice_issued) holds its number and day; the n-th entry of a year took the
year's number n. Counting them meant reading every issued document under the case-write lock. The register
holds one row per entry (year, seq, the entry, the number), filled here from the chain as it stands, and is
append-only like the chain; `audit verify` compares it with the chain.

Revision ID: 0014_notice_numbers
Revises: 0013_holder_names
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_notice_numbers"
down_revision = "0013_holder_names"
branch_labels = None
depends_on = None

_EVENTS = sa.table(
    "case_events",
    sa.column("id", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("payload", sa.JSON()),
)
_NUMBERS = sa.table(
    "notice_numbers",
    sa.column("year", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("event_id", sa.Integer()),
    sa.column("number", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "notice_numbers",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["case_events.id"],
            name=op.f("fk_notice_numbers_event_id_case_events"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("year", "seq", name=op.f("pk_notice_numbers")),
        sa.UniqueConstraint("event_id", name=op.f("uq_notice_numbers_event_id")),
    )
    _fill_from_chain()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION notice_numbers_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'notice_numbers is append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER notice_numbers_append_only BEFORE UPDATE OR DELETE ON notice_numbers "
            "FOR EACH ROW EXECUTE FUNCTION notice_numbers_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER notice_numbers_no_{action.lower()} BEFORE {action} ON notice_numbers "
                "BEGIN SELECT RAISE(ABORT, 'notice_numbers is append-only'); END"
            )


def _fill_from_chain() -> None:
    # As markwatch/cases/notice_numbers.from_chain reads it (kept here as it is today: a migration must not
    # change with the code): the year's entries in chain order, only the day and number read out of each.
    query = (
        sa.select(
            _EVENTS.c.id,
            _EVENTS.c.payload["issued_on"].as_string(),
            _EVENTS.c.payload["number"].as_string(),
        )
        .where(_EVENTS.c.kind == "notice_issued")
        .order_by(_EVENTS.c.seq)
    )
    counts: dict[int, int] = {}
    rows = []
    for event_id, issued_on, number in op.get_bind().execute(query):
        head = (issued_on or "")[:5]
        if not (len(head) == 5 and head[:4].isdigit() and head[4] == "-"):
            continue
        year = int(head[:4])
        counts[year] = counts.get(year, 0) + 1
        rows.append({"year": year, "seq": counts[year], "event_id": event_id, "number": number or ""})
    if rows:
        op.bulk_insert(_NUMBERS, rows)


def downgrade() -> None:
    op.drop_table("notice_numbers")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS notice_numbers_append_only()")
