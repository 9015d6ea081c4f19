"""`markwatch keys`: create (secret printed once), list and revoke API keys."""

from __future__ import annotations

import click

from markwatch.cases.keys import create_key, list_keys, revoke_key
from markwatch.cases.models import ROLES
from markwatch.cli.options import db_option
from markwatch.db import session_scope


@click.group("keys")
def keys() -> None:
    """API keys for the HTTP API (stored hashed; roles inspector, enterprise, admin)."""


@keys.command("create")
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--name", required=True, help="Who or what holds the key (shown in the audit chain).")
@db_option
def create_command(role: str, name: str, db_url: str | None) -> None:
    """Create a key and print its secret; it cannot be shown again."""
    with session_scope(db_url) as session:
        issued = create_key(session, role=role, name=name)
    click.echo(f"created key {issued.id} ({issued.role.value}) for {issued.name}")
    click.echo(issued.secret)
    click.echo("store it now: only its hash is kept", err=True)


@keys.command("list")
@db_option
def list_command(db_url: str | None) -> None:
    """List keys (never their secrets)."""
    with session_scope(db_url) as session:
        rows = list_keys(session)
    click.echo(f"{'ID':>4}  {'ROLE':<10} {'PREFIX':<13} {'CREATED':<20} {'STATE':<8} NAME")
    for row in rows:
        state = "revoked" if row.revoked_at else "active"
        created = row.created_at.strftime("%Y-%m-%d %H:%M:%SZ")
        click.echo(f"{row.id:>4}  {row.role:<10} {row.prefix + '…':<13} {created:<20} {state:<8} {row.name}")
    click.echo(f"{len(rows)} key(s)")


@keys.command("revoke")
@click.argument("key_id", type=int)
@db_option
def revoke_command(key_id: int, db_url: str | None) -> None:
    """Revoke a key by id; requests with it get 401 from then on."""
    with session_scope(db_url) as session:
        row = revoke_key(session, key_id)
        click.echo(f"revoked key {row.id} ({row.role}) for {row.name}")
