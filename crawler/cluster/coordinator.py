"""The coordinator's side: create the sweep row, queue its seeds in the shared frontier, inspect, abandon."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from crawler.cluster import serializer
from crawler.cluster.keys import SweepKeys
from crawler.cluster.membership import Membership
from crawler.cluster.spiders import cluster_spider_for
from crawler.store.models import Sweep
from crawler.sweeps import running_sweep_id
from crawler.targets import Target, load_targets
from markwatch import db
from markwatch.errors import ConflictError, ExecutionError, NotFoundError


def connect(redis_url: str) -> Any:
    """A Redis client, after checking the server answers."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url)
        client.ping()
    except (redis.RedisError, ValueError) as exc:
        raise ExecutionError(f"cannot reach Redis at {_safe_url(redis_url)}: {exc}") from exc
    return client


def _safe_url(url: str) -> str:
    # Never print a password from the URL.
    _userinfo, sep, tail = url.rpartition("@")
    return f"{url.split('//', 1)[0]}//***@{tail}" if sep else url


def start_distributed(targets_path: Path, target_name: str, *, db_url: str, redis_url: str) -> int:
    """A new running sweep whose seeds wait in Redis for workers; its id."""
    target = load_targets(targets_path).get(target_name)
    client = connect(redis_url)
    with db.session_scope(db_url) as session:
        busy = running_sweep_id(session, target_name)
        if busy is not None:
            raise ConflictError(f"sweep {busy} of {target_name!r} is still running")
        sweep = Sweep(
            target=target_name, started_at=db.utcnow(), state="running", summary={"distributed": True}
        )
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
    try:
        keys = SweepKeys(sweep_id)
        client.set(keys.target, target.model_dump_json())
        queue_seeds(client, keys, target)
    except Exception:
        abandon(sweep_id, db_url=db_url, client=client)
        raise
    return sweep_id


def queue_seeds(client: Any, keys: SweepKeys, target: Target) -> int:
    """Put the target's seed requests in the frontier, serialised as the workers' scheduler reads them."""
    spider = cluster_spider_for(target.adapter)(target=target)
    queue = PriorityQueue(server=client, spider=spider, key=keys.requests, serializer=serializer)
    seen = RFPDupeFilter(client, key=keys.dupefilter)
    queued = 0
    for request in spider.seed_requests():
        if not seen.request_seen(request):
            queue.push(request)
            queued += 1
    return queued


@dataclass(frozen=True)
class ClusterStatus:
    """A distributed sweep as Redis and the database see it."""

    sweep_id: int
    state: str
    frontier: int
    pages_taken: int
    workers: dict[str, float]
    pages_stored: int


def cluster_status(sweep_id: int, *, db_url: str, redis_url: str) -> ClusterStatus:
    """Frontier size, live workers and pages stored so far."""
    client = connect(redis_url)
    keys = SweepKeys(sweep_id)
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        state, pages = sweep.state, sweep.pages_fetched
    return ClusterStatus(
        sweep_id=sweep_id,
        state=state,
        frontier=int(client.zcard(keys.requests)),
        pages_taken=int(client.get(keys.pages) or 0),
        workers=Membership(client, keys, "status").live_workers(),
        pages_stored=pages,
    )


def abandon(sweep_id: int, *, db_url: str, client: Any) -> None:
    """Give a distributed sweep up: state failed (not resumable), its Redis keys removed."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id, with_for_update=True)
        if sweep is None:
            raise NotFoundError(f"no sweep {sweep_id}")
        if sweep.state == "running":
            sweep.state = "failed"
            sweep.summary = {**(sweep.summary or {}), "abandoned": True}
    client.delete(*SweepKeys(sweep_id).all())
