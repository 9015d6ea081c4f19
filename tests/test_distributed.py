"""One sweep, two worker processes, a real Redis frontier and a real PostgreSQL store, the local test site."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from localsite import serve
from sqlalchemy import func, select

from crawler.cluster.coordinator import connect
from crawler.cluster.keys import SweepKeys
from crawler.cluster.membership import Membership
from crawler.cluster.politeness import SharedHostDelay
from crawler.store.models import Finding, Sweep, SweepPage
from crawler.sweeps import start_or_resume
from markwatch import db
from markwatch.cli import cli
from markwatch.errors import ConflictError

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))
FAST = ["--set", "RETRY_TIMES=1", "--set", "DOWNLOAD_TIMEOUT=2", "--set", "AUTOTHROTTLE_ENABLED=false"]

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _env() -> dict[str, str]:
    return dict(
        os.environ,
        MARKWATCH_CHECKER="code_checker:factory",
        PYTHONPATH=str(REPO / "tests" / "data" / "crawler"),
    )


def _targets(path: Path, base: str) -> Path:
    path.write_text(
        f"""targets:
  - name: local
    seeds: [{{url: "{base}/", kind: listing}}]
    allowed_domains: [127.0.0.1]
    adapter: generic
    max_depth: 4
    delay: 0
    concurrency: 1
""",
        encoding="utf-8",
    )
    return path


def _findings(db_url: str, sweep_id: int) -> set[tuple[str, str | None]]:
    with db.session_scope(db_url) as session:
        rows = session.execute(
            select(Finding.finding_key, Finding.page_url).where(Finding.sweep_id == sweep_id)
        )
        return {(key, url) for key, url in rows}


def test_two_workers_share_one_sweep(
    postgres_url: str, redis_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    # Slow item pages: one worker alone would need 12+ s, so the second one (which looks at the frontier
    # every 5 s, Scrapy's engine heartbeat) gets its share.
    with serve(item_delay=1.0) as site:
        targets = _targets(tmp_path / "targets.yaml", site.base)
        start = subprocess.run(
            [MARKWATCH, "cluster", "start", str(targets), "--target", "local", "--db", postgres_url,
             "--redis", redis_url],
            env=_env(), cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert start.returncode == 0, start.stderr
        sweep_id = int(start.stdout.strip())
        command = [MARKWATCH, "cluster", "worker", str(sweep_id), "--db", postgres_url, "--redis", redis_url,
                   "--idle-grace", "2", *FAST]  # fmt: skip
        workers = [
            subprocess.Popen(
                command, env=_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [worker.communicate(timeout=180) for worker in workers]
        hits = dict(site.hits)
        # The same site swept by one ordinary process, for the findings it should give.
        single = subprocess.run(
            [MARKWATCH, "sweep", "run", str(targets), "--db", sqlite_url, "--job-dir", str(tmp_path / "jobs"),
             "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=4", *FAST],
            env=_env(), cwd=REPO, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    assert single.returncode == 0, single.stderr[-3000:]
    stdout = [out for out, _ in outputs]
    # Exactly one worker finished the sweep; the other left it to the last one out.
    assert sum("finished by this worker" in out for out in stdout) == 1, stdout
    assert sum("cases from sweep" in out for out in stdout) == 1
    # Both did real work: each fetched pages (Scrapy's own per-process request counts in the logs).
    for _, err in outputs:
        assert "'downloader/request_count': " in err and "'item_scraped_count': " in err, err[-2000:]

    # Every page fetched exactly once across both processes; robots.txt once per worker at most,
    # and the Disallowed page never.
    assert hits.pop("/robots.txt") <= 2
    assert "/private/secret.html" not in hits
    assert hits and all(count == 1 for count in hits.values()), hits
    assert {f"/item/{n}.html" for n in range(1, 13)} <= set(hits)

    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "finished" and sweep.finished_at is not None
        urls = list(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == sweep_id)))
        assert len(urls) == len(set(urls)) == sweep.pages_fetched == sweep.summary["pages_checked"]
        assert sweep.robots_skipped >= 1 and sweep.offsite_dropped == 1
        assert sweep.errors["redirect_loop"] == 1 and sweep.errors["non_http"] == 3
        assert sweep.findings_new == sweep.summary["findings"] == len(_findings(postgres_url, sweep_id))
        assert session.scalar(select(func.count()).select_from(Sweep)) == 1
    with db.session_scope(sqlite_url) as session:
        reference = session.scalars(select(Sweep)).one()
        assert reference.pages_fetched == sweep.pages_fetched
    assert _findings(postgres_url, sweep_id) == _findings(sqlite_url, reference.id)
    # The finished sweep's Redis keys are gone.
    assert not connect(redis_url).exists(*SweepKeys(sweep_id).all())


def test_last_worker_out_is_decided_atomically(redis_url: str) -> None:
    client = connect(redis_url)
    keys = SweepKeys(7)
    one, two = Membership(client, keys, "one"), Membership(client, keys, "two")
    one.heartbeat()
    two.heartbeat()
    assert set(one.live_workers()) == {"one", "two"}
    one.mark_idle()
    assert not one.drained(0)  # "two" is still busy
    two.mark_idle()
    assert one.drained(0) and not one.drained(30)  # idle, but not for 30 s yet
    client.zadd(keys.requests, {b"request": 0})
    assert not one.drained(0)  # the frontier is not empty
    assert one.leave() == 1
    assert two.leave() == 0


def test_a_dead_workers_heartbeat_goes_stale(redis_url: str) -> None:
    client = connect(redis_url)
    keys = SweepKeys(8)
    dead = Membership(client, keys, "dead", stale_after=0.2)
    dead.heartbeat()  # ... and then it was killed
    alive = Membership(client, keys, "alive", stale_after=0.2)
    alive.heartbeat()
    alive.mark_idle()
    assert not alive.drained(0)
    time.sleep(0.3)
    alive.heartbeat()
    assert alive.drained(0)  # the dead one no longer holds the sweep open
    assert alive.leave() == 0


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
    targets = _targets(tmp_path / "t.yaml", "http://127.0.0.1:9")
    runner = CliRunner()
    started = runner.invoke(
        cli,
        ["cluster", "start", str(targets), "--target", "local", "--db", postgres_url, "--redis", redis_url],
    )
    assert started.exit_code == 0, started.output
    sweep_id = int(started.output.strip())
    assert connect(redis_url).zcard(SweepKeys(sweep_id).requests) == 1  # the seed waits for workers
    again = runner.invoke(
        cli,
        ["cluster", "start", str(targets), "--target", "local", "--db", postgres_url, "--redis", redis_url],
    )
    assert again.exit_code == 2 and f"sweep {sweep_id} of 'local' is still running" in again.output
    with db.session_scope(postgres_url) as session, pytest.raises(ConflictError, match="distributed sweep"):
        start_or_resume(session, "local", tmp_path)
    status = runner.invoke(
        cli, ["cluster", "status", str(sweep_id), "--db", postgres_url, "--redis", redis_url]
    )
    assert f"sweep {sweep_id}: running; 1 request(s) queued, 0 page(s) stored, 0 worker(s)" in status.output
    gone = runner.invoke(
        cli, ["cluster", "abandon", str(sweep_id), "--db", postgres_url, "--redis", redis_url]
    )
    assert gone.exit_code == 0
    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "failed"
    assert not connect(redis_url).exists(*SweepKeys(sweep_id).all())
