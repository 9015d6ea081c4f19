"""Options shared by several subcommands."""

from __future__ import annotations

import click

db_option = click.option(
    "--db",
    "db_url",
    envvar="MARKWATCH_DB",
    default=None,
    help="Database URL (default: SQLite file under MARKWATCH_HOME, ./.markwatch).",
)
