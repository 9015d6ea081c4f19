"""The page writer: one thread that checks fetched pages and stores them, never dropping one.

The reactor hands it jobs (a page, or what became of a request, with the URLs discovered meanwhile) and
gets a Deferred back. Jobs waiting together are written in one transaction (group commit). A lost race
(deadlock, serialization failure, SQLite busy) is simply run again. When the database cannot be reached,
the jobs are spooled to the job directory, the crawl is told to stop taking requests, and writing is
retried until the database is back; the frontier entries of spooled jobs stay unacknowledged, so another
worker (or the next run, reading the spool) still has them. Only after a job is committed is its entry
acknowledged.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from crawler.canonical import Canonicalizer
from crawler.heap import freeze_long_lived
from crawler.images.scan import ScanJob, ScanResult, scan_pending_pages
from crawler.images.storage import IMAGE_STATUS
from crawler.items import PageItem
from crawler.ledger import Discovery, Outcome, ledger_key
from crawler.store.models import CHECK_FAILED, PARTIAL
from markwatch import db
from pagetext.bodies import unreadable_reason
from sweeps.checking import CheckOutcome, PageChecker
from sweeps.storage import CheckedPage, is_retryable, is_unreachable, write_batch

log = logging.getLogger(__name__)

MAX_BATCH_JOBS = 64
MAX_BATCH_BYTES = 16 * 1024 * 1024
_STOP = object()
_WARM_UP = object()


@dataclass
class Job:
    """One unit the writer stores atomically: a page or an outcome, and discoveries made before it."""

    page: PageItem | None = None
    outcome: Outcome | None = None
    discoveries: list[Discovery] = field(default_factory=list)
    entry: Any = None
    # Fired (in the reactor) once the job is committed, or spooled to disk during an outage.
    on_released: Callable[[], None] | None = None
    spool_path: Path | None = None
    released: bool = False
    # Read back from the spool of an earlier process: nobody in this process waits for it.
    from_spool: bool = False

    @property
    def size(self) -> int:
        """Bytes of body this job carries."""
        return len(self.page.body) if self.page is not None else 0


class WriterEvents:
    """What the writer tells the crawl (called in the writer thread; implementations hop to the reactor)."""

    def written(self, jobs: list[Job]) -> None:
        """Jobs committed: acknowledge their entries."""

    def released(self, job: Job) -> None:
        """A job no longer needs the crawl to wait for it (committed or spooled)."""

    def database_down(self, since: float) -> None:
        """Writing failed because the database cannot be reached (since: time.monotonic())."""

    def database_up(self) -> None:
        """Writing works again."""

    def scanned(self, result: ScanResult | None) -> None:
        """A scan of stored pages for their images came back (None: it failed; crawler/images/scan.py)."""


class PageWriter:
    """Checks and stores pages on its own thread; see the module docstring for the guarantees."""

    def __init__(
        self,
        *,
        db_url: str,
        sweep_id: int,
        checker_factory: Callable[[], PageChecker],
        canonical: Canonicalizer,
        spool_dir: Path | None,
        events: WriterEvents,
    ) -> None:
        self.db_url = db_url
        self.sweep_id = sweep_id
        self.checker_factory = checker_factory
        self.canonical = canonical
        self.spool_dir = spool_dir
        self.events = events
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=f"page-writer-{sweep_id}", daemon=True)
        self._checker: PageChecker | None = None
        self._stopping = threading.Event()
        self._deadline: float | None = None
        self._done = threading.Event()
        self.unwritten: list[Job] = []  # jobs still unwritten when the writer gave up
        self._current: list[Job] = []
        self._spool_done = False
        self._scans: list[ScanJob] = []  # scans that arrived while a batch of jobs was being taken

    def start(self) -> None:
        """Start the thread (it loads the checker at once, while the crawl fetches robots.txt)."""
        self._thread.start()
        self._queue.put(_WARM_UP)

    def alive(self) -> bool:
        """Whether the writer thread still runs (or has not been started yet)."""
        return not self._done.is_set()

    def unkept(self) -> int:
        """Jobs left unwritten that are in no spool file either (a full or read-only job directory): their
        pages are lost to this run; their URLs stay queued, so `sweep resume` fetches them again."""
        return sum(1 for job in self.unwritten if job.spool_path is None)

    def submit(self, job: Job | ScanJob) -> None:
        """Queue a job or a scan (any thread)."""
        self._queue.put(job)

    def close(self, deadline: float) -> bool:
        """Write what is queued, waiting at most until `deadline` (time.monotonic()); True when all is stored."""
        self._deadline = deadline
        self._stopping.set()
        self._queue.put(_STOP)
        self._thread.join(max(0.0, deadline - time.monotonic()) + 1.0)
        return self._done.is_set() and not self.unwritten

    # --- the writer thread ---

    def _run(self) -> None:
        try:
            self._spooled_jobs_first()
            while True:
                jobs = self._take_batch()
                if jobs is None:
                    break
                if jobs:
                    self._handle(jobs)
        except _GaveUp as gave_up:
            self.unwritten = gave_up.jobs
            log.error(
                "sweep %d: database still unreachable at the deadline; %d job(s) kept in %s, %d in no spool "
                "(their URLs stay queued)", self.sweep_id, len(gave_up.jobs) - self.unkept(), self.spool_dir,
                self.unkept(),
            )  # fmt: skip
        except Exception:  # a bug here must not hang the crawl: report, and keep what is left on disk
            log.exception("sweep %d: page writer failed", self.sweep_id)
            self.unwritten = [*self._current, *self._drain_all()]
            for job in self.unwritten:
                self._spool_and_release(job)
        finally:
            self._done.set()

    def _take_batch(self) -> list[Job] | None:
        if self._scans:
            self._scan(self._scans.pop(0))
            return []
        first = self._queue.get()
        if first is _STOP:
            return None
        if isinstance(first, ScanJob):
            self._scan(first)
            return []
        if first is _WARM_UP:
            try:
                self._checker_ready()
            except Exception as exc:  # the first page will try again (and wait out an outage)
                log.warning("sweep %d: checker not loaded yet: %s", self.sweep_id, _brief(exc))
            return []
        jobs = [first]
        size = first.size
        while len(jobs) < MAX_BATCH_JOBS and size < MAX_BATCH_BYTES:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                break
            if more is _STOP:
                self._queue.put(_STOP)
                break
            if more is _WARM_UP:
                continue
            if isinstance(more, ScanJob):
                self._scans.append(more)
                continue
            jobs.append(more)
            size += more.size
        return jobs

    def _scan(self, job: ScanJob) -> None:
        """Find the images of stored pages pending a scan; the crawl hears back either way (a failure is
        tried again later, and past MAX_FAILURES the pages wait for `sweep resume`)."""
        result: ScanResult | None = None
        for attempt in range(4):
            try:
                with db.session_scope(self.db_url) as session:
                    result = scan_pending_pages(
                        session, self.sweep_id, find=job.find, canonical=self.canonical, limit=job.limit,
                        now=db.utcnow(),
                    )  # fmt: skip
                break
            except Exception as exc:
                if is_retryable(exc) and attempt < 3:
                    time.sleep(0.05 * 2**attempt)
                    continue
                log.warning("sweep %d: finding images of stored pages failed: %s", self.sweep_id, _brief(exc))
                break
        self.events.scanned(result)

    def _drain_all(self) -> list[Job]:
        jobs: list[Job] = []
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return jobs
            if isinstance(job, Job):
                jobs.append(job)

    def _handle(self, jobs: list[Job]) -> None:
        self._current = jobs
        checked: dict[int, CheckedPage] = {}
        self._write_with_retries(jobs, checked)
        self.events.written(jobs)
        for job in jobs:
            if not job.released:
                job.released = True
                self.events.released(job)
            if job.spool_path is not None:
                job.spool_path.unlink(missing_ok=True)
        self._current = []

    def _checker_ready(self) -> PageChecker:
        # Loading reads the registry: a database outage here is waited out like one while writing.
        if self._checker is None:
            self._checker = self.checker_factory()
            # The checker and the registry snapshot live as long as the sweep: out of the collector's scans.
            freeze_long_lived()
        return self._checker

    def _check(self, item: PageItem) -> CheckedPage:
        url = item.requested_url
        page_url = self.canonical(item.final_url)
        if item.kind == "image":
            # Evidence to store, not a page to check: read behind the crawl (sweeps/images/stage.py).
            return CheckedPage(item, url, page_url, IMAGE_STATUS, CheckOutcome(claims=0, findings=[]))
        sightings = [{**image, "url": ledger_key(self.canonical(str(image["url"])))} for image in item.images]
        reason = unreadable_reason(item.body, _content_type(item.headers))
        if reason is not None:
            return CheckedPage(item, url, page_url, reason, CheckOutcome(claims=0, findings=[]), sightings)
        try:
            checker = self._checker_ready()
        except Exception as exc:
            if is_unreachable(exc) or is_retryable(exc):
                raise  # the registry is read from the database: waited out like any outage
            # A checker that cannot load (a broken rules directory) checks nothing: each page says so, and
            # no page reads as a storage error.
            log.error("sweep %d: the checker cannot be loaded: %s", self.sweep_id, _brief(exc))
            return CheckedPage(
                item, url, page_url, CHECK_FAILED, CheckOutcome(claims=0, findings=[]), sightings
            )
        try:
            outcome = checker.check(
                item.body,
                url=page_url,
                declared_charset=item.declared_charset,
                observed_at=item.fetched_at,
                seller=item.seller,
            )
        except Exception:
            log.exception("checking %s failed", item.final_url)
            return CheckedPage(
                item, url, page_url, CHECK_FAILED, CheckOutcome(claims=0, findings=[]), sightings
            )
        if item.warnings:
            outcome = replace(outcome, warnings=[*outcome.warnings, *item.warnings])
        # A page not read whole is no evidence that a misuse stopped: "partial" keeps it from closing cases.
        return CheckedPage(item, url, page_url, PARTIAL if outcome.warnings else "ok", outcome, sightings)

    def _write_with_retries(self, jobs: list[Job], checked: dict[int, CheckedPage]) -> None:
        attempt = 0
        while True:
            try:
                self._write(jobs, checked)
                return
            except Exception as exc:
                if is_retryable(exc) and attempt < 50:
                    attempt += 1
                    time.sleep(min(1.0, 0.02 * 2**attempt))
                elif is_unreachable(exc) or is_retryable(exc):
                    self._wait_for_database(exc, jobs)
                    attempt = 0
                elif len(jobs) > 1:
                    # Not the database's fault: one job carries something it refuses. Write them one by one,
                    # so the others are stored and the bad one is failed with a reason.
                    for job in jobs:
                        self._write_with_retries([job], checked)
                    return
                else:
                    self._store_error(jobs[0], checked, exc)
                    return

    def _write(self, jobs: list[Job], checked: dict[int, CheckedPage]) -> None:
        for job in jobs:
            if job.page is not None and id(job) not in checked:
                checked[id(job)] = self._check(job.page)
        now = db.utcnow()
        discoveries = [d for job in jobs for d in job.discoveries]
        outcomes = [job.outcome for job in jobs if job.outcome is not None]
        pages = [checked[id(job)] for job in jobs if job.page is not None]
        with db.session_scope(self.db_url) as session:
            write_batch(
                session, self.sweep_id, pages=pages, outcomes=outcomes, discoveries=discoveries, now=now
            )

    def _store_error(self, job: Job, checked: dict[int, CheckedPage], exc: BaseException) -> None:
        if job.page is None and job.outcome is not None and job.outcome.reason == "store_error":
            raise exc  # not even the failure can be stored: let the crawl stop (the job stays spooled)
        log.error("sweep %d: cannot store %s: %s", self.sweep_id, _job_url(job), _brief(exc))
        job.outcome = Outcome(_job_url(job), "failed", "store_error")
        job.page = None
        checked.pop(id(job), None)
        self._write_with_retries([job], checked)

    def _wait_for_database(self, exc: BaseException, jobs: list[Job]) -> None:
        """Back off until the database answers; spool and release jobs meanwhile; _GaveUp past the deadline."""
        since = time.monotonic()
        log.warning(
            "sweep %d: database unreachable (%s); holding %d job(s)", self.sweep_id, _brief(exc), len(jobs)
        )
        self.events.database_down(since)
        waiting = list(jobs)
        delay = 0.25
        while True:
            for job in waiting:
                self._spool_and_release(job)
            if self._deadline is not None and time.monotonic() > self._deadline:
                left = self._drain_all()
                for job in left:
                    self._spool_and_release(job)
                raise _GaveUp([*jobs, *left])
            time.sleep(delay)
            delay = min(2.0, delay * 2)
            try:
                with db.session_scope(self.db_url) as session:
                    session.connection().exec_driver_sql("SELECT 1")
            except Exception as probe:
                if not (is_unreachable(probe) or is_retryable(probe)):
                    raise
                # Jobs that arrived meanwhile wait with the others (the crawl has stopped taking requests);
                # the caller writes the extended batch once the database answers.
                waiting = self._drain_nonstop()
                jobs.extend(waiting)
                continue
            log.info(
                "sweep %d: database reachable again after %.1f s", self.sweep_id, time.monotonic() - since
            )
            self.events.database_up()
            return

    def _drain_nonstop(self) -> list[Job]:
        arrived: list[Job] = []
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                return arrived
            if job is _STOP:
                self._queue.put(_STOP)
                return arrived
            if isinstance(job, Job):
                arrived.append(job)
            elif isinstance(job, ScanJob):
                self._scans.append(job)  # run once the database is back

    def _spool_and_release(self, job: Job) -> None:
        if job.spool_path is None and self.spool_dir is not None:
            try:
                self.spool_dir.mkdir(parents=True, exist_ok=True)
                path = self.spool_dir / f"{uuid.uuid4().hex}.json"
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(_job_to_json(job)), encoding="utf-8")
                tmp.replace(path)
                job.spool_path = path
            except OSError as exc:
                log.warning("cannot spool to %s (%s): the job stays in memory only", self.spool_dir, exc)
        if not job.released:
            job.released = True
            self.events.released(job)

    def write_spool(self) -> None:
        """Write what an earlier process of this sweep spooled, now, in the calling thread (a local sweep
        does this before it rebuilds its queue, so pages that wait in the spool are not fetched again)."""
        self._spooled_jobs_first()

    def _spooled_jobs_first(self) -> None:
        """Jobs a previous process of this sweep spooled and never wrote: write them before anything else."""
        if self._spool_done or self.spool_dir is None or not self.spool_dir.is_dir():
            return
        self._spool_done = True
        jobs: list[Job] = []
        for path in sorted(self.spool_dir.glob("*.json")):
            try:
                job = _job_from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError) as exc:
                log.error("unreadable spool file %s (%s): left in place", path, exc)
                continue
            job.spool_path, job.released, job.from_spool = path, True, True
            jobs.append(job)
        if jobs:
            log.info("sweep %d: writing %d job(s) spooled by an earlier run", self.sweep_id, len(jobs))
            for start in range(0, len(jobs), MAX_BATCH_JOBS):
                self._handle(jobs[start : start + MAX_BATCH_JOBS])


class _GaveUp(Exception):
    def __init__(self, jobs: list[Job]) -> None:
        super().__init__(f"{len(jobs)} job(s) unwritten")
        self.jobs = jobs


def _job_url(job: Job) -> str:
    if job.page is not None:
        return job.page.requested_url
    assert job.outcome is not None
    return job.outcome.url


def _content_type(headers: dict[str, str]) -> str | None:
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value
    return None


def _brief(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split())[:200]


def _job_to_json(job: Job) -> dict[str, Any]:
    page = None
    if job.page is not None:
        page = {**job.page.asdict(), "fetched_at": job.page.fetched_at.isoformat()}
        page["body"] = base64.b64encode(job.page.body).decode("ascii")
    return {
        "page": page,
        "outcome": None if job.outcome is None else job.outcome.__dict__ | {"notes": list(job.outcome.notes)},
        "discoveries": [d.__dict__ for d in job.discoveries],
    }


def _job_from_json(data: dict[str, Any]) -> Job:
    page = None
    if data.get("page") is not None:
        fields = dict(data["page"])
        fields["body"] = base64.b64decode(fields["body"])
        fields["fetched_at"] = dt.datetime.fromisoformat(fields["fetched_at"])
        page = PageItem(**fields)
    outcome = None
    if data.get("outcome") is not None:
        fields = dict(data["outcome"])
        fields["notes"] = tuple(fields.get("notes") or ())
        outcome = Outcome(**fields)
    return Job(page=page, outcome=outcome, discoveries=[Discovery(**d) for d in data.get("discoveries", [])])
