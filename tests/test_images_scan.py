"""Stored item pages get their images found after the crawl's pages (crawler/images/scan.py): the same
sightings the spider would have recorded with the page, every page marked, failures recorded, never lost."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, Response
from sqlalchemy import select, update

from crawler.canonical import Canonicalizer
from crawler.images.collect import FoundImages, found_images
from crawler.images.models import ImageSighting
from crawler.images.scan import MAX_FAILURES, ImageScans, ScanJob, ScanResult, stored_response
from crawler.items import PageItem
from crawler.ledger import ledger_key
from crawler.snapshots import flat_headers
from crawler.spiders.marketplace import MarketplaceSpider
from crawler.store.models import Sweep, SweepPage
from crawler.targets import Target
from markwatch import db
from sweeps.bookkeeping import record_end, start_or_resume
from sweeps.images.accounting import image_accounting, pending_images, pending_pages
from sweeps.run import CrawlResult
from sweeps.views import report
from sweeps.writer import Job, PageWriter, WriterEvents

REALPAGES = Path(__file__).resolve().parent / "data" / "realpages"
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
HOSTILE = b"<html><body>" + b"<div>" * 200 + b"<img src='/deep.jpg'>" + b"</div>" * 200 + b"</body></html>"
# (file or inline body, URL, Content-Type as served: the GBK pages' header lies about their charset)
PAGES: list[tuple[str | bytes, str, str]] = [
    ("tmall_item_01.html", "https://detail.tmall.com/item.htm?id=1", "text/html; charset=utf-8"),
    ("tmall_item_01_gbk.html", "https://detail.tmall.com/item.htm?id=2", "text/html; charset=utf-8"),
    ("jd_item_01_gbk.html", "https://item.jd.com/3.html", "text/html"),
    (HOSTILE, "https://detail.tmall.com/item.htm?id=4", "text/html; charset=utf-8"),
    (b"<html><body><p>no images</p></body></html>", "https://detail.tmall.com/item.htm?id=5", "text/html"),
]


class _Stats:
    def inc_value(self, key: str, count: int = 1) -> None:
        return None


def _spider() -> Any:
    target = Target(
        name="t", seeds=[{"url": "https://detail.tmall.com/", "kind": "listing"}],  # type: ignore[list-item]
        allowed_domains=["tmall.com", "jd.com"], adapter="tmall",
    )  # fmt: skip
    spider = MarketplaceSpider(target=target)
    spider.crawler = SimpleNamespace(stats=_Stats())  # type: ignore[assignment]
    return spider


def _response(body: str | bytes, url: str, content_type: str) -> HtmlResponse:
    raw = (REALPAGES / body).read_bytes() if isinstance(body, str) else body
    return HtmlResponse(url, body=raw, headers={"Content-Type": content_type}, request=Request(url))


def _item(response: Response) -> PageItem:
    return PageItem(
        response.url, response.url, 200, flat_headers(response.headers), response.body, T0, None, "item",
        scan_images=True,
    )  # fmt: skip


class _Events(WriterEvents):
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.scans: list[ScanResult | None] = []

    def written(self, jobs: list[Job]) -> None:
        self.jobs += jobs

    def scanned(self, result: ScanResult | None) -> None:
        self.scans.append(result)


def _running_writer(db_url: str, tmp_path: Path) -> tuple[int, PageWriter, _Events]:
    """A new sweep and its page writer, started (with a checker that finds nothing)."""
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="t", started_at=T0, state="running")
        session.add(sweep)
        session.flush()
        sweep_id = sweep.id
    events = _Events()
    writer = PageWriter(
        db_url=db_url, sweep_id=sweep_id, checker_factory=lambda: _NoChecks(), canonical=Canonicalizer.of([]),
        spool_dir=tmp_path / "spool", events=events,
    )  # fmt: skip
    writer.start()
    return sweep_id, writer, events


def _wait(condition: Any) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_stored_pages_get_the_sightings_the_spider_would_have_recorded(db_url: str, tmp_path: Path) -> None:
    spider = _spider()
    canonical = Canonicalizer.of([])
    sweep_id, writer, events = _running_writer(db_url, tmp_path)
    responses = [_response(*page) for page in PAGES]
    for response in responses:
        writer.submit(Job(page=_item(response)))
    _wait(lambda: len(events.jobs) == len(PAGES))
    with db.session_scope(db_url) as session:
        assert pending_images(session, sweep_id) == len(PAGES)  # a sweep ending now is not finished
        assert len(pending_pages(session, sweep_id)) == len(PAGES)

    def find(response: Response) -> tuple[FoundImages, str | None]:
        return found_images(spider, response), spider.seller(response)

    writer.submit(ScanJob(find, limit=3))
    writer.submit(ScanJob(find, limit=3))
    writer.submit(ScanJob(find, limit=3))
    _wait(lambda: len(events.scans) == 3)
    assert writer.close(time.monotonic() + 30)
    first, second, third = events.scans
    assert first is not None and second is not None and third is not None
    assert (first.pages, second.pages, third.pages) == (3, 2, 0)
    assert (first.more, second.more, third.more) == (True, False, False)

    # What the spider found with the page (a cluster worker's way), as the writer keys it.
    expected: dict[str, list[tuple[Any, ...]]] = {}
    for response in responses:
        found = found_images(spider, response)
        expected[response.url] = sorted(
            (ledger_key(canonical(i.url)), i.position, i.area, i.location[:2000], i.block_text)
            for i in found.images
        )
    assert sum(map(len, expected.values())) >= 10 and expected[PAGES[3][1]]  # the deep one too
    with db.session_scope(db_url) as session:
        rows = session.scalars(select(ImageSighting).order_by(ImageSighting.id)).all()
        got: dict[str, list[tuple[Any, ...]]] = {url: [] for url in expected}
        for row in rows:
            got[row.page_ledger_url].append((row.url, row.position, row.area, row.location, row.block_text))
            assert row.status == "waiting" and row.seen_at == T0
            # The GBK pages whose header says UTF-8 are read as the checker reads them (crawler/decoding.py).
            assert "\ufffd" not in (row.block_text or "") and row.seller in (None, "苏宁易购官方旗舰店")
        assert {url: sorted(v) for url, v in got.items()} == expected
        assert set(session.scalars(select(SweepPage.image_scan))) == {"done"}
        assert pending_images(session, sweep_id) == len(rows)  # the sightings' own work is what is left
    requested = {page: urls for result in (first, second) for page, urls in result.requests}
    assert requested == {
        r.url: [i.url for i in found_images(spider, r).images] for r in responses if expected[r.url]
    }


def _scan_two_pages_failing_on_the_first(db_url: str, tmp_path: Path) -> tuple[int, _Events]:
    """Two pages stored, then an image scan whose adapter raises on the first (id=1); the writer closed."""
    spider = _spider()
    sweep_id, writer, events = _running_writer(db_url, tmp_path)
    for page in PAGES[:2]:
        writer.submit(Job(page=_item(_response(*page))))
    _wait(lambda: len(events.jobs) == 2)

    def find(response: Response) -> tuple[FoundImages, str | None]:
        if response.url.endswith("id=1"):
            raise RuntimeError("a bug in an adapter")
        return found_images(spider, response), None

    writer.submit(ScanJob(find))
    _wait(lambda: len(events.scans) == 1)
    assert writer.close(time.monotonic() + 30)
    return sweep_id, events


def test_a_page_that_cannot_be_scanned_is_marked_and_counted_and_the_rest_are_scanned(
    db_url: str, tmp_path: Path
) -> None:
    sweep_id, events = _scan_two_pages_failing_on_the_first(db_url, tmp_path)
    [result] = events.scans
    assert result is not None and (result.pages, result.failed) == (2, 1)
    with db.session_scope(db_url) as session:
        marks = dict(session.execute(select(SweepPage.url, SweepPage.image_scan)).all())
        assert marks == {PAGES[0][1]: "failed", PAGES[1][1]: "done"}
        assert image_accounting(session, sweep_id)["pages_not_scanned"] == 1
        assert session.scalars(select(ImageSighting.page_ledger_url)).all()
        assert set(session.scalars(select(ImageSighting.page_ledger_url))) == {PAGES[1][1]}


def test_a_page_whose_images_were_not_looked_for_leaves_the_sweep_incomplete_until_resumed(
    db_url: str, tmp_path: Path
) -> None:
    """Its image claims are unknown: the sweep is not finished (so it neither opens nor closes cases), says
    why, and resuming it looks for the page's images again."""
    sweep_id, _ = _scan_two_pages_failing_on_the_first(db_url, tmp_path)
    with db.session_scope(db_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None
        session.execute(update(ImageSighting).values(status="checked"))  # the scanned page's images: done
        record_end(session, sweep, CrawlResult(reason="finished"))
        assert sweep.state == "incomplete"
        assert sweep.summary["unhandled"] == {"images_not_scanned": 1}
        assert report(session, sweep_id)["accounting"]["unhandled"] == {"images_not_scanned": 1}
        resumed, again = start_or_resume(session, _spider().target, tmp_path / "jobs")
        assert again and resumed.id == sweep_id
        marks = dict(session.execute(select(SweepPage.url, SweepPage.image_scan)).all())
    assert marks == {PAGES[0][1]: "pending", PAGES[1][1]: "done"}


class _NoChecks:
    """A checker that finds nothing (these tests are about images, not claims)."""

    def check(self, raw: bytes, **_: Any) -> Any:
        from sweeps.checking import CheckOutcome

        return CheckOutcome(claims=0, findings=[])


@pytest.mark.parametrize(("body", "url", "content_type"), PAGES)
def test_a_stored_page_reads_as_the_fetched_one(body: str | bytes, url: str, content_type: str) -> None:
    fetched = _response(body, url, content_type)
    stored = stored_response(url, 200, flat_headers(fetched.headers), fetched.body)
    assert type(stored) is type(fetched) and stored.encoding == fetched.encoding
    assert stored.text == fetched.text


def test_one_scan_at_a_time_again_while_pages_come_and_not_forever_when_scans_fail() -> None:
    scans = ImageScans()
    assert scans.pending() and scans.start()  # at start: a resumed sweep may have pages pending
    assert not scans.start()  # one at a time
    scans.page_stored()
    scans.finished(ScanResult(pages=0))
    assert scans.pending() and scans.start()  # a page stored meanwhile: again
    scans.finished(ScanResult(pages=32, limit=32))
    assert scans.start()  # a full batch: more may be pending
    scans.finished(ScanResult(pages=5, limit=32))
    assert not scans.pending() and not scans.start()  # all scanned: the crawl may end
    scans.page_stored()
    for _ in range(MAX_FAILURES):
        scans._retry_at = 0.0
        assert scans.start()
        scans.finished(None)
    assert not scans.pending()  # the pages wait in the database for `sweep resume`


def test_a_page_s_data_uri_images_are_stored_items_not_requests_when_found_with_the_page() -> None:
    """A cluster worker finds images with the page: an image the page carries as a data: URI is handed to the
    writer as a fetched image under its key (its bytes, their sha256), never requested, and the page's
    sighting names the same key, so the two are linked like a fetched image and its page."""
    label = bytes(range(256)) * 4
    digest = hashlib.sha256(label).hexdigest()
    body = (
        "<html><body><div id='description'>"
        f"<img src='data:image/jpeg;base64,{base64.b64encode(label).decode()}'><img src='/d/a.jpg'>"
        "</div></body></html>"
    ).encode()
    url = "https://detail.tmall.com/item.htm?id=9"
    out = list(_spider().page_with_images(_response(body, url, "text/html; charset=utf-8"), "item"))
    requests = [r.url for r in out if isinstance(r, Request)]
    items = [i for i in out if isinstance(i, PageItem)]
    [image] = [i for i in items if i.kind == "image"]
    [page] = [i for i in items if i.kind == "item"]
    assert requests == ["https://detail.tmall.com/d/a.jpg"]  # before: no data: image at all
    assert image.requested_url == image.final_url == f"data:image/jpeg;sha256={digest}"
    assert image.body == label and image.headers == {"Content-Type": "image/jpeg"}
    assert [s["url"] for s in page.images] == [image.requested_url, "https://detail.tmall.com/d/a.jpg"]
