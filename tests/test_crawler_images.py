"""Sweeps fetch product images under the crawl's rules, store them once, read them behind the crawl."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from images_support import png_header_only
from sqlalchemy import select

from checker.images.corpus import render, samples
from checker.images.store import ImageReadingRow
from checker.registry import import_registry_file
from crawler.images.models import ImageBody, ImageSighting
from crawler.store.models import Finding, Sweep
from markwatch import db
from markwatch.config import USER_AGENT

REPO = Path(__file__).resolve().parent.parent


def _label() -> bytes:
    sample, template = next(
        (s, t) for s, t in samples() if s.template == "annotation-group" and s.placement == "photo"
    )
    # The same label, but naming an expired edition (T/DEMO 001-2019, SHS003 in the example registry).
    template = {**template, "lines": ["产品名称：演示智能水杯", "执行标准：T/DEMO 001-2019（上海标准）"]}
    return render(sample, template)


class Shop:
    """A marketplace on 127.0.0.1 whose claims are only in images; records every request."""

    def __init__(self) -> None:
        self.label = _label()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.port = 0

    def page(self, path: str) -> tuple[int, str, bytes]:
        cdn = f"http://localhost:{self.port}/cdn"
        pages = {
            "/robots.txt": "User-agent: *\nDisallow: /private/\n",
            "/": "<ul class='listing'>"
            + "".join(f"<li><a class='item' href='/item/{n}.html'>{n}</a></li>" for n in range(1, 5))
            + "</ul>",
            "/item/1.html": "<h1>演示智能水杯</h1><ul class='gallery'><li>"
            "<img src='/s.gif' data-ks-lazyload='/cdn/label.jpg'></li></ul>",
            "/item/2.html": f"<h1>演示智能水杯 二号</h1><div class='desc'><img data-src='{cdn}/label.jpg'></div>",
            "/item/3.html": "<h1>三号</h1><div class='desc'><img src='/cdn/bomb.png'>"
            "<img src='http://example.invalid/x.jpg'><img src='/private/p.jpg'></div>",
            "/item/4.html": "<h1>四号</h1><div class='desc'><img src='/cdn/missing.jpg'></div>",
        }
        if path in pages:
            kind = "text/plain" if path.endswith(".txt") else "text/html; charset=utf-8"
            body = pages[path]
            if kind.startswith("text/html"):
                body = f"<html><head><meta charset='utf-8'><title>t</title></head><body>{body}</body></html>"
            return 200, kind, body.encode()
        if path == "/cdn/label.jpg":
            return 200, "image/jpeg", self.label
        if path == "/cdn/bomb.png":
            return 200, "image/png", png_header_only(40_000, 40_000)
        return 404, "text/plain", b"not found"


@pytest.fixture
def shop() -> Iterator[Shop]:
    state = Shop()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(
                (f"{self.headers.get('Host', '').split(':')[0]}{self.path}", dict(self.headers))
            )
            status, kind, body = state.page(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _sweep(shop: Shop, tmp_path: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"""targets:
  - name: shop
    seeds: [{{url: "http://127.0.0.1:{shop.port}/", kind: listing}}]
    allowed_domains: [127.0.0.1]
    image_domains: [localhost]
    adapter: demo-marketplace
    max_pages: 20
    delay: 0
    concurrency: 4
""",
        encoding="utf-8",
    )
    return subprocess.run(
        [str(Path(sys.executable).with_name("markwatch")), "sweep", "run", str(targets), "--db", db_url,
         "--job-dir", str(tmp_path / "jobs"), "--set", "AUTOTHROTTLE_ENABLED=false", "--set", "RETRY_TIMES=0",
         "--no-cases"],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip


@pytest.mark.slow
def test_images_are_fetched_politely_stored_once_read_once_and_judged(shop: Shop, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    with db.session_scope(db_url) as session:
        import_registry_file(session, REPO / "examples" / "registry.yaml")
    first = _sweep(shop, tmp_path, db_url)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "images: 6 found" in first.stdout and "too-many-pixels 1" in first.stdout
    assert "robots.txt skipped 1, off-site dropped 0" in first.stdout

    paths = [path for path, _ in shop.requests]
    assert "127.0.0.1/cdn/label.jpg" in paths and "localhost/cdn/label.jpg" in paths  # image CDN host allowed
    assert "localhost/robots.txt" in paths  # the image host's robots.txt is read like any host's
    assert not any("/private/" in p for p in paths)  # robots.txt forbids it, for images too
    assert not any("example.invalid" in p for p in paths)  # not an image host of the target: never fetched
    image_headers = [headers for path, headers in shop.requests if path.endswith("label.jpg")]
    assert all(h.get("User-Agent") == USER_AGENT and "/item/" in h.get("Referer", "") for h in image_headers)

    with db.session_scope(db_url) as session:
        assert session.scalars(select(ImageBody.sha256)).all().__len__() == 2  # label (twice seen) and bomb
        sightings = session.scalars(select(ImageSighting).order_by(ImageSighting.page_url)).all()
        by_page = {(s.page_url.rsplit("/", 1)[-1], s.url.rsplit("/", 1)[-1]): s for s in sightings}
        label_one, label_two = by_page[("1.html", "label.jpg")], by_page[("2.html", "label.jpg")]
        assert label_one.image_sha256 == label_two.image_sha256 is not None
        assert (label_one.area, label_two.area) == ("gallery", "detail")
        assert by_page[("4.html", "missing.jpg")].status == "failed"
        assert by_page[("3.html", "x.jpg")].status == "pending"  # seen, never requested (off the hosts)
        readings = session.scalars(select(ImageReadingRow)).all()
        assert sorted(r.status for r in readings) == [
            "error",
            "read",
        ]  # the label read once, the bomb refused
        findings = session.scalars(select(Finding).where(Finding.rule_id == "SHS003")).all()
        assert {f.page_url.rsplit("/", 1)[-1] for f in findings} == {"1.html", "2.html"}
        evidence = findings[0].evidence
        assert evidence["kind"] == "image-text" and evidence["image"]["sha256"] == label_one.image_sha256
        summary = session.scalars(select(Sweep)).one().summary["images"]
        assert summary["read"] == 1 and summary["errors"].get("too-many-pixels") == 1

    second = _sweep(shop, tmp_path, db_url)
    assert second.returncode == 0, second.stderr[-3000:]
    with db.session_scope(db_url) as session:
        latest = session.scalars(select(Sweep).order_by(Sweep.id.desc())).first()
        assert latest is not None
        images = latest.summary["images"]
        assert images["read"] == 0 and images["cache_hits"] >= 2  # nothing read again
        assert latest.findings_recurring >= 2
