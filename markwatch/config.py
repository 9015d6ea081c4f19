"""Where markwatch keeps its data, read from the environment with explicit overrides."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = Path(".markwatch")
USER_AGENT = "markwatch/0.1 (+https://github.com/markwatch/markwatch; market-supervision compliance crawler)"


def home_dir() -> Path:
    """Directory for the embedded database, snapshots and sweep job directories."""
    return Path(os.environ.get("MARKWATCH_HOME", str(DEFAULT_HOME)))


def database_url(explicit: str | None = None) -> str:
    """`--db` beats MARKWATCH_DB beats the SQLite file under MARKWATCH_HOME."""
    if explicit:
        return explicit
    env = os.environ.get("MARKWATCH_DB")
    if env:
        return env
    return f"sqlite:///{home_dir() / 'markwatch.db'}"
