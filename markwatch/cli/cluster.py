"""`markwatch cluster`: one sweep crawled by workers on several machines (Redis frontier, shared database)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from markwatch.cli.options import allow_empty_registry_option, db_option, registry_gate
from markwatch.config import database_url, home_dir

redis_option = click.option(
    "--redis",
    "redis_url",
    envvar="MARKWATCH_REDIS_URL",
    required=True,
    help="Redis URL holding the shared frontier, e.g. redis://:PASSWORD@10.0.0.5:6379/0 (env MARKWATCH_REDIS_URL).",
)


@click.group()
def cluster() -> None:
    """Distributed sweeps: `start` on one machine, then `worker SWEEP_ID` on as many as you like."""


@cluster.command("start")
@click.argument("targets_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", "name", required=True, help="The target to sweep.")
@db_option
@redis_option
@allow_empty_registry_option
def start(
    targets_file: Path, name: str, db_url: str | None, redis_url: str, allow_empty_registry: bool
) -> None:
    """Create the sweep row and queue the target's seeds; prints the sweep id for the workers.

    An empty registry is refused (exit 2, nothing written) unless --allow-empty-registry."""
    from sweeps.cluster.coordinator import start_distributed

    url = database_url(db_url)
    registry_gate(url, allow_empty=allow_empty_registry)
    sweep_id = start_distributed(
        targets_file, name, db_url=url, redis_url=redis_url, allow_empty_registry=allow_empty_registry
    )
    click.echo(sweep_id)


@cluster.command("worker")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Scrapy setting override.")
@click.option(
    "--cases/--no-cases",
    "make_cases",
    default=True,
    show_default=True,
    help="The worker that finishes the sweep turns its findings into cases.",
)
@click.option(
    "--allow-incomplete",
    is_flag=True,
    help="Open cases even when the sweep ends incomplete (marked as such).",
)
@click.option(
    "--claim-timeout",
    type=click.FloatRange(1),
    default=10.0,
    show_default=True,
    help="Seconds without a heartbeat after which a worker's requests are taken by the others.",
)
@click.option(
    "--outage-bound",
    type=click.FloatRange(1),
    default=None,
    help="Seconds the database or Redis may be unreachable before this worker stops (default 120).",
)
def worker(
    sweep_id: int,
    db_url: str | None,
    redis_url: str,
    overrides: tuple[str, ...],
    make_cases: bool,
    allow_incomplete: bool,
    claim_timeout: float,
    outage_bound: float | None,
) -> None:
    """Crawl SWEEP_ID's shared frontier until nothing is left; the last worker out finishes the sweep.

    Exit code 0: the sweep finished; 3: this worker was stopped by a signal; 4: it stopped after an outage
    longer than the bound (the sweep is incomplete unless other workers carry on)."""
    run_worker_command(
        sweep_id, database_url(db_url), redis_url, overrides=overrides, make_cases=make_cases,
        allow_incomplete=allow_incomplete, claim_timeout=claim_timeout, outage_bound=outage_bound,
    )  # fmt: skip


def run_worker_command(
    sweep_id: int,
    db_url: str,
    redis_url: str,
    *,
    overrides: tuple[str, ...] = (),
    make_cases: bool = True,
    allow_incomplete: bool = False,
    claim_timeout: float = 10.0,
    outage_bound: float | None = None,
    retry_given_up: bool = False,
) -> None:
    """Run one worker and say what became of the sweep (also `markwatch sweep resume` of a cluster sweep)."""
    from sweeps.cluster.worker import run_worker
    from sweeps.run import parse_overrides

    result = run_worker(
        sweep_id,
        db_url=db_url,
        redis_url=redis_url,
        overrides=parse_overrides(list(overrides)),
        claim_timeout=claim_timeout,
        outage_bound=outage_bound,
        job_root=home_dir() / "jobs",
        retry_given_up=retry_given_up,
    )
    if result.reopened:
        click.echo(f"sweep {sweep_id}: resumed although it had nothing left to retry: {result.reopened}")
    if result.finished_here:
        click.echo(
            f"sweep {sweep_id}: finished by this worker; {result.pages} pages, {result.findings} findings"
        )
    elif result.state == "finished":
        click.echo(f"sweep {sweep_id}: finished (by another worker)")
    elif result.state == "incomplete" and result.summary.get("nothing_to_retry"):
        from markwatch.cli.sweep import given_up_part, not_handled_part

        # Every item markwatch failed itself used its MARKWATCH_MAX_ATTEMPTS attempts: a worker would redo nothing.
        click.echo(
            f"sweep {sweep_id}: incomplete, {not_handled_part(result.unhandled)}{given_up_part(result.summary)}; "
            f"`markwatch cluster start` sweeps the target anew"
        )
    elif result.state in ("incomplete", "interrupted"):
        from markwatch.cli.sweep import not_handled_part

        click.echo(
            f"sweep {sweep_id}: {result.state}, {result.missing} URL(s) missing; "
            f"{not_handled_part(result.unhandled)}carry it on with "
            f"`markwatch cluster worker {sweep_id}` (or `markwatch sweep resume {sweep_id}`)"
        )
    else:
        click.echo(f"sweep {sweep_id}: this worker stopped ({result.reason}); other workers carry on")
    # The worker that finished the sweep opens its cases (an incomplete one only when asked to).
    if make_cases and (
        result.finished_here or (allow_incomplete and result.state in ("incomplete", "interrupted"))
    ):
        click.echo(f"cases from sweep {sweep_id}: {_open_cases(db_url, sweep_id, allow_incomplete)}")
    sys.exit(result.exit_code)


def _open_cases(db_url: str, sweep_id: int, allow_incomplete: bool) -> str:
    from markwatch import db
    from markwatch.cases.ingest import ingest_sweep

    with db.session_scope(db_url) as session:
        report = ingest_sweep(session, sweep_id, allow_incomplete=allow_incomplete)
    return (
        f"{report.created} new, {report.updated} updated, {report.reopened} reopened, "
        f"{report.escalated} escalated, {report.closed} closed after re-check"
    )


@cluster.command("status")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def status(sweep_id: int, db_url: str | None, redis_url: str, fmt: str) -> None:
    """Requests queued and in flight, live workers, the sweep's accounting, and why it may be slow: its
    hosts paused by a Retry-After and the host warnings its workers met."""
    from markwatch.cli.sweep import warning_line
    from sweeps.cluster.coordinator import cluster_status

    found = cluster_status(sweep_id, db_url=database_url(db_url), redis_url=redis_url)
    if fmt == "json":
        click.echo(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
        return
    acc = found.accounting
    click.echo(
        f"sweep {found.sweep_id}: {found.state}; {found.frontier} request(s) on the frontier "
        f"({found.in_flight} in flight), {found.pages_stored} page(s) stored, {len(found.workers)} worker(s); "
        f"{acc['discovered']} URLs: {acc['stored']} stored, {acc['failed']} failed, {acc['skipped']} skipped, "
        f"{acc['queued']} queued"
    )
    for worker_id in sorted(found.workers):
        click.echo(f"  worker {worker_id}")
    for host, left in found.paused.items():
        click.echo(f"  paused {host}: {left:.0f} s more (Retry-After)")
    for warning in found.warnings:
        click.echo(f"  {warning_line(warning)}")  # as `sweep show` words them


@cluster.command("abandon")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
def abandon(sweep_id: int, db_url: str | None, redis_url: str) -> None:
    """Give a distributed sweep up (state failed) and delete its frontier."""
    from crawler.cluster.redisconn import connect
    from sweeps.cluster.coordinator import abandon as give_up

    give_up(sweep_id, db_url=database_url(db_url), client=connect(redis_url))
    click.echo(f"sweep {sweep_id}: abandoned")
