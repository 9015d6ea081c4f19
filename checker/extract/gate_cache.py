"""Compiled gate databases kept on disk between processes.

Compiling the gate's Hyperscan database costs 1-2 s of CPU (9 s on a loaded machine), once per process: every
`markwatch check`, every sweep process and every cluster worker paid it before reading its first page, for a
result that only changes with the gate's patterns. Loading a serialised database takes ~15 ms.

A file is named by the sha256 of everything the compiled database depends on (the Hyperscan version, the
machine, the mode, every expression, id and flag), so a changed pattern table never loads a stale database.
The bytes are loaded into native code, so the cache is used only from a directory this user owns and nobody
else can write; a file that does not load (cut, corrupt, from another build) is compiled again and replaced.
The cache is an optimisation: a directory that cannot be created or written costs the compile, never a page.

`MARKWATCH_GATE_CACHE`: the directory (default `$XDG_CACHE_HOME/markwatch`, else `~/.cache/markwatch`), or
`off` to compile in every process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import hyperscan

log = logging.getLogger(__name__)
CACHE_ENV = "MARKWATCH_GATE_CACHE"
_OFF = {"off", "0", "no", "false", "none"}
# Databases kept (two per family set and pattern table in use, the main one and the window literals; four are
# in use at a time).
KEEP_FILES = 8


def cache_dir(environ: os._Environ[str] | dict[str, str] | None = None) -> Path | None:
    """Where compiled databases are kept, or None when the cache is off."""
    environ = os.environ if environ is None else environ
    chosen = (environ.get(CACHE_ENV) or "").strip()
    if chosen.lower() in _OFF:
        return None
    if chosen:
        return Path(chosen)
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "markwatch"


def database_key(
    hyperscan_version: str, mode: int, expressions: Sequence[bytes], ids: Sequence[int], flags: Sequence[int]
) -> str:
    """The sha256 naming a compiled database: it changes whenever anything the compile reads changes."""
    digest = hashlib.sha256()
    for part in (hyperscan_version, platform.machine(), platform.python_implementation(), str(mode)):
        digest.update(part.encode() + b"\0")
    for expression, rule_id, flag in zip(expressions, ids, flags, strict=True):
        digest.update(b"%d:%d:%d:" % (rule_id, flag, len(expression)) + expression)
    return digest.hexdigest()


def _private(directory: Path) -> bool:
    """True when this user owns the directory and nobody else may write to it."""
    try:
        info = directory.stat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _ensure_private(directory: Path) -> bool:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.debug("gate cache %s not created: %s", directory, exc)
        return False
    if not _private(directory):
        log.warning(
            "gate cache %s is not private to this user: not used (compiled in each process)", directory
        )
        return False
    return True


def load_or_compile(
    hs: object,
    mode: int,
    expressions: Sequence[bytes],
    ids: Sequence[int],
    flags: Sequence[int],
    compile_database: Callable[[], hyperscan.Database],
    directory: Path | None,
) -> hyperscan.Database:
    """The compiled database from the cache when a good copy is there, else compiled (and kept when possible)."""
    if directory is None or not _ensure_private(directory):
        return compile_database()
    version = str(getattr(hs, "__version__", "unknown"))
    path = directory / f"gate-{database_key(version, mode, expressions, ids, flags)}.hsdb"
    try:
        serialized = path.read_bytes()
    except OSError:
        serialized = None
    if serialized is not None:
        try:
            return hs.loadb(serialized, mode)  # type: ignore[attr-defined]
        except Exception as exc:  # hyperscan.error: checksum, version or platform mismatch, cut file
            log.warning("gate cache %s did not load (%s): compiling again", path, exc)
    database = compile_database()
    _keep(hs, database, path)
    return database


def _keep(hs: object, database: hyperscan.Database, path: Path) -> None:
    handle_name: str | None = None
    try:
        data = hs.dumpb(database)  # type: ignore[attr-defined]
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".gate-", delete=False) as handle:
            handle_name = handle.name
            handle.write(data)
        os.replace(handle_name, path)  # whole or not at all: a reader never sees half a file
        handle_name = None
    except OSError as exc:
        log.debug("gate cache %s not written: %s", path, exc)
    finally:
        if handle_name is not None:
            Path(handle_name).unlink(missing_ok=True)
    _prune(path.parent)


def _prune(directory: Path) -> None:
    # Each change of the pattern tables names a new file; older ones are never read again.
    try:
        kept = sorted(directory.glob("gate-*.hsdb"), key=lambda item: item.stat().st_mtime, reverse=True)
        for stale in kept[KEEP_FILES:]:
            stale.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("gate cache %s not pruned: %s", directory, exc)
