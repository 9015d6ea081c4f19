"""Whole sweeps as subprocesses against the local site: robots, politeness, evidence, bookkeeping, resume."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from localsite import LocalSite, serve
from sqlalchemy import func, select

from crawler.store.models import Finding, Snapshot, SnapshotBody, Sweep, SweepPage
from markwatch import db
from markwatch.config import USER_AGENT

REPO = Path(__file__).resolve().parent.parent
CHECKER_PATH = REPO / "tests" / "data" / "crawler"


def _targets(
    path: Path, site: LocalSite, *, adapter: str, seeds: list[tuple[str, str]], max_pages: int = 100
) -> Path:
    seed_lines = "\n".join(f'      - {{url: "{site.base}{p}", kind: {kind}}}' for p, kind in seeds)
    path.write_text(
        f"""targets:
  - name: local
    seeds:
{seed_lines}
    allowed_domains: [127.0.0.1]
    adapter: {adapter}
    max_depth: 4
    max_pages: {max_pages}
    delay: 0
    concurrency: 4
    schedule: "*/30 * * * *"
""",
        encoding="utf-8",
    )
    return path


def _command(targets: Path, db_url: str, job_dir: Path) -> list[str]:
    return [
        str(Path(sys.executable).with_name("markwatch")), "sweep", "run", str(targets), "--db", db_url,
        "--job-dir", str(job_dir), "--set", "RETRY_TIMES=1", "--set", "AUTOTHROTTLE_ENABLED=false",
        "--set", "DOWNLOAD_TIMEOUT=2",
    ]  # fmt: skip


def _env() -> dict[str, str]:
    return dict(os.environ, MARKWATCH_CHECKER="code_checker:factory", PYTHONPATH=str(CHECKER_PATH))


def _sweep(targets: Path, db_url: str, job_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(targets, db_url, job_dir), env=_env(), capture_output=True, text=True, timeout=120, cwd=REPO
    )


GENERIC_SEEDS = [
    ("/private/secret.html", "product"),
    ("/", "listing"),
    ("/ratelimited.html", "product"),
    ("/big.html", "product"),
    ("/unavailable.html", "product"),
    ("/slow.html", "product"),
]


@pytest.fixture(scope="module")
def generic_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One generic sweep (robots.txt slow to load) and an identical second sweep."""
    tmp = tmp_path_factory.mktemp("generic")
    db_url = f"sqlite:///{tmp / 'mw.db'}"
    with serve(robots_delay=1.0, slow_delay=3.0) as site:
        targets = _targets(tmp / "targets.yaml", site, adapter="generic", seeds=GENERIC_SEEDS)
        first = _sweep(targets, db_url, tmp / "jobs")
        paths_first = site.paths()
        agents = list(site.user_agents)
        second = _sweep(targets, db_url, tmp / "jobs")
        paths = site.paths()
    return {
        "db": db_url,
        "first": first,
        "second": second,
        "paths_first": paths_first,
        "paths": paths,
        "agents": agents,
    }


def test_sweep_finishes_and_prints_summary(generic_run: dict) -> None:
    first = generic_run["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    assert "sweep 1 local: finished" in first.stdout


def test_disallowed_path_never_fetched_even_while_robots_loads(generic_run: dict) -> None:
    # The Disallowed page is a seed (requested at once, while robots.txt takes 1 s) and linked from pages.
    assert not [p for p in generic_run["paths"] if p.startswith("/private/")]
    assert generic_run["paths_first"][0] == "/robots.txt"


def test_user_agent_identifies_with_contact_url(generic_run: dict) -> None:
    assert set(generic_run["agents"]) == {USER_AGENT}
    assert "https://" in USER_AGENT


def test_drops_and_errors_are_counted(generic_run: dict) -> None:
    with db.session_scope(generic_run["db"]) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None
        assert sweep.robots_skipped >= 1
        assert sweep.offsite_dropped == 1
        assert sweep.errors["redirect_loop"] == 1
        assert sweep.errors["non_http"] == 3
        assert sweep.errors["too_large"] == 1
        assert sweep.errors["http_503"] == 1  # retried once (Retry-After: 0), then given up
        assert sweep.errors["timeout"] == 1  # DOWNLOAD_TIMEOUT, after one retry
        assert "http_429" not in sweep.errors
    assert not [p for p in generic_run["paths"] if "landing" in p]


def test_429_is_retried_after_retry_after(generic_run: dict) -> None:
    assert generic_run["paths_first"].count("/ratelimited.html") == 2
    assert generic_run["paths_first"].count("/unavailable.html") == 2
    with db.session_scope(generic_run["db"]) as session:
        urls = set(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == 1)))
    assert any(url.endswith("/ratelimited.html") for url in urls)


def test_snapshots_are_compressed_hashed_and_complete(generic_run: dict) -> None:
    with db.session_scope(generic_run["db"]) as session:
        snapshot = session.scalars(select(Snapshot).where(Snapshot.requested_url.like("%/gbk.html"))).first()
        assert snapshot is not None
        body = session.get(SnapshotBody, snapshot.body_sha256)
        assert body is not None
        raw = zlib.decompress(body.body)
        assert hashlib.sha256(raw).hexdigest() == snapshot.body_sha256 == snapshot.sha256
        assert "执行标准".encode("gbk") in raw
        assert snapshot.status == 200
        assert snapshot.headers["Content-Type"] == "text/html; charset=gbk"
        assert snapshot.fetched_at.tzinfo is not None
        assert snapshot.sweep_id == 1
        # Every checked page points at a snapshot; every finding at the snapshot it came from.
        assert (
            session.scalar(select(func.count()).select_from(SweepPage).where(SweepPage.snapshot_id.is_(None)))
            == 0
        )
        orphan = select(func.count()).select_from(Finding).where(Finding.snapshot_id.is_(None))
        assert session.scalar(orphan) == 0


def test_gbk_and_lying_charset_pages_yield_findings(generic_run: dict) -> None:
    with db.session_scope(generic_run["db"]) as session:
        rows = session.execute(
            select(Finding.page_url, Finding.standard_code).where(Finding.sweep_id == 1)
        ).all()
    by_page = {(url or "").rsplit("/", 1)[-1]: code for url, code in rows}
    assert by_page["gbk.html"] == "T/DEMO 001-2022"
    assert by_page["lying.html"] == "T/DEMO 001-2019"


def test_rerun_creates_recurring_not_duplicate_findings(generic_run: dict) -> None:
    second = generic_run["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    with db.session_scope(generic_run["db"]) as session:
        one, two = session.get(Sweep, 1), session.get(Sweep, 2)
        assert one is not None and two is not None
        assert one.findings_new > 0 and one.findings_recurring == 0
        assert two.findings_new == 0 and two.findings_resolved == 0
        assert two.findings_recurring == one.findings_new
        per_sweep = session.execute(
            select(Finding.sweep_id, func.count(), func.count(func.distinct(Finding.finding_key))).group_by(
                Finding.sweep_id
            )
        ).all()
        assert all(total == distinct for _, total, distinct in per_sweep)
        # Identical bodies are stored once; each fetch still gets its own immutable snapshot row.
        snapshots = session.scalar(select(func.count()).select_from(Snapshot)) or 0
        assert snapshots > (session.scalar(select(func.count()).select_from(SnapshotBody)) or 0)


def test_sweeps_turn_findings_into_cases_once(generic_run: dict) -> None:
    from markwatch.cases.models import Case, CaseFinding

    assert "cases from sweep 1: " in generic_run["first"].stdout
    with db.session_scope(generic_run["db"]) as session:
        keys = set(session.scalars(select(Finding.finding_key)))
        cases = session.scalars(select(Case)).all()
        linked = session.scalar(select(func.count()).select_from(CaseFinding)) or 0
        findings = session.scalar(select(func.count()).select_from(Finding)) or 0
    # One case per finding key across both sweeps; every finding of both sweeps is evidence of its case.
    assert keys and {case.case_key for case in cases} == keys and len(cases) == len(keys)
    assert linked == findings
    assert all(case.status == "open" for case in cases)


def test_marketplace_listing_pagination_to_items(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    with serve() as site:
        targets = _targets(
            tmp_path / "t.yaml", site, adapter="demo-marketplace", seeds=[("/list?page=1", "listing")]
        )
        result = _sweep(targets, db_url, tmp_path / "jobs")
        paths = site.paths()
    assert result.returncode == 0, result.stderr[-3000:]
    assert {f"/list?page={n}" for n in (1, 2, 3)} <= set(paths)
    assert {f"/item/{n}.html" for n in range(1, 13)} <= set(paths)
    assert "/" not in paths and "/gbk.html" not in paths


def _wait_until_checked(db_url: str, pages: int) -> None:
    """Poll the store until a running sweep has checked `pages` pages (or 60 s pass)."""
    deadline = time.monotonic() + 60
    checked = 0
    while time.monotonic() < deadline and checked < pages:
        time.sleep(0.1)
        with db.session_scope(db_url) as session:
            checked = session.scalar(select(func.count()).select_from(SweepPage)) or 0


def test_killed_sweep_resumes_and_checks_every_page_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    db.upgrade(db_url)
    with serve(item_delay=0.25) as site:
        targets = _targets(
            tmp_path / "t.yaml", site, adapter="demo-marketplace", seeds=[("/list?page=1", "listing")]
        )
        command = [*_command(targets, db_url, tmp_path / "jobs"), "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        process = subprocess.Popen(command, env=_env(), cwd=REPO, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_until_checked(db_url, 4)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        with db.session_scope(db_url) as session:
            before = session.scalar(select(func.count()).select_from(SweepPage)) or 0
            sweep = session.get(Sweep, 1)
            assert sweep is not None and sweep.state == "running"
        assert 4 <= before < 15
        resumed = _sweep(targets, db_url, tmp_path / "jobs")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    with db.session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 1
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.state == "finished" and sweep.summary.get("resumed") == 1
        urls = list(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == 1)))
        assert len(urls) == len(set(urls)) == 15  # 3 listing pages + 12 items, each checked exactly once
        assert sweep.pages_fetched == 15
        keys = list(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == 1)))
        assert len(keys) == len(set(keys)) == 12


def test_list_and_show(generic_run: dict) -> None:
    from click.testing import CliRunner

    from markwatch.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["sweep", "list", "--db", generic_run["db"]])
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0].startswith("sweep 2 local: finished")
    shown = runner.invoke(cli, ["sweep", "show", "1", "--db", generic_run["db"]])
    assert '"state": "finished"' in shown.output and '"robots_skipped": ' in shown.output
    missing = runner.invoke(cli, ["sweep", "show", "99", "--db", generic_run["db"]])
    assert missing.exit_code == 1 and "no sweep 99" in missing.output


def test_ctrl_c_interrupts_then_resume_finishes(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    db.upgrade(db_url)
    with serve(item_delay=0.25) as site:
        targets = _targets(
            tmp_path / "t.yaml", site, adapter="demo-marketplace", seeds=[("/list?page=1", "listing")]
        )
        command = [*_command(targets, db_url, tmp_path / "jobs"), "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]
        process = subprocess.Popen(command, env=_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True)  # fmt: skip
        _wait_until_checked(db_url, 3)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 1
        assert "interrupted" in out
        resumed = _sweep(targets, db_url, tmp_path / "jobs")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.state == "finished"
        urls = list(session.scalars(select(SweepPage.url)))
        assert len(urls) == len(set(urls)) == 15
