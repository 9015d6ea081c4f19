"""Options shared by several subcommands."""

from __future__ import annotations

import click

from markwatch.db import SourcedUrl, parse_database_url


def _checked_db_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a malformed or unsupported database URL before anything runs: one line naming the option (or
    MARKWATCH_DB, where the value came from) and what is wrong, exit 2 (markwatch.errors.InputError)."""
    if value:
        source = ctx.get_parameter_source(param.name or "db_url")
        name = "MARKWATCH_DB" if source is click.core.ParameterSource.ENVIRONMENT else "--db"
        parse_database_url(value, source=name)
        # Errors met later (the server does not answer) name the same source.
        return SourcedUrl(value, name)
    return value


db_option = click.option(
    "--db",
    "db_url",
    envvar="MARKWATCH_DB",
    default=None,
    callback=_checked_db_url,
    help="Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB (default: SQLite file under "
    "MARKWATCH_HOME, ./.markwatch).",
)

allow_empty_registry_option = click.option(
    "--allow-empty-registry",
    is_flag=True,
    help="Run against a registry with no designations on purpose (every claimed standard is then "
    "unregistered, SHS001); without it an empty registry is refused (exit 2).",
)


def warn_empty_registry(database: str) -> None:
    """The warning of a run that --allow-empty-registry let through an empty registry."""
    click.echo(
        f"warning: the registry in {database} holds no designations: every claimed standard is judged "
        "unregistered (SHS001)",
        err=True,
    )


def registry_gate(db_url: str | None, *, allow_empty: bool) -> None:
    """Refuse an empty registry before anything is written (RegistryEmpty, exit 2), or warn when allowed."""
    from checker.registry.gate import database_name, require_registry
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        count = require_registry(session, allow_empty=allow_empty)
        database = database_name(session)
    if count == 0:
        warn_empty_registry(database)
