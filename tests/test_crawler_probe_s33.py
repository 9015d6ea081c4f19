"""Answers a crawler meets (fault probe s33): robots.txt too large, with a byte order mark, after a 5xx or
redirected elsewhere; a redirect to another port of an allowed host, a Location with
spaces or Chinese or a port out of range, odd Retry-After values, headers without end, gzip sitemaps under
any Content-Type. Each page ends stored, or failed/skipped with its reason; nothing is fetched off the
target's origins.

Real sweeps in a subprocess against servers on 127.0.0.1 (two ports: two origins of one host)."""

from __future__ import annotations

import email.utils
import gzip
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from cases_support import import_example_registry
from localsite import running, sweep_command
from sqlalchemy import select

from crawler.store.models import Sweep, SweepUrl
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
PAGE = "<html><head><meta charset='utf-8'></head><body><p>执行标准：T/DEMO 001-2019（上海标准）</p></body></html>"

# (status, headers, body) of one answer; a route answers given the request's path and its hit count.
Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str, int], Answer]


def page(path: str, count: int) -> Answer:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()


def redirect(location: str, status: int = 302) -> Route:
    return lambda path, count: (status, {"Location": location}, b"")


def in_turn(*answers: Answer) -> Route:
    """One answer per request (text/plain unless said), the last repeated."""

    def route(path: str, count: int) -> Answer:
        status, headers, body = answers[min(count, len(answers)) - 1]
        return status, {"Content-Type": "text/plain", **headers}, body

    return route


@dataclass
class Origin:
    """One server: routes by path (anything else a page); records every path requested."""

    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, path: str) -> int:
        with self.lock:
            return self.seen.count(path)


def _handler(origin: Origin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            with origin.lock:
                origin.seen.append(self.path)
                count = origin.seen.count(self.path)
            if self.path == "/robots.txt" and self.path not in origin.routes:
                status, headers, body = 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
            else:
                status, headers, body = origin.routes.get(self.path, page)(self.path, count)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@dataclass
class Swept:
    """A finished sweep: its row and its ledger (path or URL -> (state, reason))."""

    sweep: Sweep
    ledger: dict[str, tuple[str, str | None]]


def _sweep(
    tmp_path: Path,
    base: str,
    paths: list[str],
    *,
    domains: str = "[127.0.0.1]",
    retries: int = 1,
    sitemaps: list[str] | None = None,
    **extra: str,
) -> Swept:
    tmp_path.mkdir(exist_ok=True)
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    seeds = "".join(f'      - {{url: "{base}{path}", kind: product}}\n' for path in paths)
    seeds += "".join(f'      - {{url: "{base}{path}", kind: sitemap}}\n' for path in sitemaps or [])
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"targets:\n  - name: r\n    seeds:\n{seeds}    allowed_domains: {domains}\n    adapter: generic\n"
        f"    max_depth: 1\n    max_pages: 40\n    delay: 0\n    timeout: 5\n    retries: {retries}\n",
        encoding="utf-8",
    )
    settings = [part for key, value in extra.items() for part in ("--set", f"{key}={value}")]
    done = subprocess.run(
        sweep_command(targets, db_url, tmp_path / "jobs", "--no-cases", *settings),
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    with db.session_scope(db_url) as session:
        ledger = {
            url.removeprefix(base): (state, reason)
            for url, state, reason in session.execute(select(SweepUrl.url, SweepUrl.state, SweepUrl.reason))
        }
        sweep = session.scalars(select(Sweep)).one()
        session.expunge(sweep)
    return Swept(sweep, ledger)


def test_a_redirect_to_another_port_of_an_allowed_host_is_refused_unless_that_port_is_allowed(
    tmp_path: Path,
) -> None:
    # A port is another origin (another server, maybe an admin interface). A redirect from :A to :B of the
    # same allowed host was followed: politeness and the host check are per host name.
    main, other = Origin(), Origin()
    with running(_handler(main)) as one, running(_handler(other)) as two:
        base = f"http://127.0.0.1:{one.server_address[1]}"
        elsewhere = f"http://127.0.0.1:{two.server_address[1]}"
        main.routes["/to-other-port"] = redirect(f"{elsewhere}/landing.html")
        main.routes["/to-same-origin"] = redirect(f"{base}/landing.html")
        swept = _sweep(tmp_path, base, ["/to-other-port", "/to-same-origin"])
        assert other.seen == []
        assert swept.ledger == {
            "/to-other-port": ("skipped", "offsite_port"),
            "/to-same-origin": ("stored", None),
        }
        assert swept.sweep.state == "finished" and swept.sweep.skipped == {"offsite_port": 1}
        # Listed with its port, the other origin is the target's: the redirect is followed.
        allowed = f"[127.0.0.1, '127.0.0.1:{two.server_address[1]}']"
        swept = _sweep(tmp_path / "allowed", base, ["/to-other-port"], domains=allowed)
    assert swept.ledger == {"/to-other-port": ("stored", None)}
    assert other.hits("/landing.html") == 1


def _once(first: Answer) -> Route:
    """`first` for the first request, the page after."""
    return lambda path, count: first if count == 1 else page(path, count)


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


def _raw_header(text: str) -> str:
    # http.server writes header values as latin-1: this sends `text` as UTF-8 bytes, as real servers do.
    return text.encode().decode("latin-1")


# path -> (answer, what the ledger says of it). Each ends stored, or with the reason it was not.
PROBES: dict[str, tuple[Route, tuple[str, str | None]]] = {
    "/location-space": (redirect("/a b.html"), ("stored", None)),
    "/location-chinese": (redirect(_raw_header("/商品 页.html")), ("stored", None)),
    "/location-bad-port": (redirect("http://127.0.0.1:99999/x"), ("failed", "bad_url")),
    "/location-idn-elsewhere": (redirect(_raw_header("http://例子.测试/x")), ("skipped", "offsite")),
    "/retry-after-past": (
        lambda path, count: (
            (503, {"Retry-After": _http_date(-3600)}, b"down") if count == 1 else page(path, count)
        ),
        ("stored", None),
    ),
    # "\xb2" (superscript two) passed str.isdigit, then float() raised: the page failed "valueerror".
    "/retry-after-superscript": (_once((503, {"Retry-After": "\xb2"}, b"down")), ("stored", None)),
    # A line past 16 KiB was connection_lost; headers past 256 KiB in all were read without end (a server
    # streaming headers took the crawler from 40 MB to 222 MB RSS in a 5 s timeout).
    "/huge-header-line": (
        lambda path, count: (200, {"X-Padding": "x" * 100_000}, PAGE.encode()),
        ("failed", "headers_too_large"),
    ),
    "/many-headers": (
        lambda path, count: (200, {f"X-Pad-{n}": "x" * 1000 for n in range(300)}, PAGE.encode()),
        ("failed", "headers_too_large"),
    ),
    "/big-but-bounded-headers": (
        lambda path, count: (
            200,
            {"Content-Type": "text/html; charset=utf-8", **{f"X-Pad-{n}": "x" * 1000 for n in range(100)}},
            PAGE.encode(),
        ),
        ("stored", None),
    ),
}


def test_odd_locations_retry_afters_and_headers_end_with_a_reason(tmp_path: Path) -> None:
    main = Origin(routes={path: route for path, (route, _outcome) in PROBES.items()})
    with running(_handler(main)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, list(PROBES), RETRY_AFTER_MAX="3")
    assert {path: swept.ledger.get(path) for path in PROBES} == {
        path: outcome for path, (_route, outcome) in PROBES.items()
    }
    # Locations are requested as RedirectMiddleware percent-encodes them (UTF-8), never off the host.
    assert "/a%20b.html" in main.seen and "/%E5%95%86%E5%93%81%20%E9%A1%B5.html" in main.seen, main.seen
    assert swept.sweep.state == "finished"


def _sitemap(*paths: str) -> bytes:
    urls = "".join(f"<url><loc>{{base}}{path}</loc></url>" for path in paths)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_a_gzip_sitemap_under_any_content_type_is_read(tmp_path: Path) -> None:
    # Servers label .xml.gz files text/html, text/plain or text/xml; it is the gzip magic that says gzip.
    main = Origin()
    kinds = {
        "/html.xml.gz": "text/html; charset=utf-8",
        "/plain.xml.gz": "text/plain",
        "/xml.xml.gz": "text/xml",
    }
    with running(_handler(main)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for number, (path, kind) in enumerate(kinds.items()):
            body = gzip.compress(_sitemap(f"/listed-{number}.html").replace(b"{base}", base.encode()))
            main.routes[path] = lambda p, c, body=body, kind=kind: (200, {"Content-Type": kind}, body)
        swept = _sweep(tmp_path, base, [], sitemaps=list(kinds))
    assert {path: swept.ledger.get(path) for path in kinds} == {
        path: ("skipped", "sitemap") for path in kinds
    }
    assert {f"/listed-{n}.html": swept.ledger.get(f"/listed-{n}.html") for n in range(3)} == {
        f"/listed-{n}.html": ("stored", None) for n in range(3)
    }


# robots.txt as servers really answer it: each ends in a host crawled by its rules, or left alone with the
# reason recorded; never a host crawled by rules that were not read.


def test_a_robots_txt_past_the_limit_is_read_up_to_it_and_the_sweep_says_so(tmp_path: Path) -> None:
    # A 5 MiB robots.txt passed DOWNLOAD_MAXSIZE, and the host was robots_unavailable: never crawled. RFC 9309
    # 2.5: a crawler MUST parse at least the first 500 KiB and may ignore the rest. The rules in the first
    # part hold (the Disallow), those after the limit are not read, and the sweep says what it cut.
    head = b"User-agent: *\nDisallow: /private/\nAllow: /private-but-open.html\n"
    padding = b"# " + b"x" * 97 + b"\n"
    body = head + padding * (5 * 1024 * 1024 // len(padding)) + b"Disallow: /late.html\n"
    site = Origin(routes={"/robots.txt": in_turn((200, {}, body))})
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(
            tmp_path, base, ["/page.html", "/private/x.html", "/private-but-open.html", "/late.html"]
        )
    assert swept.ledger == {
        "/page.html": ("stored", None),
        "/private/x.html": ("skipped", "robots"),
        "/private-but-open.html": ("stored", None),
        "/late.html": ("stored", None),  # its Disallow lies past the part read
    }
    assert "/private/x.html" not in site.seen
    assert swept.sweep.state == "finished"
    limit = 500 * 1024
    (warning,) = swept.sweep.summary["warnings"]
    host = base.removeprefix("http://")
    assert warning["code"] == "robots_truncated" and warning["host"] == host, warning
    # Read up to the limit, cut after the last whole line in it.
    assert limit - len(padding) < warning["applied"] <= limit and warning["asked"] == len(body), warning
    status = subprocess.run(
        [sweep_command(Path("t"), "", Path("j"))[0], "sweep", "status", "1", "--db", f"sqlite:///{tmp_path / 'mw.db'}"],
        capture_output=True, text=True, timeout=60, cwd=REPO,
    )  # fmt: skip
    assert f"warning: robots_truncated {host} (robots.txt of {len(body)} bytes" in status.stdout, (
        status.stdout
    )


def test_a_robots_txt_whose_first_line_passes_the_limit_leaves_the_host_alone(tmp_path: Path) -> None:
    # No whole line within the limit: nothing was read, which is not an empty robots.txt (allowing all).
    site = Origin(
        routes={"/robots.txt": in_turn((200, {}, b"#" * (600 * 1024) + b"\nUser-agent: *\nDisallow: /\n"))}
    )
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, ["/page.html"])
    assert swept.ledger == {"/page.html": ("skipped", "robots_unavailable")}
    assert site.seen == ["/robots.txt"]


RULES = "User-agent: *\nDisallow: /private/\n"
# robots.txt answers, and what becomes of /page.html and /private/x.html. A byte order mark glued itself to
# "User-agent" (Protego read "\ufeffuser-agent", an unknown line): the group and its Disallow were lost and
# the private page fetched; a UTF-16 file, read as UTF-8, was no rules at all.
ROBOTS_PROBES: dict[str, tuple[list[Answer], dict[str, tuple[str, str | None]]]] = {
    "utf-8 with a byte order mark": (
        [(200, {}, b"\xef\xbb\xbf" + RULES.encode())],
        {"/page.html": ("stored", None), "/private/x.html": ("skipped", "robots")},
    ),
    "utf-16 with a byte order mark": (
        [(200, {"Content-Type": "text/plain; charset=utf-16"}, RULES.encode("utf-16"))],
        {"/page.html": ("stored", None), "/private/x.html": ("skipped", "robots")},
    ),
    # A 5xx is retried like a page (RETRY_TIMES); the answer after it holds.
    "503 then the file": (
        [(503, {}, b"down"), (200, {}, RULES.encode())],
        {"/page.html": ("stored", None), "/private/x.html": ("skipped", "robots")},
    ),
    # Off the target's hosts a robots.txt is never followed (it may be anybody's), so none was read.
    "redirected to another host": (
        [(301, {"Location": "http://offsite.invalid/robots.txt"}, b"")],
        {
            "/page.html": ("skipped", "robots_unavailable"),
            "/private/x.html": ("skipped", "robots_unavailable"),
        },
    ),
}


@pytest.mark.parametrize("probe", list(ROBOTS_PROBES))
def test_robots_txt_as_servers_send_it(tmp_path: Path, probe: str) -> None:
    answers, expected = ROBOTS_PROBES[probe]
    site = Origin(routes={"/robots.txt": in_turn(*answers)})
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, list(expected))
    assert swept.ledger == expected
    assert "/private/x.html" not in site.seen
    assert swept.sweep.state == "finished"


def test_a_gzip_robots_txt_past_the_limit_is_read_up_to_it_like_a_plain_one(tmp_path: Path) -> None:
    # Sent with Content-Encoding: gzip, 6 MiB once decoded: it failed too_large (DOWNLOAD_MAXSIZE) and the host
    # was robots_unavailable, where the same file sent plain is read up to the limit.
    head = b"User-agent: *\nDisallow: /private/\n"
    body = head + b"# padding\n" * (6 * 1024 * 1024 // 10)
    site = Origin(routes={"/robots.txt": in_turn((200, {"Content-Encoding": "gzip"}, gzip.compress(body)))})
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, ["/page.html", "/private/x.html"])
    assert swept.ledger == {"/page.html": ("stored", None), "/private/x.html": ("skipped", "robots")}
    (warning,) = swept.sweep.summary["warnings"]
    assert warning["code"] == "robots_truncated" and 500 * 1024 - 10 < warning["applied"] <= 500 * 1024


def test_a_gzip_robots_txt_cut_short_before_the_limit_is_still_unavailable(tmp_path: Path) -> None:
    # Its beginning is no robots.txt: the Disallow further down may be what was cut.
    whole = gzip.compress(b"User-agent: *\nAllow: /x\n" + b"# padding\n" * 2000 + b"Disallow: /page.html\n")
    site = Origin(
        routes={"/robots.txt": in_turn((200, {"Content-Encoding": "gzip"}, whole[: len(whole) // 2]))}
    )
    with running(_handler(site)) as server:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        swept = _sweep(tmp_path, base, ["/page.html"], retries=0)
    assert swept.ledger == {"/page.html": ("skipped", "robots_unavailable")}
