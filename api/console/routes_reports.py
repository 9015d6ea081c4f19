"""The dashboard (charts rendered as inline SVG), the sweep history and each sweep's own page."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from api.console.auth import CurrentUser
from api.console.charts import bars, stacked_bars
from api.console.common import console_router
from api.console.pages import render, translator_for
from api.console.settings import ConsoleSettingsDep
from api.console.stats import deadline_ages, findings_per_week, open_case_ages
from api.console.sweep_ledger import failed_per_sweep, ledger_urls, sweep_counts
from api.deps import SessionDep
from api.routes.rules import RulesDep
from api.routes.sweeps import sweep_out
from api.schemas.common import IdPath
from crawler.store.models import SweepPage
from markwatch.cases.models import Case, CaseFinding
from markwatch.cases.precision import rule_precision
from markwatch.cases.queries import counts_by_status
from markwatch.db import utcnow
from sweeps.models import Finding
from sweeps.views import sweep_now, sweeps_now

router = console_router()
SWEEPS_PER_PAGE = 25
PARTIAL_PAGES_SHOWN = 500
PRECISION_WINDOW = 50


@router.get("/dashboard")
def dashboard(
    request: Request, session: SessionDep, user: CurrentUser, rules: RulesDep, settings: ConsoleSettingsDep
) -> Response:
    """Findings per rule (every rule) and per site by week (the inspectors' weeks), precision per rule, case
    ages and deadlines."""
    t = translator_for(request)
    now = utcnow()
    rule_ids = tuple(loaded.rule.id for loaded in rules.rules)
    by_rule = findings_per_week(session, Finding.rule_id, now=now, names=rule_ids, zone=settings.zone)
    by_site = findings_per_week(session, Finding.site, now=now, top=8, zone=settings.zone)
    ages = open_case_ages(session, now=now)
    deadlines = deadline_ages(session, now=now)
    charts = {
        "by_rule": stacked_bars(t("dashboard.by_rule"), by_rule.labels, by_rule.series),
        "by_site": stacked_bars(t("dashboard.by_site"), by_site.labels, by_site.series),
        "ages": bars(t("dashboard.ages"), [label for label, _ in ages], [count for _, count in ages]),
        "deadlines": bars(
            t("dashboard.deadlines"),
            [t("deadline_bucket." + label) for label, _ in deadlines],
            [count for _, count in deadlines],
        ),
    }
    precision = rule_precision(session, last_n=PRECISION_WINDOW)
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "charts": charts,
        "by_rule": by_rule,
        "by_site": by_site,
        "ages": ages,
        "deadlines": deadlines,
        "counts": counts_by_status(session),
        "rules": [loaded.rule for loaded in rules.rules],
        "precision": precision,
        "precision_window": PRECISION_WINDOW,
    }
    return render(request, "dashboard.html", context)


def _opened_per_sweep(session: SessionDep, sweep_ids: list[int]) -> dict[int, int]:
    # A case was opened by the sweep of its first linked finding.
    first = (
        select(CaseFinding.case_id, func.min(CaseFinding.sweep_id).label("sweep_id"))
        .group_by(CaseFinding.case_id)
        .subquery()
    )
    rows = session.execute(
        select(first.c.sweep_id, func.count())
        .where(first.c.sweep_id.in_(sweep_ids))
        .group_by(first.c.sweep_id)
    )
    return {int(sweep_id): int(count) for sweep_id, count in rows}


@router.get("/sweeps")
def sweeps(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Every sweep, newest first, with its page, claim and finding counts, its errors and the cases it opened."""
    found = sweeps_now(session, limit=SWEEPS_PER_PAGE, offset=offset)
    total, rows = found.total, found.sweeps
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "sweeps": [sweep_out(session, sweep) for sweep in rows],
        "opened": _opened_per_sweep(session, [sweep.id for sweep in rows]),
        "failed_urls": failed_per_sweep(session, rows),
        "total": int(total),
        "offset": offset,
        "page_size": SWEEPS_PER_PAGE,
    }
    return render(request, "sweeps.html", context)


@router.get("/sweeps/{sweep_id}")
def sweep_page(
    request: Request,
    sweep_id: IdPath,
    session: SessionDep,
    user: CurrentUser,
    failed_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    skipped_offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """One sweep: its counts, why URLs failed or were skipped and which ones (from its ledger), the pages
    not read whole and the cases it opened."""
    sweep = sweep_now(session, sweep_id)
    summary = sweep_out(session, sweep)
    counts = sweep_counts(session, sweep)
    partial = list(
        session.scalars(
            select(SweepPage)
            .where(SweepPage.sweep_id == sweep_id, SweepPage.status != "ok")
            .order_by(SweepPage.id)
            .limit(PARTIAL_PAGES_SHOWN)
        )
    )
    first = (
        select(CaseFinding.case_id, func.min(CaseFinding.sweep_id).label("sweep_id"))
        .group_by(CaseFinding.case_id)
        .subquery()
    )
    opened = list(
        session.scalars(
            select(Case)
            .join(first, first.c.case_id == Case.id)
            .where(first.c.sweep_id == sweep_id)
            .order_by(Case.id)
        )
    )
    seen = int(
        session.scalar(
            select(func.count(func.distinct(CaseFinding.case_id))).where(CaseFinding.sweep_id == sweep_id)
        )
        or 0
    )
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "sweep": summary,
        "counts": counts,
        "failed_urls": ledger_urls(session, sweep_id, "failed", failed_offset, counts.failed_total),
        "skipped_urls": ledger_urls(session, sweep_id, "skipped", skipped_offset, counts.skipped_total),
        "partial": partial,
        "partial_by_status": _count_by(partial),
        "warnings": list((sweep.summary or {}).get("warnings") or []),
        "opened": opened,
        "seen": seen,
        "shown_limit": PARTIAL_PAGES_SHOWN,
    }
    return render(request, "sweep.html", context)


def _count_by(pages: list[SweepPage]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for page in pages:
        counts[page.status] = counts.get(page.status, 0) + 1
    return counts
