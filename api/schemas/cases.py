"""Case models: summaries, detail with evidence and audit history, and the actions on a case."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Moment
from markwatch.cases.models import CaseScope, CaseStatus, DismissalKind
from markwatch.cases.sent import MAX_NUMBER, SendMethod, SentNotice


class WaiverOut(BaseModel):
    """A waiver on a case; `active` is false once expired or revoked."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    reason: str
    approver: str
    expires_at: dt.datetime
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool


class CaseSummary(BaseModel):
    """A case as listed."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_key: str
    scope: CaseScope = Field(
        description="page: one page's finding; organisation: an organisation's own claim, every page of the "
        "site it is seen on an occurrence (see `occurrences` in the case's detail)"
    )
    status: CaseStatus
    rule_id: str
    severity: str
    standard_code: str | None
    page_url: str | None
    site: str | None
    claimant: str | None
    message: str
    assignee: str | None
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str | None
    dismissal_kind: DismissalKind | None = Field(description="why a dismissed case was dismissed")
    rectification_due_at: dt.datetime | None
    reopen_count: int
    confidence: Literal["high", "review"] = Field(
        description="review: an inspector should look before acting"
    )
    confidence_reasons: list[str] = Field(description="why: codes with details (see the self-check's labels)")
    waived: bool = Field(description="true while an unexpired, unrevoked waiver covers the case")


class SnapshotRef(BaseModel):
    """The archived page a finding was made on."""

    id: int
    url: str | None
    sha256: str = Field(description="of the stored bytes (GET /v1/snapshots/{id}/raw)")
    fetched_at: dt.datetime | None
    decoded_as: str | None = Field(
        default=None,
        description="the codec the page was read with when the finding was made; its quotes are in that text "
        "(findings stored before this was recorded: null)",
    )


class CaseFindingOut(BaseModel):
    """One observation of the misuse, with its evidence."""

    finding_id: int
    sweep_id: int | None
    observed_at: dt.datetime
    rule_id: str
    severity: str
    message: str
    standard_code: str | None
    page_url: str | None
    claimant: str | None
    claim: dict[str, Any] | None
    evidence: dict[str, Any] | None
    snapshot: SnapshotRef | None


class OccurrenceOut(BaseModel):
    """One page a case was seen on, with its newest finding there: what the page said and its archived copy."""

    page_url: str | None
    finding_id: int = Field(description="the newest finding on this page")
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    findings: int = Field(description="how many findings (sweeps) saw it on this page")
    quote: str | None = Field(description="the mention as the page wrote it (untrusted)")
    snippet: str | None = Field(description="the page's own text around it (untrusted)")
    snapshot: SnapshotRef | None


class AuditEntryOut(BaseModel):
    """One entry of the audit chain."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    kind: str
    actor: str
    from_status: str | None
    to_status: str | None
    payload: dict[str, Any]
    created_at: dt.datetime
    prev_hash: str
    hash: str


class CommentOut(BaseModel):
    """A comment on a case."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    author: str
    body: str
    created_at: dt.datetime


class NotSeenOut(BaseModel):
    """A finished sweep that read the case's page whole again and no longer found its claim."""

    sweep_id: int
    checked_at: dt.datetime


class CaseDetail(CaseSummary):
    """A case with its evidence, history, comments and waivers."""

    not_seen_since: NotSeenOut | None = Field(
        default=None,
        description="the first finished sweep after the latest finding that read the page whole without it: "
        "check whether it was rectified (null for closed and dismissed cases, or when not read again since)",
    )
    allowed_transitions: list[CaseStatus]
    occurrences: list[OccurrenceOut] = Field(
        description="every page the case was seen on (one for a page case), in the order first seen"
    )
    findings: list[CaseFindingOut]
    events: list[AuditEntryOut]
    comments: list[CommentOut]
    waivers: list[WaiverOut]


class SentNoticeIn(BaseModel):
    """The notice a move to notice_sent records: a notice issued in markwatch (method `markwatch`, its number
    as issued) or one served outside it (in-person, post, electronic, other)."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=MAX_NUMBER)
    sent_on: dt.date = Field(description="the day it was sent or handed over; not in the future")
    method: SendMethod

    def record(self) -> SentNotice:
        """As the lifecycle takes it."""
        return SentNotice(number=self.number, sent_on=self.sent_on, method=self.method)


class TransitionIn(BaseModel):
    """Move a case: a reason is required to dismiss or reopen, a deadline to set rectification due."""

    model_config = ConfigDict(extra="forbid")

    to: CaseStatus
    from_status: CaseStatus | None = Field(
        default=None,
        description="the status the decision was made on; the move is refused (409) if the case has moved "
        "since. Without it the move is made from the status the case has when the request is read",
    )
    reason: str | None = Field(default=None, max_length=2000)
    due_at: Moment | None = None
    dismissal_kind: DismissalKind | None = Field(
        default=None,
        description="when dismissing: not-a-claim, wrong-standard (both count against the rule's precision) "
        "or other (default)",
    )
    notice: SentNoticeIn | None = Field(
        default=None,
        description="required when moving to notice_sent: the notice that was sent (number, day, how)",
    )


class CommentIn(BaseModel):
    """A new comment."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=10_000)


class AssigneeIn(BaseModel):
    """Who works on the case (null to unassign)."""

    model_config = ConfigDict(extra="forbid")

    assignee: str | None = Field(default=None, max_length=200)


class WaiverIn(BaseModel):
    """A waiver request; the approver is the admin key making it."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    expires_at: Moment


class CaseCounts(BaseModel):
    """Cases per status."""

    counts: dict[str, int]
