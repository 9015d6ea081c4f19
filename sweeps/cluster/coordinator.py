"""The coordinator's side: create a distributed sweep (row, seed ledger, frontier), inspect it, abandon it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from checker.registry.gate import ALLOWED_IN_SUMMARY, require_registry
from crawler import heartbeat
from crawler.adapters import tracking_params
from crawler.canonical import Canonicalizer
from crawler.cluster.keys import SweepKeys
from crawler.cluster.politeness import paused_hosts, sweep_warnings
from crawler.cluster.redisconn import connect, safe_url
from crawler.cluster.stream import Scripts, _text, load_frontier
from crawler.frontier import META_URL, request_payload
from crawler.ledger import Discovery, account, record_discoveries
from crawler.store.models import Sweep
from crawler.targets import Target, host_allowed, load_targets
from markwatch import db
from markwatch.errors import ConflictError, NotFoundError
from sweeps.bookkeeping import reap_dead, running_sweep_id


def seed_discoveries(target: Target) -> list[Discovery]:
    """The target's seeds as ledger rows, each with the request a worker will rebuild."""
    from crawler.spiders.marketplace import spider_for

    spider = spider_for(target.adapter)(target=target)
    canonical = Canonicalizer.of(tracking_params(target.adapter))
    found = []
    for request in spider.seed_requests():
        url = canonical(request.url)
        seed = request.replace(url=url, meta={**request.meta, META_URL: url, "depth": 0})
        found.append(Discovery(url, "queued", request=request_payload(seed, spider)))
    return found


def start_distributed(
    targets_path: Path, target_name: str, *, db_url: str, redis_url: str, allow_empty_registry: bool = False
) -> int:
    """A new running sweep whose seeds wait in Redis for workers; its id.

    RegistryEmpty, with nothing written, when the registry holds no designation and `allow_empty_registry`
    is not given (checker/registry/gate.py): the workers would judge every claim unregistered."""
    target = load_targets(targets_path).get(target_name)
    conn = connect(redis_url)
    with db.session_scope(db_url) as session:
        designations = require_registry(session, allow_empty=allow_empty_registry)
        busy = running_sweep_id(session, target_name)
        if busy is not None:
            raise ConflictError(f"sweep {busy} of {target_name!r} is still running")
        summary = {
            "distributed": True,
            "target": target.model_dump(mode="json"),
            "redis": safe_url(redis_url),
        }
        if not designations:  # let through by the flag: its workers judge against nothing too, knowingly
            summary[ALLOWED_IN_SUMMARY] = True
        # Its first sign of life: workers beat from their start; none within the bound, and it is interrupted.
        sweep = Sweep(target=target_name, started_at=db.utcnow(), state="running", summary=summary,
                      heartbeat_at=heartbeat.now_value(session))  # fmt: skip
        session.add(sweep)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise ConflictError(f"another sweep of {target_name!r} started at the same moment") from None
        record_discoveries(session, sweep.id, seed_discoveries(target), db.utcnow())
        sweep_id = sweep.id
    try:
        canonical = Canonicalizer.of(tracking_params(target.adapter))
        load_frontier(conn, SweepKeys(sweep_id), sweep_id, db_url, canonical)
    except Exception:
        abandon(sweep_id, db_url=db_url, client=conn)
        raise
    return sweep_id


@dataclass(frozen=True)
class ClusterStatus:
    """A distributed sweep as Redis and the database see it."""

    sweep_id: int
    state: str
    frontier: int  # entries on the streams: queued or in flight
    in_flight: int  # taken by a worker, not yet acknowledged
    workers: dict[str, float]
    pages_stored: int
    accounting: dict[str, Any] = field(default_factory=dict)
    # Why it may be slow: the sweep's hosts paused by a Retry-After (seconds left), what hosts asked that it
    # does not do in full (crawl_delay_capped), as every worker met them so far.
    paused: dict[str, float] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form `markwatch cluster status --format json` prints."""
        return asdict(self)


def cluster_status(sweep_id: int, *, db_url: str, redis_url: str) -> ClusterStatus:
    """Frontier size, entries in flight, live workers, and the ledger's accounting."""
    conn = connect(redis_url)
    keys = SweepKeys(sweep_id)
    with db.session_scope(db_url) as session:
        reap_dead(session)
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        state = sweep.state
        acc = account(session, sweep_id)
        stored = (sweep.summary or {}).get("target")
        target = Target.model_validate(stored) if stored else None
    code = Scripts(conn)
    left = int(code.left(keys=[keys.epoch, keys.priorities], args=[keys.prefix]))
    pending = 0
    for priority in conn.zrange(keys.priorities, 0, -1):
        summary = conn.xpending(keys.stream(_text(priority)), "workers")
        pending += int(summary.get("pending", 0) or 0)
    workers = {_text(k): float(v) for k, v in conn.hgetall(keys.workers).items()}
    paused = paused_hosts(conn)
    if target is not None:  # pauses are per host across sweeps: only the hosts this sweep may fetch from
        domains = [*target.allowed_domains, *target.image_domains]
        paused = {host: left for host, left in paused.items() if host_allowed(host, domains)}
    return ClusterStatus(
        sweep_id=sweep_id,
        state=state,
        frontier=max(left, 0),
        in_flight=pending,
        workers=workers,
        pages_stored=acc.pages,
        accounting={
            "discovered": acc.discovered,
            "stored": acc.stored,
            "failed": acc.failed_total,
            "skipped": acc.skipped_total,
            "queued": acc.missing,
        },
        paused=paused,
        warnings=sweep_warnings(conn, sweep_id),
    )


def delete_frontier(conn: Any, sweep_id: int) -> None:
    """Remove every Redis key of the sweep."""
    keys = SweepKeys(sweep_id)
    streams = [keys.stream(_text(p)) for p in conn.zrange(keys.priorities, 0, -1)]
    conn.delete(*keys.fixed(), *streams)


def abandon(sweep_id: int, *, db_url: str, client: Any) -> None:
    """Give a distributed sweep up: state failed (not resumable), its Redis keys removed."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id, with_for_update=True)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        if sweep.state in ("running", "interrupted", "incomplete"):
            sweep.state = "failed"
            sweep.summary = {**(sweep.summary or {}), "abandoned": True}
    delete_frontier(client, sweep_id)
