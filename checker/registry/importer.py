"""Import a registry file: validate everything first, then upsert by code key in the caller's transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checker.registry.models import (
    ChangeAction,
    Designation,
    DesignationChange,
    DesignationHolder,
    ImportBatch,
)
from checker.registry.schema import ValidDesignation, validate_records
from checker.registry.sources import read_registry_file
from markwatch.db import utcnow
from markwatch.errors import ConflictError

# Compared and recorded per field, in this order; `holders` is compared as a list of {name, uscc}.
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


def import_registry_file(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Validate the whole file, then add/update records by code key and record the batch (not on dry runs)."""
    source = read_registry_file(path)
    designations = validate_records(source)
    existing = _load_existing(session)
    changes: list[FieldChange] = []
    added = updated = 0
    for designation in designations:
        new_values = _incoming_values(designation)
        row = existing.get(designation.code_key)
        if row is None:
            added += 1
            changes.append(FieldChange(designation.data.code, designation.code_key, ChangeAction.ADDED))
            continue
        diffs = _diff(_row_values(row), new_values)
        if diffs:
            updated += 1
            changes.extend(
                FieldChange(row.code, row.code_key, ChangeAction.UPDATED, name, _json(old), _json(new))
                for name, old, new in diffs
            )
    report = ImportReport(
        file_name=source.name,
        sha256=source.sha256,
        added=added,
        updated=updated,
        unchanged=len(designations) - added - updated,
        changes=tuple(changes),
        batch_id=None,
        dry_run=dry_run,
    )
    if dry_run:
        return report
    batch_id = _write(session, report, designations, existing)
    return replace(report, batch_id=batch_id)


def _load_existing(session: Session) -> dict[str, Designation]:
    # The whole registry: a few dozen rows, and an IN list of every key would hit SQLite's parameter limit.
    return {row.code_key: row for row in session.scalars(select(Designation))}


def _write(
    session: Session,
    report: ImportReport,
    designations: list[ValidDesignation],
    existing: dict[str, Designation],
) -> int:
    batch = ImportBatch(
        file_name=report.file_name,
        sha256=report.sha256,
        imported_at=utcnow(),
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
    )
    session.add(batch)
    rows: dict[str, Designation] = {}
    for designation in designations:
        row = existing.get(designation.code_key)
        values = _incoming_values(designation)
        if row is None:
            row = Designation(code_key=designation.code_key, created_at=utcnow(), updated_at=utcnow())
            session.add(row)
            _assign(row, values)
        elif _diff(_row_values(row), values):
            _assign(row, values)
            row.updated_at = utcnow()
        rows[designation.code_key] = row
    try:
        session.flush()
    except IntegrityError as exc:
        # Another import added the same code between our read and our write.
        raise ConflictError(
            f"{report.file_name}: the registry changed during this import; nothing written, run it again"
        ) from exc
    for change in report.changes:
        session.add(
            DesignationChange(
                batch_id=batch.id,
                designation_id=rows[change.code_key].id,
                code_key=change.code_key,
                action=change.action.value,
                field=change.field,
                old_value=change.old,
                new_value=change.new,
            )
        )
    session.flush()
    return batch.id


def _incoming_values(designation: ValidDesignation) -> dict[str, Any]:
    data = designation.data
    return {
        "code": data.code,
        "number_key": designation.number_key,
        "year": designation.year,
        "title": data.title,
        "type": data.type.value,
        "holders": [{"name": h.name, "uscc": h.uscc} for h in data.holders],
        "designated_on": data.designated_on,
        "valid_until": data.valid_until,
        "revoked_on": data.revoked_on,
        "abolished_on": data.abolished_on,
        "pool_entered_on": data.pool_entered_on,
        "scope": list(data.scope),
        "source": data.source,
        "note": data.note,
    }


def _row_values(row: Designation) -> dict[str, Any]:
    values = {name: getattr(row, name) for name in _COLUMN_FIELDS}
    values["holders"] = [{"name": h.name, "uscc": h.uscc} for h in row.holders]
    values["scope"] = list(row.scope or [])
    return values


def _diff(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    return [(name, old[name], new[name]) for name in TRACKED_FIELDS if old[name] != new[name]]


def _assign(row: Designation, values: dict[str, Any]) -> None:
    for name in _COLUMN_FIELDS:
        setattr(row, name, values[name])
    holders = values["holders"]
    # Update holder rows in place: replacing them would insert before deleting and trip the
    # (designation_id, position) unique constraint.
    for position, holder in enumerate(holders):
        if position < len(row.holders):
            row.holders[position].name = holder["name"]
            row.holders[position].uscc = holder["uscc"]
        else:
            row.holders.append(DesignationHolder(position=position, name=holder["name"], uscc=holder["uscc"]))
    del row.holders[len(holders) :]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
