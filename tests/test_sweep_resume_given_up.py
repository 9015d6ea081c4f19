"""Resuming what was given up (MARKWATCH_MAX_ATTEMPTS), on every path: a distributed sweep resumed by a worker
does again what markwatch failed itself as a single-process resume does (URLs, image scans, image readings),
takes --retry-given-up, and a limit raised since the sweep gave up reopens it for the items below the new limit.

On SQLite and PostgreSQL with the real bookkeeping; the cluster worker's claim is called as `cluster worker` and
`sweep resume` call it (the whole distributed path with Redis is in test_sweep_unhandled.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checker.registry.gate import ALLOWED_IN_SUMMARY
from crawler.ledger import ATTEMPTS_VARIABLE, Discovery, Outcome, requeue_unhandled
from crawler.store.models import Sweep, SweepPage, SweepUrl
from crawler.targets import Target
from markwatch import db
from markwatch.errors import ConflictError
from sweeps.bookkeeping import record_end, reopened_text, resume_sweep, start_or_resume
from sweeps.cluster.worker import claim_sweep
from sweeps.run import CrawlResult
from sweeps.storage import write_batch

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
TARGET = Target(
    name="t", seeds=[{"url": "https://shop.example.com/", "kind": "listing"}],  # type: ignore[list-item]
    allowed_domains=["shop.example.com"], adapter="generic",
)  # fmt: skip
CRASHES = "https://shop.example.com/item/1.html"  # the checker raised on it: markwatch's failure
UNSCANNED = "https://shop.example.com/item/2.html"  # its images could not be looked for


def _swept(db_url: str, *, distributed: bool) -> int:
    """A sweep whose crawl is over with one URL not checked and one page whose image scan failed; ended."""
    summary: dict[str, Any] = {"target": TARGET.model_dump(mode="json"), ALLOWED_IN_SUMMARY: True}
    if distributed:
        summary["distributed"] = True
    with db.session_scope(db_url) as session:
        sweep = Sweep(target=TARGET.name, started_at=T0, state="running", summary=summary)
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
        write_batch(
            session, sweep_id, now=T0, discoveries=[Discovery(CRASHES, "queued", request={"url": CRASHES})]
        )
        write_batch(session, sweep_id, now=T0, outcomes=[Outcome(CRASHES, "failed", "check_failed")])
        session.add(
            SweepPage(sweep_id=sweep_id, url=UNSCANNED, status="ok", checked_at=T0, image_scan="failed")
        )
    _end(db_url, sweep_id)
    return sweep_id


def _end(db_url: str, sweep_id: int) -> dict[str, Any]:
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        record_end(session, sweep, CrawlResult(reason="finished"))
        return dict(sweep.summary or {})


def _items(db_url: str, sweep_id: int) -> dict[str, tuple[str, int]]:
    """What a resume put back: the URL's ledger state and retries, the page's image scan and retries."""
    with db.session_scope(db_url) as session:
        url = session.execute(
            select(SweepUrl.state, SweepUrl.retries).where(
                SweepUrl.sweep_id == sweep_id, SweepUrl.url == CRASHES
            )
        ).one()
        page = session.execute(
            select(SweepPage.image_scan, SweepPage.image_scan_retries).where(
                SweepPage.sweep_id == sweep_id, SweepPage.url == UNSCANNED
            )
        ).one()
        return {"url": (str(url[0]), int(url[1])), "scan": (str(page[0]), int(page[1]))}


def test_a_cluster_resume_looks_again_for_the_images_of_a_page_whose_scan_failed(db_url: str) -> None:
    """As a single-process resume does (rescan_failed): pending again, they are scanned at the worker's start
    (the whole path, with Redis: test_crawler_images.py)."""
    sweep_id = _swept(db_url, distributed=True)
    claim_sweep(sweep_id, db_url)
    assert _items(db_url, sweep_id) == {"url": ("queued", 1), "scan": ("pending", 1)}


def test_a_given_up_cluster_sweep_is_refused_without_retry_given_up_and_redone_with_it(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ATTEMPTS_VARIABLE, "1")
    sweep_id = _swept(db_url, distributed=True)
    with pytest.raises(ConflictError) as refused:
        claim_sweep(sweep_id, db_url)
    assert "nothing left to retry" in str(refused.value) and "--retry-given-up" in str(refused.value)
    assert _items(db_url, sweep_id) == {"url": ("failed", 0), "scan": ("failed", 0)}  # nothing was touched
    claim_sweep(sweep_id, db_url, retry_given_up=True)
    assert _items(db_url, sweep_id) == {"url": ("queued", 1), "scan": ("pending", 1)}
    with db.session_scope(db_url) as session:
        assert session.get(Sweep, sweep_id).state == "running"  # type: ignore[union-attr]


@pytest.mark.parametrize("distributed", [False, True], ids=["single", "cluster"])
def test_a_limit_raised_since_the_sweep_gave_up_reopens_it_for_what_is_below_the_new_limit(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, distributed: bool
) -> None:
    monkeypatch.setenv(ATTEMPTS_VARIABLE, "1")
    sweep_id = _swept(db_url, distributed=distributed)
    monkeypatch.setenv(ATTEMPTS_VARIABLE, "3")
    if distributed:
        claim_sweep(sweep_id, db_url)
    else:
        with db.session_scope(db_url) as session:
            resumed, again = start_or_resume(session, TARGET, tmp_path / "jobs")
            assert again and resumed.id == sweep_id
    assert _items(db_url, sweep_id) == {"url": ("queued", 1), "scan": ("pending", 1)}
    with db.session_scope(db_url) as session:
        summary = session.get(Sweep, sweep_id).summary  # type: ignore[union-attr]
    # It says why it was resumed after saying nothing was left to retry.
    assert summary["reopened"] == {"max_attempts_was": 1, "max_attempts": 3, "items": 2}
    assert (
        reopened_text(summary) == "MARKWATCH_MAX_ATTEMPTS raised from 1 to 3: 2 given-up item(s) tried again"
    )
    # Both fail again: attempt 2 of 3, so a plain resume still has something to retry, and says nothing of a
    # raised limit any more.
    with db.session_scope(db_url) as session:
        write_batch(session, sweep_id, now=T0, outcomes=[Outcome(CRASHES, "failed", "check_failed")])
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        page.image_scan = "failed"
        session.get(Sweep, sweep_id).state = "incomplete"  # type: ignore[union-attr]
    ended = _end(db_url, sweep_id)
    assert not ended.get("nothing_to_retry") and "given_up" not in ended
    if distributed:
        claim_sweep(sweep_id, db_url)
    else:
        with db.session_scope(db_url) as session:
            start_or_resume(session, TARGET, tmp_path / "jobs")
    assert _items(db_url, sweep_id) == {"url": ("queued", 2), "scan": ("pending", 2)}
    with db.session_scope(db_url) as session:
        assert "reopened" not in session.get(Sweep, sweep_id).summary  # type: ignore[union-attr]


def test_a_limit_not_raised_leaves_a_given_up_sweep_given_up(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ATTEMPTS_VARIABLE, "2")
    sweep_id = _swept(db_url, distributed=True)
    with db.session_scope(db_url) as session:
        requeue_unhandled(session, sweep_id, max_attempts=2)
        write_batch(session, sweep_id, now=T0, outcomes=[Outcome(CRASHES, "failed", "check_failed")])
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        page.image_scan_retries = 1
    assert _end(db_url, sweep_id)["nothing_to_retry"] is True
    for lower_or_same in ("2", "1"):
        monkeypatch.setenv(ATTEMPTS_VARIABLE, lower_or_same)
        with pytest.raises(ConflictError) as refused:
            claim_sweep(sweep_id, db_url)
        assert f"raise {ATTEMPTS_VARIABLE} above 2" in str(refused.value)


@pytest.mark.parametrize(
    ("change", "named"),
    [({"adapter": "adapter-since-removed"}, "unknown adapter 'adapter-since-removed'"),
     ({"field_since_removed": 1}, "field_since_removed")],
    ids=["adapter-removed", "stored-with-an-old-field"],
)  # fmt: skip
@pytest.mark.parametrize("distributed", [False, True], ids=["single", "cluster"])
def test_a_sweep_whose_stored_target_can_no_longer_be_used_is_refused_before_anything_is_written(
    db_url: str, tmp_path: Path, distributed: bool, change: dict[str, Any], named: str
) -> None:
    """The target a sweep resumes with is the one stored with it (its targets file may have changed or lost it):
    one markwatch can no longer read is refused by name, not a traceback or a sweep set running and failed."""
    sweep_id = _swept(db_url, distributed=distributed)
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        sweep.summary = {**sweep.summary, "target": {**sweep.summary["target"], **change}}
    with pytest.raises(ConflictError) as refused:
        if distributed:
            claim_sweep(sweep_id, db_url)
        else:
            resume_sweep(sweep_id, db_url=db_url, job_root=tmp_path / "jobs")
    assert f"sweep {sweep_id}" in str(refused.value) and named in str(refused.value)
    assert "markwatch sweep run" in str(refused.value) or "markwatch cluster start" in str(refused.value)
    assert _items(db_url, sweep_id) == {"url": ("failed", 0), "scan": ("failed", 0)}
    with db.session_scope(db_url) as session:
        assert session.get(Sweep, sweep_id).state == "incomplete"  # type: ignore[union-attr]


def test_two_resumes_of_one_sweep_at_once_run_it_once_and_count_one_attempt(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `sweep resume` (or a resume and a scheduled run) reaching the same sweep together: the database
    lets one set it running; the other is refused as busy, and what was put back counts one attempt."""
    import threading

    monkeypatch.setenv(ATTEMPTS_VARIABLE, "3")
    sweep_id = _swept(db_url, distributed=False)
    gate = threading.Barrier(2)
    outcomes: list[str] = []

    def resume() -> None:
        with db.session_scope(db_url) as session:
            gate.wait(timeout=30)
            try:
                start_or_resume(session, TARGET, tmp_path / "jobs")
                outcomes.append("resumed")
            except ConflictError as exc:
                outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=resume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "resumed"], outcomes
    assert f"sweep {sweep_id}" in next(o for o in outcomes if o.startswith("refused"))
    assert _items(db_url, sweep_id) == {"url": ("queued", 1), "scan": ("pending", 1)}
    with db.session_scope(db_url) as session:
        sweeps = session.scalars(select(Sweep)).all()
        assert [(s.id, s.state) for s in sweeps] == [(sweep_id, "running")]
        assert sweeps[0].summary["resumed"] == 1


def _exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_crash_while_recording_a_given_up_end_loses_nothing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after the given-up items are marked on their pages and before the summary is written:
    both are one transaction, so neither is kept; the sweep, found dead, is interrupted (resumable), and its
    resume records the given-up end with the marks."""
    import sweeps.bookkeeping as bookkeeping

    monkeypatch.setenv(ATTEMPTS_VARIABLE, "2")
    sweep_id = _swept(db_url, distributed=False)
    with db.session_scope(db_url) as session:
        start_or_resume(session, TARGET, tmp_path / "jobs")
        write_batch(session, sweep_id, now=T0, outcomes=[Outcome(CRASHES, "failed", "check_failed")])
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        page.image_scan = "failed"

    def dies(*args: Any, **kwargs: Any) -> None:
        raise SystemExit("killed while recording the end")

    with monkeypatch.context() as patched:
        patched.setattr(bookkeeping, "finish", dies)
        with pytest.raises(SystemExit):
            _end(db_url, sweep_id)
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "running" and not sweep.summary.get("nothing_to_retry")
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        assert page.warnings == []  # the page mark went with the summary
        # Its process is gone.
        sweep.summary = {**sweep.summary, "pid": _exited_pid()}
    with db.session_scope(db_url) as session:
        assert bookkeeping.reap_dead(session) == [sweep_id]
    with db.session_scope(db_url) as session:
        resumed, again = start_or_resume(session, TARGET, tmp_path / "jobs")
        assert again and resumed.id == sweep_id
    ended = _end(db_url, sweep_id)
    assert ended["nothing_to_retry"] is True and ended["given_up"] == {
        "check_failed": 1,
        "images_not_scanned": 1,
    }
    with db.session_scope(db_url) as session:
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        assert [w.get("given_up_after") for w in page.warnings] == [2]
