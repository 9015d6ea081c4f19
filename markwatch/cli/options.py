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
