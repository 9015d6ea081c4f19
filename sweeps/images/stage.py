"""The image stage: reads a sweep's fetched images and checks their pages with them, behind the crawl.

One stage process per crawl process (a single sweep, or each cluster worker), started when the first image
is stored (or at once when resuming a sweep with image work left, or at the crawl's end if any is left).
It is a separate, niced process with its own OCR worker processes (`checker.images.pool.ReaderPool`), so
the crawl's reactor and page writer never share an interpreter lock or a core's priority with OCR:
fetching never waits for it.

Everything the stage does is driven by, and written to, the database, so it is at-least-once and
idempotent like the page writer, and survives crashes, restarts and resumes:

1. link    sightings still `waiting` whose image URL has an outcome in the ledger (a race between two
           workers' transactions) become `fetched` (with the sha256) or `failed` (with the ledger's reason);
2. read    images of `fetched` sightings, each sha256 leased to one stage at a time (a lease that runs out,
           because its stage died, is taken over); a reading cached for the same bytes and reader version
           is used as it is ("cached"), else the image is read by OCR ("read"); run failures (time limit,
           crashed worker) are recorded as errors, never cached, never a hang;
3. check   a page whose sightings are all read (or failed) is checked once with the page text and every
           readable image (same extraction, context, rules): findings are upserted by (sweep, finding_key),
           so the page's text findings gain their image locations and image-only findings are added.

A sweep is `finished` only when no sighting is waiting, fetched or read (sweeps/bookkeeping.py): when its
crawl ends, the stage is drained for at most MARKWATCH_IMAGE_DRAIN_TIMEOUT seconds (and gives up sooner
when nothing finishes for twice the per-image time limit); what is left keeps the sweep incomplete and is
done by `sweep resume` (or the next cluster worker), which starts a stage for it again.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import importlib
import logging
import multiprocessing as mp
import os
import signal
import socket
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from checker.images.models import ImageReading
from checker.images.store import REFUSED_UNREAD, RUN_FAILURES, ImageReadingRow, reusable
from crawler.images.models import PENDING_STATES, ImageSighting
from crawler.images.settings import ImageSettings
from crawler.images.storage import drop_page_warnings, leaves_page_unread, mark_unread, unread_warning
from crawler.ledger import insert
from crawler.store.models import Snapshot, SnapshotBody, SweepPage
from markwatch import db
from pagetext.charsets import header_charset
from sweeps.models import Finding

log = logging.getLogger(__name__)

# Readings that failed because of this run, not because of the image (checker/images/store.py RUN_FAILURES):
# errors for this sweep, never cached; a page whose image hit one is "partial" (not read whole: no evidence
# that a claim is gone), and the sweep is not complete until `sweep resume` reads the image again
# (sweeps/images/accounting.py pages_not_read, reread_run_failures).
READER_ENV = "MARKWATCH_IMAGE_READER"
LINK_EVERY_S = 2.0
STATUS_EVERY_S = 1.0
PAGES_PER_STEP = 20


def new_owner() -> str:
    """host:pid:random, the stage's lease name."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:80]


class ImageStage:
    """The stage's work on one sweep (see the module docstring); `step` never blocks for long."""

    def __init__(
        self,
        db_url: str,
        sweep_id: int,
        settings: ImageSettings,
        *,
        owner: str | None = None,
        checker_factory: Callable[[str], Any] | None = None,
        pool_factory: Callable[[ImageSettings], Any] | None = None,
    ) -> None:
        from checker.images.versions import reader_version

        self.db_url = db_url
        self.sweep_id = sweep_id
        self.settings = settings
        self.owner = owner or new_owner()
        self.version = reader_version(settings.mark_references or None)
        self.lease = dt.timedelta(seconds=2 * settings.time_limit_s + 30)
        self._checker_factory = checker_factory
        self._pool_factory = pool_factory
        self._pool: Any = None
        self._checker: Any = None
        self._in_flight: dict[str, float] = {}
        self._linked_at = 0.0
        self._renewed_at = time.monotonic()
        self.counters: Counter[str] = Counter()
        self.finished_at = time.monotonic()  # the last time an image or a page was done

    # --- the loop ------------------------------------------------------------------------------------
    def step(self) -> bool:
        """One round of linking, reading and checking; whether anything was done."""
        did = False
        now = time.monotonic()
        if now - self._linked_at > LINK_EVERY_S:
            self._linked_at = now
            did |= self.link() > 0
        did |= self._feed()
        did |= self._collect(0.0)
        did |= self._check_pages() > 0
        if now - self._renewed_at > self.lease.total_seconds() / 4:
            self._renew()
        return did

    def wait(self, seconds: float) -> None:
        """Idle: wait for a reading to finish (or just sleep)."""
        if self._pool is not None and self._in_flight:
            self._collect(seconds)
        else:
            time.sleep(seconds)

    def doable(self) -> int:
        """Sightings this stage (or another one) can still move on: fetched or read, or waiting on an image
        URL the ledger has an outcome for. Waiting on a URL still queued is the crawl's part, not ours."""
        self.link()
        with db.session_scope(self.db_url) as session:
            return int(
                session.scalar(
                    select(func.count()).where(
                        ImageSighting.sweep_id == self.sweep_id,
                        ImageSighting.status.in_(("fetched", "read")),
                    )
                )
                or 0
            )

    def status(self) -> dict[str, Any]:
        """Counters of this stage (progress lines)."""
        return {
            "read": self.counters["read"],
            "cache_hits": self.counters["cached"],
            "skipped_by_gate": self.counters["gated"],
            "errors": self.counters["errors"],
            "pages_checked": self.counters["pages"],
            "in_flight": len(self._in_flight),
        }

    def close(self) -> None:
        """Stop the OCR workers; leases of unfinished images are released for whoever comes next."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._in_flight:
            with contextlib.suppress(Exception), db.session_scope(self.db_url) as session:
                session.execute(
                    update(ImageSighting)
                    .where(ImageSighting.sweep_id == self.sweep_id, ImageSighting.lease_owner == self.owner)
                    .values(lease_owner=None, lease_until=None)
                )
            self._in_flight.clear()

    # --- 1. link -------------------------------------------------------------------------------------
    def link(self) -> int:
        """Waiting sightings whose image URL has an outcome in the ledger: moved on."""
        from crawler.images.storage import link_sightings

        with db.session_scope(self.db_url) as session:
            urls = list(
                session.scalars(
                    select(ImageSighting.url)
                    .distinct()
                    .where(ImageSighting.sweep_id == self.sweep_id, ImageSighting.status == "waiting")
                    .limit(5000)
                )
            )
            return link_sightings(session, self.sweep_id, urls) if urls else 0

    # --- 2. read -------------------------------------------------------------------------------------
    def _free(self, session: Session, now: dt.datetime) -> Any:
        return or_(ImageSighting.lease_until.is_(None), ImageSighting.lease_until < now)

    def _feed(self) -> bool:
        room = self.settings.queue_size + self.settings.workers - len(self._in_flight)
        if room <= 0:
            return False
        now = db.utcnow()
        claimed: list[str] = []
        with db.session_scope(self.db_url) as session:
            candidates = [
                sha
                for sha in session.scalars(
                    select(ImageSighting.image_sha256)
                    .distinct()
                    .where(
                        ImageSighting.sweep_id == self.sweep_id,
                        ImageSighting.status == "fetched",
                        ImageSighting.image_sha256.is_not(None),
                        self._free(session, now),
                    )
                    .limit(room + len(self._in_flight))
                )
                if sha is not None and sha not in self._in_flight
            ][:room]
            for sha in candidates:
                taken = session.execute(
                    update(ImageSighting)
                    .where(
                        ImageSighting.sweep_id == self.sweep_id,
                        ImageSighting.image_sha256 == sha,
                        ImageSighting.status == "fetched",
                        self._free(session, now),
                    )
                    .values(lease_owner=self.owner, lease_until=now + self.lease)
                )
                if (taken.rowcount or 0) > 0:  # type: ignore[attr-defined]
                    claimed.append(sha)
        for sha in claimed:
            self._start_reading(sha)
        return bool(claimed)

    def _start_reading(self, sha: str) -> None:
        with db.session_scope(self.db_url) as session:
            row = session.get(ImageReadingRow, (sha, self.version))
            cached = ImageReading.model_validate(row.reading) if row is not None else None
            if cached is not None and not reusable(cached):
                cached = None
            stored = session.get(SnapshotBody, sha) if cached is None else None
            raw = zlib.decompress(stored.body) if stored is not None else None
        if cached is not None:
            self._apply(cached, "cached")
            return
        if raw is None:  # pragma: no cover - a sighting names a sha256 only once its bytes are stored
            self._apply(_error(sha, self.version, "missing-body", "the stored image is gone"), "read")
            return
        if self._pool is None:
            self._pool = self._new_pool()
        if self._pool.submit(sha, raw):
            self._in_flight[sha] = time.monotonic()
        else:  # pragma: no cover - `room` keeps the pool's queue from filling
            self._release(sha)

    def _new_pool(self) -> Any:
        # This process already runs at the workers' niceness; its OCR workers inherit it (not twice over).
        settings = replace(self.settings, worker_nice=0)
        if self._pool_factory is not None:
            return self._pool_factory(settings)
        from checker.images.pool import ReaderPool

        # MARKWATCH_IMAGE_READER=module:function swaps the reader the OCR workers build (tests, like
        # MARKWATCH_CHECKER for pages); the function must be importable by a spawned worker.
        spec = os.environ.get(READER_ENV)
        if spec:
            module_name, _, attribute = spec.partition(":")
            factory = getattr(importlib.import_module(module_name), attribute)
            return ReaderPool(settings, factory)
        return ReaderPool(settings)

    def _collect(self, timeout: float) -> bool:
        if self._pool is None or not self._in_flight:
            return False
        done = self._pool.poll(timeout)
        for key, reading in done:
            sha = str(key)
            self._in_flight.pop(sha, None)
            self._keep(reading)
            self._apply(reading.model_copy(update={"sha256": sha}), "read")
        return bool(done)

    def _keep(self, reading: ImageReading) -> None:
        if not reusable(reading):
            # A failure of this run (a later run may have more time or a healthier worker), or a refusal made
            # before decoding (repeated at no cost, its reason may change).
            return
        with db.session_scope(self.db_url) as session:
            # A refusal kept by an older reader (an SVG once refused unread), or a `reader-unavailable` this stage
            # once kept, gives way to this reading, or the page's judgement would find the old row and no lines.
            session.execute(
                delete(ImageReadingRow).where(
                    ImageReadingRow.sha256 == reading.sha256,
                    ImageReadingRow.engine == (reading.engine or self.version),
                    ImageReadingRow.status == "error",
                    ImageReadingRow.reason.in_(sorted(REFUSED_UNREAD | RUN_FAILURES)),
                )
            )
            session.execute(
                insert(session, ImageReadingRow)
                .values(
                    sha256=reading.sha256,
                    engine=reading.engine or self.version,
                    status=reading.status,
                    reason=reading.reason,
                    reading=reading.model_dump(mode="json"),
                    seconds=reading.seconds,
                    created_at=db.utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["sha256", "engine"])
            )

    def _apply(self, reading: ImageReading, source: str) -> None:
        """Every fetched sighting of these bytes is read (whoever holds their lease: the bytes are the same)."""
        if reading.status == "read":
            reason = None
        else:
            prefix = "gate" if reading.status == "skipped" else "error"
            reason = f"{prefix}:{reading.reason or 'unknown'}"[:80]
        with db.session_scope(self.db_url) as session:
            session.execute(
                update(ImageSighting)
                .where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.image_sha256 == reading.sha256,
                    ImageSighting.status == "fetched",
                )
                .values(status="read", reading=source, reason=reason, lease_owner=None, lease_until=None)
            )
        self.counters["cached" if source == "cached" else "read"] += 1
        if reading.status == "skipped":
            self.counters["gated"] += 1
        elif reading.status == "error":
            self.counters["errors"] += 1
        self.finished_at = time.monotonic()

    def _release(self, sha: str) -> None:
        with db.session_scope(self.db_url) as session:
            session.execute(
                update(ImageSighting)
                .where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.image_sha256 == sha,
                    ImageSighting.lease_owner == self.owner,
                )
                .values(lease_owner=None, lease_until=None)
            )

    def _renew(self) -> None:
        self._renewed_at = time.monotonic()
        if not self._in_flight:
            return
        with db.session_scope(self.db_url) as session:
            session.execute(
                update(ImageSighting)
                .where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.lease_owner == self.owner,
                    ImageSighting.image_sha256.in_(sorted(self._in_flight)),
                )
                .values(lease_until=db.utcnow() + self.lease)
            )

    # --- 3. check ------------------------------------------------------------------------------------
    def _ready_pages(self, session: Session, now: dt.datetime) -> list[str]:
        other = aliased(ImageSighting)
        unresolved = exists().where(
            and_(
                other.sweep_id == ImageSighting.sweep_id,
                other.page_url == ImageSighting.page_url,
                other.status.in_(("waiting", "fetched")),
            )
        )
        return list(
            session.scalars(
                select(ImageSighting.page_url)
                .distinct()
                .where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.status == "read",
                    self._free(session, now),
                    ~unresolved,
                )
                .limit(PAGES_PER_STEP)
            )
        )

    def _check_pages(self) -> int:
        now = db.utcnow()
        with db.session_scope(self.db_url) as session:
            pages = self._ready_pages(session, now)
        done = 0
        for page_url in pages:
            done += _with_retries(lambda page_url=page_url: self._check_page(page_url))  # type: ignore[misc]
        return done

    def _check_page(self, page_url: str) -> int:
        """Check one page with its images, in one transaction; 1 when done here, 0 when another stage has it."""
        now = db.utcnow()
        with db.session_scope(self.db_url) as session:
            taken = session.execute(
                update(ImageSighting)
                .where(
                    ImageSighting.sweep_id == self.sweep_id,
                    ImageSighting.page_url == page_url,
                    ImageSighting.status == "read",
                    self._free(session, now),
                )
                .values(lease_owner=self.owner, lease_until=now + self.lease)
            )
            if not (taken.rowcount or 0):  # type: ignore[attr-defined]
                return 0
            sightings = list(
                session.scalars(
                    select(ImageSighting)
                    .where(ImageSighting.sweep_id == self.sweep_id, ImageSighting.page_url == page_url)
                    .order_by(ImageSighting.position)
                )
            )
            claims_by_sha = self._judge(session, page_url, sightings)
            # An image read again (`sweep resume` after a failure of an earlier run) takes back that run's
            # warning: the page is `ok` again when nothing else is left unread.
            stale = [
                unread_warning(s.url, f"error:{reason}")
                for s in sightings
                if s.status == "read"
                for reason in sorted(RUN_FAILURES)
            ]
            drop_page_warnings(session, self.sweep_id, sightings[0].page_ledger_url, stale)
            failures = [
                (s.url, s.reason or "")
                for s in sightings
                if s.status == "read"
                and (s.reason or "").startswith("error:")
                and leaves_page_unread(s.reason)
            ]
            if failures:
                mark_unread(session, self.sweep_id, sightings[0].page_ledger_url, failures)
            for sighting in sightings:
                if sighting.status == "read":
                    sighting.status = "checked"
                    sighting.claims = claims_by_sha.get(sighting.image_sha256 or "", 0)
                    sighting.lease_owner = sighting.lease_until = None
        self.counters["pages"] += 1
        self.finished_at = time.monotonic()
        return 1

    def _judge(self, session: Session, page_url: str, sightings: list[ImageSighting]) -> dict[str, int]:
        """Findings of the page with its readable images (upserted); claims per image sha256."""
        readings: dict[str, ImageReading] = {}
        for sha in sorted({s.image_sha256 for s in sightings if s.image_sha256 and s.reason is None}):
            row = session.get(ImageReadingRow, (sha, self.version))
            if row is not None:
                reading = ImageReading.model_validate(row.reading)
                if reading.lines or reading.marks:
                    readings[sha] = reading
        if not readings:
            return {}
        page_checker = self._page_checker()
        checker = getattr(page_checker, "checker", None)
        registry = getattr(page_checker, "registry", None)
        if checker is None or registry is None:
            return {}  # a checker without rules (the crawler tests' code-only one): images read, not judged
        from checker.claimants import Claimant
        from checker.images.page import SeenImage, check_with_images
        from crawler.images.discover import PageImage
        from crawler.snapshots import snapshot_body
        from sweeps.checking import outcome_of

        first = sightings[0]
        snapshot = session.get(Snapshot, first.snapshot_id) if first.snapshot_id else None
        if snapshot is None:
            return {}
        raw = snapshot_body(session, snapshot)
        seen = [
            SeenImage(
                readings[s.image_sha256],
                where=PageImage(s.url, s.position, s.area, s.location, s.block_text),
            )
            for s in sightings
            if s.image_sha256 in readings
        ]
        result = check_with_images(
            checker,
            raw,
            seen,
            url=page_url,
            declared_charset=header_charset(snapshot.headers),
            observed_at=snapshot.fetched_at,
            registry=registry,
            fallback_claimant=Claimant(first.seller, "adapter:seller") if first.seller else None,
        )
        outcome = outcome_of(result)
        _upsert_findings(session, self.sweep_id, snapshot, page_url, outcome.findings)
        session.execute(
            update(SweepPage)
            .where(SweepPage.sweep_id == self.sweep_id, SweepPage.url == first.page_ledger_url)
            .values(claims=outcome.claims)
        )
        per_sha: Counter[str] = Counter(
            claim.image.sha256 for claim in result.page.claims if claim.image is not None
        )
        return dict(per_sha)

    def _page_checker(self) -> Any:
        if self._checker is None:
            from sweeps.checking import load_checker

            factory = self._checker_factory or load_checker
            self._checker = factory(self.db_url)
        return self._checker


def _error(sha: str, version: str, reason: str, message: str) -> ImageReading:
    return ImageReading(sha256=sha, engine=version, status="error", reason=reason, message=message)


def _upsert_findings(
    session: Session, sweep_id: int, snapshot: Snapshot, page_url: str, records: list[Any]
) -> None:
    """The page's findings with its images: a key the page text already had gains the image locations,
    a new key is added (same table, same keys: case keys do not change)."""
    from sweeps.storage import _clean

    if not records:
        return
    rows = sorted(
        (
            {
                "sweep_id": sweep_id,
                "snapshot_id": snapshot.id,
                "finding_key": record.finding_key,
                "rule_id": record.rule_id,
                "severity": record.severity,
                "standard_code": _clean(record.standard_code),
                "claim": _clean(record.claim),
                "message": _clean(record.message),
                "evidence": _clean(record.evidence),
                "page_url": page_url,
                "site": urlsplit(page_url).hostname,
                "claimant": _clean(record.claimant),
                "observed_at": snapshot.fetched_at,
            }
            for record in records
        ),
        key=lambda row: row["finding_key"],
    )
    statement = insert(session, Finding)
    excluded = statement.excluded
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["sweep_id", "finding_key"],
            set_={
                name: getattr(excluded, name)
                for name in (
                    "rule_id",
                    "severity",
                    "standard_code",
                    "claim",
                    "message",
                    "evidence",
                    "claimant",
                )
            },
        ),
        rows,
    )


def _with_retries(work: Callable[[], int]) -> int:
    from sweeps.storage import is_retryable

    for attempt in range(20):
        try:
            return work()
        except Exception as exc:
            if not is_retryable(exc) or attempt == 19:
                raise
            time.sleep(min(1.0, 0.02 * 2**attempt))
    return 0  # pragma: no cover


# --- the stage process ---------------------------------------------------------------------------------


def stage_main(conn: Connection, db_url: str, sweep_id: int, niced: bool = False) -> None:
    """The stage process: work until told to drain (then until nothing is left) or to stop; `niced`: the
    crawl process already lowered its priority (StageHandle.start)."""
    # Ctrl-C reaches the whole process group: the crawl decides, and tells this process to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    settings = ImageSettings.from_env()
    if settings.worker_nice > 0 and not niced:
        os.nice(settings.worker_nice)  # the crawl keeps the CPU first
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s [images] %(levelname)s: %(message)s")
    stage = ImageStage(db_url, sweep_id, settings)
    drain_until: float | None = None
    stall = max(60.0, 2 * settings.time_limit_s)
    reported = 0.0
    try:
        for command in _commands(conn):
            if command == "stop":
                return
            if command == "drain" and drain_until is None:
                drain_until = time.monotonic() + settings.drain_timeout_s
            try:
                did = stage.step()
            except Exception as exc:
                did = False
                _note_failure(exc)
            now = time.monotonic()
            if now - reported > STATUS_EVERY_S:
                reported = now
                conn.send(("status", stage.status()))
            if drain_until is not None and not did:
                left = _doable(stage)
                if left == 0:
                    conn.send(("drained", stage.status()))
                    return
                if now > drain_until or now - stage.finished_at > stall:
                    conn.send(("gave_up", {**stage.status(), "left": left}))
                    return
            if not did:
                stage.wait(0.2)
    except (EOFError, BrokenPipeError, OSError):
        return  # the crawl process is gone: leases run out, the next stage carries on
    finally:
        stage.close()


def _commands(conn: Connection) -> Iterator[str | None]:
    """Commands from the crawl process, one per round (None: none waiting); EOFError when it is gone."""
    while True:
        command = None
        while conn.poll():
            message = conn.recv()
            command = message if message == "stop" else command or message
        yield command


def _doable(stage: ImageStage) -> int:
    try:
        return stage.doable()
    except Exception as exc:
        _note_failure(exc)
        return -1


def _note_failure(exc: BaseException) -> None:
    from sweeps.storage import is_retryable, is_unreachable

    if is_unreachable(exc) or is_retryable(exc):
        log.warning("image stage: database not available (%s); retrying", exc)
        time.sleep(1.0)
    else:
        log.exception("image stage failed a round; retrying")
        time.sleep(0.5)


class StageHandle:
    """The crawl process's handle on its image stage process (reactor thread, except `drain`)."""

    MAX_RESTARTS = 3

    def __init__(self, db_url: str, sweep_id: int) -> None:
        self.db_url = db_url
        self.sweep_id = sweep_id
        self._ctx = mp.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self.restarts = 0
        self.last: dict[str, Any] = {}
        self.ended: str | None = None  # "drained" | "gave_up" | "stopped" | "died"
        self._exit_hook = False

    @property
    def started(self) -> bool:
        """Whether the stage process was started."""
        return self._process is not None

    def start(self) -> None:
        """Start the stage process (spawned: a fresh interpreter, never a fork of the reactor)."""
        parent, child = self._ctx.Pipe()
        nice = ImageSettings.from_env().worker_nice
        # Not a daemon: it starts OCR worker processes of its own. It exits when told to, or when this
        # process is gone (its end of the pipe closes); on a normal exit of this process it is stopped first.
        self._process = self._ctx.Process(
            target=stage_main,
            args=(child, self.db_url, self.sweep_id, nice > 0),
            name="markwatch-images",
        )
        self._process.start()
        child.close()
        if nice > 0:
            # Niced as soon as it is spawned, not once it has imported everything: those imports are most of a
            # second of CPU that a crawl fetching flat out on two cores would otherwise lose to it.
            with contextlib.suppress(ProcessLookupError):  # it died at once: tick() starts it again
                os.setpriority(os.PRIO_PROCESS, self._process.pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
        self._conn = parent
        if not self._exit_hook:
            atexit.register(self.stop)
            self._exit_hook = True

    def alive(self) -> bool:
        """Whether the stage process runs."""
        return self._process is not None and self._process.is_alive()

    def tick(self) -> None:
        """Read status messages; start the stage again if it died (a bug must not lose image work)."""
        self._read(0.0)
        if self._process is not None and not self._process.is_alive() and self.ended is None:
            if self.restarts < self.MAX_RESTARTS:
                log.error("sweep %d: the image stage died (exit %s); starting it again", self.sweep_id,
                          self._process.exitcode)  # fmt: skip
                self.restarts += 1
                self.start()
            else:
                self.ended = "died"

    def _read(self, timeout: float) -> str | None:
        if self._conn is None:
            return None
        try:
            while self._conn.poll(timeout):
                kind, data = self._conn.recv()
                self.last = dict(data)
                if kind in ("drained", "gave_up"):
                    return str(kind)
                timeout = 0.0
        except (EOFError, OSError):
            return "died"
        return None

    def drain(self, interrupted: threading.Event | None = None) -> str:
        """Let the stage finish the sweep's image work (bounded by the drain settings, or until `interrupted`
        is set); how it ended."""
        if self._conn is None or not self.alive():
            return self.ended or "stopped"
        settings = ImageSettings.from_env()
        deadline = time.monotonic() + settings.drain_timeout_s + max(60.0, 2 * settings.time_limit_s) + 30
        with contextlib.suppress(OSError):
            self._conn.send("drain")
        ended = None
        while ended is None and time.monotonic() < deadline:
            if interrupted is not None and interrupted.is_set():
                self.stop()
                return self.ended or "stopped"
            ended = self._read(0.5)
            if ended is None and not self.alive():
                ended = "died"
        self.ended = ended or "gave_up"
        self._finish()
        return self.ended

    def stop(self) -> None:
        """Stop at once (the crawl was interrupted): unfinished image work stays for `sweep resume`."""
        if self._process is None:
            return
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send("stop")
        self.ended = self.ended or "stopped"
        self._finish()

    def _finish(self) -> None:
        if self._process is None:
            return
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def has_pending(db_url: str, sweep_id: int) -> bool:
    """Whether the sweep has image work left (a resumed sweep starts its stage at once)."""
    with db.session_scope(db_url) as session:
        return bool(
            session.scalar(
                select(ImageSighting.id)
                .where(ImageSighting.sweep_id == sweep_id, ImageSighting.status.in_(PENDING_STATES))
                .limit(1)
            )
        )
