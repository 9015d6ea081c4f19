"""One case's audit entries as a self-contained JSON document, to attach to the case's file.

Every entry carries the fields its hash covers, its prev_hash and its hash, so whoever holds the file can
recompute each hash without markwatch (the recipe is in the file). A case's entries are a part of the one
chain: an entry's prev_hash is the hash of the chain's entry before it, which may belong to another case.
The document also names the chain's head at export and the latest signed checkpoint covering these entries,
which `markwatch audit verify` (or anyone holding the key) can check against the shipped checkpoint file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from markwatch.cases.audit import canonical_content, chain_length, entry_hash
from markwatch.cases.audit_models import AuditCheckpoint
from markwatch.cases.checkpoints import checkpoint_fields
from markwatch.cases.models import CaseEvent
from markwatch.cases.queries import case_events, get_case
from markwatch.db import utcnow

FORMAT = "markwatch.case-audit.v1"
HASH_RECIPE = (
    "hash = sha256(UTF-8 of JSON({seq, case_id, kind, actor, from_status, to_status, payload, created_at}, "
    "keys sorted, separators ',' and ':', non-ASCII unescaped) followed by prev_hash, as hex); prev_hash is "
    "the hash of chain entry seq - 1 (any case's), or 64 zeros for entry 1"
)


def case_audit(session: Session, case_id: int, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The audit document of case `case_id` (NotFoundError for an unknown case)."""
    case = get_case(session, case_id)
    entries = []
    for event in case_events(session, case_id):
        content = canonical_content(event)
        entries.append(
            {
                **content,
                "prev_hash": event.prev_hash,
                "hash": event.hash,
                # Recomputed now: False means the entry was changed after it was written.
                "hash_ok": entry_hash(content, event.prev_hash) == event.hash,
            }
        )
    head = session.execute(
        select(CaseEvent.seq, CaseEvent.hash).order_by(CaseEvent.seq.desc()).limit(1)
    ).first()
    last_seq = entries[-1]["seq"] if entries else 0
    checkpoint = session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.seq >= last_seq)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    return {
        "format": FORMAT,
        "exported_at": _iso(now or utcnow()),
        "case": {
            "id": case.id,
            "case_key": case.case_key,
            "status": case.status,
            "rule_id": case.rule_id,
            "page_url": case.page_url,
            "claimant": case.claimant,
        },
        "hash_recipe": HASH_RECIPE,
        "chain": {
            "length": chain_length(session),
            "head_seq": int(head[0]) if head else 0,
            "head_hash": str(head[1]) if head else None,
        },
        "checkpoint": checkpoint_fields(checkpoint) if checkpoint is not None else None,
        "entries_ok": all(entry["hash_ok"] for entry in entries),
        "entries": entries,
    }


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
