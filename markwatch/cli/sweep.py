"""`markwatch sweep`: run (or resume) a target's sweep, list sweeps, show one with its accounting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from markwatch.cli.images import image_progress, image_summary, pending_line
from markwatch.cli.options import allow_empty_registry_option, db_option, registry_gate
from markwatch.config import database_url, home_dir

job_dir_option = click.option(
    "--job-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Root of the per-sweep job directories (spooled pages during a database outage).",
)
overrides_option = click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Scrapy setting override."
)
cases_option = click.option(
    "--cases/--no-cases",
    "make_cases",
    default=True,
    show_default=True,
    help="Turn a finished sweep's findings into inspectors' cases.",
)
incomplete_option = click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Also open cases from a sweep that did not finish (the cases are marked as such).",
)
bound_option = click.option(
    "--outage-bound",
    type=click.FloatRange(1),
    default=None,
    help="Seconds the database may be unreachable before the sweep stops as incomplete (default 120).",
)


@click.group()
def sweep() -> None:
    """Crawl targets politely, snapshot every page, check it, compare with the previous sweep."""


@sweep.command("run")
@click.argument("targets_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", "names", multiple=True, help="Sweep only this target (repeatable); default all.")
@db_option
@job_dir_option
@overrides_option
@cases_option
@incomplete_option
@bound_option
@allow_empty_registry_option
def run(
    targets_file: Path,
    names: tuple[str, ...],
    db_url: str | None,
    job_dir: Path | None,
    overrides: tuple[str, ...],
    make_cases: bool,
    allow_incomplete: bool,
    outage_bound: float | None,
    allow_empty_registry: bool,
) -> None:
    """Run TARGETS_FILE's targets; an unfinished sweep of a target is resumed, not restarted.

    Exit code 0 when every sweep finished, 1 when one was interrupted or is incomplete, 2 when the registry
    is empty (refused before anything is written, unless --allow-empty-registry)."""
    from crawler.targets import load_targets

    targets = load_targets(targets_file)
    chosen = [targets.get(name) for name in names] if names else targets.targets
    url = database_url(db_url)
    # Refused with --no-cases too: the sweep still stores its findings, which `markwatch cases ingest
    # --sweep ID` turns into cases later and the next sweep is compared with (new / recurring / resolved).
    # A sweep meant only to collect snapshots says so with --allow-empty-registry.
    registry_gate(url, allow_empty=allow_empty_registry)
    if len(chosen) > 1:
        # A reactor runs once per process: each target gets its own `sweep run` process, one after another.
        options = _passed_options(
            job_dir, overrides, make_cases, allow_incomplete, outage_bound, allow_empty_registry
        )
        sys.exit(_run_each(targets_file, [t.name for t in chosen], url, options))
    from sweeps.bookkeeping import run_sweep

    tty = sys.stderr.isatty()
    result = run_sweep(
        targets_file.resolve(),
        chosen[0].name,
        db_url=url,
        job_root=job_dir or home_dir() / "jobs",
        overrides=list(overrides),
        on_progress=_progress_line(chosen[0].name) if tty else None,
        outage_bound=outage_bound,
        allow_empty_registry=allow_empty_registry,
    )
    if tty:
        click.echo("", err=True)
    _report_end(url, result, make_cases=make_cases, allow_incomplete=allow_incomplete)


def _passed_options(
    job_dir: Path | None,
    overrides: tuple[str, ...],
    make_cases: bool,
    allow_incomplete: bool,
    outage_bound: float | None,
    allow_empty_registry: bool,
) -> list[str]:
    options = ["--cases" if make_cases else "--no-cases"]
    if job_dir is not None:
        options += ["--job-dir", str(job_dir)]
    for pair in overrides:
        options += ["--set", pair]
    if allow_incomplete:
        options.append("--allow-incomplete")
    if outage_bound is not None:
        options += ["--outage-bound", str(outage_bound)]
    if allow_empty_registry:
        options.append("--allow-empty-registry")
    return options


def _run_each(targets_file: Path, names: list[str], db_url: str, options: list[str]) -> int:
    # The database URL goes by environment, not argv: `ps` shows argv to every user of the machine.
    env = {**os.environ, "MARKWATCH_DB": db_url}
    worst = 0
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the child, which stops cleanly
    try:
        for name in names:
            command = [
                sys.executable,
                "-m",
                "markwatch.cli",
                "sweep",
                "run",
                str(targets_file),
                "--target",
                name,
            ]
            code = subprocess.call([*command, *options], env=env)
            worst = max(worst, code)
            if code not in (0, 1):
                break
    finally:
        signal.signal(signal.SIGINT, previous)
    return worst


def _report_end(db_url: str, result: Any, *, make_cases: bool, allow_incomplete: bool) -> None:
    click.echo(summary_line(result))
    reopened = reopened_line(result)
    if reopened:
        click.echo(reopened)
    if result.state != "finished":
        click.echo(_missing_line(result))
    # Only a complete sweep opens cases (and may close them by re-check), unless the operator says so.
    if make_cases and (result.state == "finished" or (allow_incomplete and result.state != "failed")):
        click.echo(_ingest_line(db_url, result.id, allow_incomplete=result.state != "finished"))
    if result.state != "finished":
        sys.exit(1)


def _missing_line(sweep: Any) -> str:
    missing = (sweep.summary or {}).get("missing") or []
    shown = ", ".join(missing[:5]) + (", ..." if sweep.urls_missing > 5 else "")
    summary = sweep.summary or {}
    spooled = " (fetched pages wait in the job directory)" if summary.get("spooled") else ""
    if summary.get("unkept"):
        spooled = f" ({summary['unkept']} fetched page(s) could not be kept in the job directory either)"
    images = pending_line(sweep)
    unread = summary.get("images_not_read_pages") or []
    return (
        f"sweep {sweep.id}: {sweep.urls_missing} URL(s) missing{': ' + shown if shown else ''}{spooled}; "
        + not_handled_part((sweep.summary or {}).get("unhandled") or {})
        # Pages whose images markwatch's own reading failed on (OCR timeout, crashed worker): read on resume.
        + (
            f"images not read on {', '.join(unread[:5])}{', ...' if len(unread) > 5 else ''}; "
            if unread
            else ""
        )
        + (f"{images}; " if images else "")
        + _next_step(sweep)
    )


def _next_step(sweep: Any) -> str:
    summary = sweep.summary or {}
    if summary.get("nothing_to_retry"):
        # Given up (MARKWATCH_MAX_ATTEMPTS): resuming would only end it incomplete again.
        return (
            f"{given_up_part(summary)}; the next `markwatch sweep run` starts a new sweep; try them once more "
            f"with `markwatch sweep resume {sweep.id} --retry-given-up`"
        )
    given = f"{given_up_part(summary)} (not retried); " if summary.get("given_up") else ""
    return f"{given}finish it with `markwatch sweep resume {sweep.id}`"


def reopened_line(sweep: Any) -> str:
    """ "sweep 1: resumed although it had nothing left to retry: MARKWATCH_MAX_ATTEMPTS raised …"; "" if not."""
    from sweeps.bookkeeping import reopened_text

    reopened = reopened_text(sweep.summary or {})
    return f"sweep {sweep.id}: resumed although it had nothing left to retry: {reopened}" if reopened else ""


def given_up_part(summary: dict[str, Any]) -> str:
    """What a sweep gave up (its summary's `given_up`), for a terminal line; "" if nothing."""
    from sweeps.bookkeeping import given_up_text

    counts = summary.get("given_up") or {}
    return given_up_text(counts, int(summary.get("max_attempts") or 0)) if counts else ""


def not_handled_part(unhandled: dict[str, int]) -> str:
    """What markwatch failed itself in a sweep (its summary's `unhandled`), for a terminal line; "" if none."""
    return f"{sum(unhandled.values())} URL(s) not handled ({_by_reason(unhandled)}); " if unhandled else ""


def _by_reason(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {count}" for reason, count in sorted(counts.items()))


def _ingest_line(db_url: str, sweep_id: int, *, allow_incomplete: bool = False) -> str:
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.db import session_scope

    with session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id, allow_incomplete=allow_incomplete)
    marked = " (from an incomplete sweep, marked on the cases)" if allow_incomplete else ""
    return (
        f"cases from sweep {sweep_id}{marked}: {report.created} new, {report.updated} updated, "
        f"{report.reopened} reopened, {report.escalated} escalated, {report.closed} closed after re-check"
    )


def _progress_line(name: str) -> Any:
    def show(counts: dict[str, Any]) -> None:
        click.echo(
            f"\r{name}: {counts['pages']} pages stored, {counts['failed']} failed, {counts['skipped']} skipped, "
            f"{counts['queued']} queued, {counts['in_flight']} in flight"
            + image_progress(counts.get("images") or {}),
            err=True,
            nl=False,
        )

    return show


def summary_line(sweep: Any) -> str:
    """One line per sweep: state, pages, findings, and what was skipped or failed."""
    errors = ", ".join(f"{kind} {count}" for kind, count in sorted((sweep.errors or {}).items())) or "none"
    return (
        f"sweep {sweep.id} {sweep.target}: {sweep.state}; {sweep.pages_fetched} pages, {sweep.claims} claims, "
        f"findings new {sweep.findings_new} / recurring {sweep.findings_recurring} / resolved {sweep.findings_resolved}; "
        f"{sweep.urls_discovered} URLs: {sweep.urls_taken} taken, {sweep.urls_failed} failed, "
        f"{sweep.urls_skipped} skipped, {sweep.urls_missing} missing; "
        f"robots.txt skipped {sweep.robots_skipped}, off-site dropped {sweep.offsite_dropped}, errors: {errors}"
        + image_summary((sweep.summary or {}).get("images") or {})
    )


def warning_line(warning: dict[str, Any]) -> str:
    """One sweep warning for a terminal (crawl_delay_capped: what robots.txt asked and what was applied)."""
    line = f"warning: {warning.get('code')} {warning.get('host')}"
    if warning.get("code") == "crawl_delay_capped":
        line += (
            f" (robots.txt asks {warning.get('asked'):g} s between requests, {warning.get('applied'):g} s "
            "applied: MARKWATCH_CRAWL_DELAY_MAX)"
        )
    return line


@sweep.command("resume")
@click.argument("sweep_id", type=int)
@db_option
@job_dir_option
@overrides_option
@cases_option
@incomplete_option
@bound_option
@click.option("--redis", "redis_url", envvar="MARKWATCH_REDIS_URL", default=None,
              help="Redis of a distributed sweep (env MARKWATCH_REDIS_URL).")  # fmt: skip
@allow_empty_registry_option
@click.option(
    "--retry-given-up",
    is_flag=True,
    help="Also do once more what markwatch failed itself MARKWATCH_MAX_ATTEMPTS times (given up); without it "
    "a sweep with nothing else left to retry is refused.",
)
def resume(
    sweep_id: int,
    db_url: str | None,
    job_dir: Path | None,
    overrides: tuple[str, ...],
    make_cases: bool,
    allow_incomplete: bool,
    outage_bound: float | None,
    redis_url: str | None,
    allow_empty_registry: bool,
    retry_given_up: bool,
) -> None:
    """Carry on an interrupted or incomplete sweep until it finishes (no page it stored is fetched again).

    A distributed sweep is resumed as a cluster worker in this process (its frontier is rebuilt from the
    database if Redis lost it); other workers may join with `markwatch cluster worker SWEEP_ID`."""
    from crawler.store.models import Sweep
    from markwatch.db import session_scope
    from markwatch.errors import InputError, NotFoundError

    url = database_url(db_url)
    with session_scope(url) as session:
        row = session.get(Sweep, sweep_id)
        if row is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        distributed = bool((row.summary or {}).get("distributed"))
    if distributed:
        if not redis_url:
            raise InputError(f"sweep {sweep_id} is distributed: give --redis (or MARKWATCH_REDIS_URL)")
        from markwatch.cli.cluster import run_worker_command

        run_worker_command(sweep_id, url, redis_url, overrides=overrides, make_cases=make_cases,
                           allow_incomplete=allow_incomplete, outage_bound=outage_bound,
                           retry_given_up=retry_given_up)  # fmt: skip
        return
    from sweeps.bookkeeping import resume_sweep

    tty = sys.stderr.isatty()
    result = resume_sweep(
        sweep_id,
        db_url=url,
        job_root=job_dir or home_dir() / "jobs",
        overrides=list(overrides),
        on_progress=_progress_line(f"sweep {sweep_id}") if tty else None,
        outage_bound=outage_bound,
        allow_empty_registry=allow_empty_registry,
        retry_given_up=retry_given_up,
    )
    if tty:
        click.echo("", err=True)
    _report_end(url, result, make_cases=make_cases, allow_incomplete=allow_incomplete)


@sweep.command("list")
@db_option
@click.option("--target", default=None)
def list_sweeps(db_url: str | None, target: str | None) -> None:
    """Sweeps, newest first (a running sweep whose process died is marked interrupted first)."""
    from markwatch.db import session_scope
    from sweeps.views import sweeps_now

    with session_scope(db_url) as session:
        # As the API and the console show them: a running sweep's counts from its ledger so far.
        for row in sweeps_now(session, target=target).sweeps:
            click.echo(summary_line(row))


@sweep.command("show")
@click.argument("sweep_id", type=int)
@db_option
def show(sweep_id: int, db_url: str | None) -> None:
    """One sweep as JSON: its row, its accounting from the ledger, and every missing URL."""
    from markwatch.db import session_scope
    from sweeps.views import report

    with session_scope(db_url) as session:
        data = report(session, sweep_id)
    click.echo(json.dumps(data, default=str, ensure_ascii=False, indent=2))


@sweep.command("status")
@click.argument("sweep_id", type=int)
@db_option
def status(sweep_id: int, db_url: str | None) -> None:
    """One sweep for a terminal: state, what became of its URLs, and the missing ones."""
    from markwatch.db import session_scope
    from sweeps.views import report

    with session_scope(db_url) as session:
        data = report(session, sweep_id)
    acc = data["accounting"]
    click.echo(f"sweep {sweep_id} {data['target']}: {data['state']}")
    click.echo(
        f"  {acc['discovered']} URLs discovered, {acc['taken']} taken, {acc['stored']} stored and checked, "
        f"{sum(acc['failed'].values())} failed, {sum(acc['skipped'].values())} skipped, {acc['missing']} missing"
    )
    summary = data.get("summary") or {}
    tried = summary.get("max_attempts")
    for title, counts in (
        ("failed", acc["failed"]),
        ("not handled (markwatch's own failures, done again on resume)", acc["unhandled"]),
        (f"given up (tried {tried} times, not retried on resume)", summary.get("given_up") or {}),
        ("skipped", acc["skipped"]),
        ("page notes", acc["notes"]),
    ):
        if counts:
            click.echo(f"  {title}: {_by_reason(counts)}")
    if acc.get("images"):
        click.echo("  " + image_summary(acc["images"]).removeprefix("; "))
    for warning in (data.get("summary") or {}).get("warnings") or []:
        click.echo("  " + warning_line(warning))
    if data["missing_urls"]:
        click.echo("  missing:")
        for url in data["missing_urls"]:
            click.echo(f"    {url}")
    if summary.get("nothing_to_retry") and data["state"] == "incomplete":
        click.echo(
            f"  nothing left to retry: the next `markwatch sweep run` starts a new sweep; try the given-up "
            f"items once more with `markwatch sweep resume {sweep_id} --retry-given-up`"
        )
    elif data["state"] in ("interrupted", "incomplete"):
        click.echo(f"  finish it with `markwatch sweep resume {sweep_id}`")


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
    from checker.registry.sync import sync

    report = sync(source, db_url=db_url, dry_run=dry_run, save=save)
    click.echo(report)


# The demo (markwatch/demo.py) prints sweeps with the same line.
_summary_line = summary_line
