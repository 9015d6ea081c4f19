"""The page writer on its own: idempotent storage, lost races retried, outages waited out with the pages
spooled to disk and nothing acknowledged before it is stored, and the spool read back by the next run."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from crawler.canonical import Canonicalizer
from crawler.items import PageItem
from crawler.ledger import Discovery, Outcome
from crawler.store.models import Snapshot, Sweep, SweepPage, SweepUrl
from markwatch import db
from sweeps import writer as writer_module
from sweeps.checking import CheckOutcome, FindingRecord
from sweeps.models import Finding
from sweeps.storage import CheckedPage, write_batch
from sweeps.writer import Job, PageWriter, WriterEvents

T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
URL = "http://127.0.0.1:9/item/1.html"


def _item(url: str = URL, body: bytes = "<p>执行标准：T/DEMO 001-2022（上海标准）</p>".encode()) -> PageItem:
    return PageItem(
        requested_url=url, final_url=url, status=200, headers={"Content-Type": "text/html; charset=utf-8"},
        body=body, fetched_at=T0, declared_charset="utf-8", kind="item",
    )  # fmt: skip


class _Checker:
    def check(self, raw: bytes, **_: Any) -> CheckOutcome:
        return CheckOutcome(
            claims=1, findings=[FindingRecord("key-1", "TEST001", "info", "T/DEMO 001-2022", "m")]
        )


def _sweep(db_url: str) -> int:
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=T0, state="running")
        session.add(sweep)
        session.flush()
        return sweep.id


def _counts(db_url: str, sweep_id: int) -> tuple[int, int, int]:
    with db.session_scope(db_url) as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table).where(table.sweep_id == sweep_id)) or 0
            for table in (SweepPage, Snapshot, Finding)
        )


def test_a_page_delivered_twice_is_stored_once(db_url: str) -> None:
    sweep_id = _sweep(db_url)
    page = CheckedPage(_item(), URL, URL, "ok", _Checker().check(b""))
    for _ in range(2):
        with db.session_scope(db_url) as session:
            write_batch(session, sweep_id, pages=[page, page], now=T0)  # twice in a batch, and twice
    assert _counts(db_url, sweep_id) == (1, 1, 1)
    with db.session_scope(db_url) as session:
        row = session.scalars(select(SweepUrl).where(SweepUrl.sweep_id == sweep_id)).one()
        assert (row.url, row.state, row.taken) == (URL, "stored", True)


def test_outcomes_move_urls_forward_and_a_stored_page_wins(db_url: str) -> None:
    sweep_id = _sweep(db_url)
    with db.session_scope(db_url) as session:
        write_batch(session, sweep_id, discoveries=[Discovery(URL, "queued", request={"url": URL})], now=T0)
        write_batch(session, sweep_id, outcomes=[Outcome(URL, "failed", "timeout")], now=T0)
        write_batch(session, sweep_id, discoveries=[Discovery(URL, "queued")], now=T0)  # known: unchanged
    with db.session_scope(db_url) as session:
        assert session.scalar(select(SweepUrl.state).where(SweepUrl.url == URL)) == "failed"
        write_batch(
            session, sweep_id, pages=[CheckedPage(_item(), URL, URL, "ok", _Checker().check(b""))], now=T0
        )
    with db.session_scope(db_url) as session:
        row = session.scalars(select(SweepUrl).where(SweepUrl.url == URL)).one()
        assert (row.state, row.reason, row.request) == ("stored", None, None)


class _Events(WriterEvents):
    def __init__(self) -> None:
        self.written_jobs: list[Job] = []
        self.down: list[float] = []
        self.up = 0
        self.released_jobs: list[Job] = []
        self.lock = threading.Lock()

    def written(self, jobs: list[Job]) -> None:
        with self.lock:
            self.written_jobs += jobs

    def released(self, job: Job) -> None:
        with self.lock:
            self.released_jobs.append(job)

    def database_down(self, since: float) -> None:
        self.down.append(since)

    def database_up(self) -> None:
        self.up += 1


def _writer(db_url: str, sweep_id: int, spool: Path, events: _Events) -> PageWriter:
    return PageWriter(
        db_url=db_url, sweep_id=sweep_id, checker_factory=_Checker, canonical=Canonicalizer.of([]),
        spool_dir=spool, events=events,
    )  # fmt: skip


def _wait(condition: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_a_lost_race_is_run_again(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sweep_id = _sweep(sqlite_url)
    real, calls = writer_module.write_batch, []

    class Deadlock(Exception):
        sqlstate = "40P01"

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("INSERT", {}, Deadlock("deadlock detected"))
        return real(*args, **kwargs)

    monkeypatch.setattr(writer_module, "write_batch", flaky)
    events = _Events()
    writer = _writer(sqlite_url, sweep_id, tmp_path / "spool", events)
    writer.start()
    writer.submit(Job(page=_item(), entry="e1"))
    _wait(lambda: events.written_jobs)
    assert writer.close(time.monotonic() + 10)
    assert len(calls) == 3 and not events.down  # retried, not taken for an outage
    assert _counts(sqlite_url, sweep_id) == (1, 1, 1)


def test_an_outage_spools_releases_and_stores_everything_later(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep_id = _sweep(sqlite_url)
    real, down = writer_module.write_batch, threading.Event()
    down.set()

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        if down.is_set():
            raise OperationalError("INSERT", {}, Exception("connection refused"))
        return real(*args, **kwargs)

    class Probe:  # the writer's "SELECT 1" goes through db.session_scope
        def __init__(self) -> None:
            self.real = db.session_scope

        def __call__(self, url: Any = None) -> Any:
            if down.is_set():
                raise OperationalError("SELECT 1", {}, Exception("connection refused"))
            return self.real(url)

    monkeypatch.setattr(writer_module, "write_batch", unreachable)
    monkeypatch.setattr(writer_module.db, "session_scope", Probe())
    events = _Events()
    spool = tmp_path / "spool"
    writer = _writer(sqlite_url, sweep_id, spool, events)
    writer.start()
    writer.submit(Job(page=_item(), entry="e1"))
    _wait(lambda: events.down and events.released_jobs)
    writer.submit(Job(page=_item("http://127.0.0.1:9/item/2.html"), entry="e2"))
    _wait(lambda: len(list(spool.glob("*.json"))) == 2)
    # Released to the crawl (Scrapy moves on) but not written, so nothing is acknowledged yet.
    assert not events.written_jobs and len(events.released_jobs) == 2
    down.clear()
    _wait(lambda: len(events.written_jobs) == 2)
    assert writer.close(time.monotonic() + 10)
    assert events.up == 1 and not list(spool.glob("*.json"))
    assert {job.entry for job in events.written_jobs} == {"e1", "e2"}
    assert _counts(sqlite_url, sweep_id) == (2, 2, 1)  # one finding key for both pages of this checker


def test_past_the_deadline_the_spool_stays_and_the_next_run_stores_it(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep_id = _sweep(sqlite_url)

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    with monkeypatch.context() as patched:
        patched.setattr(writer_module, "write_batch", unreachable)
        patched.setattr(writer_module.db, "session_scope", lambda url=None: (_ for _ in ()).throw(
            OperationalError("SELECT 1", {}, Exception("connection refused"))))  # fmt: skip
        events = _Events()
        writer = _writer(sqlite_url, sweep_id, tmp_path / "spool", events)
        writer.start()
        writer.submit(
            Job(page=_item(), entry="e1", discoveries=[Discovery("http://127.0.0.1:9/x", "queued")])
        )
        _wait(lambda: events.released_jobs)
        assert not writer.close(time.monotonic() + 1)  # gave up: the page waits in the spool
    assert len(list((tmp_path / "spool").glob("*.json"))) == 1
    assert _counts(sqlite_url, sweep_id) == (0, 0, 0)
    events = _Events()
    later = _writer(sqlite_url, sweep_id, tmp_path / "spool", events)
    later.start()
    assert later.close(time.monotonic() + 10)
    assert _counts(sqlite_url, sweep_id) == (1, 1, 1)
    with db.session_scope(sqlite_url) as session:
        assert (
            session.scalar(select(SweepUrl.state).where(SweepUrl.url == "http://127.0.0.1:9/x")) == "queued"
        )


def test_page_warnings_are_counted_in_the_sweep(db_url: str) -> None:
    from sweeps.bookkeeping import apply_accounting

    sweep_id = _sweep(db_url)
    warning = {"code": "too-complex", "message": "a tag has 300 attributes: only the first 256 were read"}
    outcome = CheckOutcome(claims=0, findings=[], warnings=[warning])
    page = CheckedPage(_item(), URL, URL, "partial", outcome)
    with db.session_scope(db_url) as session:
        write_batch(session, sweep_id, pages=[page], now=T0)
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        accounting = apply_accounting(session, sweep)
        stored = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        assert (stored.status, stored.warnings) == ("partial", [warning])
    assert accounting.stored == 1
    assert accounting.notes == {"page-warning:too-complex": 1}
    assert sweep.errors == {"page-warning:too-complex": 1}


def test_a_page_that_cannot_be_spooled_either_is_counted_not_said_to_wait_in_the_spool(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database down past the deadline and the job directory unwritable (full, read-only): the page is
    in neither; its URL stays queued (fetched again on resume) and the sweep says so, rather than that it
    waits in the job directory."""
    from sweeps.bookkeeping import record_end
    from sweeps.run import CrawlResult

    sweep_id = _sweep(sqlite_url)
    url = "http://127.0.0.1:9/item/1.html"
    with db.session_scope(sqlite_url) as session:
        write_batch(session, sweep_id, discoveries=[Discovery(url, "queued", request={"url": url})], now=T0)

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    def disk_full(self: Path, *args: Any, **kwargs: Any) -> int:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(writer_module, "write_batch", unreachable)
        patched.setattr(writer_module.db, "session_scope", lambda url=None: (_ for _ in ()).throw(
            OperationalError("SELECT 1", {}, Exception("connection refused"))))  # fmt: skip
        patched.setattr(Path, "write_text", disk_full)
        events = _Events()
        writer = _writer(sqlite_url, sweep_id, tmp_path / "spool", events)
        writer.start()
        writer.submit(Job(page=_item(url), entry="e1"))
        _wait(lambda: events.released_jobs)
        assert not writer.close(time.monotonic() + 1)
    assert not list((tmp_path / "spool").glob("*"))
    assert writer.unkept() == 1
    with db.session_scope(sqlite_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        record_end(session, sweep, CrawlResult(reason="outage", all_written=False, unkept=writer.unkept()))
        assert sweep.state == "incomplete" and sweep.urls_missing == 1
        assert sweep.summary["unkept"] == 1 and "spooled" not in sweep.summary
        assert sweep.summary["missing"] == [url]
