"""Notice numbers: per year, from 1 without gaps, unique however many inspectors issue at once.

The audit chain is the source of truth: every `notice_issued` entry holds its number and the day it was issued,
and the n-th such entry of a year (in chain order) took the year's number n. The `notice_numbers` register
holds the same, one row per entry, so that the next number is one index lookup under the case-write lock
(counting the entries meant reading every issued document, whole, while every other writer waited).
`audit verify` rebuilds the register from the chain and names every row that disagrees.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from markwatch.cases.audit import serialise_case_writes
from markwatch.cases.models import CaseEvent, NoticeNumber
from markwatch.cases.sent import NOTICE_EVENT


@dataclass(frozen=True)
class Numbered:
    """One issued notice's place in its year's register."""

    year: int
    seq: int
    event_id: int
    number: str


def next_seq(session: Session, year: int) -> int:
    """The year's next number, read under the lock every case write takes until it commits (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: the chain's advisory lock), so no other issuer can take the same one."""
    serialise_case_writes(session)
    last = session.scalar(select(func.max(NoticeNumber.seq)).where(NoticeNumber.year == year))
    return int(last or 0) + 1


def record(session: Session, *, year: int, seq: int, event: CaseEvent, number: str) -> None:
    """Enter an issued notice (its audit entry flushed) in the register, in the same transaction."""
    session.add(NoticeNumber(year=year, seq=seq, event_id=event.id, number=number))
    session.flush()


def from_chain(session: Session) -> list[Numbered]:
    """The register as the audit chain gives it: each year's notice entries numbered 1, 2, … in chain order.
    Only the number and the day are read out of each entry (in SQL), never its document."""
    query = (
        select(
            CaseEvent.id,
            CaseEvent.payload["issued_on"].as_string(),
            CaseEvent.payload["number"].as_string(),
        )
        .where(CaseEvent.kind == NOTICE_EVENT)
        .order_by(CaseEvent.seq)
    )
    counts: dict[int, int] = {}
    numbered = []
    for event_id, issued_on, number in session.execute(query):
        year = _year(issued_on)
        if year is None:
            continue  # not dated: it never took a number of any year (the count before the register skipped it)
        counts[year] = counts.get(year, 0) + 1
        numbered.append(Numbered(year, counts[year], int(event_id), str(number or "")))
    return numbered


def register_problems(session: Session) -> list[str]:
    """Every way the stored register differs from the one the chain gives (empty when they agree)."""
    stored = {
        (row.year, row.seq): row
        for row in session.scalars(select(NoticeNumber).order_by(NoticeNumber.year, NoticeNumber.seq))
    }
    problems = []
    for want in from_chain(session):
        row = stored.pop((want.year, want.seq), None)
        if row is None:
            problems.append(
                f"notice number {want.year}/{want.seq} (entry id {want.event_id}) is missing from the register"
            )
        elif (row.event_id, row.number) != (want.event_id, want.number):
            problems.append(
                f"notice number {want.year}/{want.seq} is registered as {row.number!r} (entry id {row.event_id}), "
                f"but the chain's entry id {want.event_id} issued {want.number!r}"
            )
    for (year, seq), row in stored.items():
        problems.append(f"notice number {year}/{seq} ({row.number!r}) is registered but no entry issued it")
    return problems


def _year(issued_on: str | None) -> int | None:
    head = (issued_on or "")[:5]
    return int(head[:4]) if len(head) == 5 and head[:4].isdigit() and head[4] == "-" else None
