"""/docs (QA #19): Swagger UI from this package under a CSP, never from a CDN, also when on in production."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases_support import LiveServer, make_settings
from console_support import require_chromium
from fastapi.testclient import TestClient

from api.app import create_app
from api.docs import ASSET_TYPES, ASSETS_DIR, ASSETS_PATH, SWAGGER_UI_VERSION
from markwatch import db


@pytest.fixture
def production_docs(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'd.db'}", environment="production", api_docs=True))
    with TestClient(app) as client:
        yield client
    db.reset_caches()


def test_docs_page_and_assets_come_from_this_server(production_docs: TestClient) -> None:
    page = production_docs.get("/docs")
    assert page.status_code == 200
    assert "cdn.jsdelivr.net" not in page.text and "https://" not in page.text
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sorted(linked) == sorted(f"{ASSETS_PATH}/{name}" for name in ASSET_TYPES)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' 'sha256-" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "jsdelivr" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    for path in linked:
        asset = production_docs.get(path)
        assert asset.status_code == 200, path
        assert asset.headers["content-type"] == ASSET_TYPES[path.rsplit("/", 1)[1]]
        assert asset.headers["x-content-type-options"] == "nosniff"
    for refused in ("LICENSE", "SOURCE.md", "..%2Fdocs.py", "swagger-ui.css.map"):
        assert production_docs.get(f"{ASSETS_PATH}/{refused}").status_code == 404, refused
    assert production_docs.get("/openapi.json").status_code == 200


def test_the_vendored_files_are_the_version_named(production_docs: TestClient) -> None:
    assert SWAGGER_UI_VERSION in (ASSETS_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert f'"{SWAGGER_UI_VERSION}"' in (ASSETS_DIR / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert {"LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"} <= {p.name for p in ASSETS_DIR.iterdir()}


@pytest.mark.slow
def test_swagger_ui_renders_under_its_csp_in_a_browser(tmp_path: Path) -> None:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    url = f"sqlite:///{tmp_path / 'b.db'}"
    app = create_app(make_settings(url, environment="production", api_docs=True))
    requested: list[str] = []
    complaints: list[str] = []
    with LiveServer(app) as base, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            page = chromium.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.on(
                "console",
                lambda message: complaints.append(message.text) if message.type == "error" else None,
            )
            page.goto(f"{base}/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
            assert "markwatch" in page.inner_text(".swagger-ui .info .title")
            assert page.locator(".opblock").count() > 10
        finally:
            chromium.close()
    db.reset_caches()
    assert [r for r in requested if not r.startswith(base)] == []
    assert complaints == []
