"""A link's query reaches its server encoded the way a browser on that page sends it: in the page's encoding.

A GBK marketplace's search link /搜索?q=上海标准 is sent by a browser as q=%C9%CF%BA%A3%B1%EA%D7%BC; sent as UTF-8,
the GBK server reads another query, and the listing behind it is never seen. A whole sweep runs in a real
subprocess against a real server on 127.0.0.1 that answers only the query a browser would send."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.decoding import query_in_page_encoding
from crawler.store.models import SweepUrl
from markwatch import db
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
SEARCH_PATH = "/搜索"
WORDS = "上海标准"
IMAGE_PATH = "/图片"
LABEL = "标签"
RESULT = (
    "<html><head><meta charset='gbk'></head><body><h1>搜索结果</h1><p>执行标准：T/DEMO 001-2019（上海标准）</p>"
    f"<img src='{IMAGE_PATH}?name={LABEL}' width='400' height='300'></body></html>"
)


class _Site:
    def __init__(self, listing_charset_header: str) -> None:
        self.header = listing_charset_header
        self.queries: list[bytes] = []
        self.image_queries: list[bytes] = []
        self.base = ""


def _pairs(query: bytes) -> list[bytes]:
    return sorted(query.split(b"&"))


def _handler(site: _Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            path = unquote_to_bytes(parts.path).decode("utf-8", "replace")
            if path == "/robots.txt":
                self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            elif path == "/list.html":
                page = (
                    f"<html><body><a href='{SEARCH_PATH}?q={WORDS}&amp;page=1'>{WORDS}产品</a></body></html>"
                )
                self._send(200, page.encode("gbk"), f"text/html; charset={site.header}")
            elif path == SEARCH_PATH:
                query = unquote_to_bytes(parts.query)
                site.queries.append(query)
                # A GBK server: only the GBK bytes of the words find the listing (in any parameter order:
                # the sweep sends its canonical spelling, parameters sorted).
                if _pairs(query) == _pairs(f"q={WORDS}&page=1".encode("gbk")):
                    self._send(200, RESULT.encode("gbk"), "text/html; charset=gbk")
                else:
                    self._send(404, b"not found", "text/plain")
            elif path == IMAGE_PATH:
                site.image_queries.append(unquote_to_bytes(parts.query))
                self._send(404, b"not found", "text/plain")
            else:
                self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def _serve(header: str) -> Iterator[_Site]:
    site = _Site(header)
    with running(_handler(site)) as server:
        site.base = f"http://127.0.0.1:{server.server_address[1]}"
        yield site


def _targets(path: Path, base: str) -> Path:
    path.write_text(
        f"""targets:
  - name: gbk-search
    seeds:
      - {{url: "{base}/list.html", kind: listing}}
    allowed_domains: [127.0.0.1]
    adapter: generic
    max_depth: 2
    max_pages: 10
    delay: 0
    timeout: 5
    retries: 0
    schedule: "*/30 * * * *"
""",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("header", ["gbk", "utf-8"])  # truthful, and a header that lies about GBK bytes
def test_a_gbk_page_s_links_and_images_are_requested_as_a_browser_requests_them(
    tmp_path: Path, header: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    env = dict(
        os.environ,
        MARKWATCH_CHECKER="code_checker:factory",
        PYTHONPATH=str(REPO / "tests" / "data" / "crawler"),
    )
    with _serve(header) as site:
        targets = _targets(tmp_path / "targets.yaml", site.base)
        command = sweep_command(targets, db_url, tmp_path / "jobs")
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [_pairs(query) for query in site.queries] == [_pairs(f"q={WORDS}&page=1".encode("gbk"))]
    # The result page's product image too: its query in GBK, as the browser showing that page requests it.
    assert site.image_queries == [f"name={LABEL}".encode("gbk")]
    with db.session_scope(db_url) as session:
        ledger = {url: state for url, state in session.execute(select(SweepUrl.url, SweepUrl.state))}
        pages = list(session.scalars(select(Finding.page_url)))
    search = f"{site.base}/%E6%90%9C%E7%B4%A2?page=1&q=%C9%CF%BA%A3%B1%EA%D7%BC"
    assert ledger[search] == "stored", ledger
    assert pages == [search]


@pytest.mark.parametrize(
    ("url", "encoding", "sent"),
    [
        ("http://a/搜索?q=上海标准", "gb18030", "http://a/搜索?q=%C9%CF%BA%A3%B1%EA%D7%BC"),
        ("http://a/?q=上海标准", "utf-8", "http://a/?q=%E4%B8%8A%E6%B5%B7%E6%A0%87%E5%87%86"),
        # UTF-16 pages send UTF-8 (WHATWG); an unknown label falls back to UTF-8 as well.
        ("http://a/?q=上", "utf-16-le", "http://a/?q=%E4%B8%8A"),
        ("http://a/?q=上", "no-such-codec", "http://a/?q=%E4%B8%8A"),
        # A character the page's encoding cannot hold goes as its character reference, as browsers send it.
        ("http://a/?q=标", "cp932", "http://a/?q=%26%2326631%3B"),
        # Already encoded queries and ASCII ones are left as written.
        ("http://a/?q=%E4%B8%8A&b=1", "gb18030", "http://a/?q=%E4%B8%8A&b=1"),
    ],
)
def test_query_in_page_encoding(url: str, encoding: str, sent: str) -> None:
    assert query_in_page_encoding(url, encoding) == sent
