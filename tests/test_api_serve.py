"""`markwatch serve` starts uvicorn on the given host and port with the given database, API and console."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from cases_support import TEST_SECRET, import_example_registry
from servers import wait_until_serving

SERVE = [sys.executable, "-c", "from markwatch.cli import main; main()", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(tmp_path: Path, *extra: str, open_files: int | None = None) -> Iterator[str]:
    """A real `markwatch serve` in production mode on a free 127.0.0.1 port; yields its base URL.

    `open_files`: start it with this soft limit on open files, as systemd starts a service at 1,024."""
    port = _free_port()
    env = {
        **os.environ,
        "MARKWATCH_HOME": str(tmp_path),
        "MARKWATCH_ENVIRONMENT": "production",
        "MARKWATCH_SECRET_KEY": TEST_SECRET,
    }
    server = subprocess.Popen(
        [*SERVE, "--port", str(port), "--db", f"sqlite:///{tmp_path / 'serve.db'}", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=None if open_files is None else lambda: _lower_open_files(open_files),
    )
    base = f"http://127.0.0.1:{port}"
    serving.pid = server.pid  # type: ignore[attr-defined]
    try:
        wait_until_serving(server, base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _lower_open_files(soft: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def test_serve_answers_and_refuses_without_key(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        health = httpx.get(f"{base}/v1/health")
        assert health.json()["status"] == "ok"
        assert httpx.get(f"{base}/v1/cases").status_code == 401
        assert "server" not in health.headers
        assert (tmp_path / "serve.db").exists()


def test_serve_serves_the_console(tmp_path: Path) -> None:
    with serving(tmp_path) as base:
        login = httpx.get(f"{base}/console/login")
        assert login.status_code == 200
        assert 'name="csrf_token"' in login.text and "检查员控制台" in login.text
        assert "script-src 'none'" in login.headers["content-security-policy"]
        assert httpx.get(f"{base}/console/static/console.css").headers["content-type"].startswith("text/css")
        assert httpx.get(f"{base}/console/cases").status_code == 303


def test_serve_refuses_a_placeholder_secret_in_production(tmp_path: Path) -> None:
    env = {**os.environ, "MARKWATCH_HOME": str(tmp_path), "MARKWATCH_ENVIRONMENT": "production"}
    env.pop("MARKWATCH_SECRET_KEY", None)
    done = subprocess.run(
        [*SERVE, "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "MARKWATCH_SECRET_KEY" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("MARKWATCH_API_DOCS", "maybe", "true or false"),
        ("MARKWATCH_RATE_LIMIT_PER_MINUTE", "lots", "whole number"),
        ("MARKWATCH_ENVIRONMENT", "staging", "'development', 'test' or 'production'"),
        ("MARKWATCH_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("MARKWATCH_CONSOLE_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("MARKWATCH_EXTRACT_MAX_DEPTH", "deep", "whole number"),
        ("MARKWATCH_GATE", "fast", "auto"),
    ],
)
def test_serve_names_a_bad_setting_in_one_line(
    tmp_path: Path, variable: str, value: str, accepted: str
) -> None:
    """QA #19: it was pydantic's multi-line report, naming the field (api_docs) rather than the variable."""
    env = {**os.environ, "MARKWATCH_HOME": str(tmp_path), variable: value}
    done = subprocess.run(
        [*SERVE, "--port", "1", "--db", f"sqlite:///{tmp_path / 'serve.db'}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("error: ") and variable in line and accepted in line, line
    assert "pydantic" not in line and "api_docs" not in line


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_serve_with_several_workers(tmp_path: Path) -> None:
    from markwatch import db
    from markwatch.cases.keys import create_key
    from markwatch.cases.models import Role

    url = f"sqlite:///{tmp_path / 'serve.db'}"
    db.upgrade(url)
    import_example_registry(url)
    with db.session_scope(url) as session:
        key = create_key(session, role=Role.ENTERPRISE, name="workers").secret
    db.reset_caches()
    with serving(tmp_path, "--workers", "2", "--no-access-log") as base:
        # uvicorn's supervisor, then its two worker processes (and its own helper for spawning).
        workers = [
            c
            for c in _children(serving.pid)
            if "multiprocessing.resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()
        ]  # type: ignore[attr-defined]
        assert len(workers) >= 2, workers
        answers = [
            httpx.post(
                f"{base}/v1/selfcheck",
                json={"text": f"产品{n} 执行标准：GB/T {10000 + n}-2020（上海标准）"},
                headers={"X-API-Key": key},
                timeout=60,
            )
            for n in range(12)
        ]
        assert [a.status_code for a in answers] == [201] * 12
        assert len({a.json()["id"] for a in answers}) == 12
        listed = httpx.get(f"{base}/v1/selfcheck?limit=50", headers={"X-API-Key": key}).json()
        assert listed["total"] == 12


def _read_until_closed(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing the connection, or None if it was still open after `seconds`."""
    sock.settimeout(seconds)
    received = b""
    try:
        while chunk := sock.recv(4096):
            received += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return received


def _connect(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_connections_that_never_finish_their_headers_are_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """uvicorn timed connections out only after an answer: one client holding 1,100 connections that sent
    nothing (or headers a byte now and then) made /v1/health fail for everyone, for as long as it held them."""
    monkeypatch.setenv("MARKWATCH_HEADER_TIMEOUT_SECONDS", "1")
    with serving(tmp_path, "--workers", workers, "--no-access-log") as base:
        idle = _connect(base)
        trickling = _connect(base)
        trickling.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
        after_an_answer = _connect(base)
        after_an_answer.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in after_an_answer.recv(4096)
        started = time.monotonic()
        for _ in range(6):  # a header line every 0.3 s: more bytes never extend the deadline
            time.sleep(0.3)
            for sock in (trickling, after_an_answer):
                with suppress(OSError):
                    sock.sendall(b"X-A: b\r\n")
        assert _read_until_closed(idle, 5) == b""
        assert b"408 Request Timeout" in (_read_until_closed(trickling, 5) or b"")
        assert _read_until_closed(after_an_answer, 5) is not None
        assert time.monotonic() - started < 8
        # Headers in time, then a body slower than the header deadline: the body has its own (60 s).
        slow_body = _connect(base)
        slow_body.sendall(
            b"POST /v1/selfcheck HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nConnection: close\r\n\r\n{"
        )
        time.sleep(1.8)
        slow_body.sendall(b"}")
        answer = _read_until_closed(slow_body, 10) or b""
        assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
        assert httpx.get(f"{base}/v1/health").status_code == 200


def test_serve_lifts_the_open_files_limit(tmp_path: Path) -> None:
    """Each connection holds a descriptor: at systemd's 1,024 a thousand idle sockets stopped the server."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    with serving(tmp_path, open_files=256):
        limits = Path(f"/proc/{serving.pid}/limits").read_text()  # type: ignore[attr-defined]
    [line] = [row for row in limits.splitlines() if row.startswith("Max open files")]
    soft = int(line.split()[3])
    assert soft == (65536 if hard == resource.RLIM_INFINITY else min(65536, hard)), line
