"""The dashboard (charts rendered as inline SVG) and the sweep history."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from api.console.auth import CurrentUser
from api.console.charts import bars, stacked_bars
from api.console.common import console_router
from api.console.pages import render, translator_for
from api.console.stats import findings_per_week, open_case_ages
from api.deps import SessionDep
from api.routes.sweeps import sweep_out
from crawler.store.models import Finding, Sweep
from markwatch.cases.queries import counts_by_status
from markwatch.db import utcnow

router = console_router()
SWEEPS_PER_PAGE = 25


@router.get("/dashboard")
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Findings per rule and per site by week, and open cases by age."""
    t = translator_for(request)
    now = utcnow()
    by_rule = findings_per_week(session, Finding.rule_id, now=now)
    by_site = findings_per_week(session, Finding.site, now=now)
    ages = open_case_ages(session, now=now)
    charts = {
        "by_rule": stacked_bars(t("dashboard.by_rule"), by_rule.labels, by_rule.series),
        "by_site": stacked_bars(t("dashboard.by_site"), by_site.labels, by_site.series),
        "ages": bars(t("dashboard.ages"), [label for label, _ in ages], [count for _, count in ages]),
    }
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "charts": charts,
        "by_rule": by_rule,
        "by_site": by_site,
        "ages": ages,
        "counts": counts_by_status(session),
    }
    return render(request, "dashboard.html", context)


@router.get("/sweeps")
def sweeps(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Every sweep, newest first, with its page, claim and finding counts and its errors."""
    total = session.scalar(select(func.count(Sweep.id))) or 0
    rows = session.scalars(select(Sweep).order_by(Sweep.id.desc()).limit(SWEEPS_PER_PAGE).offset(offset))
    context = {
        "user": user,
        "csrf_token": user.csrf_token,
        "sweeps": [sweep_out(session, sweep) for sweep in rows],
        "total": int(total),
        "offset": offset,
        "page_size": SWEEPS_PER_PAGE,
    }
    return render(request, "sweeps.html", context)
