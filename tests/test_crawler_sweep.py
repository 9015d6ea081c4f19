"""Whole sweeps in a real subprocess against the local test site: robots.txt, politeness, errors, snapshots,
accounting of every URL, resume without refetching, and what a killed sweep leaves behind."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from cases_support import import_example_registry
from localsite import LocalSite, serve, sweep_command
from sqlalchemy import func, select

from crawler.store.models import Snapshot, SnapshotBody, Sweep, SweepPage, SweepUrl
from markwatch import db
from markwatch.config import USER_AGENT
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
CHECKER_PATH = REPO / "tests" / "data" / "crawler"
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


def _targets(
    path: Path, site: LocalSite, *, adapter: str, seeds: list[tuple[str, str]], max_pages: int = 100
) -> Path:
    seed_lines = "\n".join(f'      - {{url: "{site.base}{p}", kind: {kind}}}' for p, kind in seeds)
    # timeout and retries per target: a dead page costs 2 s x 2 tries here.
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
    timeout: 2
    retries: 1
    schedule: "*/30 * * * *"
""",
        encoding="utf-8",
    )
    return path


def _command(targets: Path, db_url: str, job_dir: Path) -> list[str]:
    return sweep_command(targets, db_url, job_dir, "--set", "AUTOTHROTTLE_ENABLED=false")


def _env() -> dict[str, str]:
    return dict(os.environ, MARKWATCH_CHECKER="code_checker:factory", PYTHONPATH=str(CHECKER_PATH))


def _run(command: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=_env(), capture_output=True, text=True, timeout=timeout, cwd=REPO)


def _sweep(targets: Path, db_url: str, job_dir: Path) -> subprocess.CompletedProcess[str]:
    return _run(_command(targets, db_url, job_dir))


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
    import_example_registry(db_url)  # `sweep run` refuses an empty registry
    with serve(robots_delay=1.0, slow_delay=3.0) as site:
        targets = _targets(tmp / "targets.yaml", site, adapter="generic", seeds=GENERIC_SEEDS)
        first = _sweep(targets, db_url, tmp / "jobs")
        paths_first = site.paths()
        agents = list(site.user_agents)
        second = _sweep(targets, db_url, tmp / "jobs")
        paths = site.paths()
    return {
        "db": db_url,
        "base": site.base,
        "first": first,
        "second": second,
        "paths_first": paths_first,
        "paths": paths,
        "agents": agents,
    }


def _ledger(db_url: str, sweep_id: int) -> dict[str, tuple[str, str | None]]:
    with db.session_scope(db_url) as session:
        rows = session.execute(
            select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(SweepUrl.sweep_id == sweep_id)
        )
        return {url: (state, reason) for url, state, reason in rows}


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


def test_every_url_is_accounted_for(generic_run: dict) -> None:
    with db.session_scope(generic_run["db"]) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None
        assert sweep.robots_skipped == 1
        assert sweep.offsite_dropped == 2  # an off-site link and an off-site redirect, counted alike
        assert sweep.skipped == {"robots": 1, "offsite": 2, "non_http": 3, "forbidden_address": 3}
        assert sweep.errors == {
            "redirect_loop": 1,
            "too_large": 1,
            "http_503": 1,  # retried once (Retry-After: 0), then given up
            "timeout": 1,  # the target's 2 s timeout, after its one retry
            "undecodable": 1,  # random bytes served as text/html
            "layout_param_table_missing": 1,  # a page note: /ratelimited.html has no table
        }
        pages = session.scalar(select(func.count()).select_from(SweepPage).where(SweepPage.sweep_id == 1))
        assert sweep.urls_missing == 0 and sweep.pages_fetched == pages
        assert sweep.urls_discovered == sweep.urls_taken + 4  # 3 non-http links, 1 off-site link: not taken
        assert sweep.urls_failed == 5 and sweep.urls_skipped == 9
        stored = session.scalar(
            select(func.count())
            .select_from(SweepUrl)
            .where(SweepUrl.sweep_id == 1, SweepUrl.state == "stored")
        )
        # Every taken URL was stored or failed with a reason (or refused after taking: robots, redirects).
        assert sweep.urls_taken == stored + sweep.urls_failed + 1 + 1 + 3
    assert not [p for p in generic_run["paths"] if "landing" in p]


def test_binary_page_is_an_error_never_a_clean_page(generic_run: dict) -> None:
    with db.session_scope(generic_run["db"]) as session:
        page = session.scalars(
            select(SweepPage).where(SweepPage.sweep_id == 1, SweepPage.url.like("%/binary.html"))
        ).one()
        assert page.status == "undecodable" and page.claims == 0 and page.snapshot_id is not None
    ledger = _ledger(generic_run["db"], 1)
    assert ledger[f"{generic_run['base']}/binary.html"] == ("failed", "undecodable")


def test_tracking_parameters_and_query_order_make_no_second_page(generic_run: dict) -> None:
    paths = generic_run["paths_first"]
    assert paths.count("/gbk.html") == 1 and not [p for p in paths if "utm_" in p or "spm=" in p]
    assert [p for p in paths if p.startswith("/param.html")] == ["/param.html?a=1&b=2"]
    with db.session_scope(generic_run["db"]) as session:
        keys = list(session.scalars(select(Finding.page_url).where(Finding.sweep_id == 1)))
    assert keys.count(f"{generic_run['base']}/param.html?a=1&b=2") == 1
    assert keys.count(f"{generic_run['base']}/gbk.html") == 1


def test_meta_refresh_page_is_checked_and_its_target_fetched_separately(generic_run: dict) -> None:
    base = generic_run["base"]
    ledger = _ledger(generic_run["db"], 1)
    assert ledger[f"{base}/refresh.html"] == ("stored", None)
    assert ledger[f"{base}/refreshed.html"] == ("stored", None)
    with db.session_scope(generic_run["db"]) as session:
        urls = set(session.scalars(select(Finding.page_url).where(Finding.sweep_id == 1)))
    assert {f"{base}/refresh.html", f"{base}/refreshed.html"} <= urls


def test_redirects_to_metadata_addresses_are_refused(generic_run: dict) -> None:
    ledger = _ledger(generic_run["db"], 1)
    for path in ("/metadata", "/metadata6", "/aliyun"):
        assert ledger[f"{generic_run['base']}{path}"] == ("skipped", "forbidden_address")


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
        # Every stored page points at a snapshot; every finding at the snapshot it came from.
        assert (
            session.scalar(select(func.count()).select_from(SweepPage).where(SweepPage.snapshot_id.is_(None)))
            == 0
        )
        orphan = select(func.count()).select_from(Finding).where(Finding.snapshot_id.is_(None))
        assert session.scalar(orphan) == 0
        # One snapshot per page and sweep.
        per_url = session.execute(
            select(Snapshot.sweep_id, Snapshot.requested_url, func.count()).group_by(
                Snapshot.sweep_id, Snapshot.requested_url
            )
        ).all()
        assert all(count == 1 for _, _, count in per_url)


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
    import_example_registry(db_url)
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


def _wait_until_served(site: LocalSite, items: int) -> None:
    """Poll the site until it has served `items` item pages (or 60 s pass): a signal sent then arrives while
    the crawl is still fetching. (The store can lag the fetching by a dozen pages on a loaded machine, so a
    signal sent once N pages are *checked* may arrive after the last page was fetched.)"""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(1 for p in dict(site.hits) if p.startswith("/item/")) < items:
        time.sleep(0.05)


def _slow_marketplace(tmp_path: Path, site: LocalSite, db_url: str) -> list[str]:
    targets = _targets(
        tmp_path / "t.yaml", site, adapter="demo-marketplace", seeds=[("/list?page=1", "listing")]
    )
    return [*_command(targets, db_url, tmp_path / "jobs"), "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def _assert_every_page_once(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 1
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.state == "finished" and sweep.summary.get("resumed") == 1
        urls = list(session.scalars(select(SweepPage.url).where(SweepPage.sweep_id == 1)))
        assert len(urls) == len(set(urls)) == 15  # 3 listing pages + 12 items, each checked exactly once
        assert sweep.pages_fetched == 15 and sweep.urls_missing == 0
        keys = list(session.scalars(select(Finding.finding_key).where(Finding.sweep_id == 1)))
        assert len(keys) == len(set(keys)) == 12


def _listed_counts(line: str) -> tuple[int, ...]:
    """Pages, URLs discovered, taken, failed, skipped and missing from a `sweep list` line."""
    found = re.search(
        r"; (\d+) pages, .*?; (\d+) URLs: (\d+) taken, (\d+) failed, (\d+) skipped, (\d+) missing", line
    )
    assert found is not None, line
    return tuple(int(n) for n in found.groups())


def _status_counts(text: str) -> tuple[int, ...]:
    """The same counts from `sweep status`."""
    found = re.search(
        r"(\d+) URLs discovered, (\d+) taken, (\d+) stored and checked, (\d+) failed, (\d+) skipped, (\d+) missing",
        text,
    )
    assert found is not None, text
    discovered, taken, stored, failed, skipped, missing = (int(n) for n in found.groups())
    return stored, discovered, taken, failed, skipped, missing


def test_killed_sweep_is_marked_interrupted_then_resumes(db_url: str, tmp_path: Path) -> None:
    import_example_registry(db_url)
    with serve(item_delay=0.25) as site:
        command = _slow_marketplace(tmp_path, site, db_url)
        process = subprocess.Popen(command, env=_env(), cwd=REPO, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_until_checked(db_url, 4)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        with db.session_scope(db_url) as session:
            before = set(session.scalars(select(SweepPage.url)))
            sweep = session.get(Sweep, 1)
            assert sweep is not None and sweep.state == "running"  # nobody could say otherwise yet
        assert 4 <= len(before) < 15
        hits_at_kill = dict(site.hits)
        # The next `sweep list` sees the dead pid and says so.
        listed = _run([MARKWATCH, "sweep", "list", "--db", db_url])
        assert listed.stdout.startswith("sweep 1 local: interrupted"), listed.stdout + listed.stderr
        # ... with the counts `sweep status` gives (the row's own counts were only written at a sweep's end).
        status = _run([MARKWATCH, "sweep", "status", "1", "--db", db_url]).stdout
        assert _listed_counts(listed.stdout) == _status_counts(status), listed.stdout + status
        assert _listed_counts(listed.stdout)[0] >= len(before) > 0
        resumed = _run([MARKWATCH, "sweep", "resume", "1", "--db", db_url, "--job-dir", str(tmp_path / "jobs"),
                        "--set", "AUTOTHROTTLE_ENABLED=false"])  # fmt: skip
        hits = dict(site.hits)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    _assert_every_page_once(db_url)
    # Pages stored before the kill were not fetched again (those fetched but not yet stored were).
    again = {f"{site.base}{path}" for path, count in hits.items() if count > hits_at_kill.get(path, 0)}
    assert again and not again & before


def test_ctrl_c_interrupts_then_resume_fetches_nothing_twice(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    with serve(item_delay=0.25) as site:
        command = _slow_marketplace(tmp_path, site, db_url)
        process = subprocess.Popen(command, env=_env(), cwd=REPO, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        _wait_until_served(site, 3)
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 1
        assert "interrupted" in out and "sweep resume 1" in out
        resumed = _sweep(Path(command[3]), db_url, tmp_path / "jobs")
        hits = dict(site.hits)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    _assert_every_page_once(db_url)
    # A graceful stop stores what was in flight, and the queue and dupe filter come back from the ledger.
    assert hits.pop("/robots.txt") == 2
    assert all(count == 1 for count in hits.values()), hits


def test_sigterm_marks_the_sweep_interrupted(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    with serve(item_delay=0.25) as site:
        process = subprocess.Popen(_slow_marketplace(tmp_path, site, db_url), env=_env(), cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_until_served(site, 3)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.state == "interrupted" and sweep.urls_missing > 0
        assert sweep.summary["missing"]


def test_a_second_sigterm_while_stopping_still_leaves_the_sweep_interrupted(tmp_path: Path) -> None:
    # The second signal comes while a slow page is still being downloaded (the first one waits for it):
    # the stop is forced, yet the sweep is resumable and every URL is stored or still queued.
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    with serve(item_delay=3.0) as site:
        process = subprocess.Popen(_slow_marketplace(tmp_path, site, db_url), env=_env(), cwd=REPO,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        _wait_until_served(site, 2)
        process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
        in_flight = max((p for p in site.paths() if p.startswith("/item/")), key=site.paths().index)
    assert process.returncode == 1, out
    assert "interrupted" in out and "sweep resume 1" in out, out
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.state == "interrupted", (sweep.state if sweep else None, out)
        assert f"{site.base}{in_flight}" in sweep.summary["missing"]
        assert sweep.summary["ended"] == "shutdown"
        states = {state for (state,) in session.execute(select(SweepUrl.state).where(SweepUrl.sweep_id == 1))}
    assert states <= {"stored", "queued"}, states


def test_list_and_show(generic_run: dict) -> None:
    from click.testing import CliRunner

    from markwatch.cli import cli

    runner = CliRunner()
    listed = runner.invoke(cli, ["sweep", "list", "--db", generic_run["db"]])
    assert listed.exit_code == 0
    assert listed.output.splitlines()[0].startswith("sweep 2 local: finished")
    shown = runner.invoke(cli, ["sweep", "show", "1", "--db", generic_run["db"]])
    assert '"state": "finished"' in shown.output and '"robots_skipped": ' in shown.output
    assert '"missing_urls": []' in shown.output
    status = runner.invoke(cli, ["sweep", "status", "1", "--db", generic_run["db"]])
    assert "0 missing" in status.output and "skipped: forbidden_address 3" in status.output
    missing = runner.invoke(cli, ["sweep", "show", "99", "--db", generic_run["db"]])
    assert missing.exit_code == 1 and "no sweep 99" in missing.output


def test_concurrent_runs_of_one_target_exactly_one_runs(db_url: str, tmp_path: Path) -> None:
    import_example_registry(db_url)
    with serve(item_delay=0.1) as site:
        command = _slow_marketplace(tmp_path, site, db_url)
        runs = [
            subprocess.Popen(
                command, env=_env(), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        results = [(run, *run.communicate(timeout=180)) for run in runs]
    winners = [run for run, _out, _err in results if run.returncode == 0]
    losers = [err for run, _out, err in results if run.returncode != 0]
    assert len(winners) == 1, [err[-500:] for _, _, err in results]
    assert len(losers) == 3
    for err in losers:
        assert "error: " in err and ("is still running" in err or "at the same moment" in err), err[-500:]
        assert "Traceback" not in err
    with db.session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Sweep)) == 1


def _heartbeat(db_url: str) -> object:
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None
        return sweep.heartbeat_at


def test_a_sweep_killed_on_another_machine_is_interrupted_by_its_heartbeat(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sweep list` on a machine that did not run the sweep cannot judge its pid: the heartbeat says it is
    # alive while it crawls, and dead once no beat came within the bound, with its counts from the ledger.
    import_example_registry(db_url)
    monkeypatch.setenv("MARKWATCH_SWEEP_STALE_SECONDS", "10")
    with serve(item_delay=0.25) as site:
        site.slow_items_after = 4  # the kill strikes while items remain, however loaded the machine
        command = _slow_marketplace(tmp_path, site, db_url)
        env = {**_env(), "MARKWATCH_SWEEP_HEARTBEAT_SECONDS": "0.5"}
        process = subprocess.Popen(command, env=env, cwd=REPO, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            _wait_until_checked(db_url, 2)
            with db.session_scope(db_url) as session:
                sweep = session.get(Sweep, 1)
                assert sweep is not None and sweep.state == "running"
                # As if it ran on crawler-2: its pid is not this machine's to judge.
                sweep.summary = {**sweep.summary, "host": "crawler-2.internal"}
            first = _heartbeat(db_url)
            deadline = time.monotonic() + 60
            while _heartbeat(db_url) == first and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _heartbeat(db_url) != first  # refreshed while it runs
            listed = _run([MARKWATCH, "sweep", "list", "--db", db_url])
            assert listed.stdout.startswith("sweep 1 local: running"), listed.stdout + listed.stderr
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            site.release()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        listed = _run([MARKWATCH, "sweep", "list", "--db", db_url])
        if not listed.stdout.startswith("sweep 1 local: running"):
            break
        time.sleep(1)
    assert listed.stdout.startswith("sweep 1 local: interrupted"), listed.stdout + listed.stderr
    status = _run([MARKWATCH, "sweep", "status", "1", "--db", db_url]).stdout
    assert _listed_counts(listed.stdout) == _status_counts(status), listed.stdout + status
    assert _listed_counts(listed.stdout)[0] >= 2
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None and sweep.summary["ended"] == "no heartbeat for 10 s"
