"""POST /v1/sweeps on a server started as the README and the systemd unit in docs/deployment.md say
(`markwatch serve` by its full path), with no virtualenv on PATH, as under systemd: the sweep runs with the
server's own interpreter and finishes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cases_support import TEST_SECRET, import_example_registry
from localsite import serve
from servers import free_port, wait_until_serving
from sqlalchemy import select

from crawler.store.models import Sweep
from markwatch import db

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEPLOYMENT = REPO / "docs" / "deployment.md"


def _unit(name: str) -> str:
    found = re.search(
        rf"`/etc/systemd/system/{re.escape(name)}`[^`]*```ini\n(.*?)```", DEPLOYMENT.read_text(), re.S
    )
    assert found, f"{name} is not in docs/deployment.md"
    return found.group(1)


def _documented_env() -> dict[str, str]:
    block = re.search(r"`/etc/markwatch/env`[^`]*```\n(.*?)```", DEPLOYMENT.read_text(), re.S)
    assert block
    return dict(line.split("=", 1) for line in block.group(1).splitlines() if "=" in line)


def test_the_documented_units_can_write_where_sweeps_write() -> None:
    home = _documented_env()["MARKWATCH_HOME"]
    for name in ("markwatch-api.service", "markwatch-scheduler.service", "markwatch-worker@.service"):
        unit = _unit(name)
        assert "ExecStart=/opt/markwatch/bin/markwatch " in unit
        # ProtectSystem=strict makes everything read-only but the ReadWritePaths: job directories, sweep
        # logs and spooled pages live under MARKWATCH_HOME.
        assert "ProtectSystem=strict" in unit and f"ReadWritePaths={home}" in unit, name


def test_post_sweeps_works_when_served_as_documented(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    import_example_registry(db_url)
    # PATH as a systemd unit has it: system directories only, no `markwatch` to be found.
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(tmp_path),
        "MARKWATCH_HOME": str(tmp_path / "home"),
        "MARKWATCH_DB": db_url,
        "MARKWATCH_ENVIRONMENT": "production",
        "MARKWATCH_SECRET_KEY": TEST_SECRET,
        "MARKWATCH_CHECKER": "code_checker:factory",
        "PYTHONPATH": str(REPO / "tests" / "data" / "crawler"),
    }
    key = subprocess.run(
        [str(BIN / "markwatch"), "keys", "create", "--role", "inspector", "--name", "alice"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.split()[-1]  # fmt: skip
    with serve(listing_pages=2, items_per_page=3) as site:
        targets = tmp_path / "targets.yaml"
        targets.write_text(
            f"""targets:
  - name: local
    seeds: [{{url: "{site.base}/list?page=1", kind: listing}}]
    allowed_domains: [127.0.0.1]
    adapter: demo-marketplace
    delay: 0
    concurrency: 4
""",
            encoding="utf-8",
        )
        port = free_port()
        # The unit's command, with this virtualenv for /opt/markwatch and a free port.
        command = re.search(r"^ExecStart=(.*)$", _unit("markwatch-api.service"), re.M).group(1).split()  # type: ignore[union-attr]
        assert command[0] == "/opt/markwatch/bin/markwatch"
        command = [str(BIN / "markwatch"), *command[1:]]
        command[command.index("--port") + 1] = str(port)
        server = subprocess.Popen(
            command,
            env={**env, "MARKWATCH_SWEEP_TARGETS_FILE": str(targets)},
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=tmp_path,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_serving(server, base)
            started = httpx.post(f"{base}/v1/sweeps", json={"target": "local"}, headers={"X-API-Key": key})
            assert started.status_code == 202, started.text
            deadline = time.monotonic() + 120
            state = None
            while state != "finished" and time.monotonic() < deadline:
                time.sleep(0.5)
                with db.session_scope(db_url) as session:
                    state = session.scalar(select(Sweep.state).where(Sweep.target == "local"))
                assert state in (None, "running", "finished"), state
            listed = httpx.get(f"{base}/v1/sweeps", headers={"X-API-Key": key}).json()
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert state == "finished"
    [sweep] = listed["items"]
    assert sweep["pages_checked"] == 8 and sweep["findings"] == 6
    logs = list((tmp_path / "home" / "sweep-logs").glob("sweep-local-*.log"))
    assert logs and "sweep 1 local: finished" in logs[0].read_text()
    assert os.path.exists(tmp_path / "mw.db")
