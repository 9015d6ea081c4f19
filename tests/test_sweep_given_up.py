"""An item markwatch fails the same way on every attempt (a page that always crashes the checker, an image that
always times out the OCR) is tried a bounded number of times (MARKWATCH_MAX_ATTEMPTS, counted across resumes of
one sweep), then given up: it stays recorded with its reason, the sweep stays `incomplete` (never finished) and
says nothing is left to retry, the scheduler opens cases from it marked incomplete and starts a new sweep next
time instead of resuming it for ever. `sweep resume --retry-given-up` tries the given-up items once more.

Real sweeps in subprocesses against the local test site, on SQLite and PostgreSQL; the fault is injected
through the MARKWATCH_CHECKER seam (tests/data/crawler/faulty_checker.py)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

import pytest
from cases_support import import_example_registry
from localsite import CHECKERS, local_targets, run_markwatch, serve, sweep_command
from sqlalchemy import select

from crawler.ledger import ATTEMPTS_VARIABLE, Discovery, Outcome, account, max_attempts, requeue_unhandled
from crawler.store.models import Sweep, SweepUrl
from markwatch import db
from markwatch.cases.models import Case
from markwatch.errors import InputError
from markwatch.schedule.models import SchedulerRun
from markwatch.schedule.service import SchedulerConfig, SweepScheduler
from sweeps.bookkeeping import given_up
from sweeps.storage import write_batch

MARKWATCH = str(Path(sweep_command(Path("t"), "", Path("j"))[0]))
ALWAYS_CRASHES = {
    "MARKWATCH_CHECKER": "faulty_checker:factory",
    "MARKWATCH_TEST_FAULTS": "check:/item/2.html",
}
T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def _sweep(db_url: str, sweep_id: int) -> Sweep:
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        session.expunge(sweep)
        return sweep


def test_the_setting_is_read_from_the_environment_and_refused_by_name_when_wrong(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ATTEMPTS_VARIABLE, raising=False)
    assert max_attempts() == 3
    monkeypatch.setenv(ATTEMPTS_VARIABLE, "5")
    assert max_attempts() == 5
    for wrong in ("0", "-1", "two", "1.5", "1001"):
        monkeypatch.setenv(ATTEMPTS_VARIABLE, wrong)
        with pytest.raises(InputError) as refused:
            max_attempts()
        assert ATTEMPTS_VARIABLE in str(refused.value) and repr(wrong) in str(refused.value)


def test_a_url_markwatch_keeps_failing_is_requeued_until_its_attempts_are_used_up(db_url: str) -> None:
    """Counted across resumes: the first run's failure is attempt 1; with 3 attempts it is put back twice."""
    urls = {name: f"http://127.0.0.1:9/{name}" for name in ("crashes", "unstorable", "gone")}
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=T0, state="running")
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
        write_batch(session, sweep_id, discoveries=[Discovery(u, "queued", request={"url": u}) for u in urls.values()],
                    now=T0)  # fmt: skip
    requeued = []
    for _attempt in range(4):
        with db.session_scope(db_url) as session:
            write_batch(session, sweep_id, now=T0, outcomes=[
                Outcome(urls["crashes"], "failed", "check_failed"),
                Outcome(urls["unstorable"], "failed", "store_error"),
                Outcome(urls["gone"], "failed", "http_404"),
            ])  # fmt: skip
            requeued.append(requeue_unhandled(session, sweep_id, max_attempts=3))
    assert requeued == [2, 2, 0, 0]
    with db.session_scope(db_url) as session:
        acc = account(session, sweep_id)
        rows = {u: (s, r, n) for u, s, r, n in session.execute(
            select(SweepUrl.url, SweepUrl.state, SweepUrl.reason, SweepUrl.retries).where(SweepUrl.sweep_id == sweep_id))}  # fmt: skip
        left = given_up(session, sweep_id, max_attempts=3)
        # Asked for anyway (--retry-given-up): each gets one more attempt, and is given up again if it fails.
        assert requeue_unhandled(session, sweep_id, max_attempts=3, retry_given_up=True) == 2
    # Still recorded with their reasons, counted as not handled and as given up after 3 attempts each.
    assert rows[urls["crashes"]] == ("failed", "check_failed", 2)
    assert rows[urls["unstorable"]] == ("failed", "store_error", 2)
    assert rows[urls["gone"]] == ("failed", "http_404", 0)  # the site's answer: never retried
    assert acc.unhandled == {"check_failed": 1, "store_error": 1}
    assert left.counts == {"check_failed": 1, "store_error": 1} and left.retryable == 0
    assert sorted(item["url"] for item in left.items) == sorted([urls["crashes"], urls["unstorable"]])
    assert {item["attempts"] for item in left.items} == {3}


def test_a_page_that_always_crashes_the_checker_is_given_up_and_resume_says_so(
    db_url: str, tmp_path: Path
) -> None:
    import_example_registry(db_url)
    env = {**ALWAYS_CRASHES, ATTEMPTS_VARIABLE: "2"}
    jobs = ["--job-dir", str(tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"]
    with serve(listing_pages=1, items_per_page=4) as site:
        targets = local_targets(tmp_path / "t.yaml", site, schedule="0 0 1 1 *")
        first = run_markwatch([*sweep_command(targets, db_url, tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"],
                     **env)  # fmt: skip
        after_first = _sweep(db_url, 1)
        second = run_markwatch([MARKWATCH, "sweep", "resume", "1", "--db", db_url, *jobs], **env)
        after_second = _sweep(db_url, 1)
        hits_before_third = dict(site.hits)
        third = run_markwatch([MARKWATCH, "sweep", "resume", "1", "--db", db_url, *jobs], **env)
        hits_after_third = dict(site.hits)
        status = run_markwatch([MARKWATCH, "sweep", "status", "1", "--db", db_url]).stdout
        anyway = run_markwatch(
            [MARKWATCH, "sweep", "resume", "1", "--db", db_url, "--retry-given-up", *jobs], **env
        )
        hits_anyway = dict(site.hits)
        again = _sweep(db_url, 1)
        # The limit raised since: a plain resume tries the given-up page again, up to the new limit, and says so.
        raised = run_markwatch([MARKWATCH, "sweep", "resume", "1", "--db", db_url, *jobs],
                               **{**env, ATTEMPTS_VARIABLE: "4"})  # fmt: skip
        hits_raised = dict(site.hits)
        # A new `sweep run` of the target starts a new sweep: the given-up one is not resumed.
        fresh = run_markwatch(
            [*sweep_command(targets, db_url, tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false"]
        )
    assert first.returncode == 1, first.stdout + first.stderr[-3000:]
    assert after_first.state == "incomplete" and after_first.summary["unhandled"] == {"check_failed": 1}
    assert "given_up" not in after_first.summary and not after_first.summary.get("nothing_to_retry")
    # Attempt 2 of 2 failed too: given up, still incomplete (never finished), and the summary says so.
    assert second.returncode == 1, second.stdout + second.stderr[-3000:]
    summary = after_second.summary
    assert after_second.state == "incomplete" and after_second.finished_at is None
    assert summary["unhandled"] == {"check_failed": 1}
    assert summary["given_up"] == {"check_failed": 1} and summary["nothing_to_retry"] is True
    assert summary["given_up_items"] == [
        {"reason": "check_failed", "url": f"{site.base}/item/2.html", "attempts": 2}
    ]
    assert "nothing left to retry" in summary["ended"]
    assert "nothing left to retry: 1 given up after 2 attempt(s) (check_failed 1)" in second.stdout
    assert "--retry-given-up" in second.stdout
    # A third resume refuses, names the option, and fetches nothing.
    assert third.returncode != 0
    assert "nothing left to retry" in third.stderr and "--retry-given-up" in third.stderr, third.stderr
    assert hits_after_third == hits_before_third and hits_before_third["/item/2.html"] == 2
    assert "given up (tried 2 times, not retried on resume): check_failed 1" in status
    # Anyway: one more attempt of the given-up page only, which fails again and is given up again.
    assert anyway.returncode == 1, anyway.stdout + anyway.stderr[-3000:]
    assert hits_anyway["/item/2.html"] == 3 and hits_anyway["/item/1.html"] == 1
    assert again.summary["nothing_to_retry"] is True
    assert again.summary["given_up_items"][0]["attempts"] == 3
    assert raised.returncode == 1, raised.stdout + raised.stderr[-3000:]
    assert (
        "sweep 1: resumed although it had nothing left to retry: MARKWATCH_MAX_ATTEMPTS raised from 2 to 4: "
        "1 given-up item(s) tried again" in raised.stdout
    ), raised.stdout
    assert hits_raised["/item/2.html"] == 4 and hits_raised["/item/1.html"] == 1
    assert _sweep(db_url, 1).summary["given_up_items"][0]["attempts"] == 4
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr[-3000:]
    assert "sweep 2 local: finished" in fresh.stdout
    assert _sweep(db_url, 1).state == "incomplete"


def test_the_scheduler_opens_cases_from_a_given_up_sweep_and_starts_a_new_one_next_time(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="markwatch.scheduler")
    import_example_registry(db_url)
    for key, value in {**ALWAYS_CRASHES, ATTEMPTS_VARIABLE: "1", "PYTHONPATH": str(CHECKERS),
                       "MARKWATCH_HOME": str(tmp_path / "home")}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    with serve(listing_pages=1, items_per_page=4) as site:
        config = SchedulerConfig(
            targets_path=local_targets(tmp_path / "t.yaml", site, schedule="0 0 1 1 *"),
            db_url=db_url,
            log_dir=tmp_path / "logs",
        )
        service = SweepScheduler(config)
        service.start()
        try:
            service.trigger_now("local")
            _wait_for_runs(db_url, 1)
            with db.session_scope(db_url) as session:
                cases = list(session.scalars(select(Case)))
                marked = [c for c in cases if "from incomplete sweep 1" in (c.confidence_reasons or [])]
                n_cases = len(cases)
            service.trigger_now("local")
            _wait_for_runs(db_url, 2)
        finally:
            service.stop()
        hits = dict(site.hits)
    first, second = _runs(db_url)
    assert first.outcome == "incomplete" and first.sweep_id == 1, first.detail
    assert first.detail is not None
    assert (
        "sweep 1 is incomplete: nothing left to retry, given up check_failed 1 after 1 attempt(s)"
        in first.detail
    )
    assert f"{site.base}/item/2.html" in first.detail
    assert "cases opened from it (marked incomplete)" in first.detail
    assert "the next run starts a new sweep" in first.detail
    assert f"local: run {first.id}: {first.detail}" in caplog.text  # the scheduler's log says it too
    # Cases opened from it, each marked as from an incomplete sweep (item 1, 3 and 4 carry findings).
    assert n_cases > 0 and len(marked) == n_cases
    # The next run did not resume sweep 1 (it would have refetched nothing): it swept the target anew.
    assert second.sweep_id == 2, second.detail
    assert hits["/item/1.html"] == 2 and hits["/list?page=1"] == 2
    assert _sweep(db_url, 1).state == "incomplete"


def _runs(db_url: str) -> list[SchedulerRun]:
    with db.session_scope(db_url) as session:
        rows = list(session.scalars(select(SchedulerRun).order_by(SchedulerRun.id)))
        session.expunge_all()
        return rows


def _wait_for_runs(db_url: str, count: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        done = [r for r in _runs(db_url) if r.outcome != "running"]
        if len(done) >= count:
            return
        time.sleep(0.5)
    raise AssertionError(
        f"timed out waiting for {count} scheduler run(s): {[r.outcome for r in _runs(db_url)]}"
    )


def test_every_given_up_url_is_counted_and_the_first_50_are_listed(db_url: str) -> None:
    """A checker broken for every page gives them all up: counted in full, listed up to a bound."""
    urls = [f"http://127.0.0.1:9/item/{n:03d}" for n in range(60)]
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=T0, state="running")
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
        write_batch(
            session, sweep_id, discoveries=[Discovery(u, "queued", request={"url": u}) for u in urls], now=T0
        )
        write_batch(session, sweep_id, outcomes=[Outcome(u, "failed", "check_failed") for u in urls], now=T0)
    with db.session_scope(db_url) as session:
        left = given_up(session, sweep_id, max_attempts=1)
        assert requeue_unhandled(session, sweep_id, max_attempts=1) == 0
    assert left.counts == {"check_failed": 60} and left.retryable == 0 and left.attempts == 1
    assert [item["url"] for item in left.items] == urls[:50]


def test_a_wrong_setting_is_refused_before_anything_is_written(db_url: str, tmp_path: Path) -> None:
    import_example_registry(db_url)
    with serve(listing_pages=1, items_per_page=1) as site:
        targets = local_targets(tmp_path / "t.yaml", site, schedule="0 0 1 1 *")
        refused = run_markwatch(
            sweep_command(targets, db_url, tmp_path / "jobs"), **{ATTEMPTS_VARIABLE: "none"}
        )
        hits = dict(site.hits)
    assert refused.returncode == 2, refused.stdout + refused.stderr[-3000:]
    assert (
        f"{ATTEMPTS_VARIABLE}: must be a whole number of attempts from 1 to 1000, got 'none'"
        in refused.stderr
    )
    assert hits == {}
    with db.session_scope(db_url) as session:
        assert session.scalars(select(Sweep)).all() == []
