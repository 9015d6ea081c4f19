"""A threaded HTTP server on 127.0.0.1 (port 0) with the awkward pages a crawler meets; records every path."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

CLAIM_PAGE = "<p>执行标准：{code}（上海标准）</p>"
LISTING_PAGES = 3
ITEMS_PER_PAGE = 4
OVERSIZED_BYTES = 6 * 1024 * 1024


def _item_html(number: int, claims: int = 1) -> str:
    code = "T/DEMO 001-2022" if number % 2 else "T/DEMO 001-2019"
    # More claims make a page that costs the checker CPU (the benchmark's CPU-bound site).
    extra = "".join(
        f"<table><tr><td>型号 {number}-{n}</td><td>执行标准：T/DEMO {n:03d}-2020（上海标准）</td></tr></table>"
        for n in range(2, claims + 1)
    )
    return (
        f"<html><head><meta charset='utf-8'><title>Item {number}</title></head><body>"
        f"<h1>演示产品 {number}</h1><ul id='J_AttrUL'><li>产品标准号：{code}</li></ul>"
        f"<div class='slogo-shopname'>演示旗舰店</div>{CLAIM_PAGE.format(code=code)}{extra}</body></html>"
    )


def _listing_html(page: int, pages: int = LISTING_PAGES, per_page: int = ITEMS_PER_PAGE) -> str:
    start = (page - 1) * per_page + 1
    items = "".join(
        f"<li><a class='item' href='/item/{n}.html'>item {n}</a></li>" for n in range(start, start + per_page)
    )
    nxt = f"<a class='next-page' href='/list?page={page + 1}'>next</a>" if page < pages else ""
    return (
        f"<html><body><ul class='listing'>{items}</ul>{nxt}<a href='/private/secret.html'>x</a></body></html>"
    )


INDEX = (
    "<html><body>"
    "<a href='/list?page=1'>list</a> <a href='/gbk.html'>gbk</a> <a href='/lying.html'>lying</a>"
    " <a href='/malformed.html'>bad</a> <a href='/binary.html'>bin</a> <a href='/private/secret.html'>secret</a>"
    " <a href='/offsite'>off</a> <a href='/loop/a'>loop</a> <a href='mailto:x@example.com'>mail</a>"
    " <a href='javascript:void(0)'>js</a> <a href='ftp://127.0.0.1/f'>ftp</a>"
    " <a href='http://offsite.invalid/elsewhere'>an off-site link</a>"
    # The same page with tracking parameters, and one page with its query in two orders.
    " <a href='/gbk.html?utm_source=mail&amp;spm=a1z10.1'>tracked</a>"
    " <a href='/param.html?b=2&amp;a=1'>p1</a> <a href='/param.html?a=1&amp;b=2&amp;utm_medium=x'>p2</a>"
    " <a href='/refresh.html'>refresh</a>"
    " <a href='/metadata'>metadata</a> <a href='/metadata6'>metadata v6</a> <a href='/aliyun'>aliyun</a>"
    "</body></html>"
)


class LocalSite:
    """Server state: options, the request log, and per-path counters."""

    def __init__(
        self,
        *,
        robots_delay: float = 0.0,
        slow_delay: float = 2.0,
        item_delay: float = 0.0,
        listing_pages: int = LISTING_PAGES,
        items_per_page: int = ITEMS_PER_PAGE,
        claims_per_item: int = 1,
        robots_extra: str = "",
        busy_first: dict[str, int] | None = None,
    ) -> None:
        self.robots_delay = robots_delay
        # More lines for robots.txt's group for every agent (a Crawl-delay…).
        self.robots_extra = robots_extra
        # path -> Retry-After seconds: the path's first request answers 429 with that Retry-After.
        self.busy_first = dict(busy_first or {})
        self.busy_at: dict[str, float] = {}  # path -> time.monotonic() its 429 was answered
        self.slow_delay = slow_delay
        self.item_delay = item_delay
        self.listing_pages = listing_pages
        self.items_per_page = items_per_page
        self.claims_per_item = claims_per_item
        # Items past the first `slow_items_after` take `slowed_delay` more until release(): a fault injected
        # after the first pages are stored then always strikes while work remains, however far the database
        # lags behind the crawl on a loaded machine (the crawl cannot fetch ahead of what the site serves).
        self.slow_items_after: int | None = None
        self.slowed_delay = 1.5
        self.items_served = 0
        self.released = threading.Event()
        self.requests: list[str] = []
        self.times: list[float] = []  # time.monotonic() of each request, in arrival order
        self.user_agents: list[str] = []
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        """The http://127.0.0.1:PORT root."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def marketplace_urls(self) -> set[str]:
        """Every listing and item page a sweep from /list?page=1 should store (robots.txt forbids the rest)."""
        pages = {f"{self.base}/list?page={n}" for n in range(1, self.listing_pages + 1)}
        items = self.listing_pages * self.items_per_page
        return pages | {f"{self.base}/item/{n}.html" for n in range(1, items + 1)}

    def release(self) -> None:
        """Serve items at their normal pace again (see slow_items_after)."""
        self.released.set()

    def paths(self) -> list[str]:
        """Every path requested so far, in order."""
        with self.lock:
            return list(self.requests)

    def record(self, path: str, agent: str) -> int:
        """Log one request; returns how often this path was hit, including this time."""
        with self.lock:
            self.requests.append(path)
            self.times.append(time.monotonic())
            self.user_agents.append(agent)
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


def _handler(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # two writes per response: avoid Nagle + delayed-ACK stalls

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_GET(self) -> None:
            count = site.record(self.path, self.headers.get("User-Agent", ""))
            parts = urlsplit(self.path)
            route = ROUTES.get(parts.path)
            if route is None and parts.path.startswith("/item/"):
                route = _item
            if route is None:
                self._send(404, b"not found", "text/plain")
                return
            route(self, site, parts.query, count)

        def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            send(self, status, body, ctype, headers)

    return Handler


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    ctype: str,
    headers: dict[str, str] | None = None,
) -> None:
    """One whole answer with its length (a client gone before the body is read is no error)."""
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    with suppress(BrokenPipeError, ConnectionResetError):
        handler.wfile.write(body)


def _html(handler: Any, text: str, charset: str = "utf-8", status: int = 200) -> None:
    handler._send(status, text.encode(charset), f"text/html; charset={charset}")


def _robots(handler: Any, site: LocalSite, query: str, count: int) -> None:
    time.sleep(site.robots_delay)
    robots = "User-agent: *\nDisallow: /private/\n" + site.robots_extra
    handler._send(200, robots.encode(), "text/plain")


def _index(handler: Any, site: LocalSite, query: str, count: int) -> None:
    _html(handler, INDEX)


def _listing(handler: Any, site: LocalSite, query: str, count: int) -> None:
    page = int(parse_qs(query).get("page", ["1"])[0])
    _html(handler, _listing_html(page, site.listing_pages, site.items_per_page))


def _item(handler: Any, site: LocalSite, query: str, count: int) -> None:
    pause = site.busy_first.get(handler.path)
    if pause is not None and count == 1:
        with site.lock:
            site.busy_at[handler.path] = time.monotonic()
        handler._send(429, b"slow down", "text/plain", {"Retry-After": str(pause)})
        return
    time.sleep(site.item_delay)
    with site.lock:
        site.items_served += 1
        held = site.slow_items_after is not None and site.items_served > site.slow_items_after
    if held:
        site.released.wait(site.slowed_delay)
    number = int(handler.path.rsplit("/", 1)[-1].split(".")[0])
    _html(handler, _item_html(number, site.claims_per_item))


def _gbk(handler: Any, site: LocalSite, query: str, count: int) -> None:
    text = "<html><head><meta charset='gbk'></head><body><p>执行标准：T/DEMO 001-2022（上海标准）</p></body></html>"
    _html(handler, text, "gbk")


def _lying(handler: Any, site: LocalSite, query: str, count: int) -> None:
    body = "<html><body><p>产品标准：T/DEMO 001-2019 上海标准</p></body></html>".encode("gbk")
    handler._send(200, body, "text/html; charset=utf-8")


def _oversized(handler: Any, site: LocalSite, query: str, count: int) -> None:
    handler._send(200, b"<html><body>" + b"x" * OVERSIZED_BYTES + b"</body></html>", "text/html")


def _slow(handler: Any, site: LocalSite, query: str, count: int) -> None:
    time.sleep(site.slow_delay)
    _html(handler, "<html><body>slow</body></html>")


def _ratelimited(handler: Any, site: LocalSite, query: str, count: int) -> None:
    if count == 1:
        handler._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
    else:
        _html(handler, "<html><body>finally</body></html>")


def _unavailable(handler: Any, site: LocalSite, query: str, count: int) -> None:
    handler._send(503, b"down", "text/plain", {"Retry-After": "0"})


def _offsite(handler: Any, site: LocalSite, query: str, count: int) -> None:
    # .invalid never resolves (RFC 6761): even a crawler bug could not reach another host.
    handler._send(302, b"", "text/plain", {"Location": "http://offsite.invalid/landing"})


def _loop(handler: Any, site: LocalSite, query: str, count: int) -> None:
    other = "/loop/b" if handler.path.endswith("/a") else "/loop/a"
    handler._send(302, b"", "text/plain", {"Location": other})


def _malformed(handler: Any, site: LocalSite, query: str, count: int) -> None:
    _html(
        handler,
        "<html><body><table><tr><td>执行标准：T/DEMO 001-2022<div></td><p>上海标准</tr><a href='/item/1.html'",
    )


def _binary(handler: Any, site: LocalSite, query: str, count: int) -> None:
    handler._send(200, random.Random(5).randbytes(4096), "text/html")


def _secret(handler: Any, site: LocalSite, query: str, count: int) -> None:
    _html(handler, "<html><body>must never be fetched</body></html>")


def _param(handler: Any, site: LocalSite, query: str, count: int) -> None:
    _html(handler, "<html><body><p>执行标准：T/DEMO 001-2022（上海标准）</p></body></html>")


def _refresh(handler: Any, site: LocalSite, query: str, count: int) -> None:
    # The refresh page carries a claim of its own; its target another one.
    _html(
        handler,
        "<html><head><meta http-equiv='refresh' content='0; url=/refreshed.html'></head>"
        "<body><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>",
    )


def _refreshed(handler: Any, site: LocalSite, query: str, count: int) -> None:
    _html(handler, "<html><body><p>产品标准：Q/DEMO 0002-2023 上海标准</p></body></html>")


def _redirect_to(location: str) -> Any:
    def route(handler: Any, site: LocalSite, query: str, count: int) -> None:
        handler._send(302, b"", "text/plain", {"Location": location})

    return route


ROUTES: dict[str, Any] = {
    "/robots.txt": _robots,
    "/": _index,
    "/list": _listing,
    "/gbk.html": _gbk,
    "/lying.html": _lying,
    "/big.html": _oversized,
    "/slow.html": _slow,
    "/ratelimited.html": _ratelimited,
    "/unavailable.html": _unavailable,
    "/offsite": _offsite,
    "/loop/a": _loop,
    "/loop/b": _loop,
    "/malformed.html": _malformed,
    "/binary.html": _binary,
    "/private/secret.html": _secret,
    "/param.html": _param,
    "/refresh.html": _refresh,
    "/refreshed.html": _refreshed,
    # Cloud metadata services: a crawler must never be redirected into them, whatever its targets allow.
    "/metadata": _redirect_to("http://169.254.169.254/latest/meta-data/"),
    "/metadata6": _redirect_to("http://[fd00:ec2::254]/latest/meta-data/"),
    "/aliyun": _redirect_to("http://100.100.100.200/latest/meta-data/"),
}


@contextmanager
def serve(**options: Any) -> Iterator[LocalSite]:
    """Run a LocalSite on 127.0.0.1 with a free port for the duration of the block."""
    site = LocalSite(**options)
    with running(_handler(site)) as server:
        site.server = server
        yield site


@contextmanager
def running(handler: type[BaseHTTPRequestHandler]) -> Iterator[ThreadingHTTPServer]:
    """Serve `handler` on 127.0.0.1 at a free port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="localsite", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def sweep_command(targets: Path, db_url: str, jobs: Path, *extra: str) -> list[str]:
    """`markwatch sweep run` of a targets file into db_url, from the running interpreter's environment."""
    markwatch = str(Path(sys.executable).with_name("markwatch"))
    return [markwatch, "sweep", "run", str(targets), "--db", db_url, "--job-dir", str(jobs), *extra]


# The checker seams (faulty_checker.py, code_checker.py) that MARKWATCH_CHECKER names in a sweep subprocess.
CHECKERS = Path(__file__).resolve().parent / "data" / "crawler"


def local_targets(path: Path, site: LocalSite, schedule: str = "*/30 * * * *") -> Path:
    """A targets file of one target, `local`: the site's listings, 127.0.0.1 only, no delay, one retry."""
    path.write_text(
        f"""targets:
  - name: local
    seeds:
      - {{url: "{site.base}/list?page=1", kind: listing}}
    allowed_domains: [127.0.0.1]
    adapter: demo-marketplace
    max_depth: 4
    max_pages: 100
    delay: 0
    concurrency: 4
    timeout: 5
    retries: 1
    schedule: "{schedule}"
""",
        encoding="utf-8",
    )
    return path


def run_markwatch(command: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """A markwatch command in a subprocess, with the checker seams importable and `env` added."""
    environment = {**os.environ, "PYTHONPATH": str(CHECKERS), **env}
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=180, cwd=CHECKERS.parents[2]
    )
