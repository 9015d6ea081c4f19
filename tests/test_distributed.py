"""One sweep, several worker processes, a real Redis frontier and a real PostgreSQL store, the local site;
and the frontier's Redis scripts one by one."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path

import pytest
from cases_support import import_example_registry
from click.testing import CliRunner
from cluster_support import MARKWATCH, REPO, ClusterRun, checker_env, marketplace_targets, stored
from localsite import serve
from sqlalchemy import select

from crawler.cluster.keys import SweepKeys
from crawler.cluster.politeness import SharedHostDelay
from crawler.cluster.redisconn import connect
from crawler.cluster.stream import Scripts
from crawler.store.models import Sweep
from crawler.targets import load_targets
from markwatch import db
from markwatch.cli import cli
from markwatch.errors import ConflictError, RegistryEmpty
from sweeps.bookkeeping import start_or_resume
from sweeps.cluster.coordinator import start_distributed
from sweeps.models import Finding

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_two_workers_share_one_sweep(
    postgres_url: str, redis_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    # Slow enough pages that the second worker, however late it starts on a loaded machine, gets its share.
    with serve(item_delay=0.5, listing_pages=6, items_per_page=6) as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, concurrency=2)
        sweep_id = run.start()
        run.spawn(2)
        results = run.finish(timeout=180)
        hits = dict(site.hits)
        # The same site swept by one ordinary process, for the pages and findings it should give.
        import_example_registry(sqlite_url)
        single = subprocess.run(
            [MARKWATCH, "sweep", "run", str(run.targets), "--db", sqlite_url, "--job-dir", str(tmp_path / "jobs"),
             "--set", "AUTOTHROTTLE_ENABLED=false", "--no-cases"],
            env=checker_env(), cwd=REPO, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    assert single.returncode == 0, single.stderr[-3000:]
    outputs = [out for _, out, _ in results]
    # Exactly one worker finished the sweep; the other saw it finished.
    assert sum("finished by this worker" in out for out in outputs) == 1, outputs
    assert sum("cases from sweep" in out for out in outputs) == 1
    # Both did real work (Scrapy's own per-process counts in the logs).
    for _, _, err in results:
        assert "'item_scraped_count': " in err, err[-2000:]
    # Every page fetched exactly once across both processes; robots.txt once per worker at most.
    assert hits.pop("/robots.txt") <= 2
    assert all(count == 1 for count in hits.values()), hits
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished" and sorted(done.pages) == sorted(site.marketplace_urls())
    with db.session_scope(sqlite_url) as session:
        reference = session.scalars(select(Sweep)).one()
        reference_findings = set(session.scalars(select(Finding.finding_key)))
    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        assert (sweep.pages_fetched, sweep.urls_discovered, sweep.skipped) == (
            reference.pages_fetched,
            reference.urls_discovered,
            reference.skipped,
        )
        assert set(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == sweep_id))) == (
            reference_findings
        )
    # The finished sweep's Redis keys are gone.
    assert not connect(redis_url).keys(f"{SweepKeys(sweep_id).prefix}*")


def test_politeness_spacing_holds_across_workers(postgres_url: str, redis_url: str, tmp_path: Path) -> None:
    with serve(item_delay=0.05, listing_pages=2, items_per_page=6) as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, concurrency=2, delay=0.3)
        run.start()
        run.spawn(2)
        results = run.finish(timeout=180)
        times = list(site.times)
    assert all(code == 0 for code, _, _ in results), [err[-2000:] for _, _, err in results]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    # Two workers, one host, slots 0.3 s apart cluster-wide: each worker spacing only its own requests would
    # take half the time. Arrivals jitter a little around their slots (connections, a loaded machine).
    assert len(times) >= 14
    assert times[-1] - times[0] >= 0.9 * 0.3 * (len(times) - 1), gaps
    assert min(gaps) >= 0.15, sorted(gaps)[:5]


def test_host_slots_are_spaced_across_workers(redis_url: str) -> None:
    client = connect(redis_url)
    first, second = SharedHostDelay(client, 0.5), SharedHostDelay(connect(redis_url), 0.5)
    waits = [
        first.reserve("shop.example.com"),
        second.reserve("shop.example.com"),
        first.reserve("shop.example.com"),
    ]
    assert waits[0] == 0
    assert 0.4 <= waits[1] <= 0.5 and 0.9 <= waits[2] <= 1.0
    assert second.reserve("other.example.com") == 0  # per host


def _push(code: Scripts, keys: SweepKeys, url: str, priority: int = 0, max_pages: int = 100) -> str:
    result = code.push_new(
        keys=[keys.epoch, keys.seen, keys.accepted, keys.priorities],
        args=[url, priority, "{}", max_pages, keys.prefix],
    )
    return result.decode()


def _take(code: Scripts, keys: SweepKeys, consumer: str, claim_ms: int = 60_000) -> list[str]:
    raw = code.take(keys=[keys.epoch, keys.priorities], args=[keys.prefix, consumer, 1, claim_ms])
    return [v.decode() for v in raw]


def test_stream_frontier_dedupes_budgets_and_orders_by_priority(redis_url: str) -> None:
    client = connect(redis_url)
    code, keys = Scripts(client), SweepKeys(7)
    assert _push(code, keys, "http://a/1") == "lost"  # no epoch: this Redis does not hold the sweep
    client.set(keys.epoch, "x")
    assert _push(code, keys, "http://a/1", max_pages=2) == "queued"
    assert _push(code, keys, "http://a/1", max_pages=2) == "dup"
    assert _push(code, keys, "http://a/2", priority=5, max_pages=2) == "queued"
    assert _push(code, keys, "http://a/3", max_pages=2) == "limit"
    assert _take(code, keys, "w1")[2] == "http://a/2"  # higher priority first
    assert _take(code, keys, "w1")[2] == "http://a/1"
    assert _take(code, keys, "w1") == []
    assert code.left(keys=[keys.epoch, keys.priorities], args=[keys.prefix]) == 2  # both still in flight


def test_entries_of_a_silent_worker_are_claimed_and_acks_delete(redis_url: str) -> None:
    import time

    client = connect(redis_url)
    code, keys = Scripts(client), SweepKeys(8)
    client.set(keys.epoch, "x")
    _push(code, keys, "http://a/1")
    _push(code, keys, "http://a/2")
    held = _take(code, keys, "alive")
    lost = _take(code, keys, "dead")
    time.sleep(0.3)
    # "alive" refreshes what it holds (its heartbeat); "dead" does not.
    assert code.hold(keys=[held[0]], args=["alive", held[1]]) == []
    claimed = _take(code, keys, "alive", claim_ms=200)
    assert claimed[2] == lost[2] == "http://a/2" and claimed[4] == "2"  # second delivery
    assert _take(code, keys, "other", claim_ms=200) == []  # the refreshed entry stays with its owner
    assert code.hold(keys=[lost[0]], args=["dead", lost[1]]) == [lost[1].encode()]  # not taken back
    for entry in (held, claimed):
        code.ack(keys=[entry[0]], args=[entry[1]])
    assert code.left(keys=[keys.epoch, keys.priorities], args=[keys.prefix]) == 0


def test_worker_refuses_what_it_cannot_serve(postgres_url: str, redis_url: str) -> None:
    with db.session_scope(postgres_url) as session:
        session.add(Sweep(target="plain", started_at=db.utcnow(), state="finished", summary={}))
    runner = CliRunner()
    plain = runner.invoke(cli, ["cluster", "worker", "1", "--db", postgres_url, "--redis", redis_url])
    assert plain.exit_code == 2 and "sweep 1 is not a distributed sweep" in plain.output
    missing = runner.invoke(cli, ["cluster", "worker", "9", "--db", postgres_url, "--redis", redis_url])
    assert missing.exit_code == 1 and "no sweep 9" in missing.output
    down = runner.invoke(
        cli, ["cluster", "status", "1", "--db", postgres_url, "--redis", "redis://127.0.0.1:1/0"]
    )
    assert down.exit_code == 2 and "cannot reach Redis at redis://127.0.0.1:1/0" in down.output
    assert "Traceback" not in plain.output + missing.output + down.output


def test_a_distributed_sweep_is_not_resumed_locally_and_can_be_abandoned(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with serve() as site:
        targets = marketplace_targets(tmp_path / "t.yaml", site)
    import_example_registry(postgres_url)
    runner = CliRunner()
    args = ["--db", postgres_url, "--redis", redis_url]
    started = runner.invoke(cli, ["cluster", "start", str(targets), "--target", "local", *args])
    assert started.exit_code == 0, started.output
    sweep_id = int(started.output.strip())
    again = runner.invoke(cli, ["cluster", "start", str(targets), "--target", "local", *args])
    assert again.exit_code == 2 and f"sweep {sweep_id} of 'local' is still running" in again.output
    target = load_targets(targets).get("local")
    with db.session_scope(postgres_url) as session, pytest.raises(ConflictError, match="distributed sweep"):
        start_or_resume(session, target, tmp_path)
    local = runner.invoke(cli, ["sweep", "run", str(targets), "--db", postgres_url])
    assert local.exit_code == 2 and "distributed sweep in progress" in local.output
    status = runner.invoke(cli, ["cluster", "status", str(sweep_id), *args])
    assert f"sweep {sweep_id}: running; 1 request(s) on the frontier (0 in flight)" in status.output
    assert "1 URLs: 0 stored, 0 failed, 0 skipped, 1 queued" in status.output
    gone = runner.invoke(cli, ["cluster", "abandon", str(sweep_id), *args])
    assert gone.exit_code == 0
    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "failed"
    assert not connect(redis_url).keys(f"{SweepKeys(sweep_id).prefix}*")


def test_cluster_start_refuses_an_empty_registry_and_writes_nothing(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with serve() as site:
        targets = marketplace_targets(tmp_path / "t.yaml", site)
    runner = CliRunner()
    args = ["cluster", "start", str(targets), "--target", "local", "--db", postgres_url, "--redis", redis_url]
    refused = runner.invoke(cli, args)
    assert refused.exit_code == 2, refused.output
    [line] = refused.output.strip().splitlines()
    shown = db.get_engine(postgres_url).url.render_as_string(hide_password=True)
    assert line.startswith(f"error: the registry in {shown} holds no designations")
    assert "markwatch registry import FILE" in line and "--allow-empty-registry" in line
    # The coordinator refuses for its other callers too, before the row, the seeds or the frontier.
    with pytest.raises(RegistryEmpty):
        start_distributed(targets, "local", db_url=postgres_url, redis_url=redis_url)
    with db.session_scope(postgres_url) as session:
        assert list(session.scalars(select(Sweep.id))) == []
    assert not connect(redis_url).keys("markwatch:*")
    allowed = runner.invoke(cli, [*args, "--allow-empty-registry"])
    assert allowed.exit_code == 0, allowed.output
    assert "warning: the registry in " in allowed.stderr
    sweep_id = int(allowed.stdout.strip())
    assert runner.invoke(cli, ["cluster", "abandon", str(sweep_id), *args[5:]]).exit_code == 0


def test_a_cluster_whose_workers_all_died_is_interrupted_by_its_heartbeat(
    postgres_url: str, redis_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cluster's sweep has no process a view could look at: while a worker beats it is running, from any
    # machine; once every worker is killed it is interrupted past the bound, and a new worker carries it on.
    import time

    monkeypatch.setenv("MARKWATCH_SWEEP_STALE_SECONDS", "10")
    with serve(item_delay=0.25) as site:
        site.slow_items_after = 4  # the kill strikes while items remain
        run = ClusterRun(site, postgres_url, redis_url, tmp_path, concurrency=2)
        run.env["MARKWATCH_SWEEP_HEARTBEAT_SECONDS"] = "0.5"
        sweep_id = run.start()
        (worker,) = run.spawn(1)
        try:
            run.wait_stored(2)
            listed = CliRunner().invoke(cli, ["sweep", "list", "--db", postgres_url]).output
            assert f"sweep {sweep_id} local: running" in listed, listed
            run.kill(worker)
            worker.wait(10)
        finally:
            run.stop_all()
        deadline = time.monotonic() + 120
        while stored(postgres_url, sweep_id).state == "running" and time.monotonic() < deadline:
            CliRunner().invoke(cli, ["sweep", "list", "--db", postgres_url])
            time.sleep(1)
        dead = stored(postgres_url, sweep_id)
        assert dead.state == "interrupted" and dead.summary["ended"] == "no heartbeat for 10 s", dead.summary
        assert dead.queued and dead.sweep["urls_missing"] == len(dead.queued)
        site.release()
        run.workers = []
        run.spawn(1)
        ((code, out, err),) = run.finish()
    assert code == 0, out + err[-3000:]
    assert stored(postgres_url, sweep_id).state == "finished"


def test_cluster_status_shows_paused_hosts_and_host_warnings(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # Why a distributed sweep is slow: the hosts a Retry-After paused for every worker, and what hosts asked
    # that the sweep does not do in full (a capped Crawl-delay), in text and JSON.
    import json

    from crawler.cluster.politeness import record_warnings

    with serve() as site:
        targets = marketplace_targets(tmp_path / "t.yaml", site)
    import_example_registry(postgres_url)
    args = ["--db", postgres_url, "--redis", redis_url]
    runner = CliRunner()
    sweep_id = int(runner.invoke(cli, ["cluster", "start", str(targets), "--target", "local", *args]).output)
    conn = connect(redis_url)
    spacing = SharedHostDelay(conn, 0)
    assert spacing.pause("127.0.0.1", 120)
    assert spacing.pause("elsewhere.example", 120)  # another sweep's host: not this sweep's business
    capped = {"code": "crawl_delay_capped", "host": "127.0.0.1", "asked": 600.0, "applied": 60.0}
    assert record_warnings(conn, sweep_id, [capped])
    try:
        text = runner.invoke(cli, ["cluster", "status", str(sweep_id), *args])
        assert text.exit_code == 0, text.output
        assert re.search(r"^  paused 127\.0\.0\.1: (\d+) s more \(Retry-After\)$", text.output, re.M), (
            text.output
        )
        assert "elsewhere.example" not in text.output
        assert (
            "  warning: crawl_delay_capped 127.0.0.1 (robots.txt asks 600 s between requests, 60 s applied"
            in (text.output)
        )
        found = runner.invoke(cli, ["cluster", "status", str(sweep_id), "--format", "json", *args])
        data = json.loads(found.output)
        assert (
            data["sweep_id"] == sweep_id and data["state"] == "running" and data["accounting"]["queued"] == 1
        )
        assert list(data["paused"]) == ["127.0.0.1"] and 100 < data["paused"]["127.0.0.1"] <= 120
        assert data["warnings"] == [capped]
    finally:
        conn.delete("markwatch:paused:127.0.0.1", "markwatch:paused:elsewhere.example")
        runner.invoke(cli, ["cluster", "abandon", str(sweep_id), *args])
