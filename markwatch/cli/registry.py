"""`markwatch registry`: import the designation list, list and show records, review import history."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from checker.registry import (
    ChangeAction,
    DesignationRecord,
    DesignationStatus,
    DesignationType,
    Holder,
    ImportBatch,
    ImportReport,
    RegistryIndex,
    import_registry_file,
)
from checker.registry.importer import PROGRESS_EVERY
from checker.registry.problems import RegistryProblemsError
from checker.registry.sources import CSV_LIST_SEPARATOR, csv_holder_text
from markwatch.cases.export import safe_cell
from markwatch.cli.options import db_option
from markwatch.db import session_scope
from markwatch.errors import InputError, NotFoundError, RegistryImportError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if _ISO_DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        self.fail(f"{value!r} is not a date: use YYYY-MM-DD, e.g. 2024-05-01", param, ctx)


def today_utc() -> dt.date:
    """Today's date in UTC (the date every timestamp in markwatch is kept in)."""
    return dt.datetime.now(dt.UTC).date()


as_of_option = click.option(
    "--as-of", type=IsoDate(), default=None, help="Date to compute the status on (default: today, UTC)."
)
format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True
)
# Columns of `registry list --format csv`: the import file's columns, plus the status on the day.
CSV_COLUMNS = (
    "code",
    "title",
    "type",
    "status",
    "designated_on",
    "valid_until",
    "revoked_on",
    "abolished_on",
    "pool_entered_on",
    "holders",
    "scope",
    "source",
    "note",
)


@click.group("registry")
def registry() -> None:
    """The registry of 上海标准 designations."""


@registry.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and show the changes without writing anything.")
@click.option(
    "--errors-file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="On invalid records, write every problem to this file (the error shows the first 20).",
)
@db_option
def import_command(file: Path, dry_run: bool, errors_file: Path | None, db_url: str | None) -> None:
    """Import designations from a YAML, JSON or CSV file (all or nothing; matched by code)."""
    try:
        with session_scope(db_url) as session:
            report = import_registry_file(session, file, dry_run=dry_run, progress=_progress)
    except RegistryProblemsError as exc:
        if errors_file is not None:
            _write_problems(errors_file, exc)
            raise RegistryImportError(
                f"{len(exc.problems):,} problems, nothing imported; all of them are in {errors_file}",
                source=exc.source,
            ) from exc
        raise
    click.echo(_import_summary(report))
    for change in report.changes[:SHOWN_CHANGES]:
        if change.action is ChangeAction.ADDED:
            click.echo(f"  + {change.code}")
        else:
            click.echo(f"  ~ {change.code}  {change.field}: {change.old} -> {change.new}")
    hidden = len(report.changes) - SHOWN_CHANGES
    if hidden > 0:
        where = (
            f"markwatch registry history --batch {report.batch_id}" if report.batch_id else "a real import"
        )
        click.echo(f"  … and {hidden:,} more change(s): see {where}")


# Changes listed after an import; a 100,000-record first import lists its first few and a count.
SHOWN_CHANGES = 20


def _progress(stage: str, count: int) -> None:
    # Only big files report progress: the official list of a few dozen records imports in a blink.
    if count >= PROGRESS_EVERY:
        click.echo(f"{stage} {count:,} records…", err=True)


def _write_problems(path: Path, error: RegistryProblemsError) -> None:
    try:
        with path.open("w", encoding="utf-8") as out:
            for problem in error.problems:
                out.write(f"{error.source}: {problem.line()}\n")
    except OSError as exc:
        raise InputError(f"cannot write the problems: {exc.strerror or exc}", source=str(path)) from exc


def _import_summary(report: ImportReport) -> str:
    counts = f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    if report.dry_run:
        return f"dry run of {report.file_name}, nothing written: {counts}"
    return f"imported {report.file_name} (sha256 {report.sha256[:12]}, batch {report.batch_id}): {counts}"


@registry.command("list")
@click.option("--status", type=click.Choice([s.value for s in DesignationStatus]), default=None)
@click.option(
    "--type", "designation_type", type=click.Choice([t.value for t in DesignationType]), default=None
)
@as_of_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv"]),
    default="text",
    show_default=True,
    help="csv: for spreadsheets (cells a spreadsheet would run as formulas are neutralised).",
)
@db_option
def list_command(
    status: str | None,
    designation_type: str | None,
    as_of: dt.date | None,
    output_format: str,
    db_url: str | None,
) -> None:
    """List designations with their status on a date."""
    day = as_of or today_utc()
    with session_scope(db_url) as session:
        index = RegistryIndex.load(session)
    rows = [
        (record, record.status_as_of(day))
        for record in index.records
        if designation_type is None or record.type.value == designation_type
    ]
    rows = [(record, state) for record, state in rows if status is None or state.value == status]
    if output_format == "json":
        payload = {"as_of": day.isoformat(), "designations": [_json_record(r, s) for r, s in rows]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if output_format == "csv":
        click.echo(_csv(rows), nl=False)
        return
    click.echo(f"{'CODE':<22} {'TYPE':<16} {'STATUS':<14} {'DESIGNATED':<10}  {'VALID UNTIL':<11} TITLE")
    for record, state in rows:
        click.echo(
            f"{record.code:<22} {record.type.value:<16} {state.value:<14} "
            f"{_day(record.designated_on):<10}  {_day(record.valid_until):<11} {record.title}"
        )
    click.echo(f"{len(rows)} designation(s), status as of {day.isoformat()}")


@registry.command("show")
@click.argument("code")
@as_of_option
@format_option
@db_option
def show_command(code: str, as_of: dt.date | None, output_format: str, db_url: str | None) -> None:
    """Show one designation; CODE may be any spelling (full-width, any dash, no space)."""
    day = as_of or today_utc()
    with session_scope(db_url) as session:
        index = RegistryIndex.load(session)
    record = index.find(code)
    if record is None:
        raise NotFoundError(index.not_found_message(code))
    others = tuple(r for r in index.by_number_key(record.number_key) if r is not record)
    if output_format == "json":
        payload = _json_record(record, record.status_as_of(day))
        payload["as_of"] = day.isoformat()
        payload["other_editions"] = [r.code for r in others]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"{record.code}  {record.title}")
    lines = [
        ("key", record.code_key),
        ("type", record.type.value),
        ("status", f"{record.status_as_of(day).value} (as of {day.isoformat()})"),
        ("designated on", _day(record.designated_on)),
        ("valid until", _day(record.valid_until)),
        ("revoked on", _day(record.revoked_on)),
        ("abolished on", _day(record.abolished_on)),
        ("pool entered on", _day(record.pool_entered_on)),
        (
            "holders",
            "; ".join(_holder_line(h) for h in record.holders) or "-",
        ),
        ("scope", "; ".join(record.scope) or "-"),
        ("source", record.source or "-"),
        ("note", record.note or "-"),
        ("other editions", ", ".join(f"{r.code} ({r.status_as_of(day).value})" for r in others) or "-"),
    ]
    for label, value in lines:
        click.echo(f"  {label:<16} {value}")


@registry.command("history")
@click.option("--batch", "batch_id", type=int, default=None, help="Show the changes one batch made.")
@db_option
def history_command(batch_id: int | None, db_url: str | None) -> None:
    """List import batches (newest first), or the field changes of one batch."""
    with session_scope(db_url) as session:
        if batch_id is not None:
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                raise NotFoundError(f"no import batch {batch_id}")
            click.echo(_batch_line(batch))
            for change in batch.changes:
                if change.action == ChangeAction.ADDED:
                    click.echo(f"  + {change.code_key}")
                else:
                    click.echo(
                        f"  ~ {change.code_key}  {change.field}: {change.old_value} -> {change.new_value}"
                    )
            return
        batches = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).all()
        for batch in batches:
            click.echo(_batch_line(batch))
        click.echo(f"{len(batches)} import batch(es)")


def _holder_line(holder: Holder) -> str:
    line = holder.name + (f" (USCC {holder.uscc})" if holder.uscc else "")
    if holder.english_names:
        line += f" [English: {' / '.join(holder.english_names)}]"
    if holder.former_names:
        line += f" [formerly: {' / '.join(holder.former_names)}]"
    return line


def _batch_line(batch: ImportBatch) -> str:
    when = batch.imported_at.strftime("%Y-%m-%d %H:%M:%SZ")
    return (
        f"batch {batch.id}  {when}  {batch.file_name}  sha256 {batch.sha256[:12]}  "
        f"{batch.added} added, {batch.updated} updated, {batch.unchanged} unchanged"
    )


def _csv(rows: list[tuple[DesignationRecord, DesignationStatus]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record, state in rows:
        values = {**record.to_dict(), "status": state.value}
        # English and former names too: a list exported and imported again keeps every holder field.
        values["holders"] = CSV_LIST_SEPARATOR.join(csv_holder_text(h) for h in record.to_dict()["holders"])
        values["scope"] = ";".join(record.scope)
        # Registry text comes from files anyone may have edited: a title starting with "=" stays data.
        writer.writerow([safe_cell(values.get(name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


def _json_record(record: DesignationRecord, state: DesignationStatus) -> dict[str, Any]:
    return {**record.to_dict(), "status": state.value}


def _day(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "-"
