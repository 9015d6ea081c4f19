"""`markwatch sweep`: run (or resume) a target's sweep in its own process, list sweeps, show one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from markwatch.cli.images import image_progress, image_summary
from markwatch.cli.options import db_option
from markwatch.config import database_url, home_dir
from markwatch.errors import NotFoundError


@click.group()
def sweep() -> None:
    """Crawl targets politely, snapshot every page, check it, compare with the previous sweep."""


@sweep.command("run")
@click.argument("targets_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", "names", multiple=True, help="Sweep only this target (repeatable); default all.")
@db_option
@click.option(
    "--job-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Root for per-sweep JOBDIRs.",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Scrapy setting override.")
@click.option(
    "--cases/--no-cases",
    "make_cases",
    default=True,
    show_default=True,
    help="Turn a finished sweep's findings into inspectors' cases.",
)
def run(
    targets_file: Path,
    names: tuple[str, ...],
    db_url: str | None,
    job_dir: Path | None,
    overrides: tuple[str, ...],
    make_cases: bool,
) -> None:
    """Run TARGETS_FILE's targets; an unfinished sweep of a target is resumed, not restarted."""
    from crawler.sweeps import run_sweep
    from crawler.targets import load_targets

    targets = load_targets(targets_file)
    chosen = [targets.get(name) for name in names] if names else targets.targets
    url = database_url(db_url)
    root = job_dir or home_dir() / "jobs"
    tty = sys.stderr.isatty()
    failed = False
    for target in chosen:
        result = run_sweep(
            targets_file.resolve(),
            target.name,
            db_url=url,
            job_root=root,
            overrides=list(overrides),
            on_progress=_progress_line(target.name) if tty else None,
        )
        if tty:
            click.echo("", err=True)
        click.echo(_summary_line(result))
        failed = failed or result.state != "finished"
        # Only a complete sweep may close cases by re-check: an interrupted one has not seen every page.
        if make_cases and result.state == "finished":
            click.echo(_ingest_line(url, result.id))
    if failed:
        sys.exit(1)


def _ingest_line(db_url: str, sweep_id: int) -> str:
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id)
    return (
        f"cases from sweep {sweep_id}: {report.created} new, {report.updated} updated, "
        f"{report.reopened} reopened, {report.escalated} escalated, {report.closed} closed after re-check"
    )


def _progress_line(name: str) -> Any:
    def show(counts: dict[str, Any]) -> None:
        click.echo(
            f"\r{name}: {counts['pages']} pages, {counts['findings']} findings, "
            f"{counts['robots_skipped']} skipped by robots.txt" + image_progress(counts.get("images") or {}),
            err=True,
            nl=False,
        )

    return show


def _summary_line(sweep: Any) -> str:
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted((sweep.errors or {}).items())) or "none"
    return (
        f"sweep {sweep.id} {sweep.target}: {sweep.state}; {sweep.pages_fetched} pages, {sweep.claims} claims, "
        f"findings new {sweep.findings_new} / recurring {sweep.findings_recurring} / resolved {sweep.findings_resolved}; "
        f"robots.txt skipped {sweep.robots_skipped}, off-site dropped {sweep.offsite_dropped}, errors: {errors}"
        + image_summary((sweep.summary or {}).get("images") or {})
    )


@sweep.command("list")
@db_option
@click.option("--target", default=None)
def list_sweeps(db_url: str | None, target: str | None) -> None:
    """Sweeps, newest first."""
    from crawler.store.models import Sweep
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        query = select(Sweep).order_by(Sweep.id.desc())
        if target:
            query = query.where(Sweep.target == target)
        for row in session.scalars(query):
            click.echo(_summary_line(row))


@sweep.command("show")
@click.argument("sweep_id", type=int)
@db_option
def show(sweep_id: int, db_url: str | None) -> None:
    """One sweep as JSON."""
    from crawler.store.models import Sweep
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        row = session.get(Sweep, sweep_id)
        if row is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        data = {column.name: getattr(row, column.key) for column in Sweep.__table__.columns}
    click.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))


@sweep.command("sync-registry")
@click.argument("source")
@db_option
@click.option("--dry-run", is_flag=True, help="Show the differences; write nothing.")
@click.option(
    "--save",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the import file here.",
)
def sync_registry(source: str, db_url: str | None, dry_run: bool, save: Path | None) -> None:
    """Read the regulator's published list page (URL or file) into a registry import."""
    from crawler.registry_sync import sync

    report = sync(source, db_url=db_url, dry_run=dry_run, save=save)
    click.echo(report)
