"""A page that did not arrive whole is never checked as the whole page, and never resolves a finding.

Scrapy's HttpCompressionMiddleware read a gzip or deflate body up to a cut (and past a bad CRC): the page was
stored "ok" without the claim further down, and the sweep counted that claim's finding resolved. A body the
connection cut short (shorter than its Content-Length, a chunked body without its last chunk) failed as the
unnamed "responsefailed"; one with no length at all, ended by a reset, was stored "ok". Real sweeps in a
subprocess against a real server on 127.0.0.1: the first sweep reads every page whole with its claim, the
second gets each page broken in its own way."""

from __future__ import annotations

import gzip
import os
import socket
import struct
import subprocess
import time
import zlib
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.spiders.base import BODY_END_UNSEEN
from crawler.store.models import Sweep, SweepPage, SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
FILLER = "".join(f"<p>第 {n} 段：普通的商品介绍文字。</p>" for n in range(300))
# The claim sits at the end: a page cut anywhere in its second half no longer shows it.
PAGE = (
    f"<html><head><meta charset='utf-8'></head><body><h1>演示水杯</h1>{FILLER}"
    "<p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>"
).encode()
WITHOUT_CLAIM = PAGE.replace("执行标准：T/DEMO 001-2019（上海标准）".encode(), b"")
HTML = "text/html; charset=utf-8"


def _gzip_bad_crc() -> bytes:
    whole = bytearray(gzip.compress(PAGE))
    whole[-8] ^= 0xFF  # the CRC in the trailer: every byte inflates, and the check fails
    return bytes(whole)


def _handler(sweep: list[int], hits: dict[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _head(self, headers: dict[str, str]) -> None:
            self.send_response(200)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()

        def _whole(self, body: bytes, **headers: str) -> None:
            self._head({"Content-Type": HTML, "Content-Length": str(len(body)), **headers})
            self.wfile.write(body)

        def _cut(self, *, reset: bool) -> None:
            self.wfile.write(PAGE[: len(PAGE) // 2])
            self.wfile.flush()
            self.close_connection = True
            if reset:  # SO_LINGER 0: the close sends RST, as a dropped connection does
                time.sleep(0.3)  # after the half has arrived (a reset discards what is still unsent)
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            else:
                self.connection.shutdown(socket.SHUT_WR)

        def do_GET(self) -> None:
            path = self.path
            hits[path] = hits.get(path, 0) + 1
            if path == "/robots.txt":
                self._whole(b"User-agent: *\nAllow: /\n", **{"Content-Type": "text/plain"})
            elif sweep[0] == 1 or path == "/gzip-whole.html":
                self._whole(gzip.compress(PAGE), **{"Content-Encoding": "gzip"})
            elif path == "/removed.html":  # the claim really taken off: resolved
                self._whole(WITHOUT_CLAIM)
            elif path == "/gzip-cut.html":
                body = gzip.compress(PAGE)
                self._whole(body[: len(body) * 2 // 3], **{"Content-Encoding": "gzip"})
            elif path == "/gzip-crc.html":
                self._whole(_gzip_bad_crc(), **{"Content-Encoding": "gzip"})
            elif path == "/deflate-cut.html":
                body = zlib.compress(PAGE)
                self._whole(body[: len(body) * 2 // 3], **{"Content-Encoding": "deflate"})
            elif path == "/brotli.html":  # never asked for (no brotli installed), sent anyway
                self._whole(
                    b"\x1b\x03\x00\xf8\x8d\x94\x6e\xde\x44\x67\xf2\x02\x00", **{"Content-Encoding": "br"}
                )
            elif path == "/length-cut.html":  # shorter than its Content-Length
                self._head({"Content-Type": HTML, "Content-Length": str(len(PAGE))})
                self._cut(reset=False)
            elif path == "/chunk-cut.html":  # chunked, the connection closed before the last chunk
                self._head({"Content-Type": HTML, "Transfer-Encoding": "chunked"})
                half = PAGE[: len(PAGE) // 2]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(half), half))
                self._cut(reset=False)
            elif path == "/unsized-reset.html":  # no length at all, and the connection reset mid-body
                self.protocol_version = "HTTP/1.0"
                self._head({"Content-Type": HTML})
                self._cut(reset=True)
            elif path == "/unsized-whole.html":  # no length, ended by a close after the whole document
                self.protocol_version = "HTTP/1.0"
                self._head({"Content-Type": HTML})
                self.wfile.write(PAGE)
                self.close_connection = True

    return Handler


BROKEN = {
    "/gzip-cut.html": "truncated",
    "/gzip-crc.html": "content_corrupt",
    "/deflate-cut.html": "truncated",
    "/brotli.html": "content_encoding",
    "/length-cut.html": "truncated",
    "/chunk-cut.html": "truncated",
}


def test_a_page_cut_short_or_corrupt_is_never_read_as_the_whole_page(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    sweep, hits = [1], {}
    paths = [*BROKEN, "/unsized-reset.html", "/unsized-whole.html", "/gzip-whole.html", "/removed.html"]
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)  # the real checker
    with running(_handler(sweep, hits)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        seeds = "".join(f'      - {{url: "{base}{path}", kind: product}}\n' for path in paths)
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"targets:\n  - name: cut\n    seeds:\n{seeds}    allowed_domains: [127.0.0.1]\n"
            "    adapter: generic\n    max_depth: 0\n    max_pages: 50\n    delay: 0\n    timeout: 5\n"
            "    retries: 1\n",
            encoding="utf-8",
        )
        for number in (1, 2):
            sweep[0] = number
            hits.clear()
            done = subprocess.run(
                sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
                env=env, capture_output=True, text=True, timeout=300, cwd=REPO,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        first, second = session.scalars(select(Sweep).order_by(Sweep.id)).all()
        ledger = {
            url.removeprefix(base): (state, reason)
            for url, state, reason in session.execute(
                select(SweepUrl.url, SweepUrl.state, SweepUrl.reason).where(SweepUrl.sweep_id == second.id)
            )
        }
        pages = {
            page.url.removeprefix(base): page
            for page in session.scalars(select(SweepPage).where(SweepPage.sweep_id == second.id))
        }
        assert first.findings_new == len(paths)  # every page read whole once, each with its claim
        # Each broken page failed with its own reason, and none was stored as a page.
        for path, reason in BROKEN.items():
            assert ledger[path] == ("failed", reason), ledger
            assert path not in pages
        # A cut the network may not make again is downloaded once more before the page fails.
        assert hits["/gzip-cut.html"] == 2 and hits["/length-cut.html"] == 2, hits
        assert hits["/brotli.html"] == 1, hits
        # No length, ended by a reset before </html>: kept as evidence, but partial, never "ok".
        unsized = pages["/unsized-reset.html"]
        assert unsized.status == "partial" and [w["code"] for w in unsized.warnings] == [BODY_END_UNSEEN]
        assert (pages["/unsized-whole.html"].status, pages["/unsized-whole.html"].claims) == ("ok", 1)
        assert (pages["/gzip-whole.html"].status, pages["/gzip-whole.html"].claims) == ("ok", 1)
        # Only the claim really taken off counts as resolved; the sweep finished, its errors say the rest.
        assert (second.state, second.findings_resolved, second.findings_recurring) == ("finished", 1, 2)
        assert second.errors["truncated"] == 4 and second.errors[f"page-warning:{BODY_END_UNSEEN}"] == 1
        assert second.summary["pages_partial"] == 1
