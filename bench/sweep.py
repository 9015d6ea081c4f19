"""Sweep throughput end to end (fetch, snapshot, check, persist) beside fetch-only, same run, local server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

REPO = Path(__file__).resolve().parent.parent
ITEMS_PER_PAGE = 20
# No delays, no AutoThrottle, wide concurrency: the benchmark measures our pipeline, not politeness.
FAST = [
    "AUTOTHROTTLE_ENABLED=false",
    "DOWNLOAD_DELAY=0",
    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    "LOG_LEVEL=WARNING",
]


def _pages() -> int:
    return 5 if os.environ.get("MARKWATCH_BENCH_QUICK") else 25


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms each.
    disable_nagle_algorithm = True
    listing_pages = 25

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            body = b"User-agent: *\nDisallow: /private/\n"
        elif parts.path == "/list":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            start = (page - 1) * ITEMS_PER_PAGE
            links = "".join(
                f"<li><a class='item' href='/item/{n}.html'>{n}</a></li>"
                for n in range(start, start + ITEMS_PER_PAGE)
            )
            nxt = (
                f"<a class='next-page' href='/list?page={page + 1}'>next</a>"
                if page < self.listing_pages
                else ""
            )
            body = f"<html><body><ul class='listing'>{links}</ul>{nxt}</body></html>".encode()
        else:
            number = parts.path.rsplit("/", 1)[-1].split(".")[0]
            code = "T/DEMO 001-2022" if number.endswith(("1", "3")) else "T/DEMO 001-2019"
            filler = "<p>普通商品描述，没有标准声明。</p>" * 150
            body = (
                f"<html><head><meta charset='utf-8'><title>商品 {number}</title></head><body>{filler}"
                f"<ul id='J_AttrUL'><li>执行标准：{code}（上海标准）</li></ul></body></html>"
            ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _checker_env() -> dict[str, str]:
    env = dict(os.environ)
    try:
        import checker.check  # noqa: F401
    except ImportError:
        # Until the rules checker lands: extraction-only checker from the crawler tests.
        env["MARKWATCH_CHECKER"] = "code_checker:factory"
        env["PYTHONPATH"] = str(REPO / "tests" / "data" / "crawler")
    return env


def _sweep(targets: Path, name: str, db_url: str, jobs: Path, extra: list[str]) -> float:
    command = [str(Path(sys.executable).with_name("markwatch")), "sweep", "run", str(targets), "--target", name,
               "--db", db_url, "--job-dir", str(jobs)]  # fmt: skip
    for pair in [*FAST, *extra]:
        command += ["--set", pair]
    started = time.perf_counter()
    result = subprocess.run(command, env=_checker_env(), capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise RuntimeError(f"sweep {name} failed: {result.stderr[-2000:]}")
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    """pages/s with persistence and checking vs fetch-only (no item pipeline), both over the same site."""
    from crawler.store.models import Sweep
    from markwatch import db

    _Handler.listing_pages = _pages()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db_url = f"sqlite:///{root / 'bench.db'}"
        db.upgrade(db_url)
        target = """  - name: {name}
    seeds: [{{url: "{base}/list?page=1", kind: listing}}]
    allowed_domains: [127.0.0.1]
    adapter: demo-marketplace
    max_depth: 50
    max_pages: 100000
    delay: 0
    concurrency: 16
"""
        targets = root / "targets.yaml"
        targets.write_text(
            "targets:\n" + target.format(name="full", base=base) + target.format(name="fetch", base=base)
        )
        full_seconds = _sweep(targets, "full", db_url, root / "jobs", [])
        fetch_seconds = _sweep(targets, "fetch", db_url, root / "jobs", ["ITEM_PIPELINES={}"])
        with db.session_scope(db_url) as session:
            full = session.scalars(select(Sweep).where(Sweep.target == "full")).one()
            pages = full.pages_fetched
            crawl_seconds = (
                (full.finished_at - full.started_at).total_seconds() if full.finished_at else full_seconds
            )
            findings, claims = full.findings_new, full.claims
        db.reset_caches()
    server.shutdown()
    server.server_close()
    return {
        "pages": pages,
        "claims": claims,
        "findings": findings,
        "sweep_pages_per_s": round(pages / full_seconds, 1),
        "sweep_pages_per_s_excl_startup": round(pages / crawl_seconds, 1),
        "fetch_only_pages_per_s": round(pages / fetch_seconds, 1),
        "sweep_seconds": round(full_seconds, 2),
        "fetch_only_seconds": round(fetch_seconds, 2),
        "checker": "rules"
        if "MARKWATCH_CHECKER" not in _checker_env()
        else "extraction-only (rules checker not installed)",
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
