"""An image markwatch's own reading failed on in a sweep (OCR time limit, a crashed or failing worker, no worker:
checker/images/store.py RUN_FAILURES) leaves the sweep incomplete with `images_not_read`, not finished; resuming
it reads the image again and takes the page's stale warning back. An image's own failure (undecodable) is a
fact about its page: the sweep still finishes. On SQLite and PostgreSQL, with the real image stage and a
stand-in for its OCR worker pool."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
import zlib
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checker.images.models import ImageReading
from checker.images.store import ImageReadingRow
from crawler.images.models import ImageSighting
from crawler.images.settings import ImageSettings
from crawler.images.storage import unread_warning
from crawler.store.models import PARTIAL, SnapshotBody, Sweep, SweepPage
from crawler.targets import Target
from markwatch import db
from sweeps.bookkeeping import IMAGES_NOT_READ, record_end, start_or_resume
from sweeps.images.stage import ImageStage
from sweeps.run import CrawlResult
from sweeps.views import report

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
TARGET = Target(
    name="t", seeds=[{"url": "https://shop.example.com/", "kind": "listing"}],  # type: ignore[list-item]
    allowed_domains=["shop.example.com"], adapter="generic",
)  # fmt: skip
TIMED_OUT = "https://shop.example.com/item/1.html"  # its label timed out: markwatch's failure
BROKEN = "https://shop.example.com/item/2.html"  # its picture is not one: the image's own failure
LABEL, JUNK = b"label bytes", b"\xff\xd8\xff junk"
SHA = {body: hashlib.sha256(body).hexdigest() for body in (LABEL, JUNK)}


class _Pool:
    """The reader pool's interface (submit / poll / close), answering every image with `reason` (None: read)."""

    def __init__(self, reason: str | None) -> None:
        self.reason = reason
        self.submitted: list[str] = []
        self._ready: list[tuple[Hashable, ImageReading]] = []

    def submit(self, key: Hashable, raw: bytes) -> bool:
        self.submitted.append(str(key))
        status = "read" if self.reason is None else "error"
        reading = ImageReading(sha256=str(key), engine="stand-in 1", status=status, reason=self.reason)
        self._ready.append((key, reading))
        return True

    def poll(self, timeout: float = 0.0) -> list[tuple[Hashable, ImageReading]]:
        ready, self._ready = self._ready, []
        return ready

    def close(self) -> None:
        return None


def _swept(db_url: str) -> int:
    """A sweep whose crawl is over: page 1's label timed out, page 2's picture was undecodable; both partial."""
    with db.session_scope(db_url) as session:
        sweep = Sweep(target=TARGET.name, started_at=T0, state="running", summary={})
        session.add(sweep)
        session.flush()
        for body in (LABEL, JUNK):
            session.add(SnapshotBody(sha256=SHA[body], body=zlib.compress(body), size=len(body)))
        for page, body, reason in ((TIMED_OUT, LABEL, "error:timeout"), (BROKEN, JUNK, "error:unreadable")):
            image = f"https://shop.example.com/cdn/{SHA[body][:8]}.jpg"
            session.add(
                SweepPage(sweep_id=sweep.id, url=page, status=PARTIAL, checked_at=T0,
                          warnings=[unread_warning(image, reason)], image_scan="done")
            )  # fmt: skip
            session.add(
                ImageSighting(sweep_id=sweep.id, page_url=page, page_ledger_url=page, position=0, url=image,
                              status="checked", reason=reason, image_sha256=SHA[body], reading="read",
                              seen_at=T0)
            )  # fmt: skip
        return sweep.id


def _pages(db_url: str, sweep_id: int) -> dict[str, tuple[str, list[str]]]:
    with db.session_scope(db_url) as session:
        return {
            page.url: (page.status, [w["code"] for w in page.warnings])
            for page in session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id))
        }


def _end(db_url: str, sweep_id: int) -> Sweep:
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        record_end(session, sweep, CrawlResult(reason="finished"))
        session.expunge(sweep)
        return sweep


def _resume_and_read(
    db_url: str, sweep_id: int, pool: _Pool, tmp_path: Path, *, retry_given_up: bool = False
) -> None:
    """`start_or_resume` as `sweep resume` calls it, then the image stage until its work is done."""
    with db.session_scope(db_url) as session:
        resumed, again = start_or_resume(session, TARGET, tmp_path / "jobs", retry_given_up=retry_given_up)
        assert again and resumed.id == sweep_id
    stage = ImageStage(db_url, sweep_id, ImageSettings(), pool_factory=lambda settings: pool)
    deadline = time.monotonic() + 30
    while stage.doable() and time.monotonic() < deadline:
        stage.step()
    stage.close()


def test_an_image_markwatch_failed_to_read_leaves_the_sweep_incomplete_and_resume_reads_it(
    db_url: str, tmp_path: Path
) -> None:
    sweep_id = _swept(db_url)
    ended = _end(db_url, sweep_id)
    assert ended.state == "incomplete", ended.summary
    assert ended.summary["unhandled"] == {IMAGES_NOT_READ: 1}  # page 2's own failure is not counted
    assert ended.summary["images_not_read_pages"] == [TIMED_OUT]
    assert ended.summary["ended"] == "1 URL(s) not handled (images_not_read 1)"
    assert ended.summary["images"]["pages_not_read"] == 1
    with db.session_scope(db_url) as session:
        assert report(session, sweep_id)["accounting"]["unhandled"] == {IMAGES_NOT_READ: 1}

    pool = _Pool(None)  # the reader works again
    _resume_and_read(db_url, sweep_id, pool, tmp_path)
    assert pool.submitted == [SHA[LABEL]]  # only the image that markwatch failed to read is read again
    assert _pages(db_url, sweep_id) == {TIMED_OUT: ("ok", []), BROKEN: (PARTIAL, ["image-unreadable"])}
    with db.session_scope(db_url) as session:
        label = session.scalars(select(ImageSighting).where(ImageSighting.page_url == TIMED_OUT)).one()
        assert (label.status, label.reason, label.reading) == ("checked", None, "read")
        assert session.get(ImageReadingRow, (SHA[LABEL], "stand-in 1")) is not None  # read: kept
    finished = _end(db_url, sweep_id)
    assert finished.state == "finished", finished.summary
    assert "unhandled" not in finished.summary and "images_not_read_pages" not in finished.summary
    assert finished.summary["pages_partial"] == 1


@pytest.mark.parametrize("reason", ["timeout", "worker-crashed", "reader-failed", "reader-unavailable"])
def test_a_resume_whose_reading_fails_again_stays_incomplete_with_one_warning_and_keeps_nothing(
    db_url: str, tmp_path: Path, reason: str
) -> None:
    sweep_id = _swept(db_url)
    _end(db_url, sweep_id)
    _resume_and_read(db_url, sweep_id, _Pool(reason), tmp_path)
    assert _pages(db_url, sweep_id)[TIMED_OUT] == (PARTIAL, [f"image-{reason}"])
    with db.session_scope(db_url) as session:
        # A failure of the run is never kept as the image's reading (reader-unavailable once was).
        assert session.scalars(select(ImageReadingRow)).all() == []
    again = _end(db_url, sweep_id)
    assert again.state == "incomplete" and again.summary["unhandled"] == {IMAGES_NOT_READ: 1}


def test_an_image_s_own_failure_alone_lets_the_sweep_finish_with_its_page_partial(
    db_url: str, tmp_path: Path
) -> None:
    sweep_id = _swept(db_url)
    with db.session_scope(db_url) as session:
        for sighting in session.scalars(select(ImageSighting).where(ImageSighting.page_url == TIMED_OUT)):
            session.delete(sighting)
        session.delete(session.scalars(select(SweepPage).where(SweepPage.url == TIMED_OUT)).one())
    ended = _end(db_url, sweep_id)
    assert ended.state == "finished" and "unhandled" not in ended.summary, ended.summary
    assert _pages(db_url, sweep_id) == {BROKEN: (PARTIAL, ["image-unreadable"])}


def _sweep_answers(db_url: str, sweep_id: int) -> tuple[Any, Any, dict[str, Any]]:
    """GET /v1/sweeps, GET /v1/sweeps/<id> (both 200) and the OpenAPI schema, as an inspector."""
    from cases_support import make_keys, make_settings
    from fastapi.testclient import TestClient

    from api.app import create_app

    headers = {"X-API-Key": make_keys(db_url)["inspector"]}
    with TestClient(create_app(make_settings(db_url))) as client:
        listed = client.get("/v1/sweeps", headers=headers)
        one = client.get(f"/v1/sweeps/{sweep_id}", headers=headers)
        schema = client.get("/openapi.json").json()
    assert listed.status_code == one.status_code == 200, (listed.text, one.text)
    return listed, one, schema


def test_the_api_lists_images_not_read_among_what_markwatch_failed_itself(db_url: str) -> None:
    sweep_id = _swept(db_url)
    _end(db_url, sweep_id)
    listed, one, schema = _sweep_answers(db_url, sweep_id)
    [row] = listed.json()["items"]
    assert row["state"] == one.json()["state"] == "incomplete"
    assert row["unhandled"] == one.json()["unhandled"] == {IMAGES_NOT_READ: 1}
    assert (
        IMAGES_NOT_READ
        in schema["components"]["schemas"]["SweepOut"]["properties"]["unhandled"]["description"]
    )


def test_a_run_failure_kept_by_an_older_stage_is_not_reused_and_gives_way_to_a_reading(db_url: str) -> None:
    from checker.images.store import DbCache

    poisoned = ImageReading(sha256=SHA[LABEL], engine="reader 1", status="error", reason="reader-unavailable")
    with db.session_scope(db_url) as session:
        session.add(
            ImageReadingRow(sha256=SHA[LABEL], engine="reader 1", status="error", reason="reader-unavailable",
                            reading=poisoned.model_dump(mode="json"), seconds=0.0, created_at=T0)
        )  # fmt: skip
    read = ImageReading(sha256=SHA[LABEL], engine="reader 1", status="read")
    with db.session_scope(db_url) as session:
        cache = DbCache(session)
        assert cache.get(SHA[LABEL], "reader 1") is None  # a miss: the image is read again
        cache.put(read)
    with db.session_scope(db_url) as session:
        assert DbCache(session).get(SHA[LABEL], "reader 1") == read


def test_an_image_that_times_out_on_every_attempt_is_given_up_and_the_next_run_starts_a_new_sweep(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A label crafted to time the OCR out every time: read twice (MARKWATCH_MAX_ATTEMPTS=2), then given up.
    The sweep stays incomplete with its page's warning, and says nothing is left to retry."""
    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "2")
    sweep_id = _swept(db_url)
    first = _end(db_url, sweep_id)
    assert "given_up" not in first.summary and not first.summary.get("nothing_to_retry")
    pool = _Pool("timeout")
    _resume_and_read(db_url, sweep_id, pool, tmp_path)
    assert pool.submitted == [SHA[LABEL]]
    second = _end(db_url, sweep_id)
    assert second.state == "incomplete" and second.finished_at is None
    assert second.summary["unhandled"] == {IMAGES_NOT_READ: 1}
    assert second.summary["given_up"] == {IMAGES_NOT_READ: 1} and second.summary["nothing_to_retry"] is True
    assert second.summary["given_up_items"] == [
        {"reason": IMAGES_NOT_READ, "url": TIMED_OUT, "image": f"https://shop.example.com/cdn/{SHA[LABEL][:8]}.jpg",
         "attempts": 2}
    ]  # fmt: skip
    assert _pages(db_url, sweep_id)[TIMED_OUT] == (PARTIAL, ["image-timeout"])
    with db.session_scope(db_url) as session:
        fresh, resumed = start_or_resume(session, TARGET, tmp_path / "jobs")
        assert not resumed and fresh.id != sweep_id
        label = session.scalars(
            select(ImageSighting).where(
                ImageSighting.sweep_id == sweep_id, ImageSighting.page_url == TIMED_OUT
            )
        ).one()
        assert (label.status, label.reason, label.retries) == ("checked", "error:timeout", 1)


def test_the_api_and_the_console_show_what_was_given_up(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "1")
    sweep_id = _swept(db_url)
    _end(db_url, sweep_id)
    listed, one, schema = _sweep_answers(db_url, sweep_id)
    [row] = listed.json()["items"]
    image = f"https://shop.example.com/cdn/{SHA[LABEL][:8]}.jpg"
    for body in (row, one.json()):
        assert body["state"] == "incomplete" and body["unhandled"] == {IMAGES_NOT_READ: 1}
        assert body["given_up"] == {IMAGES_NOT_READ: 1} and body["nothing_to_retry"] is True
        assert body["max_attempts"] == 1
        assert body["given_up_items"] == [
            {"reason": IMAGES_NOT_READ, "url": TIMED_OUT, "image": image, "attempts": 1}
        ]
    properties = schema["components"]["schemas"]["SweepOut"]["properties"]
    assert "MARKWATCH_MAX_ATTEMPTS" in properties["given_up"]["description"]
    assert "--retry-given-up" in properties["nothing_to_retry"]["description"]


def test_a_page_whose_images_can_never_be_looked_for_is_given_up_too(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """images_not_scanned: the scan of a page failed (crawler/images/scan.py marks it "failed"); each resume
    looks again, twice in all here, then the page is given up and the sweep has nothing left to retry."""
    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "2")
    with db.session_scope(db_url) as session:
        sweep = Sweep(
            target=TARGET.name,
            started_at=T0,
            state="running",
            summary={"target": TARGET.model_dump(mode="json")},
        )
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
        session.add(
            SweepPage(sweep_id=sweep_id, url=TIMED_OUT, status="ok", checked_at=T0, image_scan="failed")
        )
    first = _end(db_url, sweep_id)
    assert first.summary["unhandled"] == {"images_not_scanned": 1} and "given_up" not in first.summary
    with db.session_scope(db_url) as session:
        resumed, again = start_or_resume(session, TARGET, tmp_path / "jobs")
        assert again and resumed.id == sweep_id
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        assert (page.image_scan, page.image_scan_retries) == ("pending", 1)
        page.image_scan = "failed"  # the second look fails as the first did
    second = _end(db_url, sweep_id)
    assert second.state == "incomplete"
    assert (
        second.summary["given_up"] == {"images_not_scanned": 1} and second.summary["nothing_to_retry"] is True
    )
    assert second.summary["given_up_items"] == [
        {"reason": "images_not_scanned", "url": TIMED_OUT, "attempts": 2}
    ]
    # Marked on the page itself: not read whole, its images given up after 2 looks.
    with db.session_scope(db_url) as session:
        page = session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id)).one()
        assert (page.status, page.warnings) == (
            PARTIAL,
            [{"code": "images-not-scanned", "message": "the page's images could not be looked for; given up after "
              "2 attempt(s) (MARKWATCH_MAX_ATTEMPTS)", "given_up_after": 2}],
        )  # fmt: skip
    with db.session_scope(db_url) as session:
        fresh, resumed_again = start_or_resume(session, TARGET, tmp_path / "jobs")
        assert not resumed_again and fresh.id != sweep_id


def test_a_given_up_image_is_marked_on_its_page_with_its_reason_and_attempts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page view (the console's pages not read whole, the stored page record) says the image was given up
    after how many attempts, not that it will be read again on resume; --retry-given-up takes that back."""
    from cases_support import make_keys
    from console_support import console_app, sign_in
    from fastapi.testclient import TestClient

    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "1")
    image = f"https://shop.example.com/cdn/{SHA[LABEL][:8]}.jpg"
    sweep_id = _swept(db_url)
    _end(db_url, sweep_id)
    with db.session_scope(db_url) as session:
        warnings = {
            p.url: p.warnings
            for p in session.scalars(select(SweepPage).where(SweepPage.sweep_id == sweep_id))
        }
    assert warnings[TIMED_OUT] == [
        {"code": "image-timeout", "message": f"image {image} not read: error:timeout; given up after 1 attempt(s) "
         "(MARKWATCH_MAX_ATTEMPTS)", "image": image, "given_up_after": 1}
    ]  # fmt: skip
    # The image's own failure is not markwatch's to retry: never marked given up.
    assert warnings[BROKEN] == [
        unread_warning(f"https://shop.example.com/cdn/{SHA[JUNK][:8]}.jpg", "error:unreadable")
    ]
    _end(db_url, sweep_id)  # ended again (a refused resume, a view): marked once
    assert _pages(db_url, sweep_id)[TIMED_OUT] == (PARTIAL, ["image-timeout"])
    with TestClient(console_app(db_url)) as client:
        sign_in(client, make_keys(db_url)["inspector"])
        chinese = client.get(f"/console/sweeps/{sweep_id}?lang=zh").text
        english = client.get(f"/console/sweeps/{sweep_id}?lang=en").text
    rows = re.findall(r'<tr class="partial-page">(.*?)</tr>', english, flags=re.S)
    [given] = [row for row in rows if "item/1.html" in row]
    assert 'data-given-up-after="1"' in given and "given up after 1 attempts" in given and image in given
    assert "read again on resume" not in given  # the label of an image still to be retried
    [own] = [row for row in rows if "item/2.html" in row]
    assert "given up" not in own
    assert "已尝试 1 次仍失败，续跑时不再重试" in chinese
    # Tried once more (--retry-given-up) and read: the mark goes with the warning, the page is ok again.
    _resume_and_read(db_url, sweep_id, _Pool(None), tmp_path, retry_given_up=True)
    assert _pages(db_url, sweep_id)[TIMED_OUT] == ("ok", [])
    assert _end(db_url, sweep_id).state == "finished"


def test_a_given_up_image_that_fails_again_on_retry_is_marked_with_its_new_attempts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKWATCH_MAX_ATTEMPTS", "1")
    sweep_id = _swept(db_url)
    _end(db_url, sweep_id)
    _resume_and_read(db_url, sweep_id, _Pool("timeout"), tmp_path, retry_given_up=True)
    _end(db_url, sweep_id)
    with db.session_scope(db_url) as session:
        page = session.scalars(select(SweepPage).where(SweepPage.url == TIMED_OUT)).one()
        assert [w.get("given_up_after") for w in page.warnings] == [2]
