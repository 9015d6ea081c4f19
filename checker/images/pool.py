"""OCR worker processes behind a bounded queue: the crawl hands images over and never waits for OCR.

Each worker loads the OCR models and mark references once and reads one image at a time. The parent
dispatches only to idle workers, so it always knows which image a worker holds: a worker past the
per-image time limit is killed (the image is recorded as error `timeout`) and replaced; a worker whose
resident size passed the setting finishes its image and is replaced (memory stays bounded however many
images a sweep reads)."""

from __future__ import annotations

import collections
import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from checker.images.models import READER_UNAVAILABLE, ImageReading
from crawler.images.loading import sha256_of
from crawler.images.settings import ImageSettings

ReaderFactory = Callable[[ImageSettings], Any]
# Workers in a row that may exit before they are ready before the pool stops starting them.
MAX_FAILED_STARTS = 3


def resident_mb(pid: int | None = None) -> float:
    """Resident set size of a process in MiB (Linux /proc; 0 where unknown)."""
    try:
        with open(f"/proc/{pid or os.getpid()}/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _default_reader(settings: ImageSettings) -> Any:
    from checker.images.reading import ImageReader

    return ImageReader(settings)


def _release_freed_memory() -> Callable[[], Any]:
    """glibc's malloc_trim: images of every size fragment the heap, and freed pages otherwise stay resident."""
    try:
        import ctypes

        trim = ctypes.CDLL("libc.so.6").malloc_trim
        return lambda: trim(0)
    except (OSError, AttributeError):
        return lambda: None


def _worker_main(conn: Connection, settings: ImageSettings, factory: ReaderFactory) -> None:
    if settings.worker_nice > 0:
        os.nice(settings.worker_nice)
    release = _release_freed_memory()
    reader = factory(settings)
    conn.send(("ready", reader.version, resident_mb()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        key, raw = job
        try:
            reading: ImageReading = reader.read(raw)
        except Exception as exc:  # a reader bug must cost one image, never the sweep
            reading = ImageReading(
                sha256=sha256_of(raw), engine=reader.version, status="error", reason="reader-failed",
                message=f"{type(exc).__name__}: {exc}",
            )  # fmt: skip
        del raw
        release()
        rss = resident_mb()
        retiring = rss > settings.worker_max_rss_mb
        conn.send(("done", key, reading.model_dump(mode="json"), rss, retiring))
        if retiring:
            return  # told the parent, which starts a fresh worker and sends this one nothing more


@dataclass
class _Worker:
    process: Any
    conn: Connection
    version: str = ""
    job: tuple[Hashable, bytes] | None = None
    started: float = 0.0
    rss_mb: float = 0.0


@dataclass
class PoolStats:
    """What the pool did: images read, errors, timeouts, restarts, OCR seconds, largest worker RSS."""

    submitted: int = 0
    completed: int = 0
    timeouts: int = 0
    restarts: int = 0
    seconds: float = 0.0
    max_rss_mb: float = 0.0
    rss_samples: list[float] = field(default_factory=list)


class ReaderPool:
    """`submit` (never blocks; False when the queue is full) and `poll` (results that are ready)."""

    def __init__(self, settings: ImageSettings, factory: ReaderFactory = _default_reader) -> None:
        self.settings = settings
        self.factory = factory
        # spawn: a fresh interpreter per worker, never a fork of a process running Twisted or threads.
        self._ctx = mp.get_context("spawn")
        self._queue: collections.deque[tuple[Hashable, bytes]] = collections.deque()
        self._workers: list[_Worker] = []
        self._ready: list[tuple[Hashable, ImageReading]] = []
        self.stats = PoolStats()
        self.version = ""
        # Workers that died before they were ready, in a row; past the limit the pool is broken (see _lost).
        self._failed_starts = 0
        self.broken: str | None = None
        for _ in range(settings.workers):
            self._workers.append(self._start())

    def _start(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=_worker_main, args=(child, self.settings, self.factory), daemon=True, name="markwatch-ocr"
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    @property
    def pending(self) -> int:
        """Images queued or being read."""
        return len(self._queue) + sum(1 for w in self._workers if w.job is not None)

    def submit(self, key: Hashable, raw: bytes) -> bool:
        """Queue an image; False (and nothing queued) when the bounded queue is full."""
        if len(self._queue) >= self.settings.queue_size:
            return False
        self._queue.append((key, raw))
        self.stats.submitted += 1
        self._dispatch()
        return True

    def _dispatch(self) -> None:
        if self.broken is not None:
            # No worker can read: every image waiting is answered now, not queued for ever.
            while self._queue:
                key, raw = self._queue.popleft()
                self._ready.append((key, self._error(raw, READER_UNAVAILABLE, self.broken)))
                self.stats.completed += 1
            return
        for worker in self._workers:
            if worker.job is None and worker.version and self._queue:
                worker.job = self._queue.popleft()
                worker.started = time.monotonic()
                worker.conn.send(worker.job)

    def _replace(self, worker: _Worker) -> None:
        worker.process.join(0.5)  # a retiring worker exits by itself
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        self._workers[self._workers.index(worker)] = self._start()
        self.stats.restarts += 1

    def _fail(self, worker: _Worker, reason: str, message: str) -> None:
        assert worker.job is not None
        key, raw = worker.job
        self._ready.append((key, self._error(raw, reason, message)))
        self.stats.completed += 1

    def _error(self, raw: bytes, reason: str, message: str) -> ImageReading:
        return ImageReading(
            sha256=sha256_of(raw), engine=self.version, status="error", reason=reason, message=message
        )

    def _lost(self, worker: _Worker) -> None:
        """A worker exited: replaced, unless workers keep dying before they are ready (models that cannot be
        loaded, a process killed at start): restarting those for ever left every image waiting for ever."""
        if not worker.version:
            self._failed_starts += 1
            if self._failed_starts >= MAX_FAILED_STARTS:
                self.broken = (
                    f"the OCR workers exited {self._failed_starts} times in a row before loading their models "
                    "(see the log of the worker processes)"
                )
        if self.broken is None:
            self._replace(worker)
        else:
            worker.process.join(0.5)
            worker.conn.close()
            self._workers.remove(worker)

    def poll(self, timeout: float = 0.0) -> list[tuple[Hashable, ImageReading]]:
        """Readings finished so far (waiting up to `timeout` s for the first); enforces the time limit."""
        deadline = time.monotonic() + timeout
        while True:
            self._collect(max(0.0, min(0.2, deadline - time.monotonic())))
            self._enforce_limits()
            self._dispatch()
            if self._ready or time.monotonic() >= deadline:
                ready, self._ready = self._ready, []
                return ready

    def _collect(self, timeout: float) -> None:
        conns = {worker.conn: worker for worker in self._workers}
        for conn in wait(list(conns), timeout):
            worker = conns[conn]  # type: ignore[index]
            try:
                message = worker.conn.recv()
            except (EOFError, OSError):
                # Exited: recycled for its size after sending its result, or crashed on an image.
                if worker.job is not None:
                    self._fail(worker, "worker-crashed", "the OCR worker died while reading this image")
                self._lost(worker)
                continue
            if message[0] == "ready":
                worker.version, worker.rss_mb = str(message[1]), float(message[2])
                self._failed_starts = 0
                self.version = self.version or worker.version
            else:
                _, key, data, rss, retiring = message
                reading = ImageReading.model_validate(data)
                self._ready.append((key, reading))
                worker.job, worker.rss_mb = None, rss
                self.stats.completed += 1
                self.stats.seconds += reading.seconds
                self.stats.max_rss_mb = max(self.stats.max_rss_mb, rss)
                self.stats.rss_samples.append(rss)
                if retiring:
                    self._replace(worker)

    def _enforce_limits(self) -> None:
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.job is not None and now - worker.started > self.settings.time_limit_s:
                self._fail(worker, "timeout", f"reading took longer than {self.settings.time_limit_s:g} s")
                self.stats.timeouts += 1
                self._replace(worker)
            elif worker.job is None and not worker.process.is_alive():
                self._lost(worker)

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until every worker has loaded its models (tests and benchmarks measure reading, not loading)."""
        deadline = time.monotonic() + timeout
        while not all(w.version for w in self._workers) and time.monotonic() < deadline:
            self._collect(0.2)
            self._enforce_limits()

    def drain(self, timeout: float | None = None) -> list[tuple[Hashable, ImageReading]]:
        """Every queued image read (each still bounded by the per-image time limit)."""
        out: list[tuple[Hashable, ImageReading]] = []
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.pending and (deadline is None or time.monotonic() < deadline):
            out.extend(self.poll(0.5))
        out.extend(self.poll(0.0))
        return out

    def read_all(self, images: list[bytes]) -> list[ImageReading]:
        """Read a batch in order (CLI, API): queued as the bounded queue allows."""
        results: dict[int, ImageReading] = {}
        index = 0
        while len(results) < len(images):
            while index < len(images) and self.submit(index, images[index]):
                index += 1
            for key, reading in self.poll(0.5):
                results[int(key)] = reading  # type: ignore[call-overload]
        return [results[i] for i in range(len(images))]

    def worker_rss(self) -> list[float]:
        """Resident size of each live worker now, in MiB."""
        return [resident_mb(w.process.pid) for w in self._workers if w.process.is_alive()]

    def close(self) -> None:
        """Stop every worker."""
        for worker in self._workers:
            with contextlib.suppress(OSError, BrokenPipeError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(2)
            worker.conn.close()
        self._workers = []

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
