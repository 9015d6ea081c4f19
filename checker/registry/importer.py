"""Import a registry file: validate everything first, then write the difference by code key, in bulk.

One pass over the file validates each record and keeps, per changed record, its values as a compact tuple;
the registry's rows are read once as tuples too; then the added and changed records are written in chunks
of bulk INSERT/UPDATE statements, in the caller's transaction. Imports go one at a time (a lock held until
the caller's transaction ends), so two first imports of one file both succeed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checker.registry.models import (
    ChangeAction,
    Designation,
    DesignationChange,
    DesignationHolder,
    ImportBatch,
)
from checker.registry.schema import Validator, ValidDesignation
from checker.registry.sources import read_registry_file
from markwatch.db import hold_until_transaction_ends, utcnow
from markwatch.errors import ConflictError

# Compared and recorded per field, in this order; `holders` is compared as a list of
# {name, uscc, english_names, former_names}.
TRACKED_FIELDS = (
    "code",
    "number_key",
    "year",
    "title",
    "type",
    "holders",
    "designated_on",
    "valid_until",
    "revoked_on",
    "abolished_on",
    "pool_entered_on",
    "scope",
    "source",
    "note",
)
_COLUMN_FIELDS = tuple(f for f in TRACKED_FIELDS if f != "holders")
_HOLDERS = TRACKED_FIELDS.index("holders")
_SCOPE = TRACKED_FIELDS.index("scope")
# Rows per bulk statement: well under SQLite's 32,766 bound parameters for every table written.
CHUNK = 500
# Records between two progress reports.
PROGRESS_EVERY = 10_000
IMPORT_LOCK = "registry-import"

# A record's tracked values in TRACKED_FIELDS order; holders as HolderValues, scope as a tuple.
Values = tuple[Any, ...]
# One holder: name, uscc, English names, former names (the name lists as tuples).
HolderValues = tuple[str, str | None, tuple[str, ...], tuple[str, ...]]
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class FieldChange:
    """One change an import makes: a record added, or one field of a record updated (values as JSON)."""

    code: str
    code_key: str
    action: ChangeAction
    field: str | None = None
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    file_name: str
    sha256: str
    added: int
    updated: int
    unchanged: int
    changes: tuple[FieldChange, ...]
    batch_id: int | None
    dry_run: bool


@dataclass(frozen=True)
class _Existing:
    id: int
    values: Values


def import_registry_file(
    session: Session, path: Path, *, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Validate the whole file, then add/update records by code key and record the batch (not on dry runs).

    `progress(stage, count)` is called every PROGRESS_EVERY records and at the end of each stage."""
    report_progress = progress or (lambda stage, count: None)
    source = read_registry_file(path)
    if not dry_run:
        hold_until_transaction_ends(session, IMPORT_LOCK)
    existing = _load_existing(session)
    validator = Validator(source.name)
    added: list[tuple[str, Values]] = []
    updated: list[tuple[str, Values]] = []
    total = 0
    for record in source.records():
        total += 1
        if not total % PROGRESS_EVERY:
            report_progress("validated", total)
        designation = validator.check(record)
        if designation is None or validator.problems:
            continue  # once a problem is found nothing is written: only keep validating
        values = _incoming_values(designation)
        row = existing.get(designation.code_key)
        if row is None:
            added.append((designation.code_key, values))
        elif row.values != values:
            updated.append((designation.code_key, values))
    validator.raise_if_any()
    report_progress("validated", total)
    changes = [FieldChange(values[0], key, ChangeAction.ADDED) for key, values in added]
    for key, values in updated:
        old = existing[key].values
        changes.extend(
            FieldChange(old[0], key, ChangeAction.UPDATED, name, _json(before), _json(after))
            for name, before, after in zip(TRACKED_FIELDS, _plain(old), _plain(values), strict=True)
            if before != after
        )
    report = ImportReport(
        file_name=source.name,
        sha256=source.sha256,
        added=len(added),
        updated=len(updated),
        unchanged=total - len(added) - len(updated),
        changes=tuple(changes),
        batch_id=None,
        dry_run=dry_run,
    )
    if dry_run:
        return report
    batch_id = _write(session, report, added, updated, existing, report_progress)
    return replace(report, batch_id=batch_id)


def _load_existing(session: Session) -> dict[str, _Existing]:
    """Every registry row as tuples: two queries, no ORM objects."""
    holders: dict[int, list[HolderValues]] = {}
    for designation_id, name, uscc, english, former in session.execute(
        select(
            DesignationHolder.designation_id,
            DesignationHolder.name,
            DesignationHolder.uscc,
            DesignationHolder.english_names,
            DesignationHolder.former_names,
        ).order_by(DesignationHolder.designation_id, DesignationHolder.position)
    ):
        holders.setdefault(designation_id, []).append((name, uscc, tuple(english or ()), tuple(former or ())))
    columns = [getattr(Designation, name) for name in _COLUMN_FIELDS]
    existing: dict[str, _Existing] = {}
    for row in session.execute(select(Designation.id, Designation.code_key, *columns)):
        designation_id, key, *values = row
        by_name = dict(zip(_COLUMN_FIELDS, values, strict=True))
        by_name["holders"] = tuple(holders.get(designation_id, ()))
        by_name["scope"] = tuple(by_name["scope"] or ())
        existing[key] = _Existing(designation_id, tuple(by_name[name] for name in TRACKED_FIELDS))
    return existing


def _incoming_values(designation: ValidDesignation) -> Values:
    data = designation.data
    return (
        data.code,
        designation.number_key,
        designation.year,
        data.title,
        data.type.value,
        tuple((h.name, h.uscc, tuple(h.english_names), tuple(h.former_names)) for h in data.holders),
        data.designated_on,
        data.valid_until,
        data.revoked_on,
        data.abolished_on,
        data.pool_entered_on,
        tuple(data.scope),
        data.source,
        data.note,
    )


def _plain(values: Values) -> list[Any]:
    """Values as the change log records them: holders as [{name, uscc, english_names, former_names}] (the
    name lists only when registered, so a log written before they existed reads the same), scope as a list."""
    plain = list(values)
    plain[_HOLDERS] = [_plain_holder(holder) for holder in values[_HOLDERS]]
    plain[_SCOPE] = list(values[_SCOPE])
    return plain


def _plain_holder(holder: HolderValues) -> dict[str, Any]:
    name, uscc, english, former = holder
    plain: dict[str, Any] = {"name": name, "uscc": uscc}
    if english:
        plain["english_names"] = list(english)
    if former:
        plain["former_names"] = list(former)
    return plain


def _columns(values: Values) -> dict[str, Any]:
    row = dict(zip(TRACKED_FIELDS, values, strict=True))
    del row["holders"]
    row["scope"] = list(row["scope"])
    return row


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _write(
    session: Session,
    report: ImportReport,
    added: list[tuple[str, Values]],
    updated: list[tuple[str, Values]],
    existing: dict[str, _Existing],
    progress: Progress,
) -> int:
    now = utcnow()
    batch = ImportBatch(
        file_name=report.file_name,
        sha256=report.sha256,
        imported_at=now,
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    session.add(batch)
    try:
        session.flush()
        ids = {key: row.id for key, row in existing.items()}
        written = 0
        for chunk in _chunks(added):
            inserted = session.execute(
                insert(Designation).returning(Designation.id, Designation.code_key),
                [
                    {"code_key": key, **_columns(values), "created_at": now, "updated_at": now}
                    for key, values in chunk
                ],
            )
            ids.update({key: designation_id for designation_id, key in inserted})
            _insert_holders(session, [(ids[key], values) for key, values in chunk])
            written += len(chunk)
            if not written % PROGRESS_EVERY:
                progress("written", written)
        for chunk in _chunks(updated):
            session.execute(
                update(Designation),
                [{"id": ids[key], **_columns(values), "updated_at": now} for key, values in chunk],
            )
            # Replace the holders: delete first, so (designation_id, position) never collides.
            session.execute(
                delete(DesignationHolder).where(
                    DesignationHolder.designation_id.in_([ids[key] for key, _ in chunk])
                )
            )
            _insert_holders(session, [(ids[key], values) for key, values in chunk])
            written += len(chunk)
        for chunk in _chunks(report.changes):
            session.execute(
                insert(DesignationChange),
                [
                    {
                        "batch_id": batch.id,
                        "designation_id": ids[change.code_key],
                        "code_key": change.code_key,
                        "action": change.action.value,
                        "field": change.field,
                        "old_value": change.old,
                        "new_value": change.new,
                    }
                    for change in chunk
                ],
            )
    except IntegrityError as exc:
        # Another writer added the same code between our read and our write (imports themselves wait
        # their turn, so this is a writer that does not take the import lock).
        raise ConflictError(
            f"{report.file_name}: the registry changed during this import; nothing written, run it again"
        ) from exc
    progress("written", written)
    # Rows written behind the ORM's back: objects a caller loaded earlier must be read again.
    session.expire_all()
    return batch.id


def _insert_holders(session: Session, rows: list[tuple[int, Values]]) -> None:
    holders = [
        {
            "designation_id": designation_id,
            "position": position,
            "name": name,
            "uscc": uscc,
            "english_names": list(english),
            "former_names": list(former),
        }
        for designation_id, values in rows
        for position, (name, uscc, english, former) in enumerate(values[_HOLDERS])
    ]
    if holders:
        session.execute(insert(DesignationHolder), holders)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_date)


def _date(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)
