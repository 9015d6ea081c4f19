"""Case tables: cases, their findings, the append-only audit chain and its register of notice numbers, comments,
waivers, API keys, self-checks."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from markwatch.db import Base, UTCDateTime, utcnow
from markwatch.errors import ConflictError


class CaseStatus(StrEnum):
    """Where a case stands; every change is a recorded transition (lifecycle.py)."""

    OPEN = "open"  # seen by a sweep, nobody has looked yet
    IN_REVIEW = "in_review"  # an inspector is looking at the evidence
    CONFIRMED = "confirmed"  # the inspector agrees it is misuse
    NOTICE_SENT = "notice_sent"  # the enterprise was told
    RECTIFICATION_DUE = "rectification_due"  # a deadline to fix it runs
    ESCALATED = "escalated"  # the deadline passed and a re-check still saw the misuse
    CLOSED = "closed"  # rectified: a re-check no longer saw the misuse
    DISMISSED = "dismissed"  # not misuse (a reason is recorded)


class Role(StrEnum):
    """What an API key may do."""

    INSPECTOR = "inspector"  # works on cases and sweeps
    ENTERPRISE = "enterprise"  # self-checks its own pages and texts
    ADMIN = "admin"  # approves waivers, triggers sweeps, reads everything but self-checks


class CaseScope(StrEnum):
    """What one case stands for (checker.findings.FindingSubject)."""

    PAGE = "page"  # one page's finding: a product, or a claim whose subject is not sure
    ORGANISATION = "organisation"  # an organisation's own claim, one case for every page of a site it is on


class DismissalKind(StrEnum):
    """Why an inspector dismissed a case; counted per rule and extractor pattern (cases/precision.py)."""

    NOT_A_CLAIM = "not-a-claim"  # the words were not a use of the designation (news, a trap, a name)
    WRONG_STANDARD = "wrong-standard"  # the claim was tied to the wrong standard or read wrongly
    OTHER = "other"  # any other reason (legitimate use, out of jurisdiction, …)


CASE_STATUSES = tuple(s.value for s in CaseStatus)
CONFIDENCES = ("high", "review")
CASE_SCOPES = tuple(s.value for s in CaseScope)
DISMISSAL_KINDS = tuple(k.value for k in DismissalKind)
ROLES = tuple(r.value for r in Role)
KEY_LENGTH = 100
HASH_LENGTH = 64


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Case(Base):
    """One suspected misuse, across sweeps: the findings of one page, claimant, rule and standard (scope page),
    or of one organisation's claim on every page of a site it is seen on (scope organisation)."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in_list("status", CASE_STATUSES), name="status"),
        CheckConstraint(_in_list("confidence", CONFIDENCES), name="confidence"),
        CheckConstraint(_in_list("scope", CASE_SCOPES), name="scope"),
        CheckConstraint(
            "dismissal_kind IS NULL OR " + _in_list("dismissal_kind", DISMISSAL_KINDS), name="dismissal_kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True)
    scope: Mapped[str] = mapped_column(String(20), default=CaseScope.PAGE.value, server_default="page")
    status: Mapped[str] = mapped_column(String(20), index=True, default=CaseStatus.OPEN.value)
    rule_id: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str] = mapped_column(String(20), index=True)
    standard_code: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    page_url: Mapped[str | None] = mapped_column(Text)
    site: Mapped[str | None] = mapped_column(String(255), index=True)
    claimant: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text, default="")
    assignee: Mapped[str | None] = mapped_column(String(200))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    rectification_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    # high: the finding can go straight to the queue; review: an inspector should look before acting.
    confidence: Mapped[str] = mapped_column(String(10), index=True, default="high")
    confidence_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    dismissal_kind: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    findings: Mapped[list[CaseFinding]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseFinding.id"
    )
    comments: Mapped[list[CaseComment]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseComment.id"
    )
    waivers: Mapped[list[Waiver]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Waiver.id"
    )


class CaseFinding(Base):
    """Links a case to each finding (one per sweep that saw it)."""

    __tablename__ = "case_findings"
    __table_args__ = (UniqueConstraint("finding_id", name="uq_case_findings_finding_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    sweep_id: Mapped[int | None] = mapped_column(Integer, index=True)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    linked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="findings")


class CaseEvent(Base):
    """One append-only audit entry; `hash` covers its content and the previous entry's hash."""

    __tablename__ = "case_events"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_case_events_seq"),
        UniqueConstraint("prev_hash", name="uq_case_events_prev_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)


class NoticeNumber(Base):
    """The register of issued notice numbers: per year, from 1 without gaps, one row per notice_issued entry.

    Derived from the audit chain (each entry holds its number and day; `audit verify` compares the two), and
    kept so that the year's next number is one index lookup under the case-write lock: counting the entries
    read every issued document (1.57 s at 2,000 notices, every other case write waiting)."""

    __tablename__ = "notice_numbers"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id", ondelete="RESTRICT"), unique=True)
    number: Mapped[str] = mapped_column(Text)


class CaseComment(Base):
    """A note an inspector left on a case."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="comments")


class Waiver(Base):
    """A suppression of a case with a reason, an approver and an expiry; once expired it no longer applies."""

    __tablename__ = "waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    approver: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="waivers")

    def active_at(self, when: dt.datetime) -> bool:
        """True while not revoked and not expired at `when` (an expired waiver fails closed)."""
        return self.revoked_at is None and when < self.expires_at


class ApiKey(Base):
    """An API key; only its SHA-256 is stored, with a short prefix to tell keys apart."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(_in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(HASH_LENGTH), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class SelfCheck(Base):
    """An enterprise's self-check and its result; readable only by the key that asked, never a case."""

    __tablename__ = "self_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    input_kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str | None] = mapped_column(Text)
    input_sha256: Mapped[str] = mapped_column(String(HASH_LENGTH))
    enterprise_name: Mapped[str | None] = mapped_column(Text)
    uscc: Mapped[str | None] = mapped_column(String(18))
    claimed_standard: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(CaseEvent, "before_update")
@event.listens_for(CaseEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, target: CaseEvent) -> None:
    raise ConflictError(f"audit entry {target.seq} is append-only")


@event.listens_for(NoticeNumber, "before_update")
@event.listens_for(NoticeNumber, "before_delete")
def _number_kept(_mapper: Any, _connection: Any, target: NoticeNumber) -> None:
    raise ConflictError(f"notice number {target.year}/{target.seq} was issued: it is never changed or reused")
