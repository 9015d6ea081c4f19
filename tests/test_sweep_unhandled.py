"""Nothing is lost without a word: a page markwatch fetched but could not check or store is recorded with its
reason, and the sweep is not `finished` (finished means complete); `sweep resume` fetches and checks it again.

What a site answers (404, a timeout, a page too large) is that URL's outcome, and a sweep with such URLs
still finishes (tests/test_crawler_sweep.py). A failure of markwatch itself is not an outcome: the checker
raising on a page, a page the database refuses, a callback that crashed. Real sweeps in a subprocess against
the local test site, on SQLite and PostgreSQL; the faults are injected through the MARKWATCH_CHECKER seam
(tests/data/crawler/faulty_checker.py) and through a broken rules directory given to the real checker.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Any

from cases_support import import_example_registry, make_keys, make_settings
from cluster_support import ClusterRun, resume, stored
from fastapi.testclient import TestClient
from localsite import local_targets, run_markwatch, serve, sweep_command
from sqlalchemy import select

from api.app import create_app
from crawler.ledger import UNHANDLED, Discovery, Outcome, account, note_requeued, requeue_unhandled
from crawler.store.models import Sweep, SweepPage, SweepUrl
from markwatch import db
from sweeps.storage import write_batch

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sweep_command(Path("t"), "", Path("j"))[0]))


def _ledger(db_url: str) -> dict[str, tuple[str, str | None]]:
    with db.session_scope(db_url) as session:
        rows = session.execute(
            select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(SweepUrl.sweep_id == 1)
        )
        return {url.rsplit("/", 1)[-1]: (state, reason) for url, state, reason in rows}


def _sweep(db_url: str) -> Sweep:
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, 1)
        assert sweep is not None
        session.expunge(sweep)
        return sweep


def _api_sweep(db_url: str, sweep_id: int) -> dict[str, Any]:
    """GET /v1/sweeps/{id} as an inspector sees it."""
    with TestClient(create_app(make_settings(db_url))) as client:
        answer = client.get(f"/v1/sweeps/{sweep_id}", headers={"X-API-Key": make_keys(db_url)["inspector"]})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_page_not_checked_or_not_stored_leaves_the_sweep_incomplete_until_resumed(
    db_url: str, tmp_path: Path
) -> None:
    import_example_registry(db_url)
    faults = {"MARKWATCH_CHECKER": "faulty_checker:factory",
              "MARKWATCH_TEST_FAULTS": "check:/item/2.html,store:/item/3.html"}  # fmt: skip
    with serve(listing_pages=1, items_per_page=4) as site:
        targets = local_targets(tmp_path / "t.yaml", site)
        jobs = ["--job-dir", str(tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"]
        first = run_markwatch([*sweep_command(targets, db_url, tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"],
                     **faults)  # fmt: skip
        ledger = _ledger(db_url)
        sweep = _sweep(db_url)
        status = run_markwatch([MARKWATCH, "sweep", "status", "1", "--db", db_url]).stdout
        over_http = _api_sweep(db_url, 1)
        # The checker is mended (a fixed rules copy, a fixed bug): resume checks and stores both pages.
        resumed = run_markwatch([MARKWATCH, "sweep", "resume", "1", "--db", db_url, *jobs],
                       MARKWATCH_CHECKER="code_checker:factory")  # fmt: skip
        hits = dict(site.hits)
    # Each loss is recorded with its reason, tied to the sweep...
    assert ledger["2.html"] == ("failed", "check_failed") and ledger["3.html"] == ("failed", "store_error")
    assert {ledger[f"{n}.html"] for n in (1, 4)} == {("stored", None)}
    # ... and the sweep says it is not complete, in its state, its summary and every line an operator reads.
    assert first.returncode == 1, first.stdout + first.stderr[-3000:]
    assert sweep.state == "incomplete" and sweep.finished_at is None
    assert sweep.summary["unhandled"] == {"check_failed": 1, "store_error": 1}
    assert "sweep 1 local: incomplete" in first.stdout
    assert "2 URL(s) not handled (check_failed 1, store_error 1)" in first.stdout
    assert "own failures, done again on resume): check_failed 1, store_error 1" in status
    assert "sweep resume 1" in status
    assert over_http["state"] == "incomplete"
    assert over_http["unhandled"] == {"check_failed": 1, "store_error": 1}
    # Resumed: only the two pages are fetched again, and the sweep is finished.
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
    assert "sweep 1 local: finished" in resumed.stdout
    assert hits["/item/2.html"] == hits["/item/3.html"] == 2
    assert hits["/item/1.html"] == hits["/item/4.html"] == hits["/list?page=1"] == 1
    after = _sweep(db_url)
    assert after.state == "finished" and "unhandled" not in after.summary and after.urls_failed == 0
    assert _api_sweep(db_url, 1)["unhandled"] == {}
    assert set(_ledger(db_url).values()) == {("stored", None)}
    with db.session_scope(db_url) as session:
        statuses = list(session.scalars(select(SweepPage.status).where(SweepPage.sweep_id == 1)))
    assert sorted(statuses) == ["ok"] * 5


def test_a_checker_that_cannot_load_its_rules_fails_pages_as_not_checked(
    sqlite_url: str, tmp_path: Path
) -> None:
    """The real checker over a rules directory an operator broke: no page is checked, and none is called
    a storage error (the database is fine)."""
    import_example_registry(sqlite_url)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "SHS001.yaml").write_text("id: SHS001\nthis is: [not a rule\n", encoding="utf-8")
    with serve(listing_pages=1, items_per_page=2) as site:
        targets = local_targets(tmp_path / "t.yaml", site)
        environment = {k: v for k, v in os.environ.items() if k != "MARKWATCH_CHECKER"}
        result = subprocess.run(
            [*sweep_command(targets, sqlite_url, tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"],
            env={**environment, "MARKWATCH_RULES_DIR": str(rules)},
            capture_output=True, text=True, timeout=180, cwd=REPO,
        )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert set(_ledger(sqlite_url).values()) == {("failed", "check_failed")}
    sweep = _sweep(sqlite_url)
    assert sweep.state == "incomplete" and sweep.summary["unhandled"] == {"check_failed": 3}


def test_the_ledger_keeps_the_requests_of_what_markwatch_failed_and_requeues_only_those(db_url: str) -> None:
    """In one batch (an executemany upsert): the site's answers lose their requests and stay failed; the
    failures of markwatch keep theirs, are counted apart, and go back on the queue when the sweep resumes."""
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    reasons = [*sorted(UNHANDLED - {"lost"}), "http_404", "timeout"]
    urls = {reason: f"http://127.0.0.1:9/{reason}" for reason in [*reasons, "lost"]}
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=now, state="running")
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
        found = [Discovery(url, "queued", request={"url": url}) for url in urls.values()]
        write_batch(session, sweep_id, discoveries=found, now=now)
        outcomes = [Outcome(urls[reason], "failed", reason) for reason in reasons]
        write_batch(session, sweep_id, outcomes=outcomes, now=now)
        for _ in range(4):  # queued yet on no frontier, again and again: failed as lost
            note_requeued(session, sweep_id, [urls["lost"]], now)
    with db.session_scope(db_url) as session:
        kept = dict(
            session.execute(select(SweepUrl.url, SweepUrl.request).where(SweepUrl.sweep_id == sweep_id)).all()
        )
        assert {url for url, request in kept.items() if request} == {urls[r] for r in UNHANDLED}
        acc = account(session, sweep_id)
        assert acc.unhandled == dict.fromkeys(sorted(UNHANDLED), 1)
        assert acc.failed == {**acc.unhandled, "http_404": 1, "timeout": 1}
        assert requeue_unhandled(session, sweep_id) == len(UNHANDLED)
    with db.session_scope(db_url) as session:
        rows = session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason, SweepUrl.request)).all()
        states = {url: (state, reason, request is not None) for url, state, reason, request in rows}
    assert {url for url, (state, _, has_request) in states.items() if state == "queued" and has_request} == {
        urls[r] for r in UNHANDLED
    }
    assert states[urls["http_404"]] == ("failed", "http_404", False)
    assert states[urls["timeout"]] == ("failed", "timeout", False)


def test_a_distributed_sweep_does_again_what_markwatch_failed_when_a_worker_resumes_it(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    with serve(listing_pages=1, items_per_page=3) as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path)
        run.env.update(MARKWATCH_CHECKER="faulty_checker:factory", MARKWATCH_TEST_FAULTS="check:/item/2.html")
        sweep_id = run.start()
        run.spawn(1)
        [(code, out, err)] = run.finish(timeout=180)
        first = stored(postgres_url, sweep_id)
        run.env.update(MARKWATCH_CHECKER="code_checker:factory")
        run.workers = []
        run.spawn(1)
        [(again, out_again, err_again)] = run.finish(timeout=180)
        hits = dict(site.hits)
    assert code != 0, out + err[-3000:]
    assert "0 URL(s) missing; 1 URL(s) not handled (check_failed 1); carry it on" in out
    assert first.state == "incomplete" and first.summary["unhandled"] == {"check_failed": 1}
    assert again == 0, out_again + err_again[-3000:]
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished" and "unhandled" not in done.summary
    assert sorted(done.pages) == sorted(site.marketplace_urls())
    assert hits["/item/2.html"] == 2 and hits["/item/1.html"] == hits["/item/3.html"] == 1


def test_a_distributed_sweep_gives_up_what_fails_every_time_and_says_so(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    """MARKWATCH_MAX_ATTEMPTS=1: the page the checker always crashes on is given up at once; the worker says
    nothing is left to retry instead of asking for another worker."""
    with serve(listing_pages=1, items_per_page=3) as site:
        run = ClusterRun(site, postgres_url, redis_url, tmp_path)
        run.env.update(MARKWATCH_CHECKER="faulty_checker:factory", MARKWATCH_TEST_FAULTS="check:/item/2.html",
                       MARKWATCH_MAX_ATTEMPTS="1")  # fmt: skip
        sweep_id = run.start()
        run.spawn(1)
        [(code, out, err)] = run.finish(timeout=180)
        swept = stored(postgres_url, sweep_id)
        # Resumed as a single-process sweep would be: refused without --retry-given-up, redone with it.
        run.env.update(MARKWATCH_CHECKER="code_checker:factory")
        hits_before = dict(site.hits)
        refused = resume(run)
        hits_refused = dict(site.hits)
        anyway = resume(run, "--retry-given-up")
        hits_anyway = dict(site.hits)
    assert code != 0, out + err[-3000:]
    assert swept.state == "incomplete" and swept.summary["nothing_to_retry"] is True
    assert swept.summary["given_up"] == {"check_failed": 1}
    assert "nothing left to retry: 1 given up after 1 attempt(s) (check_failed 1)" in out, out
    assert "`markwatch cluster start` sweeps the target anew" in out
    assert refused.returncode != 0 and "--retry-given-up" in refused.stderr, refused.stderr[-3000:]
    assert hits_refused == hits_before
    assert anyway.returncode == 0, anyway.stdout + anyway.stderr[-3000:]
    done = stored(postgres_url, sweep_id)
    assert done.state == "finished" and "given_up" not in done.summary and "unhandled" not in done.summary
    assert sorted(done.pages) == sorted(site.marketplace_urls())
    assert hits_anyway["/item/2.html"] == 2 and hits_anyway["/item/1.html"] == 1
