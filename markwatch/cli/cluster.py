"""`markwatch cluster`: one sweep crawled by workers on several machines (Redis frontier, shared database)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from markwatch.cli.options import db_option
from markwatch.config import database_url

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
def start(targets_file: Path, name: str, db_url: str | None, redis_url: str) -> None:
    """Create the sweep row and queue the target's seeds; prints the sweep id for the workers."""
    from crawler.cluster.coordinator import start_distributed

    sweep_id = start_distributed(targets_file, name, db_url=database_url(db_url), redis_url=redis_url)
    click.echo(sweep_id)


@cluster.command("worker")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
@click.option(
    "--idle-grace",
    type=click.FloatRange(0),
    default=10.0,
    show_default=True,
    help="Seconds the frontier must stay empty with every worker idle before workers exit.",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Scrapy setting override.")
@click.option(
    "--cases/--no-cases",
    "make_cases",
    default=True,
    show_default=True,
    help="The worker that finishes the sweep turns its findings into cases.",
)
def worker(
    sweep_id: int,
    db_url: str | None,
    redis_url: str,
    idle_grace: float,
    overrides: tuple[str, ...],
    make_cases: bool,
) -> None:
    """Crawl SWEEP_ID's shared frontier until it is drained; the last worker out finishes the sweep."""
    from crawler.cluster.worker import run_worker

    result = run_worker(
        sweep_id,
        db_url=database_url(db_url),
        redis_url=redis_url,
        idle_grace=idle_grace,
        make_cases=make_cases,
        overrides=list(overrides),
    )
    done = result.completion
    if done is not None and done.finished_sweep:
        click.echo(f"sweep {sweep_id}: finished by this worker; {done.pages} pages, {done.findings} findings")
        if done.cases:
            click.echo(f"cases from sweep {sweep_id}: {done.cases}")
    elif done is not None:
        click.echo(
            f"sweep {sweep_id}: this worker stopped ({result.reason}); {done.remaining_workers} still working"
        )
    else:
        click.echo(f"sweep {sweep_id}: worker stopped ({result.reason})")
    sys.exit(result.exit_code)


@cluster.command("status")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
def status(sweep_id: int, db_url: str | None, redis_url: str) -> None:
    """Frontier size, live workers and pages stored."""
    from crawler.cluster.coordinator import cluster_status

    found = cluster_status(sweep_id, db_url=database_url(db_url), redis_url=redis_url)
    click.echo(
        f"sweep {found.sweep_id}: {found.state}; {found.frontier} request(s) queued, "
        f"{found.pages_stored} page(s) stored, {len(found.workers)} worker(s)"
    )
    for worker_id in sorted(found.workers):
        click.echo(f"  worker {worker_id}")


@cluster.command("abandon")
@click.argument("sweep_id", type=int)
@db_option
@redis_option
def abandon(sweep_id: int, db_url: str | None, redis_url: str) -> None:
    """Give a distributed sweep up (state failed) and delete its frontier, e.g. after losing Redis data."""
    from crawler.cluster.coordinator import abandon as give_up
    from crawler.cluster.coordinator import connect

    give_up(sweep_id, db_url=database_url(db_url), client=connect(redis_url))
    click.echo(f"sweep {sweep_id}: abandoned")
