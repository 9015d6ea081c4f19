"""Snapshot store and sweep bookkeeping on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from crawler.process import identity
from crawler.snapshots import snapshot_body, store_snapshot
from crawler.store.models import Snapshot, SnapshotBody, Sweep, SweepPage
from crawler.targets import Target
from markwatch import db
from markwatch.errors import ConflictError
from sweeps.bookkeeping import compare, reap_dead, start_or_resume
from sweeps.models import Finding

T0 = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)


def _snap(session: Session, body: bytes, url: str, sweep_id: int | None = None) -> Snapshot:
    return store_snapshot(session, body=body, requested_url=url, final_url=url, status=200,
                          headers={"Content-Type": "text/html"}, fetched_at=T0, sweep_id=sweep_id)  # fmt: skip


def test_bodies_stored_once_and_verified(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        first = _snap(session, b"<p>same</p>", "http://a/1")
        second = _snap(session, b"<p>same</p>", "http://a/2")
        assert first.id != second.id and first.body_sha256 == second.body_sha256
        assert first.body_sha256 == hashlib.sha256(b"<p>same</p>").hexdigest()
        assert snapshot_body(session, second) == b"<p>same</p>"
        assert session.query(SnapshotBody).count() == 1
        assert session.get(Snapshot, first.id).fetched_at == T0  # type: ignore[union-attr]


def test_tampered_body_is_detected(db_url: str) -> None:
    import zlib

    with db.session_scope(db_url) as session:
        snapshot = _snap(session, b"original", "http://a/1")
        stored = session.get(SnapshotBody, snapshot.body_sha256)
        assert stored is not None
        stored.body = zlib.compress(b"changed")
        with pytest.raises(ValueError, match="does not match"):
            snapshot_body(session, snapshot)
        session.rollback()


def _sweep_with(
    session: Session, target: str, state: str, findings: dict[str, str], pages: list[str]
) -> Sweep:
    sweep = Sweep(target=target, started_at=T0, state=state)
    session.add(sweep)
    session.flush()
    snap = _snap(session, f"{target}{sweep.id}".encode(), "http://a/x", sweep.id)
    for url in pages:
        session.add(SweepPage(sweep_id=sweep.id, url=url, snapshot_id=snap.id, checked_at=T0))
    for key, url in findings.items():
        session.add(Finding(sweep_id=sweep.id, snapshot_id=snap.id, finding_key=key, rule_id="SHS001",
                            severity="high", message="m", page_url=url, observed_at=T0))  # fmt: skip
    session.flush()
    return sweep


def test_new_recurring_resolved(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        _sweep_with(session, "t", "finished", {"a": "http://p/1", "b": "http://p/2", "c": "http://p/3"}, [])
        _sweep_with(session, "other", "finished", {"z": "http://p/1"}, [])
        current = _sweep_with(session, "t", "running", {"a": "http://p/1", "d": "http://p/1"},
                              ["http://p/1", "http://p/2"])  # fmt: skip
        result = compare(session, current)
    # b resolved (its page was checked again, no finding); c unknown (page not revisited), not resolved.
    assert (result.new, result.recurring, result.resolved) == (1, 1, 1)


def test_a_claim_removed_from_a_redirected_page_is_resolved(db_url: str) -> None:
    """A finding is stored under the page's address after redirects (https, a canonical item URL), the
    sweep's pages under the address requested: a claim taken off such a page was never counted resolved."""
    with db.session_scope(db_url) as session:
        before = Sweep(target="t", started_at=T0, state="finished")
        session.add(before)
        session.flush()
        snap = store_snapshot(session, body=b"<p>old</p>", requested_url="http://p/item?id=1",
                              final_url="https://p/item/1.html", status=200, headers={}, fetched_at=T0,
                              sweep_id=before.id)  # fmt: skip
        session.add(
            SweepPage(sweep_id=before.id, url="http://p/item?id=1", snapshot_id=snap.id, checked_at=T0)
        )
        session.add(Finding(sweep_id=before.id, snapshot_id=snap.id, finding_key="k", rule_id="SHS003",
                            severity="high", message="m", page_url="https://p/item/1.html", observed_at=T0))  # fmt: skip
        current = _sweep_with(session, "t", "running", {}, ["http://p/item?id=1"])
        assert compare(session, current).resolved == 1


TARGET = Target(
    name="t",
    seeds=[{"url": "http://127.0.0.1:9/", "kind": "listing"}],  # type: ignore[list-item]
    allowed_domains=["127.0.0.1"],
)


def test_resume_picks_unfinished_sweep_and_refuses_live_one(db_url: str, tmp_path: Path) -> None:
    with db.session_scope(db_url) as session:
        first, resumed = start_or_resume(session, TARGET, tmp_path)
        assert not resumed and first.job_dir == str(tmp_path / f"sweep-{first.id}")
        assert first.summary["pid"] == os.getpid() and first.summary["target"]["name"] == "t"
        with pytest.raises(ConflictError, match="still running"):
            start_or_resume(session, TARGET, tmp_path)  # we are alive
        first.state = "interrupted"
        session.flush()
        again, resumed = start_or_resume(session, TARGET, tmp_path)
        assert resumed and again.id == first.id and again.summary["resumed"] == 1
        again.summary = {**again.summary, **identity(os.getppid())}  # a live process that is not us
        session.flush()
        with pytest.raises(ConflictError, match="still running"):
            start_or_resume(session, TARGET, tmp_path)


def test_a_dead_process_leaves_an_interrupted_resumable_sweep(db_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(gone.stdout)
    with db.session_scope(db_url) as session:
        session.add(
            Sweep(target="t", started_at=T0, state="running", summary={**identity(), "pid": dead_pid})
        )
        # A row from another machine is never judged by its pid from here, only by its heartbeat (fresh).
        elsewhere = {"pid": 999_999_999, "host": "another-machine", "boot": None, "pid_started": None}
        session.add(
            Sweep(target="u", started_at=T0, state="running", summary=elsewhere, heartbeat_at=db.utcnow())
        )
    with db.session_scope(db_url) as session:
        assert reap_dead(session) == [1]
        assert session.get(Sweep, 1).state == "interrupted"  # type: ignore[union-attr]
        assert session.get(Sweep, 2).state == "running"  # type: ignore[union-attr]
        resumed, was_resumed = start_or_resume(session, TARGET, tmp_path)
        assert was_resumed and resumed.id == 1


def test_cases_come_only_from_finished_sweeps_unless_allowed_and_marked(db_url: str) -> None:
    from cases_support import add_finding, make_sweep

    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.models import Case

    with db.session_scope(db_url) as session:
        sweep = make_sweep(session, target="shop")
        sweep.state = "incomplete"
        add_finding(session, sweep, key="K1")
        sweep_id = sweep.id
    with db.session_scope(db_url) as session, pytest.raises(ConflictError, match="--allow-incomplete"):
        ingest_sweep(session, sweep_id)
    with db.session_scope(db_url) as session:
        assert session.query(Case).count() == 0
        report = ingest_sweep(session, sweep_id, allow_incomplete=True)
        assert report.created == 1
        case = session.query(Case).one()
        assert f"from incomplete sweep {sweep_id}" in case.confidence_reasons
