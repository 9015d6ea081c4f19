"""What was sent when a case moves to notice_sent: the notice's number, the day it was sent and how.

A case marked as notified must say which notice told the enterprise. A notice issued in markwatch
(`notice_issued` entry, method `markwatch`) is the usual one; a notice served outside it (a pre-numbered
paper form left on an inspection, a letter from the authority's own document system) is recorded by its
number, the day it was sent and how, so that the audit entry names a document somebody can produce.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from markwatch.cases.models import Case, CaseEvent
from markwatch.cases.text import storable
from markwatch.errors import InputError

MAX_NUMBER = 100
# Issued in markwatch: the only method that needs no word from the inspector, and the only one the
# lifecycle checks against the audit chain (an issued notice with that number must exist on the case).
ISSUED_HERE = "markwatch"
NOTICE_EVENT = "notice_issued"
# A day is "not in the future" until no zone on Earth has reached it (UTC+14): the API takes plain dates.
_LATEST_ZONE = dt.timedelta(hours=14)


class SendMethod(StrEnum):
    """How a notice reached the enterprise."""

    MARKWATCH = ISSUED_HERE  # issued in markwatch (its document is in the audit chain)
    IN_PERSON = "in-person"  # handed over on an inspection (直接送达)
    POST = "post"  # sent by post (邮寄送达)
    ELECTRONIC = "electronic"  # e-mail or another electronic channel (电子送达)
    OTHER = "other"  # anything else: the reason field says what


OUTSIDE = tuple(m for m in SendMethod if m is not SendMethod.MARKWATCH)


@dataclass(frozen=True)
class SentNotice:
    """The notice a move to notice_sent records."""

    number: str
    sent_on: dt.date
    method: SendMethod

    def payload(self) -> dict[str, str]:
        """As the audit entry holds it."""
        return {"number": self.number, "sent_on": self.sent_on.isoformat(), "method": self.method.value}


def checked(session: Session, case: Case, sent: SentNotice | None, now: dt.datetime) -> SentNotice:
    """`sent` after checking it can stand in the audit chain: present, numbered, dated no later than today
    and, for a notice issued here, matching one of the case's issued notices. InputError names the field."""
    if sent is None:
        raise InputError(
            "marking a case as notified needs the notice that was sent (number, date, how): issue one in "
            "the console, or record the one sent outside markwatch",
            where="notice_number",
        )
    number = (storable(sent.number, where="notice_number") or "").strip()
    if not number:
        raise InputError("the notice's number is required", where="notice_number")
    if len(number) > MAX_NUMBER:
        raise InputError(f"the notice's number is longer than {MAX_NUMBER} characters", where="notice_number")
    if sent.sent_on > (now + _LATEST_ZONE).date():
        raise InputError("the day the notice was sent is in the future", where="sent_on")
    if sent.method is SendMethod.MARKWATCH and number not in issued_numbers(session, case.id):
        raise InputError(
            f"no notice numbered {number!r} was issued on case {case.id} in markwatch", where="notice_number"
        )
    return SentNotice(number=number, sent_on=sent.sent_on, method=sent.method)


def issued_numbers(session: Session, case_id: int) -> set[str]:
    """The numbers of the notices issued on the case in markwatch."""
    # Only the number out of each entry (read in SQL): this runs under the case-write lock, and each entry
    # also holds its whole issued document.
    numbers = session.scalars(
        select(CaseEvent.payload["number"].as_string()).where(
            CaseEvent.case_id == case_id, CaseEvent.kind == NOTICE_EVENT
        )
    )
    return {str(number) for number in numbers if number is not None}
