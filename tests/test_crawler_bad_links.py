"""A malformed link or image address costs nothing but itself, and links past the page budget are recorded.

One `<a href="http://[invalid/x">` made the whole page a parse error (no snapshot, no claim checked, and the
links after it never seen); one malformed `<img src>` lost every image of its page; links seen after the page
budget was spent were in no ledger row while the sweep said `finished`. Real sweeps in a subprocess against a
real server on 127.0.0.1."""

from __future__ import annotations

import gzip
import os
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.store.models import Sweep, SweepUrl
from markwatch import db
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
HOSTILE = (
    "<html><head><meta charset='utf-8'><meta http-equiv='refresh' content='5; url=http://[bad/'></head><body>"
    "<h1>演示水杯</h1><p>执行标准：T/DEMO 001-2019（上海标准）</p>"
    "<a href='http://[invalid/x'>坏链接</a><a href='http://127.0.0.1:99999/p'>坏端口</a>"
    "<img src='http://[bad/x.png'><a href='/after.html'>之后</a></body></html>"
)
AFTER = "<html><body><h1>之后</h1><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>"
LINKS = 20
# Links no page budget would ever let the sweep fetch. .invalid never resolves (RFC 6761).
ELSEWHERE = {
    "http://offsite.invalid/landing": "offsite",
    "http://169.254.169.254/latest/meta-data/": "forbidden_address",
    "http://[fd00:ec2::254]/latest/meta-data/": "forbidden_address",
}


def _handler(seen: list[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            seen.append(self.path)
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            elif self.path == "/hostile.html":
                body, kind = HOSTILE.encode(), "text/html; charset=utf-8"
            elif self.path == "/after.html":
                body, kind = AFTER.encode(), "text/html; charset=utf-8"
            elif self.path == "/many.html":
                links = "".join(f"<a href='/p/{n}.html'>{n}</a>" for n in range(1, LINKS + 1))
                body, kind = f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8"
            elif self.path == "/many-then-elsewhere.html":
                links = "".join(f"<a href='/p/{n}.html'>{n}</a>" for n in range(1, LINKS + 1))
                elsewhere = "".join(f"<a href='{href}'>x</a>" for href in ELSEWHERE)
                body = f"<html><body>{links}{elsewhere}</body></html>".encode()
                kind = "text/html; charset=utf-8"
            else:
                body, kind = b"<html><body><p>plain</p></body></html>", "text/html; charset=utf-8"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _sweep(tmp_path: Path, seed: str, max_pages: int) -> tuple[str, list[str], str]:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    seen: list[str] = []
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)
    with running(_handler(seen)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f'targets:\n  - name: bad\n    seeds:\n      - {{url: "{base}{seed}", kind: listing}}\n'
            f"    allowed_domains: [127.0.0.1]\n    adapter: generic\n    max_depth: 2\n    max_pages: {max_pages}\n"
            "    delay: 0\n    timeout: 5\n    retries: 0\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
            env=env, capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return db_url, seen, base


def test_a_malformed_link_or_image_costs_only_itself(tmp_path: Path) -> None:
    db_url, seen, base = _sweep(tmp_path, "/hostile.html", 10)
    assert "/after.html" in seen
    with db.session_scope(db_url) as session:
        ledger = {
            url: (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        pages = sorted(session.scalars(select(Finding.page_url).distinct()))
    assert ledger[f"{base}/hostile.html"] == ("stored", None)
    assert pages == [f"{base}/after.html", f"{base}/hostile.html"]
    bad = sorted(url for url, (state, reason) in ledger.items() if reason == "bad_url")
    assert bad == ["http://127.0.0.1:99999/p", "http://[invalid/x"], ledger


def test_links_past_the_page_budget_are_recorded_as_page_limit(tmp_path: Path) -> None:
    db_url, _seen, base = _sweep(tmp_path, "/many.html", 5)
    with db.session_scope(db_url) as session:
        ledger = {
            url: (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
    links = [f"{base}/p/{n}.html" for n in range(1, LINKS + 1)]
    assert all(link in ledger for link in links), sorted(set(links) - set(ledger))
    assert {ledger[link] for link in links} <= {("stored", None), ("skipped", "page_limit")}
    assert sum(1 for link in links if ledger[link][0] == "stored") == 4  # the seed is the fifth page


def test_links_past_the_page_budget_keep_the_reason_they_would_never_be_fetched(tmp_path: Path) -> None:
    # Once the budget was spent every link was "page_limit": an off-site link, or one to a cloud metadata
    # address, read as a page a larger budget would have fetched (and off-site counts stayed 0).
    db_url, seen, _base = _sweep(tmp_path, "/many-then-elsewhere.html", 5)
    with db.session_scope(db_url) as session:
        ledger = {
            url: (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        sweep = session.scalars(select(Sweep)).one()
    assert {url: ledger.get(url) for url in ELSEWHERE} == {
        url: ("skipped", reason) for url, reason in ELSEWHERE.items()
    }
    assert sweep.offsite_dropped == 1 and sweep.skipped["forbidden_address"] == 2, sweep.skipped
    assert sweep.skipped["page_limit"] == LINKS - 4 and sweep.state == "finished"
    assert [path for path in seen if not path.startswith(("/p/", "/many", "/robots"))] == []


def _robots_server(
    answer: tuple[int, dict[str, str], bytes], seen: list[str]
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            seen.append(self.path)
            code, headers, body = answer if self.path == "/robots.txt" else (200, {}, b"<p>page</p>")
            self.send_response(code)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _gzip_cut(text: bytes) -> bytes:
    whole = gzip.compress(text)
    return whole[: len(whole) // 2]


# What robots.txt answers: a 3xx without a Location led to no robots.txt (it was read as an empty one, allowing
# everything); a gzip body cut short was read up to the cut, losing the Disallow line further down.
ROBOTS_ANSWERS = {
    "429": (429, {"Retry-After": "0"}, b"slow down"),
    "503": (503, {"Retry-After": "0"}, b"down"),
    "302-nowhere": (302, {}, b""),
    "gzip-cut": (
        200,
        {"Content-Encoding": "gzip"},
        _gzip_cut(b"User-agent: *\nAllow: /x\n" + b"# padding\n" * 2000 + b"Disallow: /page.html\n"),
    ),
}


@pytest.mark.parametrize("answer", list(ROBOTS_ANSWERS))
def test_a_robots_txt_that_cannot_be_read_keeps_the_host_unfetched_and_says_so(
    tmp_path: Path, answer: str
) -> None:
    # A 429 read as "no robots.txt" allowed everything; any unreadable robots.txt was reason "robots", the same
    # as a path robots.txt forbids.
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    seen: list[str] = []
    with running(_robots_server(ROBOTS_ANSWERS[answer], seen)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f'targets:\n  - name: r\n    seeds:\n      - {{url: "{base}/page.html", kind: listing}}\n'
            "    allowed_domains: [127.0.0.1]\n    adapter: generic\n    max_pages: 5\n    delay: 0\n"
            "    timeout: 5\n    retries: 0\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases"),
            capture_output=True, text=True, timeout=300, cwd=REPO,
        )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "/page.html" not in seen
    with db.session_scope(db_url) as session:
        ledger = {
            url: (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
    assert ledger[f"{base}/page.html"] == ("skipped", "robots_unavailable")
