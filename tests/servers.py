"""Dedicated PostgreSQL and Redis servers on 127.0.0.1 that a test (or the benchmark) may stop and start.

The fault tests kill and restart the very services a sweep depends on, so they get their own servers and
never touch the ones the rest of the suite shares. As root (CI), PostgreSQL runs as the postgres user,
as scripts/test-services.sh does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, text


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(server: subprocess.Popen[bytes], base: str, timeout: float = 60) -> None:
    """Wait until a started `markwatch serve` answers /v1/health; fail with its stderr if it exits first."""
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base}/v1/health", timeout=1)
            return
        except httpx.HTTPError:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)


def available() -> str | None:
    """Why dedicated servers cannot run here, or None when they can."""
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    if _pg_bin() is None:
        return "PostgreSQL server binaries are not installed"
    return None


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found else None


class RedisServer:
    """redis-server in the foreground of a child process; no persistence unless asked."""

    def __init__(self, directory: Path, *, appendonly: bool = False) -> None:
        self.directory = directory
        self.port = free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """redis://127.0.0.1:PORT/0"""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until it answers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes" if self.appendonly else "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        """Kill it (what a crash or a restart without persistence does to the data)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb) that can be stopped and started.

    Its directory is its own under the system temp dir: as root the server runs as postgres, which cannot
    enter the 0700 directories pytest makes."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="markwatch-pg-"))
        self.directory.chmod(0o755)
        self.port = free_port()
        self.bin = _pg_bin()
        self.as_root = os.geteuid() == 0

    def _run(self, command: str) -> None:
        if self.as_root:
            subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        else:
            subprocess.run(
                ["sh", "-c", command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )

    @property
    def admin_url(self) -> str:
        """The superuser's URL (database postgres)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        """initdb a fresh cluster."""
        data = self.directory / "data"
        if self.as_root:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(f"{self.bin}/initdb -D {data} -U postgres -A trust -E UTF8 --locale=C.UTF-8")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        data, log = self.directory / "data", self.directory / "pg.log"
        self._run(
            f"{self.bin}/pg_ctl -D {data} -l {log} -w -o '-h 127.0.0.1 -p {self.port} -k {self.directory}' start"
        )

    def stop(self) -> None:
        """Stop at once (connections are cut, like a crash)."""
        self._run(f"{self.bin}/pg_ctl -D {self.directory / 'data'} -m immediate -w stop")

    def remove(self) -> None:
        """Stop if running and delete the cluster."""
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", f"{self.bin}/pg_ctl -D {self.directory / 'data'} -m immediate stop"]
            if self.as_root
            else [f"{self.bin}/pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        shutil.rmtree(self.directory, ignore_errors=True)

    def create_database(self) -> str:
        """A new empty database; its URL."""
        name = f"mw_fault_{uuid.uuid4().hex[:10]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"
