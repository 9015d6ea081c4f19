"""Politeness across the workers of one distributed sweep: what a host asked of one worker holds for all of
them (robots.txt Crawl-delay, a Retry-After pause), and what was not done in full reaches the sweep.

Real worker processes, a real Redis and PostgreSQL, the local site on 127.0.0.1. Spacing is asserted as a
lower bound on the server's own arrival times (a loaded machine only widens the gaps)."""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import redis
from cluster_support import MARKWATCH, REPO, ClusterRun, stored
from localsite import LocalSite, serve
from sqlalchemy import select

from crawler.cluster.politeness import paused_hosts
from crawler.store.models import SweepUrl
from markwatch import db

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

# Some slack below an asked spacing or pause for clock granularity (the server's and Redis's clocks differ).
SLACK = 0.05


def _page_arrivals(site: LocalSite) -> list[tuple[float, str]]:
    """(arrival time, path) of every request but robots.txt's, in arrival order."""
    with site.lock:
        pairs = list(zip(site.times, site.requests, strict=True))
    return [(at, path) for at, path in pairs if path != "/robots.txt"]


def _busy_item_sweep(
    postgres_url: str, redis_url: str, tmp_path: Path, retry_after: int, *settings: str
) -> tuple[LocalSite, int, list[tuple[int, str, str]], float]:
    """Two workers (concurrency 1) sweep the site, whose /item/9.html first answers 429 with `retry_after`:
    the site, the sweep id, the workers' results and when the 429 was answered."""
    with serve(
        item_delay=0.1, listing_pages=4, items_per_page=6, busy_first={"/item/9.html": retry_after}
    ) as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, concurrency=1, settings=settings)
        sweep_id = run.start()
        run.spawn(2)
        results = run.finish(timeout=240)
    return site, sweep_id, results, site.busy_at["/item/9.html"]


def _all_ok(results: list[tuple[int, str, str]]) -> None:
    assert all(code == 0 for code, _, _ in results), [err[-3000:] for _, _, err in results]


def test_a_robots_crawl_delay_spaces_the_host_across_workers(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # The target asks for no delay; the site's robots.txt asks for 1 s, of every worker together.
    with serve(listing_pages=2, items_per_page=4, robots_extra="Crawl-delay: 1\n") as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, concurrency=2, delay=0)
        sweep_id = run.start()
        run.spawn(2)
        results = run.finish(timeout=240)
        arrivals = [at for at, _path in _page_arrivals(site)]
    _all_ok(results)
    assert stored(postgres_url, sweep_id).state == "finished"
    assert len(arrivals) == 10, arrivals  # 2 listings, 8 items
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # Each worker spacing only its own requests would take half as long and interleave closer arrivals.
    assert arrivals[-1] - arrivals[0] >= 0.9 * (len(arrivals) - 1), gaps
    # Measured before the fix: 0.13 s, a worker's own slot spacing pushed its request off its booked slot.
    assert min(gaps) >= 0.5, sorted(gaps)[:3]


def test_a_capped_crawl_delay_reaches_the_sweep_from_its_workers(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with serve(listing_pages=1, items_per_page=3, robots_extra="Crawl-delay: 600\n") as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, settings=("MARKWATCH_CRAWL_DELAY_MAX=1",))
        sweep_id = run.start()
        run.spawn(2)
        results = run.finish(timeout=240)
        arrivals = [at for at, _path in _page_arrivals(site)]
    _all_ok(results)
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished"
    assert arrivals[-1] - arrivals[0] >= 0.9 * (len(arrivals) - 1)  # the cap is what was applied
    assert done.summary.get("warnings") == [
        {"code": "crawl_delay_capped", "host": "127.0.0.1", "asked": 600.0, "applied": 1.0}
    ], done.summary
    status = subprocess.run(
        [MARKWATCH, "sweep", "status", str(sweep_id), "--db", postgres_url],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert "warning: crawl_delay_capped 127.0.0.1" in status.stdout, status.stdout + status.stderr


def test_retry_after_pauses_the_host_for_every_worker(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # One worker's request is answered 429 with Retry-After: 2 while the other worker is busy on the same
    # host: the host hears from neither until the pause is over.
    pause = 2
    site, sweep_id, results, refused_at = _busy_item_sweep(postgres_url, redis_url, tmp_path, pause)
    arrivals = _page_arrivals(site)
    _all_ok(results)
    for _code, _out, err in results:
        assert "'item_scraped_count': " in err, err[-2000:]  # both workers did real work
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished" and f"{site.base}/item/9.html" in done.pages
    during = [
        (round(at - refused_at, 2), path)
        for at, path in arrivals
        if refused_at < at < refused_at + pause - SLACK
    ]
    # At most the other worker's one request already on its way when the 429 was answered (concurrency 1).
    assert len(during) <= 1, during
    after = [path for at, path in arrivals if at >= refused_at + pause - SLACK]
    assert "/item/9.html" in after  # the retry, after the pause


def test_a_host_left_alone_by_one_worker_is_left_alone_by_every_worker(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # 429 with Retry-After: 86400 to one worker. It left the host alone (host_paused), but the other worker
    # only waited out the shared pause (RETRY_AFTER_MAX) and went on fetching the host's pages.
    site, sweep_id, results, refused_at = _busy_item_sweep(
        postgres_url, redis_url, tmp_path, 86400, "RETRY_AFTER_MAX=3"
    )
    arrivals = _page_arrivals(site)
    _all_ok(results)
    after = [(round(at - refused_at, 2), path) for at, path in arrivals if at > refused_at]
    # At most the other worker's one request already on its way when the 429 was answered (concurrency 1),
    # and none once the shared pause (RETRY_AFTER_MAX, 3 s) was over. Before: /item/11.html 3.03 s after.
    assert len(after) <= 1 and all(wait < 3 - SLACK for wait, _path in after), after
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished"
    with db.session_scope(postgres_url) as session:
        rows = session.execute(
            select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(SweepUrl.sweep_id == sweep_id)
        ).all()
    reasons = Counter(reason for _url, state, reason in rows if state != "stored")
    assert reasons.pop("http_429") == 1 and set(reasons) == {"host_paused"}, reasons
    assert done.sweep["errors"] == {"http_429": 1, "host_paused": reasons["host_paused"]}
    # Every URL is accounted for: stored, or failed with its reason.
    assert len(rows) == len(done.pages) + 1 + reasons["host_paused"]
    # The pause is the host's across workers and sweeps, for as long as the server asked.
    left = paused_hosts(redis.Redis.from_url(redis_url))
    assert left["127.0.0.1"] > 86400 - 600, left


def test_a_retry_after_past_any_sense_is_shared_for_the_longest_rest_honoured(redis_url: str) -> None:
    # Retry-After: 10^29 s. Redis refused the leave-alone key's expiry ("value is not an integer or out of
    # range") from about 10^12 s on: the pause stayed with the worker that heard it, and the signal handler
    # raised. It is honoured for LEAVE_ALONE_MAX (30 days), across workers.
    from crawler.cluster.politeness import ClusterHosts, SharedHostDelay
    from crawler.politeness import LEAVE_ALONE_MAX, HostPolicy

    conn = redis.Redis.from_url(redis_url)
    policy = HostPolicy()
    policy.share(ClusterHosts(SharedHostDelay(conn, 0), conn, 1))
    policy.leave_alone("probe.invalid", 1e29)
    assert LEAVE_ALONE_MAX == 30 * 24 * 3600
    assert LEAVE_ALONE_MAX - 60 < policy.left_alone("probe.invalid") <= LEAVE_ALONE_MAX
    assert LEAVE_ALONE_MAX - 60 < paused_hosts(conn)["probe.invalid"] <= LEAVE_ALONE_MAX
