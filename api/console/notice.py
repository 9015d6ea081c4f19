"""The printable notice for a confirmed case, as HTML for the browser and as a PDF via Chromium."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import resources

from api.console.casefile import CaseFile
from api.console.common import CHINA_TIME
from api.console.i18n import Translator
from markwatch.errors import ConflictError, InputError

# The console's suggestion when the case has no deadline yet; the inspector can change it on the form.
# Not a legal period: none is known for this mark (domain.md §3).
DEFAULT_NOTICE_DAYS = 15


@dataclass(frozen=True)
class Notice:
    """What a notice states."""

    number: str
    issued_on: dt.date
    deadline: dt.date
    enterprise: str
    page_url: str
    snippet: str
    highlight_terms: list[str]
    evidence_sha256: str
    evidence_fetched_at: dt.datetime | None
    evidence_url: str
    rule_id: str
    rule_title: str
    basis: list[str]
    message: str
    remediation: str
    standard_code: str


def notice_deadline(file: CaseFile, requested: str | None, today: dt.date) -> dt.date:
    """The case's rectification deadline, else the requested date, else today + DEFAULT_NOTICE_DAYS."""
    if file.case.rectification_due_at is not None:
        return file.case.rectification_due_at.astimezone(CHINA_TIME).date()
    if requested:
        try:
            day = dt.date.fromisoformat(requested)
        except ValueError:
            raise InputError(f"{requested!r} is not a date (YYYY-MM-DD)", where="deadline") from None
        if day <= today:
            raise InputError("the deadline must be after today", where="deadline")
        return day
    return today + dt.timedelta(days=DEFAULT_NOTICE_DAYS)


def build_notice(file: CaseFile, t: Translator, *, deadline: str | None, now: dt.datetime) -> Notice:
    """The notice for a case in a status that allows one (ConflictError otherwise)."""
    case = file.case
    if not file.notice_allowed:
        raise ConflictError(f"case {case.id} is {case.status}: a notice is only printed once it is confirmed")
    today = now.astimezone(CHINA_TIME).date()
    snapshot = file.snapshot or {}
    rule = file.rule.rule if file.rule else None
    return Notice(
        number=f"MW-{case.id:06d}",
        issued_on=today,
        deadline=notice_deadline(file, deadline, today),
        enterprise=case.claimant or t("notice.unknown_enterprise"),
        page_url=case.page_url or "",
        snippet=file.snippet,
        highlight_terms=file.highlight_terms,
        evidence_sha256=str(snapshot.get("sha256") or ""),
        evidence_fetched_at=snapshot.get("fetched_at"),
        evidence_url=str(snapshot.get("url") or ""),
        rule_id=case.rule_id,
        rule_title=t.pick(rule.title.model_dump()) if rule else case.rule_id,
        basis=[f"{b.document} {b.part}" for b in rule.basis] if rule else [],
        message=case.message,
        remediation=t.pick(rule.remediation.model_dump()) if rule else "",
        standard_code=case.standard_code or "",
    )


def notice_css() -> str:
    """The notice stylesheet, inlined into the document Chromium prints (it loads no other file)."""
    return resources.files("api.console").joinpath("static/notice.css").read_text(encoding="utf-8")
