"""`markwatch cases`: list cases and ingest a sweep's findings into cases."""

from __future__ import annotations

import click

from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import CaseStatus
from markwatch.cases.queries import CaseFilter, list_cases
from markwatch.cli.options import db_option
from markwatch.db import session_scope


@click.group("cases")
def cases() -> None:
    """Inspector cases built from sweep findings."""


@cases.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice([s.value for s in CaseStatus]))
@click.option("--rule", default=None, help="Rule id, e.g. SHS003.")
@click.option("--site", default=None)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@db_option
def list_command(
    statuses: tuple[str, ...], rule: str | None, site: str | None, limit: int, db_url: str | None
) -> None:
    """List cases, most recently seen first."""
    f = CaseFilter(statuses=tuple(CaseStatus(s) for s in statuses), rule_id=rule, site=site)
    with session_scope(db_url) as session:
        rows, total = list_cases(session, f, limit=limit, offset=0)
        click.echo(f"{'ID':>5}  {'STATUS':<18} {'RULE':<7} {'SEV':<7} {'LAST SEEN':<17} PAGE / CLAIMANT")
        for case in rows:
            seen = case.last_seen_at.strftime("%Y-%m-%d %H:%MZ")
            where = case.page_url or case.claimant or "-"
            click.echo(
                f"{case.id:>5}  {case.status:<18} {case.rule_id:<7} {case.severity:<7} {seen:<17} {where}"
            )
    click.echo(f"{len(rows)} of {total} case(s)")


@cases.command("ingest")
@click.option("--sweep", "sweep_id", required=True, type=int, help="Sweep id whose findings to ingest.")
@click.option(
    "--allow-incomplete", is_flag=True, help="Ingest a sweep that did not finish (its cases are marked)."
)
@db_option
def ingest_command(sweep_id: int, allow_incomplete: bool, db_url: str | None) -> None:
    """Group a finished sweep's findings into cases (safe to repeat: findings are linked once)."""
    with session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id, allow_incomplete=allow_incomplete)
    click.echo(
        f"sweep {report.sweep_id}: {report.findings} new finding(s); {report.created} case(s) opened, "
        f"{report.updated} updated, {report.reopened} reopened, {report.escalated} escalated, "
        f"{report.closed} closed after re-check"
    )
