"""Sweeps fetch product images as ledger URLs under the crawl's rules, store them once as snapshots, read them
behind the crawl, and do not finish while image work they took is left: on one machine, on resume after an
interruption, and with two cluster workers on Redis and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from images_support import LABEL, Shop, serve_shop
from localsite import sweep_command
from sqlalchemy import delete, func, select, update

from api.routes.images import image_response
from checker.images.store import ImageReadingRow
from checker.registry import import_registry_file
from crawler.images.evidence import image_bytes
from crawler.images.models import ImageSighting
from crawler.store.models import Snapshot, SnapshotBody, Sweep, SweepPage, SweepUrl
from markwatch import db
from markwatch.config import USER_AGENT
from sweeps.cluster.worker import EXIT_INCOMPLETE
from sweeps.images.accounting import pending_images
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


@pytest.fixture
def shop() -> Iterator[Shop]:
    yield from serve_shop(Shop())


FAST = ["--set", "AUTOTHROTTLE_ENABLED=false", "--set", "RETRY_TIMES=0"]


def _env(**extra: str) -> dict[str, str]:
    # tests/ on the path: a spawned OCR worker imports a test reader from images_support when asked to.
    return {**os.environ, "PYTHONPATH": str(REPO / "tests"), **extra}


def _sweep_command(targets: Path, db_url: str, jobs: Path) -> list[str]:
    return sweep_command(targets, db_url, jobs, *FAST, "--no-cases")


def _sweep(shop: Shop, tmp_path: Path, db_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _sweep_command(shop.targets(tmp_path / "targets.yaml"), db_url, tmp_path / "jobs"),
        capture_output=True, text=True, timeout=600, cwd=REPO, env=_env(**env),
    )  # fmt: skip


def _resume(sweep_id: int, db_url: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MARKWATCH, "sweep", "resume", str(sweep_id), "--db", db_url, "--job-dir", str(tmp_path / "jobs"),
         *extra, "--no-cases"],
        capture_output=True, text=True, timeout=600, cwd=REPO, env=_env(),
    )  # fmt: skip


def _swept(shop: Shop, tmp_path: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    """A SQLite database with the example registry, swept once over the shop (successfully)."""
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    _with_registry(db_url)
    first = _sweep(shop, tmp_path, db_url)
    assert first.returncode == 0, first.stderr[-3000:]
    return db_url, first


def _resume_fetching_each_image_once(shop: Shop, db_url: str, tmp_path: Path, sweep_id: int) -> None:
    """`sweep resume` succeeds, fetches each image once more and no page again (the pages were stored)."""
    before = shop.hits()
    resumed = _resume(sweep_id, db_url, tmp_path, *FAST)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    fetched = shop.hits() - before
    assert fetched["127.0.0.1/cdn/label.jpg"] == fetched["localhost/cdn/label.jpg"] == 1
    assert not [path for path in fetched if "/item/" in path]


def _with_registry(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        import_registry_file(session, REPO / "examples" / "registry.yaml")


@pytest.mark.slow
def test_images_are_fetched_politely_stored_once_read_once_and_judged(shop: Shop, tmp_path: Path) -> None:
    db_url, first = _swept(shop, tmp_path)
    assert ": finished;" in first.stdout and "images: 6 found" in first.stdout, first.stdout
    assert "errors: too-many-pixels 1" in first.stdout, first.stdout

    paths = [path for path, _ in shop.requests]
    assert "127.0.0.1/cdn/label.jpg" in paths and "localhost/cdn/label.jpg" in paths  # image CDN host allowed
    assert "localhost/robots.txt" in paths  # the image host's robots.txt is read like any host's
    assert not any("/private/" in p for p in paths)  # robots.txt forbids it, for images too
    assert not any("example.invalid" in p for p in paths)  # not an image host of the target: never fetched
    image_headers = [headers for path, headers in shop.requests if path.endswith("label.jpg")]
    assert all(h.get("User-Agent") == USER_AGENT and "/item/" in h.get("Referer", "") for h in image_headers)

    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        # Every image request is a ledger URL with an outcome: stored, failed or skipped with a reason.
        ledger = {
            url.rsplit("/", 1)[-1]: (state, reason)
            for url, state, reason in session.execute(
                select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(SweepUrl.kind == "image")
            )
        }
        assert ledger == {
            "label.jpg": ("stored", None),  # two addresses (page host and CDN), each fetched once
            "bomb.png": ("stored", None),
            "x.jpg": ("skipped", "offsite"),
            "p.jpg": ("skipped", "robots"),
            "missing.jpg": ("failed", "http_404"),
        }
        assert len([1 for url in session.scalars(select(SweepUrl.url)) if url.endswith("label.jpg")]) == 2
        # The label's bytes are stored once (one snapshot body by sha256), one snapshot per address.
        label_sha = session.scalars(
            select(Snapshot.body_sha256).where(Snapshot.requested_url.like("%label.jpg"))
        ).all()
        assert len(label_sha) == 2 and len(set(label_sha)) == 1
        assert (
            session.scalar(
                select(func.count()).select_from(SnapshotBody).where(SnapshotBody.sha256 == label_sha[0])
            )
            == 1
        )
        sightings = session.scalars(select(ImageSighting).order_by(ImageSighting.page_url)).all()
        by_page = {(s.page_url.rsplit("/", 1)[-1], s.url.rsplit("/", 1)[-1]): s for s in sightings}
        one, two = by_page[("1.html", "label.jpg")], by_page[("2.html", "label.jpg")]
        assert one.image_sha256 == two.image_sha256 == label_sha[0]
        assert (one.area, two.area) == ("gallery", "detail") and one.status == two.status == "checked"
        assert (by_page[("4.html", "missing.jpg")].status, by_page[("4.html", "missing.jpg")].reason) == (
            "failed",
            "failed:http_404",
        )
        assert by_page[("3.html", "x.jpg")].reason == "skipped:offsite"
        assert by_page[("3.html", "p.jpg")].reason == "skipped:robots"
        assert by_page[("3.html", "bomb.png")].reason == "error:too-many-pixels"
        readings = session.scalars(select(ImageReadingRow)).all()
        assert sorted(r.status for r in readings) == [
            "error",
            "read",
        ]  # the label read once, the bomb refused
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}
        evidence = findings[0].evidence
        assert evidence["kind"] == "image-text" and evidence["image"]["sha256"] == label_sha[0]
        images = sweep.summary["images"]
        assert images["read"] == 1 and images["errors"] == {"too-many-pixels": 1} and images["pending"] == 0
        assert images["fetch_skipped"] == {"offsite": 1, "robots": 1} and images["findings"] >= 2
        assert sweep.pages_fetched == 5  # images are not pages

    second = _sweep(shop, tmp_path, db_url)
    assert second.returncode == 0, second.stderr[-3000:]
    with db.session_scope(db_url) as session:
        latest = session.scalars(select(Sweep).order_by(Sweep.id.desc())).first()
        assert latest is not None and latest.state == "finished"
        images = latest.summary["images"]
        assert images["read"] == 0 and images["cache_hits"] >= 2  # nothing read again
        assert latest.findings_recurring >= 2


@pytest.mark.slow
def test_an_interrupted_sweep_reads_its_pending_images_on_resume(shop: Shop, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    _with_registry(db_url)
    targets = shop.targets(tmp_path / "targets.yaml")
    # OCR that never finishes: the crawl stores every page and image, and its images wait for reading.
    stuck = _env(MARKWATCH_IMAGE_READER="images_support:stuck_reader", MARKWATCH_IMAGE_TIME_LIMIT_S="3000")
    process = subprocess.Popen(
        _sweep_command(targets, db_url, tmp_path / "jobs"),
        cwd=REPO, env=stuck, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if _crawled(db_url):
                break
            assert process.poll() is None, process.communicate()[1][-3000:]
            time.sleep(0.5)
        else:
            pytest.fail("the crawl did not store its pages and images in time")
        time.sleep(1.0)  # the crawl is over and waits for OCR
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1, err[-3000:]
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "interrupted" and sweep.summary["images_pending"] >= 2
        assert "image(s) not yet read or judged" in out and "sweep resume" in out
        assert not session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        sweep_id = sweep.id
    fetched_before = shop.hits()

    resumed = _resume(sweep_id, db_url, tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert shop.hits() == fetched_before  # nothing fetched again: the pending work was reading and judging
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "finished" and "images_pending" not in sweep.summary
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}
        statuses = Counter(session.scalars(select(ImageSighting.status)))
        assert statuses["checked"] >= 3 and not statuses["waiting"] and not statuses["fetched"]


@pytest.mark.slow
def test_images_a_page_showed_before_a_crash_are_requested_on_resume(shop: Shop, tmp_path: Path) -> None:
    # A page's images are requested after the pages (crawler/images/backlog.py): a crash in between leaves
    # the page stored with its sightings waiting and no ledger row for its images. Resume requests them.
    db_url, _ = _swept(shop, tmp_path)
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        image_urls = session.scalars(select(SweepUrl.url).where(SweepUrl.kind == "image")).all()
        assert len(image_urls) == 6
        session.execute(delete(Snapshot).where(Snapshot.requested_url.in_(image_urls)))
        session.execute(delete(SweepUrl).where(SweepUrl.kind == "image"))
        session.execute(
            update(ImageSighting).values(
                status="waiting", reason=None, image_sha256=None, reading=None, claims=0
            )
        )
        session.execute(delete(Finding).where(Finding.rule_id == "SHS003"))
        sweep.state = "interrupted"
        sweep_id = sweep.id
    _resume_fetching_each_image_once(shop, db_url, tmp_path, sweep_id)
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "finished", sweep.summary
        ledger = dict(
            session.execute(select(SweepUrl.url, SweepUrl.state).where(SweepUrl.kind == "image")).all()
        )
        assert sorted(ledger.values()) == ["failed", "skipped", "skipped", "stored", "stored", "stored"]
        assert not session.scalars(select(ImageSighting).where(ImageSighting.status == "waiting")).all()
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}


def test_pages_stored_before_their_images_were_looked_for_are_scanned_on_resume(
    shop: Shop, tmp_path: Path
) -> None:
    # A local sweep finds a stored page's images once no page waits (crawler/images/scan.py): a crash in
    # between leaves item pages marked pending, with no sightings and no image requested. Resume scans them.
    db_url, _ = _swept(shop, tmp_path)
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        marks = Counter(session.scalars(select(SweepPage.image_scan)))
        assert marks["done"] >= 3 and set(marks) <= {"done", None}  # listings are not scanned
        image_urls = session.scalars(select(SweepUrl.url).where(SweepUrl.kind == "image")).all()
        session.execute(delete(Snapshot).where(Snapshot.requested_url.in_(image_urls)))
        session.execute(delete(SweepUrl).where(SweepUrl.kind == "image"))
        session.execute(delete(ImageSighting))
        session.execute(update(SweepPage).where(SweepPage.image_scan == "done").values(image_scan="pending"))
        session.execute(delete(Finding).where(Finding.rule_id == "SHS003"))
        sweep.state = "interrupted"
        sweep_id = sweep.id
        assert pending_images(session, sweep_id) == marks["done"]  # the sweep would not be finished
    _resume_fetching_each_image_once(shop, db_url, tmp_path, sweep_id)
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "finished", sweep.summary
        assert Counter(session.scalars(select(SweepPage.image_scan)))["done"] == marks["done"]
        assert sweep.summary["images"]["found"] == session.scalar(
            select(func.count()).select_from(ImageSighting)
        )
        assert not session.scalars(select(ImageSighting).where(ImageSighting.status == "waiting")).all()
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}


def _crawled(db_url: str) -> bool:
    """Every page and image URL of the sweep has its outcome, and the images await reading."""
    try:
        with db.session_scope(db_url) as session:
            queued = session.scalar(select(func.count()).where(SweepUrl.state == "queued"))
            pages = session.scalar(
                select(func.count()).where(SweepUrl.kind == "page", SweepUrl.state == "stored")
            )
            fetched = session.scalar(select(func.count()).where(ImageSighting.status == "fetched"))
    except Exception:  # the database file is being created
        return False
    return queued == 0 and (pages or 0) >= 5 and (fetched or 0) >= 3


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_two_cluster_workers_share_the_images_and_finish_once_all_are_judged(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    _with_registry(postgres_url)
    for state in serve_shop(Shop(items=12, item_delay=0.3)):
        env = _env(MARKWATCH_HOME=str(tmp_path / "home"))
        sweep_id, command = _cluster_started(state, env, postgres_url, redis_url, tmp_path)
        workers = [
            subprocess.Popen(
                command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        results = [(w.wait(timeout=600), *w.communicate()) for w in workers]
        hits = state.hits()
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    assert sum("finished by this worker" in out for _, out, _ in results) == 1, [o for _, o, _ in results]
    # Both workers crawled; every page and every image address was fetched exactly once across them.
    for _, _, err in results:
        assert "'item_scraped_count': " in err, err[-2000:]
    fetched = {path: n for path, n in hits.items() if not path.endswith("robots.txt")}
    assert all(n == 1 for n in fetched.values()), fetched
    assert sum(1 for path in fetched if "label.jpg" in path) == 5  # 127.0.0.1, localhost, and ?n=0,1,2
    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "finished"
        sightings = session.scalars(select(ImageSighting).where(ImageSighting.sweep_id == sweep_id)).all()
        assert len(sightings) == 6 + 8 and not [
            s for s in sightings if s.status in ("waiting", "fetched", "read")
        ]
        readings = session.scalars(select(ImageReadingRow).where(ImageReadingRow.status == "read")).all()
        assert len(readings) == 1  # one picture under five addresses: read once
        pages = {
            f.page_url.rsplit("/", 1)[-1]
            for f in session.scalars(
                select(Finding).where(Finding.sweep_id == sweep_id, Finding.rule_id == "SHS003")
            )
        }
        assert pages == {"1.html", "2.html", *(f"{n}.html" for n in range(5, 13))}
        keys = session.scalars(select(Finding.finding_key).where(Finding.sweep_id == sweep_id)).all()
        assert len(keys) == len(set(keys))
        assert sweep.summary["images"]["pending"] == 0


def _cluster_started(
    state: Shop, env: dict[str, str], postgres_url: str, redis_url: str, tmp_path: Path
) -> tuple[int, list[str]]:
    """`markwatch cluster start` of the shop: the sweep's id, and the `cluster worker` command for it."""
    targets = state.targets(tmp_path / "targets.yaml")
    started = subprocess.run(
        [MARKWATCH, "cluster", "start", str(targets), "--target", "shop", "--db", postgres_url,
         "--redis", redis_url],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr[-3000:]
    sweep_id = int(started.stdout.strip())
    command = [MARKWATCH, "cluster", "worker", str(sweep_id), "--db", postgres_url, "--redis", redis_url,
               "--claim-timeout", "3", *FAST]  # fmt: skip
    return sweep_id, command


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_a_cluster_sweep_whose_images_a_worker_failed_to_read_is_finished_by_the_next_worker(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    # A worker taking up an incomplete cluster sweep (sweeps/cluster/worker.py claim_sweep) reads again the
    # images an earlier worker's OCR failed on, as `sweep resume` does for a single-process sweep.
    _with_registry(postgres_url)
    for state in serve_shop(Shop()):
        env = _env(MARKWATCH_HOME=str(tmp_path / "home"))
        sweep_id, command = _cluster_started(state, env, postgres_url, redis_url, tmp_path)
        failing = {**env, "MARKWATCH_IMAGE_READER": "images_support:label_failing_reader"}
        first = subprocess.run(command, env=failing, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert first.returncode == EXIT_INCOMPLETE, first.stdout + first.stderr[-3000:]
        assert "2 URL(s) not handled (images_not_read 2)" in first.stdout, first.stdout
        with db.session_scope(postgres_url) as session:
            sweep = session.get(Sweep, sweep_id)
            assert sweep is not None and sweep.state == "incomplete"
            assert sweep.summary["unhandled"] == {"images_not_read": 2}
        fetched_before = state.hits()
        second = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stdout + second.stderr[-3000:]
        assert "finished by this worker" in second.stdout, second.stdout
        assert state.hits() == fetched_before  # only reading and judging were left
    with db.session_scope(postgres_url) as session:
        sweep = session.get(Sweep, sweep_id)
        assert sweep is not None and sweep.state == "finished" and "unhandled" not in sweep.summary
        findings = session.scalars(
            select(Finding).where(Finding.sweep_id == sweep_id, Finding.rule_id == "SHS003")
        ).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}
        labels = session.scalars(
            select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url.like("%/item/_.html"))
        ).all()
        assert {
            p.url.rsplit("/", 1)[-1]: p.status for p in labels if p.url.endswith(("1.html", "2.html"))
        } == {
            "1.html": "ok",
            "2.html": "ok",
        }


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.postgres
def test_a_cluster_resume_looks_again_for_the_images_of_a_page_whose_scan_failed(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    """As `sweep resume` does for a single-process sweep: a page whose images markwatch could not look for is
    looked at again by the worker that resumes the distributed sweep, and its images requested and judged."""
    _with_registry(postgres_url)
    for state in serve_shop(Shop()):
        env = _env(MARKWATCH_HOME=str(tmp_path / "home"))
        sweep_id, command = _cluster_started(state, env, postgres_url, redis_url, tmp_path)
        first = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        page = f"http://127.0.0.1:{state.port}/item/2.html"
        with db.session_scope(postgres_url) as session:
            # As a sweep whose look for item 2's images (its label, on the image host) failed leaves it: no sightings, its scan failed.
            session.execute(delete(ImageSighting).where(ImageSighting.sweep_id == sweep_id,
                                                        ImageSighting.page_ledger_url == page))  # fmt: skip
            session.execute(
                delete(SweepUrl).where(
                    SweepUrl.sweep_id == sweep_id,
                    SweepUrl.url == f"http://localhost:{state.port}/cdn/label.jpg",
                )
            )
            session.execute(update(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url == page)
                            .values(image_scan="failed", status="ok", warnings=[]))  # fmt: skip
            session.execute(update(Sweep).where(Sweep.id == sweep_id).values(state="incomplete"))
        hits_before = state.hits()
        second = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=600)
        hits = state.hits()
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    assert "finished by this worker" in second.stdout, second.stdout
    assert hits["localhost/cdn/label.jpg"] == hits_before["localhost/cdn/label.jpg"] + 1 == 2
    assert (
        hits["127.0.0.1/item/2.html"] == hits_before["127.0.0.1/item/2.html"] == 1
    )  # the stored page is read back, not fetched
    with db.session_scope(postgres_url) as session:
        row = session.scalars(
            select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url == page)
        ).one()
        assert (row.image_scan, row.image_scan_retries) == ("done", 1)
        assert (row.status, row.warnings) == ("ok", [])  # its label read (and judged) with it
        sightings = session.scalars(select(ImageSighting).where(ImageSighting.page_ledger_url == page)).all()
        assert [(s.url.rsplit("/", 1)[-1], s.status) for s in sightings] == [("label.jpg", "checked")]
        findings = session.scalars(select(Finding.page_url).where(Finding.sweep_id == sweep_id)).all()
        assert page in findings


@pytest.mark.slow
def test_a_page_whose_image_is_not_read_again_is_partial_and_resolves_nothing(
    shop: Shop, tmp_path: Path
) -> None:
    # The claim is only in the label image. When the image later fails (an HTTP error, bytes that are no
    # picture), the page was "ok" with no claim: its findings were resolved and a case awaiting rectification
    # would have closed as rectified while the label was unchanged.
    db_url, _first = _swept(shop, tmp_path)
    for label, code in (((503, b"busy"), "image-http_503"), ((200, b"\xff\xd8\xff" + b"\0" * 64), "image-")):
        shop.label = label
        again = _sweep(shop, tmp_path, db_url)
        assert again.returncode == 0, again.stderr[-3000:]
        with db.session_scope(db_url) as session:
            sweep_id = session.scalar(select(func.max(Sweep.id)))
            page = session.scalars(
                select(SweepPage).where(SweepPage.sweep_id == sweep_id, SweepPage.url.like("%/item/1.html"))
            ).one()
            swept = session.get(Sweep, sweep_id)
            assert swept is not None
            resolved, state, summary = swept.findings_resolved, swept.state, swept.summary
        # The image's own failure (its host's error, bytes no reader decodes) is a fact about the page, not
        # work markwatch left undone: the sweep finishes.
        assert state == "finished" and "unhandled" not in summary, summary
        assert page.status == "partial", (page.status, page.warnings)
        assert any(w["code"].startswith(code) for w in page.warnings), page.warnings
        assert resolved == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reader", "reason", "pages"),
    [
        ("images_support:label_failing_reader", "reader-failed", ["1.html", "2.html"]),
        # No OCR worker can start: every fetched image (the label's two addresses, item 3's bomb) is not read.
        ("images_support:unloadable_reader", "reader-unavailable", ["1.html", "2.html", "3.html"]),
    ],
)
def test_images_markwatch_failed_to_read_leave_the_sweep_incomplete_until_resume_reads_them(
    shop: Shop, tmp_path: Path, reader: str, reason: str, pages: list[str]
) -> None:
    # Only a failure of markwatch's own reading counts: item 3's offsite and robots images and item 4's
    # HTTP 404 are the images' own (the page is partial, the sweep finishes: see the next test).
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    _with_registry(db_url)
    failed = _sweep(shop, tmp_path, db_url, MARKWATCH_IMAGE_READER=reader)
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert f"{len(pages)} URL(s) not handled (images_not_read {len(pages)})" in failed.stdout, failed.stdout
    assert f"images not read on http://127.0.0.1:{shop.port}/item/1.html, " in failed.stdout, failed.stdout
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "incomplete" and sweep.summary["unhandled"] == {"images_not_read": len(pages)}
        assert [url.rsplit("/", 1)[-1] for url in sweep.summary["images_not_read_pages"]] == pages
        assert "images_not_read" in sweep.summary["ended"]
        statuses = {
            page.url.rsplit("/", 1)[-1]: (page.status, [w["code"] for w in page.warnings])
            for page in session.scalars(select(SweepPage).where(SweepPage.url.like("%/item/%")))
        }
        assert statuses["1.html"] == statuses["2.html"] == ("partial", [f"image-{reason}"])
        assert statuses["4.html"] == ("partial", ["image-http_404"])
        assert not session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        # A failure of the run is never kept as the image's reading.
        assert not session.scalars(select(ImageReadingRow).where(ImageReadingRow.reason == reason)).all()
        sweep_id = sweep.id
    fetched_before = shop.hits()

    resumed = _resume(sweep_id, db_url, tmp_path, *FAST)  # the real reader again
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr[-3000:]
    assert shop.hits() == fetched_before  # nothing fetched again: only reading and judging were left
    with db.session_scope(db_url) as session:
        sweep = session.scalars(select(Sweep)).one()
        assert sweep.state == "finished", sweep.summary
        assert "unhandled" not in sweep.summary and "images_not_read_pages" not in sweep.summary
        statuses = {
            page.url.rsplit("/", 1)[-1]: (page.status, [w["code"] for w in page.warnings])
            for page in session.scalars(select(SweepPage).where(SweepPage.url.like("%/item/%")))
        }
        assert statuses["1.html"] == statuses["2.html"] == ("ok", [])  # the stale warning taken back
        assert statuses["3.html"][0] == statuses["4.html"][0] == "partial"
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}
        assert all(f.evidence["kind"] == "image-text" for f in findings)


@pytest.mark.slow
def test_images_past_the_per_page_limit_leave_the_page_partial(shop: Shop, tmp_path: Path) -> None:
    # Item 3 shows three images; past max_images_per_page the rest were dropped without a word.
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    _with_registry(db_url)
    targets = shop.targets(tmp_path / "targets.yaml")
    targets.write_text(targets.read_text(encoding="utf-8") + "    max_images_per_page: 1\n", encoding="utf-8")
    done = subprocess.run(
        _sweep_command(targets, db_url, tmp_path / "jobs"), capture_output=True, text=True, timeout=600, cwd=REPO,
        env=_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        page = session.scalars(select(SweepPage).where(SweepPage.url.like("%/item/3.html"))).one()
    assert page.status == "partial"
    assert [w["code"] for w in page.warnings if w["code"] == "images-over-limit"] == ["images-over-limit"]


class _LightboxShop(Shop):
    """Item 1 links its label image for a lightbox: the same URL is a link and an image."""

    def page(self, path: str) -> tuple[int, str, bytes]:
        if path == "/item/1.html":
            body = (
                "<html><head><meta charset='utf-8'><title>t</title></head><body><h1>演示智能水杯</h1>"
                "<ul class='gallery'><li><a href='/cdn/label.jpg'><img src='/cdn/label.jpg'></a></li></ul></body></html>"
            )
            return 200, "text/html; charset=utf-8", body.encode()
        return super().page(path)

    def targets(self, path: Path, *, seed: str = "/item/1.html", adapter: str = "generic") -> Path:
        # A generic site: its pages' links are followed, so the label is requested as a page too.
        return super().targets(path, seed=seed, adapter=adapter)


@pytest.mark.slow
def test_an_image_that_is_also_a_link_target_is_read(tmp_path: Path) -> None:
    # Fetched once, as a page, it failed as not_html, and its sighting inherited the failure: never read.
    state = _LightboxShop(items=1)
    for shop in serve_shop(state):
        db_url, _first = _swept(shop, tmp_path)
        with db.session_scope(db_url) as session:
            sighting = session.scalars(
                select(ImageSighting).where(ImageSighting.page_url.like("%/item/1.html"))
            ).one()
            findings = session.scalars(
                select(Finding.rule_id).where(Finding.page_url.like("%/item/1.html"))
            ).all()
        assert sighting.status == "checked" and sighting.image_sha256, (sighting.status, sighting.reason)
        assert "SHS003" in findings


# An SVG label: a script, an outside reference, a hidden <title>, and its words as <text> (the code in a <tspan>).
SVG_LABEL = (
    "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='480' height='160'>"
    "<script>alert(1)</script><image xlink:href='http://127.0.0.1:9/tracker.png' width='10' height='10'/>"
    "<rect x='4' y='4' width='472' height='152' fill='none' stroke='black'/>"
    "<title>tooltip</title><text x='16' y='50' font-size='24'>产品名称：演示智能水杯</text>"
    "<text x='16' y='100' font-size='24'>执行标准：<tspan>T/DEMO 001-2019</tspan>（上海标准）</text>"
    + "<!-- pad -->" * 60
    + "</svg>"
).encode()
SVG_ICON = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='24' height='24' viewBox='0 0 24 24'>"
    + "<path d='M12 2 L22 22 L2 22 Z' fill='#333'/>" * 20
    + "</svg>"
).encode()
SVG_ENTITY = (
    "<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY a 'T/DEMO 001-2019（上海标准）'>"
    + "<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>" * 1
    + "]><svg xmlns='http://www.w3.org/2000/svg' width='400' height='100'><text x='10' y='50'>执行标准：&b;</text>"
    + "<!-- pad -->" * 60
    + "</svg>"
).encode()


AVIF = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 200


class _InlineShop(Shop):
    """Item pages that show the label where only a browser looks: carried in the page as a data: URI
    (base64 and percent-encoded), as a CSS background, as a <picture>'s <source>; and an SVG data: URI."""

    def page(self, path: str) -> tuple[int, str, bytes]:
        shown = {
            "/item/1.html": f"<img src='data:image/jpeg;base64,{base64.b64encode(LABEL).decode()}'>",
            "/item/2.html": f"<img src='data:image/jpeg,{quote(LABEL + b'pct')}'>",
            "/item/3.html": "<div style=\"background-image:url('/cdn/label.jpg?bg');height:400px\"></div>",
            "/item/4.html": "<picture><source srcset='/cdn/label.jpg?source 2x'>"
            "<img src='data:image/gif;base64,R0lGODlhAQABAAAAACw='></picture>",
            "/item/5.html": "<img src='data:image/svg+xml," + quote(SVG_LABEL.decode()) + "'>",
            # A decorative icon (no text, 24 px): skipped like a tiny bitmap, the page read whole.
            "/item/6.html": "<img src='data:image/svg+xml," + quote(SVG_ICON.decode()) + "'>",
            # Text behind an entity that is never expanded: not read, and the page says so.
            "/item/7.html": "<img src='data:image/svg+xml," + quote(SVG_ENTITY.decode()) + "'>",
            # A comma inside a srcset URL is part of it (was: cut there, and "b 1x" requested instead).
            "/item/8.html": "<img srcset='/cdn/label.jpg?a,b 1x'>",
            "/item/9.html": "<img src='/cdn/label.avif'>",
            # Words drawn by an inline <svg> are page text (was: the <svg> pruned whole, no claim).
            "/item/10.html": "<svg width='420' height='60'><text x='8' y='40'>执行标准：T/DEMO 001-2019（上海标准）"
            "</text></svg>",
            # A bitmap an inline <svg> draws (<image href>) is a page image (was: never fetched nor read).
            "/item/11.html": "<svg width='400' height='300'><image href='/cdn/label.jpg?svg' width='400'"
            " height='300'/></svg>",
        }
        if path == "/cdn/label.avif":
            return 200, "image/avif", AVIF
        if path in shown:
            body = "<html><head><meta charset='utf-8'><title>t</title></head><body><h1>演示智能水杯</h1>"
            return (
                200,
                "text/html; charset=utf-8",
                (body + f"<div class='desc'>{shown[path]}</div></body></html>").encode(),
            )
        return super().page(path)


@pytest.mark.slow
def test_images_a_page_carries_or_shows_without_an_img_src_are_kept_read_and_judged(tmp_path: Path) -> None:
    # Before: a data: URI was always a placeholder, a background or a <source> was not looked at: the label
    # was never read, and each page was "ok" as if read whole.
    for shop in serve_shop(_InlineShop(items=11)):
        db_url, first = _swept(shop, tmp_path)
        assert ": finished;" in first.stdout, first.stdout
        with db.session_scope(db_url) as session:
            sightings = {s.page_url.rsplit("/", 1)[-1]: s for s in session.scalars(select(ImageSighting))}
            rules = {
                (f.page_url.rsplit("/", 1)[-1], f.rule_id, (f.evidence.get("image") or {}).get("sha256"))
                for f in session.scalars(select(Finding))
            }
            pages = {p.url.rsplit("/", 1)[-1]: p for p in session.scalars(select(SweepPage))}
            inline_sha = hashlib.sha256(LABEL).hexdigest()
            assert sightings["1.html"].url == f"data:image/jpeg;sha256={inline_sha}"
            assert sightings["1.html"].image_sha256 == inline_sha  # the hash of the bytes the page carried
            assert sightings["2.html"].image_sha256 == hashlib.sha256(LABEL + b"pct").hexdigest()
            for name in ("1.html", "2.html", "3.html", "4.html"):
                assert sightings[name].status == "checked" and sightings[name].reason is None, name
                assert (name, "SHS003", sightings[name].image_sha256) in rules, name
                assert pages[name].status == "ok", name
            # The SVG label is read: its <text> (the script and the outside reference never run or fetched).
            svg = sightings["5.html"]
            assert (svg.status, svg.reason) == ("checked", None) and svg.image_sha256
            assert svg.image_sha256 == hashlib.sha256(SVG_LABEL).hexdigest()
            assert ("5.html", "SHS003", svg.image_sha256) in rules
            assert pages["5.html"].status == "ok"
            finding = session.scalars(select(Finding).where(Finding.page_url.like("%/5.html"))).first()
            assert finding is not None and "上海标准" in (finding.evidence["image"].get("ocr_text") or ""), (
                finding.evidence
            )
            # A decorative icon leaves the page read whole; text that could not be read leaves it partial.
            icon = sightings["6.html"]
            assert (icon.status, icon.reason) == ("checked", "gate:icon")
            assert pages["6.html"].status == "ok" and not pages["6.html"].warnings
            entity = sightings["7.html"]
            assert (entity.status, entity.reason) == ("checked", "error:svg-entities")
            assert pages["7.html"].status == "partial"
            assert [w["code"] for w in pages["7.html"].warnings] == ["image-svg-entities"]
            srcset = sightings["8.html"]
            assert "/cdn/label.jpg?a%2Cb" in srcset.url and srcset.reason is None  # canonical form of a,b
            assert ("8.html", "SHS003", srcset.image_sha256) in rules
            # AVIF is named as a format not read (was: not-an-image); the page is not read whole.
            avif = sightings["9.html"]
            assert (avif.status, avif.reason) == ("checked", "error:unsupported-format")
            assert [w["code"] for w in pages["9.html"].warnings] == ["image-unsupported-format"]
            assert ("10.html", "SHS003", None) in rules and pages["10.html"].status == "ok"
            drawn = sightings["11.html"]
            assert "/cdn/label.jpg?svg" in drawn.url and (drawn.status, drawn.reason) == ("checked", None)
            assert ("11.html", "SHS003", drawn.image_sha256) in rules and pages["11.html"].status == "ok"
            # Served back as fetched, with its sniffed type; the SVG never as such, only markwatch's rendering.
            served = image_response(image_bytes(session, inline_sha) or b"")
            assert served.body == LABEL and served.media_type == "image/jpeg"
            assert served.headers["content-security-policy"].endswith("sandbox")
            rendering = image_response(image_bytes(session, svg.image_sha256) or b"")
            assert rendering.media_type == "image/png" and bytes(rendering.body).startswith(b"\x89PNG")
            assert rendering.headers["x-markwatch-rendering-of"] == f"image/svg+xml sha256={svg.image_sha256}"
            assert rendering.headers["content-security-policy"].endswith("sandbox")


@pytest.mark.slow
def test_an_svg_refused_unread_by_an_older_reader_is_read_again(tmp_path: Path) -> None:
    # A reading kept as error:svg (the reader before SVGs were read) stood for the bytes under the same reader
    # version: the label stayed unread, its page partial, although this reader reads it.
    for shop in serve_shop(_InlineShop(items=5)):
        db_url, _first = _swept(shop, tmp_path)
        sha = hashlib.sha256(SVG_LABEL).hexdigest()
        with db.session_scope(db_url) as session:
            row = session.scalars(select(ImageReadingRow).where(ImageReadingRow.sha256 == sha)).one()
            old = {"sha256": sha, "engine": row.engine, "status": "error", "reason": "svg"}
            session.execute(
                update(ImageReadingRow)
                .where(ImageReadingRow.sha256 == sha)
                .values(status="error", reason="svg", reading=old)
            )
        second = _sweep(shop, tmp_path, db_url)
        assert ": finished;" in second.stdout, second.stdout
        with db.session_scope(db_url) as session:
            last = session.scalars(select(func.max(Sweep.id))).one()
            sighting = session.scalars(
                select(ImageSighting).where(
                    ImageSighting.sweep_id == last, ImageSighting.page_url.like("%/item/5.html")
                )
            ).one()
            kept = session.scalars(select(ImageReadingRow).where(ImageReadingRow.sha256 == sha)).one()
            page = session.scalars(
                select(SweepPage).where(SweepPage.sweep_id == last, SweepPage.url.like("%/item/5.html"))
            ).one()
        assert (sighting.status, sighting.reason) == ("checked", None)
        assert kept.status == "read" and page.status == "ok"
