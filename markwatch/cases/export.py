"""CSV export of cases, safe to open in a spreadsheet (no formula injection), with each case's evidence.

The file starts with a UTF-8 byte-order mark: Excel and WPS on a Chinese Windows read a CSV without one as
GBK, and every Chinese cell (claimants, quotes) would be garbled.

An export cut by an error once rows were sent (the database failed between two batches) ends with one line
saying so, then the transfer is broken off (no end of the chunked body): a client that keeps what it got
despite the broken transfer still holds a file that says it is not the whole export.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.store.models import Snapshot
from markwatch.cases.models import Case, CaseFinding
from markwatch.cases.waivers import active_waiver
from sweeps.models import Finding

COLUMNS = (
    "id",
    "case_key",
    "status",
    "rule_id",
    "severity",
    "standard_code",
    "site",
    "page_url",
    "claimant",
    "assignee",
    "first_seen_at",
    "last_seen_at",
    "decided_at",
    "decision_reason",
    "rectification_due_at",
    "waived_until",
    "message",
    "confidence",
    # The latest finding's evidence: the mention as the page wrote it, its surrounding text, the archived
    # page's hash and the codec the page was read with (the quote is in that text).
    "evidence_quote",
    "evidence_snippet",
    "snapshot_sha256",
    "decoded_as",
    # page, or organisation: one organisation's claim, with every page it was seen on (one line each: the URL
    # and the SHA-256 of the page's newest snapshot), in the order first seen.
    "scope",
    "occurrences",
    "occurrence_pages",
)
BOM = "\ufeff"
INCOMPLETE_MARKER = (
    "# EXPORT INCOMPLETE: cut after {count} cases by an error ({error}); this file is not the whole export"
)
log = logging.getLogger(__name__)
# Cases per evidence query.
_BATCH = 500


@dataclass(frozen=True)
class LatestEvidence:
    """What the export shows of a case's most recent finding."""

    quote: str | None
    snippet: str | None
    snapshot_sha256: str | None
    decoded_as: str | None


# A spreadsheet evaluates a cell starting with one of these (and tab/CR, which some strip first).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell's text, prefixed with ' when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def case_row(
    case: Case, evidence: LatestEvidence | None = None, pages: list[tuple[str, str | None]] | None = None
) -> list[str]:
    """One case as guarded CSV cells in COLUMNS order; `pages`: its occurrences as (URL, snapshot SHA-256)."""
    waiver = active_waiver(case)
    values: dict[str, Any] = {
        **{name: getattr(case, name) for name in COLUMNS if hasattr(case, name)},
        "waived_until": waiver.expires_at if waiver else None,
    }
    if evidence is not None:
        values |= {
            "evidence_quote": evidence.quote,
            "evidence_snippet": evidence.snippet,
            "snapshot_sha256": evidence.snapshot_sha256,
            "decoded_as": evidence.decoded_as,
        }
    if pages is not None:
        values |= {
            "occurrences": len(pages),
            "occurrence_pages": "\n".join(f"{url} {sha256 or ''}".rstrip() for url, sha256 in pages),
        }
    return [safe_cell(values.get(name)) for name in COLUMNS]


def occurrence_pages(session: Session, case_ids: list[int]) -> dict[int, list[tuple[str, str | None]]]:
    """Per case id, each page it was seen on with its newest snapshot's SHA-256, in the order first seen
    (one query for the whole list)."""
    if not case_ids:
        return {}
    per_page = (CaseFinding.case_id, Finding.page_url)
    newest = (
        func.row_number()
        .over(partition_by=per_page, order_by=(Finding.observed_at.desc(), Finding.id.desc()))
        .label("newest")
    )
    first = func.min(Finding.observed_at).over(partition_by=per_page).label("first")
    ranked = (
        select(CaseFinding.case_id, Finding.page_url, Snapshot.body_sha256, newest, first)
        .join(Finding, Finding.id == CaseFinding.finding_id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(CaseFinding.case_id.in_(case_ids))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.case_id, ranked.c.page_url, ranked.c.body_sha256)
        .where(ranked.c.newest == 1)
        .order_by(ranked.c.case_id, ranked.c.first, ranked.c.page_url)
    )
    found: dict[int, list[tuple[str, str | None]]] = {}
    for case_id, page_url, sha256 in rows:
        found.setdefault(case_id, []).append((page_url or "", sha256))
    return found


def latest_evidence(session: Session, case_ids: list[int]) -> dict[int, LatestEvidence]:
    """Per case id, the evidence of its most recent finding (one query for the whole list)."""
    if not case_ids:
        return {}
    newest = (
        func.row_number()
        .over(partition_by=CaseFinding.case_id, order_by=(Finding.observed_at.desc(), Finding.id.desc()))
        .label("newest")
    )
    ranked = (
        select(CaseFinding.case_id, Finding.evidence, Snapshot.body_sha256, newest)
        .join(Finding, Finding.id == CaseFinding.finding_id)
        .outerjoin(Snapshot, Snapshot.id == Finding.snapshot_id)
        .where(CaseFinding.case_id.in_(case_ids))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.case_id, ranked.c.evidence, ranked.c.body_sha256).where(ranked.c.newest == 1)
    )
    found: dict[int, LatestEvidence] = {}
    for case_id, evidence, sha256 in rows:
        item = evidence if isinstance(evidence, dict) else {}
        found[case_id] = LatestEvidence(
            quote=_text(item.get("verbatim")),
            snippet=_text(item.get("snippet")),
            snapshot_sha256=sha256,
            decoded_as=_text(item.get("decoded_as")),
        )
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def csv_lines(cases: Iterable[Case], session: Session | None = None) -> Iterator[str]:
    """The header and one line per case, as text chunks for a streaming response; with a session, each
    case's latest evidence too (looked up _BATCH cases at a time)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    written, sent = 0, False
    try:
        for batch in _batches(cases):
            ids = [case.id for case in batch]
            evidence = latest_evidence(session, ids) if session is not None else {}
            pages = occurrence_pages(session, ids) if session is not None else {}
            for case in batch:
                writer.writerow(case_row(case, evidence.get(case.id), pages.get(case.id, [])))
                written += 1
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    sent = True
                    buffer.seek(0)
                    buffer.truncate()
    except Exception as exc:
        if not sent:
            raise  # nothing sent yet: the caller can still answer with the error instead
        log.error("case export cut after %d cases", written, exc_info=exc)
        writer.writerow([INCOMPLETE_MARKER.format(count=written, error=type(exc).__name__)])
        yield buffer.getvalue()
        raise
    yield buffer.getvalue()


def _batches(cases: Iterable[Case]) -> Iterator[list[Case]]:
    batch: list[Case] = []
    for case in cases:
        batch.append(case)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
