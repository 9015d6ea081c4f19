"""`markwatch audit verify`: check the case audit chain; exit 1 naming the first broken entry."""

from __future__ import annotations

import click

from markwatch.cases.audit import chain_length, verify_chain
from markwatch.cli.options import db_option
from markwatch.db import session_scope


@click.group("audit")
def audit() -> None:
    """The append-only audit chain of case events."""


@audit.command("verify")
@db_option
def verify_command(db_url: str | None) -> None:
    """Recompute every entry's hash and link; exit 0 when intact, 1 at the first broken entry."""
    with session_scope(db_url) as session:
        broken = verify_chain(session)
        total = chain_length(session)
    if broken is not None:
        click.echo(f"BROKEN: {broken}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain OK: {total} entries")
