"""A page that comes back showing nothing is not a clean page.

A seller can answer the crawler's User-Agent with an empty 200 (or a shell whose body a script draws). Read as
"no claim", that resolved the page's findings and would close a case awaiting rectification. A real sweep
subprocess against a real server on 127.0.0.1: the page first shows its claim, then nothing."""

from __future__ import annotations

import os
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from checker.extract import extract_page
from checker.extract.blank import BLANK
from crawler.store.models import Sweep, SweepPage
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
CLAIM = "<html><body><h1>演示水杯</h1><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>".encode()
SHELL = b"<!doctype html><html><head><title>x</title></head><body><div id=app></div><script src=/a.js></script></body></html>"


def _handler(pages: list[bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else pages[0]
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.mark.parametrize("then", [b"", b"  \r\n", SHELL], ids=["empty", "whitespace", "script-shell"])
def test_a_page_that_shows_nothing_is_partial_never_clean(tmp_path: Path, then: bytes) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    pages = [CLAIM]
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)  # the real checker
    with running(_handler(pages)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f'targets:\n  - name: flip\n    seeds:\n      - {{url: "{base}/item.html", kind: product}}\n'
            "    allowed_domains: [127.0.0.1]\n    adapter: generic\n    max_depth: 0\n    max_pages: 5\n"
            "    delay: 0\n    timeout: 5\n    retries: 0\n",
            encoding="utf-8",
        )
        for body in (CLAIM, then):
            pages[0] = body
            done = subprocess.run(
                sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
                env=env, capture_output=True, text=True, timeout=120, cwd=REPO,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout + done.stderr
    with db.session_scope(db_url) as session:
        first, second = session.scalars(select(SweepPage).order_by(SweepPage.sweep_id)).all()
        resolved = session.scalars(select(Sweep.findings_resolved).order_by(Sweep.id)).all()
    assert resolved == [0, 0]  # the claim was not read away: its finding is not "resolved"
    assert (first.status, first.claims) == ("ok", 1)
    assert second.status == "partial" and [w["code"] for w in second.warnings] == [BLANK]


@pytest.mark.parametrize(
    "raw",
    [
        b"<html><body><p>no words here</p></body></html>",
        b"<html><body><img src='/label.png'></body></html>",  # the image reader looks at it
        b"<html><body><svg><text>logo</text></svg></body></html>",
        "<html><body><p>你好</p></body></html>".encode("gbk"),
        b"\xff\xfe<\x00p\x00>\x00h\x00i\x00",  # UTF-16 text: not called blank on bytes it cannot read as markup
    ],
)
def test_pages_that_show_something_are_not_blank(raw: bytes) -> None:
    assert [w.code for w in extract_page(raw).warnings if w.code == BLANK] == []


@pytest.mark.parametrize(
    "raw",
    [b"", b"\xef\xbb\xbf \n", b"<html><body>&nbsp;<!-- nothing --></body></html>", SHELL],
)
def test_pages_that_show_nothing_are_said(raw: bytes) -> None:
    assert [w.code for w in extract_page(raw).warnings] == [BLANK]
