"""`markwatch serve` starts uvicorn on the given host and port with the given database, API and console."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from cases_support import TEST_SECRET

SERVE = [sys.executable, "-c", "from markwatch.cli import main; main()", "serve"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(tmp_path: Path, *extra: str) -> Iterator[str]:
    """A real `markwatch serve` in production mode on a free 127.0.0.1 port; yields its base URL."""
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
    )
    base = f"http://127.0.0.1:{port}"
    serving.pid = server.pid  # type: ignore[attr-defined]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


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
