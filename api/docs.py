"""/docs: Swagger UI served from this package (api/docs_assets), under a Content-Security-Policy.

FastAPI's own /docs loads Swagger UI from a CDN: with docs switched on in production, every reader's browser
would run whatever that CDN serves, with the API's origin. Here the page and its assets come from this server
only, and the CSP allows nothing else (the one inline script, FastAPI's Swagger UI bootstrap, by its hash)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from markwatch.errors import NotFoundError

SWAGGER_UI_VERSION = "5.35.0"
ASSETS_DIR = Path(__file__).parent / "docs_assets"
DOCS_PATH = "/docs"
# The version in the path: a new Swagger UI is a new URL, so the old one may be cached for long.
ASSETS_PATH = f"{DOCS_PATH}/assets/{SWAGGER_UI_VERSION}"
# Only these files are served, whatever else the folder holds.
ASSET_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
ASSET_CACHE = "public, max-age=604800, immutable"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_page(openapi_url: str, title: str) -> tuple[bytes, str]:
    """The Swagger UI page and the CSP that lets exactly it run."""
    rendered = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=title,
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        # Swagger UI would otherwise send the schema's URL to its public validator and show its badge.
        swagger_ui_parameters={"validatorUrl": None},
    )
    page = bytes(rendered.body).decode()
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in _INLINE_SCRIPT.findall(page)
    )
    csp = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'"
    )
    return page.encode(), csp


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve /docs and its assets on `app`."""
    page, csp = docs_page(openapi_url, f"{app.title} API")
    page_headers = {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-cache",
    }

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> Response:
        return HTMLResponse(page, headers=page_headers)

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        media_type = ASSET_TYPES.get(name)
        if media_type is None:
            raise NotFoundError(f"no documentation asset {name!r}")
        return FileResponse(
            ASSETS_DIR / name,
            media_type=media_type,
            headers={"Cache-Control": ASSET_CACHE, "Content-Security-Policy": "default-src 'none'"},
        )
