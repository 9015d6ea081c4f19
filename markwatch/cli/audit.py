"""`markwatch audit verify|checkpoint`: check the case audit trail; sign checkpoints of its head."""

from __future__ import annotations

import json
from pathlib import Path

import click

from markwatch.cases.checkpoints import (
    KEY_ENV,
    KEY_FILE_ENV,
    export_path,
    load_key,
    read_export,
    summary,
    verify_audit,
    write_checkpoint,
)
from markwatch.cli.options import db_option
from markwatch.db import session_scope
from markwatch.errors import InputError


@click.group("audit")
def audit() -> None:
    """The append-only audit chain of case events, and its signed checkpoints.

    The checkpoint key comes from MARKWATCH_AUDIT_KEY or the file in MARKWATCH_AUDIT_KEY_FILE (never from the
    database); each checkpoint is also appended to MARKWATCH_AUDIT_CHECKPOINT_FILE when set."""


@audit.command("verify")
@db_option
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An exported checkpoint file to check against too (default: MARKWATCH_AUDIT_CHECKPOINT_FILE if it exists).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_command(db_url: str | None, checkpoint_file: Path | None, fmt: str) -> None:
    """Check links and hashes, checkpoints (truncation, rewrites) and case statuses; exit 1 on any problem.

    When everything verifies and a key is set, a new checkpoint of the head is signed and written."""
    key = load_key()
    source = checkpoint_file or export_path()
    extra = read_export(source) if source is not None and (checkpoint_file or source.exists()) else []
    with session_scope(db_url) as session:
        report = verify_audit(session, key, extra)
        written = None
        if report.ok and key is not None:
            written = write_checkpoint(session, key, reason="verify", export=export_path())
    if fmt == "json":
        click.echo(
            json.dumps({**summary(report), "checkpoint_written": written is not None}, ensure_ascii=False)
        )
    else:
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        if report.broken is not None:
            click.echo(f"BROKEN: {report.broken}", err=True)
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}", err=True)
        if report.ok:
            checked = f", {report.checkpoints_checked} checkpoint(s), {report.cases_checked} case(s)"
            click.echo(f"audit chain OK: {report.entries} entries{checked}")
    if not report.ok:
        raise SystemExit(1)


@audit.command("checkpoint")
@db_option
def checkpoint_command(db_url: str | None) -> None:
    """Sign and store a checkpoint of the chain's head now (also appended to MARKWATCH_AUDIT_CHECKPOINT_FILE)."""
    key = load_key()
    if key is None:
        raise InputError(f"set {KEY_ENV} or {KEY_FILE_ENV} to sign checkpoints", source="environment")
    with session_scope(db_url) as session:
        written = write_checkpoint(session, key, reason="manual", export=export_path(), force=True)
        assert written is not None
        click.echo(f"checkpoint {written.id}: {written.seq} entries, head {written.head_hash[:16]}…")
