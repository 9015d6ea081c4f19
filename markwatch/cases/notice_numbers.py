"""Notice numbers: per year, from 1 without gaps, unique however many inspectors issue at once.

The audit chain is the source of truth: every `notice_issued` entry holds its number and the day it was issued,
and the n-th such entry of a year (in chain order) took the year's number n. The `notice_numbers` register
holds the same, one row per entry, so that the next number is one index lookup under the case-write lock
(counting the entries meant reading every issued document, whole, while every other writer waited).
`audit verify` rebuilds the register from the chain and names every row that disagrees; `rebuild` adds the rows
a restore lost (the register is append-only, like the chain, so a row that disagrees is refused, never rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from markwatch.cases.audit import serialise_case_writes
from markwatch.cases.models import CaseEvent, NoticeNumber
from markwatch.cases.sent import NOTICE_EVENT
from markwatch.errors import ConflictError, NotReady


@dataclass(frozen=True)
class Numbered:
    """One issued notice's place in its year's register."""

    year: int
    seq: int
    event_id: int
    number: str


class RegisterBehind(NotReady):
    """The chain holds a notice entry the register lacks (a restore left it behind): the register's next
    number may be one already issued, so nothing is numbered until an operator rebuilds it."""

    def __init__(self, event_id: int) -> None:
        super().__init__(
            f"the notice number register is behind the audit chain (notice entry id {event_id} is not in it, "
            "as after a restore): no notice is numbered, so none takes a number already issued; an operator "
            "runs `markwatch audit rebuild-notice-numbers`, then the notice can be issued again"
        )


def next_seq(session: Session, year: int) -> int:
    """The year's next number, read under the lock every case write takes until it commits (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: the chain's advisory lock), so no other issuer can take the same one.
    RegisterBehind when a notice entry came after the register's last, or one of this year after the year's
    last registered one (a row lost in the register's middle): its number would be given twice."""
    serialise_case_writes(session)
    _refuse_when_behind(session)
    _refuse_when_year_tail_lost(session, year)
    return _after_last(session, year)


def _refuse_when_year_tail_lost(session: Session, year: int) -> None:
    # A row lost from the middle of the register may be its year's last (2025/2 lost while 2026/1 stays): the
    # year's highest is then one too low and max+1 is a number already issued. Such an entry lies after the
    # year's last registered one; only the notice entries there the register lacks are read (their day), and
    # the range is short: the entries since the year's last notice (from the first, for a year with none).
    after = session.scalar(select(func.max(NoticeNumber.event_id)).where(NoticeNumber.year == year)) or 0
    registered = select(NoticeNumber.event_id).where(NoticeNumber.event_id == CaseEvent.id).exists()
    lost = select(CaseEvent.id).where(CaseEvent.id > after, CaseEvent.kind == NOTICE_EVENT, ~registered)
    unregistered = list(session.scalars(lost.order_by(CaseEvent.id)))
    if not unregistered:
        return
    for event_id, issued_on in session.execute(
        select(CaseEvent.id, CaseEvent.payload["issued_on"].as_string()).where(CaseEvent.id.in_(unregistered))
    ):
        if _year(issued_on) == year:
            raise RegisterBehind(int(event_id))


def register_gaps(session: Session, *, year: int | None = None) -> dict[int, list[int]]:
    """Numbers missing from the register below their year's highest ({year: [seq, …]}, every year or one):
    issued, by the chain, but lost from the register (a partial restore). Numbering stays right (the year's
    highest is kept), but `audit verify` fails until `audit rebuild-notice-numbers` puts them back. Read from
    the register's key alone, and listed only for a year whose row count is short of its highest."""
    query = select(NoticeNumber.year, func.count(), func.max(NoticeNumber.seq)).group_by(NoticeNumber.year)
    if year is not None:
        query = query.where(NoticeNumber.year == year)
    gaps: dict[int, list[int]] = {}
    for found_year, count, highest in session.execute(query.order_by(NoticeNumber.year)):
        if int(count) == int(highest):
            continue
        present = set(session.scalars(select(NoticeNumber.seq).where(NoticeNumber.year == found_year)))
        gaps[int(found_year)] = [seq for seq in range(1, int(highest) + 1) if seq not in present]
    return gaps


@dataclass(frozen=True)
class YearInRegister:
    """One year of the register: how many numbers it holds and the highest."""

    year: int
    registered: int
    highest: int


def register_years(session: Session) -> list[YearInRegister]:
    """Each year of the register, newest first."""
    query = select(NoticeNumber.year, func.count(), func.max(NoticeNumber.seq)).group_by(NoticeNumber.year)
    return [
        YearInRegister(int(year), int(count), int(highest))
        for year, count, highest in session.execute(query.order_by(NoticeNumber.year.desc()))
    ]


def _refuse_when_behind(session: Session) -> None:
    # Entries are appended in id order and the register is append-only, so a register a restore left behind
    # lacks a suffix of the chain's notices: one look past its last entry finds it. The primary key's range
    # holds only what came after the last notice, so this reads no payload and no old entry.
    last_registered = session.scalar(select(func.max(NoticeNumber.event_id))) or 0
    unregistered = session.scalar(
        select(CaseEvent.id)
        .where(CaseEvent.id > last_registered, CaseEvent.kind == NOTICE_EVENT)
        .order_by(CaseEvent.id)
        .limit(1)
    )
    if unregistered is not None:
        raise RegisterBehind(int(unregistered))


def likely_next_seq(session: Session, year: int) -> int:
    """The year's next number as it stands, read without the lock: another issuer may take it first, so only
    `next_seq` may number a notice; this lets the document be prepared before the lock."""
    return _after_last(session, year)


def _after_last(session: Session, year: int) -> int:
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


class RegisterDisagrees(ConflictError):
    """The register holds a row the chain does not account for: rebuilding would have to rewrite it."""


@dataclass(frozen=True)
class Comparison:
    """The stored register against the one the chain gives."""

    missing: list[Numbered]  # issued in the chain, absent from the register
    disagreeing: list[str]  # rows present but otherwise than the chain issued them, or issued by no entry
    registered: int  # rows that agree


def compare(session: Session) -> Comparison:
    """Every way the stored register differs from the one the chain gives."""
    stored = {
        (row.year, row.seq): row
        for row in session.scalars(select(NoticeNumber).order_by(NoticeNumber.year, NoticeNumber.seq))
    }
    missing, disagreeing, registered = [], [], 0
    for want in from_chain(session):
        row = stored.pop((want.year, want.seq), None)
        if row is None:
            missing.append(want)
        elif (row.event_id, row.number) != (want.event_id, want.number):
            disagreeing.append(
                f"notice number {want.year}/{want.seq} is registered as {row.number!r} (entry id {row.event_id}), "
                f"but the chain's entry id {want.event_id} issued {want.number!r}"
            )
        else:
            registered += 1
    for (year, seq), row in stored.items():
        disagreeing.append(
            f"notice number {year}/{seq} ({row.number!r}) is registered but no entry issued it"
        )
    return Comparison(missing, disagreeing, registered)


def register_problems(session: Session) -> list[str]:
    """Every way the stored register differs from the one the chain gives (empty when they agree)."""
    found = compare(session)
    lost = [
        f"notice number {want.year}/{want.seq} (entry id {want.event_id}) is missing from the register"
        for want in found.missing
    ]
    return [*lost, *found.disagreeing]


def rebuild(session: Session) -> Comparison:
    """Add to the register (flushed, not committed) every number the chain issued that it lacks, as after a
    restore that lost the table or left it behind the chain; a second run adds nothing. Under the case-write
    lock, so no notice is issued meanwhile. RegisterDisagrees, adding nothing, when a stored row disagrees with
    the chain: the register is append-only, and such a row was written by hand, not lost by a restore."""
    serialise_case_writes(session)
    found = compare(session)
    if found.disagreeing:
        raise RegisterDisagrees(
            "the notice number register holds rows the audit chain does not account for, so it is not "
            "rebuilt (nothing was written): " + "; ".join(found.disagreeing)
        )
    session.add_all(
        NoticeNumber(year=want.year, seq=want.seq, event_id=want.event_id, number=want.number)
        for want in found.missing
    )
    session.flush()
    return found


def _year(issued_on: str | None) -> int | None:
    head = (issued_on or "")[:5]
    return int(head[:4]) if len(head) == 5 and head[:4].isdigit() and head[4] == "-" else None
