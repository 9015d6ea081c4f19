"""`markwatch audit verify|checkpoint|rebuild-notice-numbers`: check the case audit trail; sign checkpoints of
its head; restore the notice number register from it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from markwatch.cases.checkpoints import (
    INTERVAL_ENV,
    KEY_ENV,
    KEY_FILE_ENV,
    CheckpointNotShipped,
    SignedHead,
    checkpoint_interval,
    default_stale_after,
    export_path,
    load_key,
    read_export,
    summary,
    verify_audit,
    write_checkpoint,
)
from markwatch.cases.register_rebuild import rebuild_notice_register
from markwatch.cli.options import db_option
from markwatch.db import session_scope
from markwatch.errors import InputError


@click.group("audit")
def audit() -> None:
    """The append-only audit chain of case events, and its signed checkpoints.

    The checkpoint key comes from MARKWATCH_AUDIT_KEY or the file in MARKWATCH_AUDIT_KEY_FILE (never from the
    database); each checkpoint is also appended to MARKWATCH_AUDIT_CHECKPOINT_FILE when set."""


checkpoints_option = click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="An exported checkpoint file to check against too (default: MARKWATCH_AUDIT_CHECKPOINT_FILE if it exists).",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)


def _shipped_checkpoints(checkpoint_file: Path | None) -> list[SignedHead]:
    source = checkpoint_file or export_path()
    return read_export(source) if source is not None and (checkpoint_file or source.exists()) else []


@audit.command("verify")
@db_option
@checkpoints_option
@format_option
@click.option(
    "--stale-after",
    "stale_after_s",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help=f"Warn when an entry has waited longer than this many seconds for a signed checkpoint (default: two "
    f"of the API's checkpoint intervals ({INTERVAL_ENV}, 300 s) and a minute; none when that is 0).",
)
def verify_command(
    db_url: str | None, checkpoint_file: Path | None, fmt: str, stale_after_s: float | None
) -> None:
    """Check links and hashes, checkpoints (truncation, rewrites) and case statuses; exit 1 on any problem.

    Entries that have waited too long for a checkpoint are a warning: the API's periodic checkpoint writer is
    not running or failing. When everything verifies and a key is set, a new checkpoint of the head is signed
    and written."""
    key = load_key()
    extra = _shipped_checkpoints(checkpoint_file)
    stale_after = (
        dt.timedelta(seconds=stale_after_s)
        if stale_after_s is not None
        else default_stale_after(checkpoint_interval())
    )
    with session_scope(db_url) as session:
        report = verify_audit(session, key, extra, stale_after=stale_after)
    written, not_written = None, None
    if report.ok and key is not None:
        try:
            with session_scope(db_url) as session:
                written = write_checkpoint(session, key, reason="verify", export=export_path())
        except CheckpointNotShipped as exc:
            not_written = str(exc)  # the verification's own result is still reported, with this beside it
    if fmt == "json":
        fields = {**summary(report), "checkpoint_written": written is not None}
        if not_written:
            fields["checkpoint_error"] = not_written
        click.echo(json.dumps(fields, ensure_ascii=False))
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
        if not_written:
            click.echo(f"PROBLEM: {not_written}", err=True)
    if not report.ok or not_written:
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


@audit.command("rebuild-notice-numbers")
@db_option
@checkpoints_option
@format_option
def rebuild_notice_numbers_command(db_url: str | None, checkpoint_file: Path | None, fmt: str) -> None:
    """Add to the notice number register every number the audit chain issued that it lacks (after a restore
    that lost it or left it behind the chain), in one transaction; running it again adds nothing.

    Refused, with nothing written (exit 2), when the chain does not verify (as `audit verify` checks it,
    checkpoints included when a key is set) or when the register holds a row the chain does not account for."""
    key = load_key()
    extra = _shipped_checkpoints(checkpoint_file)
    with session_scope(db_url) as session:
        report, found = rebuild_notice_register(session, key, extra)
    added = [f"{n.year}/{n.seq} {n.number}" for n in found.missing]
    if fmt == "json":
        result = {"added": added, "already_registered": found.registered, "warnings": report.warnings}
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for line in added:
        click.echo(f"added {line}")
    click.echo(
        f"notice number register rebuilt from {report.entries} audit entries: {len(added)} added, "
        f"{found.registered} already registered"
    )
