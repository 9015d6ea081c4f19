"""Rectification notices: drafted from a confirmed case, issued as an audited event, reprinted from the audit.

Issuing renders the notice once, as a self-contained HTML document, and appends a `notice_issued` entry to
the audit chain holding that exact document, its sha256, the number and the deadline the inspector typed.
The case then moves to rectification_due with that same deadline. Reprinting (HTML or PDF) reads the
document back from the audit entry, so what is printed later is byte for byte what was issued, and the chain
hash proves nobody changed it since.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy.orm import Session

from api.console.basis import cite
from api.console.casefile import CaseFile
from api.console.deadlines import check_deadline
from api.console.errors import FormError
from api.console.i18n import Translator
from api.console.notice_time import BEIJING_TIME_ZONES
from api.console.settings import ConsoleSettings
from api.console.uscc import valid_uscc
from markwatch.cases import notice_numbers
from markwatch.cases.audit import append_event, canonical_content, entry_hash, serialise_case_writes
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import CaseEvent, CaseScope, CaseStatus
from markwatch.cases.sent import NOTICE_EVENT, SendMethod, SentNotice
from markwatch.errors import ConflictError, NotFoundError

# The console's suggestion for a deadline; the inspector types the real one. Not a legal period: none is
# known for this mark (domain.md §3).
DEFAULT_NOTICE_DAYS = 15
MAX_ENTERPRISE = 200
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


class StaleNotice(ConflictError):
    """The case was moved on (another notice issued, a dismissal) while this one waited for the lock."""


@dataclass(frozen=True)
class Notice:
    """Everything a notice states; plain values only, so the audit entry can hold it as JSON."""

    lang: str
    draft: bool
    case_id: int
    number: str
    issued_on: str  # YYYY-MM-DD in the inspectors' zone ("" on a draft)
    deadline: str  # YYYY-MM-DD as typed
    authority_name: str
    authority_address: str
    authority_contact: str
    enterprise: str
    uscc: str
    page_url: str
    product: str
    snippet: str
    highlight_terms: tuple[str, ...]
    standard: str
    evidence_sha256: str
    evidence_url: str
    observed_at: str  # local time, as printed
    rule_id: str
    rule_title: str
    message: str
    basis: tuple[str, ...]
    remediation: str
    inspector: str
    # sha256 of each image the claim was read in (issue 15): the evidence a notice about an image cites.
    evidence_images: tuple[str, ...] = ()
    # The charset label buyers' browsers read the page with where that showed the quote garbled, and the codec
    # markwatch read it with (archive.read_otherwise; "" when they agree): the case page says so too.
    shown_as: str = ""
    read_as: str = ""
    # An organisation's claim seen on several pages: each other page (URL, its newest snapshot's SHA-256), all
    # of which the enterprise must rectify.
    other_pages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class NoticeRequest:
    """What the inspector typed on the notice form."""

    deadline: dt.date
    enterprise: str
    uscc: str


@dataclass(frozen=True)
class IssuedNotice:
    """A notice read back from its audit entry, with whether the entry still verifies."""

    event: CaseEvent
    number: str
    deadline: str
    content_sha256: str
    html: str
    verified: bool


def read_request(
    settings: ConsoleSettings,
    *,
    deadline: str | None,
    enterprise: str | None,
    uscc: str | None,
    today: dt.date,
) -> NoticeRequest:
    """The form's values checked: a deadline after today and within the configured maximum, a valid USCC
    when one is given. A FormError names the field and explains it in the UI language."""
    day = check_deadline(deadline, field="deadline", today=today, settings=settings)
    name = (enterprise or "").strip()
    if len(name) > MAX_ENTERPRISE:
        raise FormError(
            f"the enterprise name is limited to {MAX_ENTERPRISE} characters",
            where="enterprise",
            key="form.enterprise_too_long",
            limit=MAX_ENTERPRISE,
        )
    code = (uscc or "").strip().upper()
    if code and not valid_uscc(code):
        raise FormError(
            f"{code!r} is not a valid unified social credit code", where="uscc", key="form.uscc_invalid"
        )
    return NoticeRequest(deadline=day, enterprise=name, uscc=code)


def _plain(template: str) -> str:
    # Remediation texts are templates; a notice prints them without placeholders it cannot fill.
    return "".join(literal for literal, *_ in string.Formatter().parse(template))


def letter_time(when: dt.datetime, settings: ConsoleSettings, lang: str) -> str:
    """A time as a notice prints it, in the inspectors' zone: 2026年11月28日 15:17:47（北京时间）."""
    local = when.astimezone(settings.zone)
    clock = local.strftime("%H:%M:%S")
    offset = local.strftime("%z")
    utc_offset = f"UTC{offset[:3]}:{offset[3:]}"
    if lang != "zh":
        return f"{local.strftime('%Y-%m-%d')} {clock} ({utc_offset})"
    zone = "北京时间" if settings.timezone in BEIJING_TIME_ZONES else utc_offset
    return f"{local.year}年{local.month}月{local.day}日 {clock}（{zone}）"


def require_notice_allowed(file: CaseFile) -> None:
    """ConflictError unless the case is in a status a notice is made for."""
    if not file.notice_allowed:
        raise ConflictError(
            f"case {file.case.id} is {file.case.status}: a notice is only made once it is confirmed"
        )


def build_notice(
    file: CaseFile,
    t: Translator,
    settings: ConsoleSettings,
    request: NoticeRequest,
    *,
    inspector: str,
    number: str = "",
    issued_on: dt.date | None = None,
    reading: tuple[str | None, str | None] = (None, None),
) -> Notice:
    """The notice for a case in a status that allows one (ConflictError otherwise); a draft without a number.

    `reading`: the charset label a browser showed the quote otherwise with, and the codec markwatch read it with
    (routes_evidence.page_reading)."""
    case = file.case
    require_notice_allowed(file)
    snapshot = file.snapshot or {}
    fetched_at = snapshot.get("fetched_at")
    rule = file.rule.rule if file.rule else None
    observed = letter_time(fetched_at, settings, t.lang) if fetched_at is not None else ""
    # The page quoted is the newest finding's; an organisation's case names every other page it was seen on.
    organisation = case.scope == CaseScope.ORGANISATION.value
    page_url = str((file.latest or {}).get("page_url") or "") if organisation else ""
    page_url = page_url or case.page_url or ""
    other_pages = tuple(
        (str(o["page_url"]), str((o.get("snapshot") or {}).get("sha256") or ""))
        for o in file.occurrences
        if o["page_url"] and o["page_url"] != page_url
    )
    return Notice(
        lang=t.lang,
        draft=issued_on is None,
        case_id=case.id,
        number=number,
        issued_on=issued_on.isoformat() if issued_on else "",
        deadline=request.deadline.isoformat(),
        authority_name=settings.authority_name,
        authority_address=settings.authority_address,
        authority_contact=settings.authority_contact,
        enterprise=request.enterprise or case.claimant or "",
        uscc=request.uscc or file.uscc or "",
        page_url=page_url,
        product=file.product,
        snippet=file.snippet,
        highlight_terms=tuple(file.highlight_terms),
        standard=file.standard_label or "",
        evidence_sha256=str(snapshot.get("sha256") or ""),
        evidence_url=str(snapshot.get("url") or ""),
        observed_at=observed,
        rule_id=case.rule_id,
        rule_title=t.pick(rule.title.model_dump()) if rule else case.rule_id,
        message=file.message(t.lang),
        basis=tuple(cite(b, t.lang) for b in rule.basis) if rule else (),
        remediation=_plain(t.pick(rule.remediation.model_dump())) if rule else "",
        inspector=inspector,
        evidence_images=tuple(
            dict.fromkeys(
                str(loc.image.get("sha256"))
                for loc in file.locations
                if loc.image and loc.image.get("sha256")
            )
        ),
        shown_as=reading[0] or "",
        read_as=reading[1] or "",
        other_pages=other_pages if organisation else (),
    )


@cache
def notice_css() -> str:
    """The notice stylesheet, inlined into the issued document (it loads no other file)."""
    return resources.files("api.console").joinpath("static/notice.css").read_text(encoding="utf-8")


def style_hash(html: str) -> str:
    """The CSP source that allows the document's one inline stylesheet ('sha256-…')."""
    match = _STYLE.search(html)
    digest = hashlib.sha256((match.group(1) if match else "").encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_sha256(html: str) -> str:
    """The hash recorded for an issued notice: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def issue_notice(
    session: Session,
    file: CaseFile,
    t: Translator,
    settings: ConsoleSettings,
    request: NoticeRequest,
    *,
    actor: str,
    inspector: str,
    now: dt.datetime,
    render: Callable[[Notice], str],
    reading: tuple[str | None, str | None] = (None, None),
) -> CaseEvent:
    """Number, render and record a notice, then move the case to rectification_due with its deadline."""
    case = file.case
    if not file.issue_allowed:
        raise ConflictError(
            f"case {case.id} is {case.status}: a notice is issued from confirmed or escalated"
        )
    if not settings.authority_name.strip():
        raise ConflictError(
            "the issuing authority is not configured: set MARKWATCH_CONSOLE_AUTHORITY_NAME (and its address "
            "and contact) before issuing notices"
        )
    today = now.astimezone(settings.zone).date()

    def numbered(seq: int) -> tuple[str, Notice, str]:
        number = settings.notice_number(year=today.year, seq=seq, case_id=case.id)
        notice = build_notice(
            file, t, settings, request, inspector=inspector, number=number, issued_on=today, reading=reading
        )
        return number, notice, render(notice)

    # Rendered before the lock with the number the year would take now (rendering held every other case write
    # for its few ms): the document depends only on what was read before the lock and on the number.
    guess = notice_numbers.likely_next_seq(session, today.year)
    drafted = numbered(guess)
    # The case as it is once this transaction holds the case-write lock (held until the commit): of two
    # notices sent on one case at the same moment, the second is judged on the case the first left.
    serialise_case_writes(session)
    session.refresh(case, attribute_names=["status"])
    if not file.issue_allowed:
        raise StaleNotice(f"case {case.id} was moved to {case.status} meanwhile: this notice was not issued")
    # Under that lock: no other issuer can take the same number. Another notice issued between the guess and
    # the lock took the guessed one: render again with the number this one takes (rare, and still correct).
    seq = notice_numbers.next_seq(session, today.year)
    number, notice, html = drafted if seq == guess else numbered(seq)
    due_at = settings.end_of_day(request.deadline)
    event = append_event(
        session,
        case_id=case.id,
        kind=NOTICE_EVENT,
        actor=actor,
        payload={
            "number": number,
            "issued_on": today.isoformat(),
            "deadline": request.deadline.isoformat(),
            "due_at": due_at,
            "lang": t.lang,
            "content_sha256": content_sha256(html),
            "html": html,
            "notice": dataclasses.asdict(notice),
        },
        at=now,
    )
    notice_numbers.record(session, year=today.year, seq=seq, event=event, number=number)
    if CaseStatus(case.status) is not CaseStatus.NOTICE_SENT:
        sent = SentNotice(number=number, sent_on=today, method=SendMethod.MARKWATCH)
        transition(session, case, CaseStatus.NOTICE_SENT, actor=actor, reason=number, now=now, sent=sent)
    transition(
        session, case, CaseStatus.RECTIFICATION_DUE, actor=actor, reason=number, due_at=due_at, now=now
    )
    return event


def issued_notices(events: list[CaseEvent]) -> list[IssuedNotice]:
    """The case's issued notices, oldest first, each checked against its own hashes."""
    return [read_issued(event) for event in events if event.kind == NOTICE_EVENT]


def read_issued(event: CaseEvent) -> IssuedNotice:
    """One issued notice from its audit entry; `verified` when both the document and the entry match."""
    payload = event.payload or {}
    html = str(payload.get("html") or "")
    recorded = str(payload.get("content_sha256") or "")
    verified = (
        content_sha256(html) == recorded
        and entry_hash(canonical_content(event), event.prev_hash) == event.hash
    )
    return IssuedNotice(
        event=event,
        number=str(payload.get("number") or ""),
        deadline=str(payload.get("deadline") or ""),
        content_sha256=recorded,
        html=html,
        verified=verified,
    )


def find_issued(events: list[CaseEvent], seq: int) -> IssuedNotice:
    """The notice issued in audit entry `seq` of this case (NotFoundError otherwise)."""
    for event in events:
        if event.seq == seq and event.kind == NOTICE_EVENT:
            return read_issued(event)
    raise NotFoundError(f"no notice was issued in audit entry {seq} of this case")
