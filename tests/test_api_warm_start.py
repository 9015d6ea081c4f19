"""The served app judges one page while it starts, so no client's first self-check pays for loading the checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.served import create_served_app
from api.settings import Settings
from markwatch.db import upgrade


def test_the_served_app_has_its_checker_ready_before_the_first_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'warm.db'}"
    upgrade(db_url)
    monkeypatch.setenv("MARKWATCH_DB", db_url)
    monkeypatch.setenv("MARKWATCH_HOME", str(tmp_path))
    app = create_served_app()
    assert app.state.check_service is None
    with TestClient(app) as client:
        # Start-up (the lifespan) has run: the engine is built and has judged the warm-up page.
        assert app.state.check_service is not None
        assert client.get("/v1/health").status_code == 200


def test_an_app_built_without_warm_start_builds_its_checker_on_first_use(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'cold.db'}"
    upgrade(db_url)
    app = create_app(Settings(database_url=db_url))
    with TestClient(app):
        assert app.state.check_service is None
