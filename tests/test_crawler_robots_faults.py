"""robots.txt as servers really answer it (fault probe s33): too large, retried after a 5xx, with a byte order
mark, redirected elsewhere. Each robots.txt must end in a host crawled by its rules, or a host left alone with
the reason recorded; never a host crawled by rules that were not read.

Real sweeps in a subprocess against a server on 127.0.0.1 that answers robots.txt from a list (one answer per
request, the last repeated)."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
PAGE = b"<html><head><meta charset='utf-8'></head><body><p>page</p></body></html>"

# (status, headers, body) of one answer.
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class RobotsSite:
    """robots.txt answered from `robots` in turn (the last one repeated); every other path a page."""

    robots: list[Answer]
    seen: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_robots(self) -> Answer:
        with self.lock:
            asked = sum(1 for path in self.seen if path == "/robots.txt")
        return self.robots[min(asked - 1, len(self.robots) - 1)]


def _handler(site: RobotsSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            with site.lock:
                site.seen.append(self.path)
            if self.path == "/robots.txt":
                status, headers, body = site.next_robots()
            else:
                status, headers, body = 200, {"Content-Type": "text/html; charset=utf-8"}, PAGE
            self.send_response(status)
            headers = {"Content-Type": "text/plain", **headers}
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def _serving(site: RobotsSite) -> Iterator[str]:
    with running(_handler(site)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@dataclass
class Swept:
    """A finished sweep: its row, its ledger (path -> (state, reason)) and the process."""

    sweep: Sweep
    ledger: dict[str, tuple[str, str | None]]
    done: subprocess.CompletedProcess[str]


def _sweep(tmp_path: Path, base: str, paths: list[str], *, retries: int = 1, **extra: str) -> Swept:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    seeds = "".join(f'      - {{url: "{base}{path}", kind: product}}\n' for path in paths)
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"targets:\n  - name: r\n    seeds:\n{seeds}    allowed_domains: [127.0.0.1]\n    adapter: generic\n"
        f"    max_depth: 0\n    max_pages: 20\n    delay: 0\n    timeout: 5\n    retries: {retries}\n",
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
    return Swept(sweep, ledger, done)


def test_a_robots_txt_past_the_limit_is_read_up_to_it_and_the_sweep_says_so(tmp_path: Path) -> None:
    # A 5 MiB robots.txt passed DOWNLOAD_MAXSIZE, and the host was robots_unavailable: never crawled. RFC 9309
    # 2.5: a crawler MUST parse at least the first 500 KiB and may ignore the rest. The rules in the first
    # part hold (the Disallow), those after the limit are not read, and the sweep says what it cut.
    head = b"User-agent: *\nDisallow: /private/\nAllow: /private-but-open.html\n"
    padding = b"# " + b"x" * 97 + b"\n"
    body = head + padding * (5 * 1024 * 1024 // len(padding)) + b"Disallow: /late.html\n"
    site = RobotsSite([(200, {}, body)])
    with _serving(site) as base:
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
    site = RobotsSite([(200, {}, b"#" * (600 * 1024) + b"\nUser-agent: *\nDisallow: /\n")])
    with _serving(site) as base:
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
    site = RobotsSite(answers)
    with _serving(site) as base:
        swept = _sweep(tmp_path, base, list(expected))
    assert swept.ledger == expected
    assert "/private/x.html" not in site.seen
    assert swept.sweep.state == "finished"
