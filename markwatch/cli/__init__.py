"""The `markwatch` command: one click group, subcommands registered explicitly, errors mapped here."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click
from sqlalchemy.exc import OperationalError

from markwatch.errors import DatabaseError, MarkwatchError

# module -> attribute holding a click command or group; registered explicitly, never by import side effect.
COMMAND_MODULES: tuple[tuple[str, str], ...] = (
    ("markwatch.cli.registry", "registry"),
    ("markwatch.cli.extract", "extract"),
    ("markwatch.cli.rules", "rules"),
    ("markwatch.cli.check", "check"),
    ("markwatch.cli.sweep", "sweep"),
    ("markwatch.cli.serve", "serve"),
    ("markwatch.cli.keys", "keys"),
    ("markwatch.cli.audit", "audit"),
    ("markwatch.cli.cases", "cases"),
    ("markwatch.cli.scheduler", "scheduler"),
    ("markwatch.cli.cluster", "cluster"),
)


class MarkwatchGroup(click.Group):
    """Turns every MarkwatchError into one clear line on stderr and its exit code, never a traceback.

    Subcommand modules are imported only when their command runs (or help lists them): a scheduled
    `markwatch sweep run` should not pay for importing the API, the console and every other command."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(name for _module, name in COMMAND_MODULES)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            for module_name, attribute in COMMAND_MODULES:
                if attribute == cmd_name:
                    command = getattr(importlib.import_module(module_name), attribute)
                    self.add_command(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MarkwatchError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except OperationalError as exc:
            # The database went away or stayed locked past the busy timeout (another writer on SQLite):
            # the transaction was rolled back, so say so in one line rather than a traceback.
            error = DatabaseError(f"database unavailable, nothing was written: {exc.orig}")
            click.echo(f"error: {error}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=MarkwatchGroup)
@click.version_option(package_name="markwatch")
def cli() -> None:
    """Watch how the 上海标准 (Shanghai Standard) mark is used and flag misuse."""


def main() -> None:
    """Console-script entry point."""
    sys.exit(cli.main(standalone_mode=True))
