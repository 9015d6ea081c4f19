"""Which process runs a sweep, and whether it still does: pid, start time, boot and host.

A sweep row names the process crawling it. A pid alone is not enough to say it is dead or alive (pids are
reused, and after a reboot any pid may be taken), so the process start time and the boot id go with it;
a sweep started on another machine is never judged from here.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields after the last ")" are fixed.
    return stat.rsplit(")", 1)[1].split()


def _start_ticks(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None  # field 22 overall: start time in ticks since boot


def identity(pid: int | None = None) -> dict[str, Any]:
    """This process (or `pid` on this machine), as recorded in a sweep row's summary."""
    pid = os.getpid() if pid is None else pid
    return {"pid": pid, "host": socket.gethostname(), "boot": _boot_id(), "pid_started": _start_ticks(pid)}


def is_local(summary: dict[str, Any]) -> bool:
    """Whether the process a summary names ran on this machine (its liveness can be judged here)."""
    host = summary.get("host")
    return host is None or host == socket.gethostname()


def is_alive(summary: dict[str, Any]) -> bool:
    """Whether the process a sweep row names still runs (always True for another machine's process)."""
    pid = summary.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if not is_local(summary):
        return True
    if summary.get("boot") and _boot_id() and summary["boot"] != _boot_id():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _stat_fields(pid)
    if fields is not None and fields[0] == "Z":
        return False  # exited, not yet reaped by its parent
    started = summary.get("pid_started")
    return started is None or fields is None or int(fields[19]) == started
