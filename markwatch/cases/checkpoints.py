"""Signed checkpoints of the audit chain, and the full audit verification.

The hash chain alone detects an edited or removed entry in the middle, but not a removed tail, nor a chain
rewritten from the start with fresh hashes: anyone who can write the database can recompute them. A
checkpoint records the chain's length and head hash, signed with HMAC-SHA256 under a key that is never in
the database (MARKWATCH_AUDIT_KEY, or the file named by MARKWATCH_AUDIT_KEY_FILE). Checkpoints are written
to the `audit_checkpoints` table and, when MARKWATCH_AUDIT_CHECKPOINT_FILE is set, appended as one JSON line
each to that file, which the operator ships off the machine (the database's copy can be deleted together
with the tail it vouches for; the shipped copy cannot).

`verify_audit` checks the chain, every checkpoint it is given against the chain (shorter: truncated;
different hash at the checkpoint's length: rewritten), and every case against what its entries say: that its
moves follow one from the other, and that its status, decision, deadline, assignee, confidence, comments and
waivers are the ones its entries record (a hand-edited row leaves no entry).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from markwatch.cases.audit import BrokenEntry, chain_length, verify_chain
from markwatch.cases.audit_models import AuditCheckpoint
from markwatch.cases.derive import case_problems
from markwatch.cases.models import Case, CaseEvent
from markwatch.cases.notice_numbers import register_problems
from markwatch.db import utcnow
from markwatch.errors import ExecutionError, InputError

KEY_ENV = "MARKWATCH_AUDIT_KEY"
KEY_FILE_ENV = "MARKWATCH_AUDIT_KEY_FILE"
EXPORT_ENV = "MARKWATCH_AUDIT_CHECKPOINT_FILE"
# The API's checkpoint interval (api/settings.py audit_checkpoint_seconds, read from the same variable).
INTERVAL_ENV = "MARKWATCH_AUDIT_CHECKPOINT_SECONDS"
DEFAULT_INTERVAL_S = 300.0
MIN_KEY_LENGTH = 32
# Bound into every signature so a checkpoint can never be mistaken for another signed thing.
_PURPOSE = "markwatch-audit-checkpoint-v1"


@dataclass(frozen=True)
class AuditKey:
    """The checkpoint signing key; `key_id` names it without revealing it."""

    secret: bytes

    @property
    def key_id(self) -> str:
        """First 16 hex digits of the key's sha256: tells keys apart in checkpoints."""
        return hashlib.sha256(b"key-id\x00" + self.secret).hexdigest()[:16]

    def sign(self, seq: int, head_hash: str, created_at: dt.datetime) -> str:
        """HMAC-SHA256 over the checkpoint's canonical content."""
        message = json.dumps(
            [_PURPOSE, seq, head_hash, _iso(created_at)], separators=(",", ":"), ensure_ascii=True
        ).encode("ascii")
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()


def load_key(environ: Mapping[str, str] | None = None) -> AuditKey | None:
    """The key from MARKWATCH_AUDIT_KEY_FILE or MARKWATCH_AUDIT_KEY, or None when neither is set."""
    env = os.environ if environ is None else environ
    path = env.get(KEY_FILE_ENV)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read the audit key file: {exc.strerror}", source=path) from None
        source = path
    else:
        text = env.get(KEY_ENV, "").strip()
        source = KEY_ENV
        if not text:
            return None
    if len(text) < MIN_KEY_LENGTH:
        raise InputError(f"the audit key must be at least {MIN_KEY_LENGTH} characters", source=source)
    return AuditKey(text.encode("utf-8"))


def export_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where checkpoints are also appended (MARKWATCH_AUDIT_CHECKPOINT_FILE), if anywhere."""
    env = os.environ if environ is None else environ
    value = env.get(EXPORT_ENV)
    return Path(value) if value else None


def _head(session: Session) -> tuple[int, str] | None:
    row = session.execute(
        select(CaseEvent.seq, CaseEvent.hash).order_by(CaseEvent.seq.desc()).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def checkpoint_fields(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """One checkpoint as exported (the checkpoint file's lines, a case's audit record)."""
    return {
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "created_at": _iso(checkpoint.created_at),
        "reason": checkpoint.reason,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def checkpoint_line(checkpoint: AuditCheckpoint) -> str:
    """One checkpoint as the JSON line of the export file."""
    return json.dumps(checkpoint_fields(checkpoint), separators=(",", ":"))


class CheckpointNotShipped(ExecutionError):
    """A checkpoint could not be appended to the export file (a full disk, a read-only directory); the
    transaction that signed it is rolled back, so the table holds no checkpoint the shipped file lacks."""


def append_export(path: Path, checkpoints: Iterable[AuditCheckpoint]) -> None:
    """Append checkpoints to the export file (O_APPEND: never rewrites what is there)."""
    lines = "".join(checkpoint_line(c) + "\n" for c in checkpoints)
    if not lines:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, lines.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise CheckpointNotShipped(
            f"no checkpoint was written: cannot append to {path} ({EXPORT_ENV}): {exc.strerror or exc}"
        ) from exc


def write_checkpoint(
    session: Session, key: AuditKey, *, reason: str, export: Path | None = None, force: bool = False
) -> AuditCheckpoint | None:
    """Sign the current head (flushed, not committed); None when the head has not moved since the last one.

    An empty chain is checkpointed too (seq 0): it proves the chain was empty then, not emptied later."""
    head = _head(session) or (0, "0" * 64)
    latest = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    if (
        not force
        and latest is not None
        and (latest.seq, latest.head_hash, latest.key_id) == (*head, key.key_id)
    ):
        return None
    now = utcnow()
    checkpoint = AuditCheckpoint(
        seq=head[0],
        head_hash=head[1],
        created_at=now,
        reason=reason,
        key_id=key.key_id,
        signature=key.sign(head[0], head[1], now),
    )
    session.add(checkpoint)
    session.flush()
    if export is not None:
        append_export(export, [checkpoint])
    return checkpoint


@dataclass(frozen=True)
class SignedHead:
    """A checkpoint as read back, from the database or the export file."""

    seq: int
    head_hash: str
    created_at: dt.datetime
    key_id: str
    signature: str
    origin: str

    def valid_under(self, key: AuditKey) -> bool:
        """The signature is the key's."""
        expected = key.sign(self.seq, self.head_hash, self.created_at)
        return self.key_id == key.key_id and hmac.compare_digest(expected, self.signature)


def read_export(path: Path) -> list[SignedHead]:
    """Every checkpoint line of an export file (InputError naming the line when one is malformed)."""
    heads = []
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the checkpoint file: {exc}", source=str(path)) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            heads.append(
                SignedHead(
                    seq=int(data["seq"]),
                    head_hash=str(data["head_hash"]),
                    created_at=dt.datetime.fromisoformat(data["created_at"]),
                    key_id=str(data["key_id"]),
                    signature=str(data["signature"]),
                    origin=f"{path.name} line {number}",
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(
                f"not a checkpoint line: {exc}", source=str(path), where=f"line {number}"
            ) from None
    return heads


@dataclass
class AuditReport:
    """What `verify_audit` found; `ok` when nothing."""

    entries: int
    broken: BrokenEntry | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checkpoints_checked: int = 0
    latest_checkpoint: SignedHead | None = None
    cases_checked: int = 0
    # Entries past the latest valid checkpoint (all of them when there is none), and when the oldest was written.
    unsigned_entries: int = 0
    oldest_unsigned_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        """Nothing was found wrong."""
        return self.broken is None and not self.problems


def check_case_states(session: Session, report: AuditReport) -> None:
    """Report every case whose row, comments or waivers its entries do not account for, every case whose
    moves do not follow one from the other (cases/derive.py), and every notice number the register holds
    otherwise than the chain issued it (cases/notice_numbers.py)."""
    report.cases_checked = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    report.problems.extend(case_problems(session))
    report.problems.extend(register_problems(session))


def _stored_heads(session: Session) -> list[SignedHead]:
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))
    return [
        SignedHead(r.seq, r.head_hash, r.created_at, r.key_id, r.signature, f"checkpoint {r.id}")
        for r in rows
    ]


def _check_heads(session: Session, heads: list[SignedHead], key: AuditKey, report: AuditReport) -> None:
    valid: list[SignedHead] = []
    for head in heads:
        if head.key_id != key.key_id:
            report.warnings.append(f"{head.origin} is signed with another key ({head.key_id}): not checked")
        elif not head.valid_under(key):
            report.problems.append(f"{head.origin} has a wrong signature: it was forged or altered")
        else:
            valid.append(head)
    report.checkpoints_checked = len(valid)
    if not valid:
        report.warnings.append("no valid checkpoint yet: a removed tail could not be detected")
        return
    report.latest_checkpoint = max(valid, key=lambda h: (h.seq, h.created_at))
    wanted = {h.seq for h in valid if h.seq > 0}
    hashes: dict[int, str] = {}
    if wanted:
        query = select(CaseEvent.seq, CaseEvent.hash).where(CaseEvent.seq.in_(wanted))
        for seq, digest in session.execute(query):
            hashes[seq] = digest
    for head in sorted(valid, key=lambda h: h.seq):
        when = _iso(head.created_at)
        if head.seq > report.entries:
            report.problems.append(
                f"truncated: {head.origin} ({when}) vouches for {head.seq} entries, the chain has {report.entries}"
            )
            break
        if head.seq and hashes.get(head.seq) != head.head_hash:
            report.problems.append(
                f"rewritten: entry {head.seq} does not have the hash {head.origin} ({when}) signed"
            )
            break


def verify_audit(
    session: Session,
    key: AuditKey | None,
    extra: Iterable[SignedHead] = (),
    *,
    states: bool = True,
    stale_after: dt.timedelta | None = None,
) -> AuditReport:
    """Chain links and hashes, checkpoints (database and `extra`, e.g. an export file), case statuses.

    With `stale_after`, entries left out of every signed checkpoint for longer than that are reported (a
    warning): checkpoints are due every interval, so the writer that should have signed them is not running or
    failing, and a removed tail among those entries would go unnoticed."""
    report = AuditReport(entries=chain_length(session))
    report.broken = verify_chain(session)
    if key is None:
        report.warnings.append(
            f"no audit key ({KEY_ENV} or {KEY_FILE_ENV}): checkpoints cannot be checked, so a removed tail "
            "or a rewritten chain would go unnoticed"
        )
    else:
        _check_heads(session, [*_stored_heads(session), *extra], key, report)
        _check_unsigned(session, report, stale_after)
    if states:
        check_case_states(session, report)
    return report


def checkpoint_interval(environ: Mapping[str, str] | None = None) -> float:
    """The API's checkpoint interval in seconds (0: it writes none); InputError naming the variable."""
    raw = (os.environ if environ is None else environ).get(INTERVAL_ENV, "").strip()
    if not raw:
        return DEFAULT_INTERVAL_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not (seconds >= 0 and seconds != float("inf")):
        raise InputError(
            f"{INTERVAL_ENV} must be a number of seconds >= 0, not {raw!r}", source="environment"
        )
    return seconds


def default_stale_after(interval_s: float) -> dt.timedelta | None:
    """How long an entry may wait for a checkpoint before verify says the writer is behind: two intervals
    and a minute (a write in flight, a restart); None when the API writes no periodic checkpoints."""
    return dt.timedelta(seconds=2 * interval_s + 60) if interval_s > 0 else None


def _check_unsigned(session: Session, report: AuditReport, stale_after: dt.timedelta | None) -> None:
    signed_up_to = report.latest_checkpoint.seq if report.latest_checkpoint is not None else 0
    count, oldest = session.execute(
        select(func.count(), func.min(CaseEvent.created_at)).where(CaseEvent.seq > signed_up_to)
    ).one()
    report.unsigned_entries, report.oldest_unsigned_at = int(count or 0), oldest
    if stale_after is None or oldest is None or report.latest_checkpoint is None:
        return  # with no valid checkpoint at all, _check_heads has already said so
    waited = utcnow() - oldest
    if waited > stale_after:
        report.warnings.append(
            f"{report.unsigned_entries} entries are in no signed checkpoint, the oldest written {_iso(oldest)} "
            f"({_duration(waited)} ago) while one is due every {_duration(stale_after)} at most: the periodic "
            "checkpoint writer is not running or failing (the API log says why), and a removed tail among "
            "them would go unnoticed"
        )


def _duration(value: dt.timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds / 3600:.1f} h"


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def summary(report: AuditReport) -> dict[str, Any]:
    """The report as plain data (for --format json)."""
    latest = report.latest_checkpoint
    return {
        "ok": report.ok,
        "entries": report.entries,
        "broken": str(report.broken) if report.broken else None,
        "problems": report.problems,
        "warnings": report.warnings,
        "checkpoints_checked": report.checkpoints_checked,
        "latest_checkpoint": None if latest is None else {"seq": latest.seq, "at": _iso(latest.created_at)},
        "cases_checked": report.cases_checked,
        "unsigned_entries": report.unsigned_entries,
        "oldest_unsigned_at": None if report.oldest_unsigned_at is None else _iso(report.oldest_unsigned_at),
    }
