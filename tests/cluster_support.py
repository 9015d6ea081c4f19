"""Running a distributed sweep of the local test site with real worker processes, for the fault tests and
the benchmark: start it, run workers, inject faults, and read back what the sweep stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cases_support import import_example_registry
from localsite import LocalSite
from sqlalchemy import func, select

from crawler.store.models import Snapshot, Sweep, SweepPage, SweepUrl
from markwatch import db
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


def checker_env(**extra: str) -> dict[str, str]:
    """The environment of a sweep process in tests: the extraction-only test checker."""
    return dict(
        os.environ,
        MARKWATCH_CHECKER="code_checker:factory",
        PYTHONPATH=str(REPO / "tests" / "data" / "crawler"),
        **extra,
    )


def marketplace_targets(path: Path, site: LocalSite, *, concurrency: int = 2, delay: float = 0) -> Path:
    """A targets file sweeping the site's listing pages and items (demo-marketplace adapter)."""
    path.write_text(
        f"""targets:
  - name: local
    seeds: [{{url: "{site.base}/list?page=1", kind: listing}}]
    allowed_domains: [127.0.0.1]
    adapter: demo-marketplace
    max_depth: 50
    max_pages: 10000
    delay: {delay}
    concurrency: {concurrency}
    timeout: 5
    retries: 1
""",
        encoding="utf-8",
    )
    return path


@dataclass
class Stored:
    """What a sweep holds in the database."""

    state: str
    pages: list[str]
    snapshots: int
    finding_pages: list[str]
    queued: set[str]
    summary: dict
    sweep: dict = field(default_factory=dict)


def stored(db_url: str, sweep_id: int) -> Stored:
    """Pages, findings and queued URLs of a sweep."""
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        pages = list(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == sweep_id)))
        snapshots = session.scalar(
            select(func.count()).select_from(Snapshot).where(Snapshot.sweep_id == sweep_id)
        )
        finding_pages = list(session.scalars(select(Finding.page_url).where(Finding.sweep_id == sweep_id)))
        queued = set(
            session.scalars(
                select(SweepUrl.url).where(SweepUrl.sweep_id == sweep_id, SweepUrl.state == "queued")
            )
        )
        row = {
            "urls_missing": sweep.urls_missing,
            "urls_taken": sweep.urls_taken,
            "errors": dict(sweep.errors),
        }
        return Stored(
            sweep.state, pages, int(snapshots or 0), finding_pages, queued, dict(sweep.summary), row
        )


def stored_count(db_url: str, sweep_id: int) -> int:
    """Pages stored so far (0 while the database is down)."""
    try:
        with db.session_scope(db_url) as session:
            return int(
                session.scalar(
                    select(func.count()).select_from(SweepPage).where(SweepPage.sweep_id == sweep_id)
                )
                or 0
            )
    except Exception:
        return 0


class ClusterRun:
    """One distributed sweep of `site` and its worker processes."""

    def __init__(
        self,
        site: LocalSite,
        db_url: str,
        redis_url: str,
        tmp: Path,
        *,
        concurrency: int = 2,
        claim_timeout: float = 3.0,
        outage_bound: float | None = None,
        delay: float = 0,
        rules_checker: bool = False,
        settings: tuple[str, ...] = (),
    ) -> None:
        self.site = site
        self.settings = settings  # KEY=VALUE Scrapy settings for every worker
        self.db_url = db_url
        self.redis_url = redis_url
        self.tmp = tmp
        self.targets = marketplace_targets(tmp / "targets.yaml", site, concurrency=concurrency, delay=delay)
        self.claim_timeout = claim_timeout
        self.outage_bound = outage_bound
        self.env = checker_env(MARKWATCH_HOME=str(tmp / "home"))
        if rules_checker:  # the production checker (rules on durable-rules) instead of the test checker
            self.env.pop("MARKWATCH_CHECKER")
        self.workers: list[subprocess.Popen[str]] = []
        self.sweep_id = 0

    def start(self) -> int:
        """`markwatch cluster start` (after importing the example registry: it refuses an empty one)."""
        import_example_registry(self.db_url)
        result = subprocess.run(
            [MARKWATCH, "cluster", "start", str(self.targets), "--target", "local", "--db", self.db_url,
             "--redis", self.redis_url],
            env=self.env, cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        self.sweep_id = int(result.stdout.strip())
        return self.sweep_id

    def worker_command(self) -> list[str]:
        """`markwatch cluster worker` for this sweep, with this run's timeouts."""
        command = [MARKWATCH, "cluster", "worker", str(self.sweep_id), "--db", self.db_url, "--redis", self.redis_url,
                   "--claim-timeout", str(self.claim_timeout), "--set", "AUTOTHROTTLE_ENABLED=false",
                   "--set", "LOG_LEVEL=INFO"]  # fmt: skip
        if self.outage_bound is not None:
            command += ["--outage-bound", str(self.outage_bound)]
        for pair in self.settings:
            command += ["--set", pair]
        return command

    def spawn(self, count: int = 1) -> list[subprocess.Popen[str]]:
        """Start worker processes (each in its own process group, so a kill takes its children too)."""
        started = [
            subprocess.Popen(
                self.worker_command(),
                env=self.env,
                cwd=REPO,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            for _ in range(count)
        ]
        self.workers += started
        return started

    def wait_stored(self, pages: int, timeout: float = 120) -> None:
        """Until `pages` pages are stored."""
        deadline = time.monotonic() + timeout
        while stored_count(self.db_url, self.sweep_id) < pages:
            assert time.monotonic() < deadline, f"fewer than {pages} pages stored after {timeout} s"
            assert any(w.poll() is None for w in self.workers), "every worker exited"
            time.sleep(0.1)

    def kill(self, worker: subprocess.Popen[str], sig: int = signal.SIGKILL) -> None:
        """Send `sig` to a worker's process group."""
        os.killpg(worker.pid, sig)

    def finish(self, timeout: float = 240) -> list[tuple[int, str, str]]:
        """Wait for every worker: (exit code, stdout, stderr) each."""
        results = []
        for worker in self.workers:
            out, err = worker.communicate(timeout=timeout)
            results.append((worker.returncode, out, err))
        return results

    def stop_all(self) -> None:
        """Kill any worker still running (test teardown)."""
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)


# --- the fault matrix: each scenario runs workers on a started sweep, injects its fault, and returns the
# workers' (exit code, stdout, stderr). Shared by tests/test_cluster_faults.py and bench/sweep.py.

Results = list[tuple[int, str, str]]


def kill_a_worker(run: ClusterRun, pg: Any, redis: Any) -> Results:
    """SIGKILL one of two workers mid-sweep: its entries are claimed by the other after the timeout."""
    victim, _survivor = run.spawn(2)
    run.wait_stored(10)
    run.kill(victim, signal.SIGKILL)
    victim.wait(10)
    return run.finish()


def restart_a_worker(run: ClusterRun, pg: Any, redis: Any) -> Results:
    """SIGTERM one of two workers mid-sweep (it stores what it has in flight), then start it again."""
    first, _second = run.spawn(2)
    run.wait_stored(10)
    run.kill(first, signal.SIGTERM)
    first.wait(30)
    run.spawn(1)
    return run.finish()


def restart_redis(run: ClusterRun, pg: Any, redis: Any) -> Results:
    """Redis killed mid-sweep and started again empty (no persistence)."""
    run.spawn(2)
    run.wait_stored(10)
    redis.stop()
    time.sleep(2)
    redis.start()
    return run.finish()


def stop_postgres(run: ClusterRun, pg: Any, redis: Any, seconds: float = 5) -> Results:
    """PostgreSQL stopped (immediate) for `seconds`, then started again."""
    run.spawn(2)
    run.wait_stored(10)
    pg.stop()
    time.sleep(seconds)
    pg.start()
    return run.finish()


def postgres_past_the_bound(run: ClusterRun, pg: Any, redis: Any) -> Results:
    """PostgreSQL down longer than the workers' outage bound (run with outage_bound=3)."""
    return stop_postgres(run, pg, redis, seconds=8)


def redis_past_the_bound(run: ClusterRun, pg: Any, redis: Any) -> Results:
    """Redis down longer than the workers' outage bound; it comes back (empty) only after they gave up."""
    run.spawn(2)
    run.wait_stored(10)
    redis.stop()
    try:
        return run.finish()
    finally:
        redis.start()


def resume(run: ClusterRun, *options: str) -> subprocess.CompletedProcess[str]:
    """`markwatch sweep resume ID` of the cluster sweep (a worker in this process)."""
    return subprocess.run(
        [MARKWATCH, "sweep", "resume", str(run.sweep_id), "--db", run.db_url, "--redis", run.redis_url,
         "--set", "AUTOTHROTTLE_ENABLED=false", *options],
        env=run.env, cwd=REPO, capture_output=True, text=True, timeout=240,
    )  # fmt: skip


FAULTS: dict[str, tuple[Callable[[ClusterRun, Any, Any], Results], float | None]] = {
    # name: (scenario, outage bound of the workers)
    "worker SIGKILL": (kill_a_worker, None),
    "worker restart": (restart_a_worker, None),
    "Redis restart, no persistence": (restart_redis, None),
    "PostgreSQL down 5 s": (stop_postgres, None),
    "PostgreSQL down past the bound, resumed": (postgres_past_the_bound, 3.0),
    "Redis down past the bound, resumed": (redis_past_the_bound, 3.0),
}
