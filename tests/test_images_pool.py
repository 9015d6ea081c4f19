"""OCR worker processes: bounded queue, per-image time limit, crashes and memory recycling cost one image."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from images_support import slow_reader, unloadable_reader

from checker.images import versions
from checker.images.corpus import render, samples
from checker.images.pool import MAX_FAILED_STARTS, ReaderPool
from checker.images.reading import ImageReader
from crawler.images.settings import ImageSettings


def test_a_hung_image_times_out_and_the_next_one_is_still_read() -> None:
    settings = ImageSettings(workers=1, time_limit_s=1.5, queue_size=4)
    with ReaderPool(settings, slow_reader) as pool:
        pool.wait_ready()
        readings = pool.read_all([b"hang", b"fine"])
        assert readings[0].status == "error" and readings[0].reason == "timeout"
        assert readings[1].status == "read"
        assert pool.stats.timeouts == 1 and pool.stats.restarts == 1


def test_a_crash_or_a_reader_bug_costs_one_image() -> None:
    with ReaderPool(ImageSettings(workers=1, queue_size=4), slow_reader) as pool:
        readings = pool.read_all([b"crash", b"boom", b"fine"])
    assert [r.reason for r in readings] == ["worker-crashed", "reader-failed", None]
    assert "reader bug" in (readings[1].message or "")


def test_workers_that_cannot_start_fail_the_images_instead_of_leaving_them_waiting() -> None:
    # A worker that exits before it is ready was restarted for ever: every image (and the request or sweep
    # behind it) waited for ever.
    with ReaderPool(ImageSettings(workers=1, queue_size=4), unloadable_reader) as pool:
        readings = pool.read_all([b"one", b"two"])
        assert [(r.status, r.reason) for r in readings] == [("error", "reader-unavailable")] * 2
        assert pool.broken and "before loading their models" in (readings[0].message or "")
        assert pool.stats.restarts == MAX_FAILED_STARTS - 1
        # Later images are answered at once too.
        assert pool.submit("three", b"three") and [r.reason for _, r in pool.poll(0)] == [
            "reader-unavailable"
        ]


def test_the_queue_is_bounded_and_submit_never_blocks() -> None:
    with ReaderPool(ImageSettings(workers=1, queue_size=2), slow_reader) as pool:
        accepted = [pool.submit(i, b"x%d" % i) for i in range(5)]
        # Before the worker is ready nothing leaves the queue: two fit, the rest are refused at once.
        assert accepted == [True, True, False, False, False]
        done = pool.drain(timeout=60)
    assert sorted(key for key, _ in done) == [0, 1]


def test_workers_over_the_memory_setting_are_recycled_and_results_still_arrive() -> None:
    settings = ImageSettings(workers=1, worker_max_rss_mb=1, queue_size=8)
    with ReaderPool(settings, slow_reader) as pool:
        readings = pool.read_all([b"grow", b"a", b"b"])
        assert all(r.status == "read" for r in readings)
        assert pool.stats.restarts >= 2  # every image pushed the worker past 1 MiB


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("the OCR reader tried to open a network connection")


def test_the_real_reader_needs_no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """rapidocr's models ship in the wheel: loading and reading work with every connection refused."""
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    sample, template = next(
        (s, t) for s, t in samples() if s.template == "annotation-group" and s.placement == "label"
    )
    reader = ImageReader(ImageSettings())
    reading = reader.read(render(sample, template))
    assert reading.status == "read"
    assert any("T/DEMO" in line.text for line in reading.lines)
    assert reading.engine == versions.reader_version(None) and "rapidocr-onnxruntime 1.4" in reading.engine
