"""Image self-checks (upload or URL) and evidence images served safely, over the real API and OCR workers."""

from __future__ import annotations

import functools
import gzip
import http.server
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases_support import REGISTRY, make_keys, make_settings
from fastapi.testclient import TestClient
from images_support import png_header_only, unloadable_reader

from api.app import create_app
from api.images import ImageService
from checker.images.corpus import render, samples
from checker.registry import import_registry_file
from crawler.images.loading import sha256_of
from crawler.images.settings import ImageSettings
from crawler.store.models import SnapshotBody
from markwatch import db


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImageService]:
    """One reading service (one OCR worker) for the module; each test's app gets it."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cache') / 'cache.db'}"
    db.upgrade(url)
    service = ImageService(ImageSettings(workers=1), url)
    yield service
    service.close()


@pytest.fixture
def label() -> bytes:
    sample, template = next(
        (s, t) for s, t in samples() if s.template == "national-standard" and s.placement == "label"
    )
    return render(sample, template)


@pytest.fixture
def api(
    sqlite_url: str, images: ImageService, tmp_path: Path
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    with db.session_scope(sqlite_url) as session:
        import_registry_file(session, REGISTRY)
    app = create_app(
        make_settings(sqlite_url, fetch_allow_networks=("127.0.0.1/32",), max_body_bytes=4 * 2**20)
    )
    app.state.image_service = images
    keys = make_keys(sqlite_url)
    with TestClient(app) as client:
        yield client, {role: {"X-API-Key": key} for role, key in keys.items()}


def test_an_uploaded_label_photo_is_read_and_judged(
    api: tuple[TestClient, dict[str, dict[str, str]]], label: bytes
) -> None:
    client, h = api
    made = client.post(
        "/v1/selfcheck/image",
        files={"file": ("label.jpg", label, "application/octet-stream")},
        data={"enterprise_name": "演示电器有限公司"},
        headers=h["enterprise"],
    )
    assert made.status_code == 201, made.text
    result = made.json()
    [claim] = result["claims"]
    assert claim["kind"] == "image-text" and claim["standard_code"] == "GB/T 24149-2009"
    assert claim["image"]["sha256"] == result["input_sha256"] and len(claim["image"]["bbox"]) == 4
    assert claim["image"]["ocr_confidence"] > 0.5
    assert {f["rule_id"] for f in result["findings"]} >= {"SHS002"}  # a national standard is never eligible
    assert result["input_kind"] == "image" and result["verdict"] == "problems"
    assert (
        client.get(f"/v1/selfcheck/{result['id']}", headers=h["enterprise"]).json()["claims"]
        == result["claims"]
    )


@pytest.mark.parametrize("gzipped", [False, True], ids=["svg", "svgz"])
def test_an_uploaded_svg_label_is_read_from_its_text(
    api: tuple[TestClient, dict[str, dict[str, str]]], gzipped: bool
) -> None:
    # SVG uploads were refused ("SVG is not read"): an enterprise's label drawn as SVG could not be self-checked.
    # A gzipped one (.svgz) was refused as "not a PNG, JPEG, WebP, GIF, BMP or SVG image" until it was inflated.
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='480' height='120'><script>alert(1)</script>"
        "<text x='10' y='40' font-size='24'>产品名称：演示智能水杯</text>"
        "<text x='10' y='90' font-size='24'>执行标准：GB/T 24149-2009（上海标准）</text></svg>"
    ).encode()
    if gzipped:
        svg = gzip.compress(svg)
    client, h = api
    made = client.post(
        "/v1/selfcheck/image", files={"file": ("label.svg", svg, "image/svg+xml")}, headers=h["enterprise"]
    )
    assert made.status_code == 201, made.text
    result = made.json()
    [claim] = result["claims"]
    assert claim["standard_code"] == "GB/T 24149-2009" and claim["image"]["ocr_confidence"] == 1.0
    assert "上海标准" in claim["image"]["ocr_text"]
    assert {f["rule_id"] for f in result["findings"]} >= {"SHS002"}


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script><text></svg>", "svg-malformed"),
        (b"%PDF-1.4 not an image", "not a PNG"),
        (png_header_only(40_000, 40_000), "too-many-pixels"),
        (b"<!doctype html><p>a page, not an image</p>", "not a PNG, JPEG, WebP, GIF, BMP or SVG image"),
        # Pillow names its in-memory file (<_io.BytesIO object at 0x7f…>) in its message: not shown.
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "the png header is damaged"),
    ],
)
def test_what_cannot_be_read_is_a_422_with_the_reason(
    api: tuple[TestClient, dict[str, dict[str, str]]], payload: bytes, reason: str
) -> None:
    client, h = api
    answer = client.post(
        "/v1/selfcheck/image", files={"file": ("x.png", payload, "image/png")}, headers=h["enterprise"]
    )
    assert answer.status_code == 422 and reason in answer.text
    assert "BytesIO" not in answer.text


def test_a_server_whose_image_readers_cannot_start_answers_503_and_keeps_nothing(
    sqlite_url: str, label: bytes
) -> None:
    # Workers that exit before loading their models were restarted for ever, and the request waited for ever.
    db.upgrade(sqlite_url)
    app = create_app(make_settings(sqlite_url))
    app.state.image_service = broken = ImageService(ImageSettings(workers=1), sqlite_url, unloadable_reader)
    keys = make_keys(sqlite_url)
    with TestClient(app) as client:
        answer = client.post(
            "/v1/selfcheck/image",
            files={"file": ("l.png", label, "image/png")},
            headers={"X-API-Key": keys["enterprise"]},
        )
    broken.close()
    assert answer.status_code == 503 and "before loading their models" in answer.json()["detail"]
    assert broken.cache.get(sha256_of(label), broken.version) is None  # a later try reads it


def test_give_one_image_and_only_enterprises_self_check(
    api: tuple[TestClient, dict[str, dict[str, str]]], label: bytes
) -> None:
    client, h = api
    assert client.post("/v1/selfcheck/image", headers=h["enterprise"]).status_code == 422
    both = client.post(
        "/v1/selfcheck/image", files={"file": ("a.jpg", label)}, data={"image_url": "http://127.0.0.1/x.jpg"},
        headers=h["enterprise"],
    )  # fmt: skip
    assert both.status_code == 422
    assert (
        client.post(
            "/v1/selfcheck/image", files={"file": ("a.jpg", label)}, headers=h["inspector"]
        ).status_code
        == 403
    )


def test_an_image_url_goes_through_the_ssrf_guard(
    api: tuple[TestClient, dict[str, dict[str, str]]], label: bytes, tmp_path: Path, sqlite_url: str
) -> None:
    client, h = api
    (tmp_path / "label.jpg").write_bytes(label)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/label.jpg"
        made = client.post("/v1/selfcheck/image", data={"image_url": url}, headers=h["enterprise"])
        assert made.status_code == 201, made.text
        assert made.json()["input_kind"] == "image-url" and made.json()["claims"][0]["image"]["url"] == url
    finally:
        server.shutdown()
        server.server_close()
    # Without the test allowlist, loopback and metadata addresses are refused before any connection.
    strict = create_app(make_settings(sqlite_url))
    strict.state.image_service = client.app.state.image_service  # type: ignore[attr-defined]
    with TestClient(strict) as other:
        for address in ("http://127.0.0.1:9/x.jpg", "http://169.254.169.254/latest/meta-data"):
            refused = other.post("/v1/selfcheck/image", data={"image_url": address}, headers=h["enterprise"])
            assert refused.status_code == 422 and "refused" in refused.text


def test_evidence_images_are_served_with_their_sniffed_type_and_safe_headers(
    api: tuple[TestClient, dict[str, dict[str, str]]], label: bytes, sqlite_url: str
) -> None:
    client, h = api
    from crawler.images.loading import CONTENT_TYPES, sha256_of, sniff

    digest = sha256_of(label)
    disguised = b"<html><script>alert(1)</script></html>"
    # Sweeps store images like pages: snapshot bodies by sha256, the one store the console reads too.
    with db.session_scope(sqlite_url) as session:
        session.add(SnapshotBody(sha256=digest, body=zlib.compress(label, 0), size=len(label)))
        session.add(SnapshotBody(sha256="f" * 64, body=zlib.compress(disguised), size=len(disguised)))
    with db.session_scope(sqlite_url) as session:
        from api.console.images import load_image

        console = load_image(session, digest)
        assert console is not None and console[0] == label  # what the console draws its box on
        assert load_image(session, "f" * 64) is None  # markup is never an image, whatever its name
    answer = client.get(f"/v1/images/{digest}", headers=h["inspector"])
    assert answer.status_code == 200 and answer.content == label
    assert answer.headers["content-type"] == CONTENT_TYPES[sniff(label) or ""]  # sniffed, not the stored word
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]
    assert client.get("/v1/images/" + "f" * 64, headers=h["inspector"]).status_code == 404
    assert client.get("/v1/images/" + "0" * 64, headers=h["inspector"]).status_code == 404
    assert client.get(f"/v1/images/{digest}", headers=h["enterprise"]).status_code == 403


def test_a_stored_svg_is_served_as_markwatchs_rendering_and_its_original_only_as_a_download(
    api: tuple[TestClient, dict[str, dict[str, str]]], sqlite_url: str, label: bytes
) -> None:
    # Before: /v1/images/<sha of an SVG> answered 404 (SVG is active content): an inspector had nothing to see.
    client, h = api
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='240' height='60'><script>alert(1)</script>"
        "<text x='10' y='40' font-size='24'>上海标准</text></svg>"
    ).encode()
    digest = sha256_of(svg)
    with db.session_scope(sqlite_url) as session:
        session.add(SnapshotBody(sha256=digest, body=zlib.compress(svg), size=len(svg)))
        session.add(SnapshotBody(sha256=sha256_of(label), body=zlib.compress(label), size=len(label)))
    answer = client.get(f"/v1/images/{digest}", headers=h["inspector"])
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert answer.content.startswith(b"\x89PNG\r\n\x1a\n") and b"alert" not in answer.content
    assert answer.headers["x-markwatch-rendering-of"] == f"image/svg+xml sha256={digest}"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in answer.headers["content-security-policy"]
    original = client.get(f"/v1/images/{digest}/original", headers=h["inspector"])
    assert original.status_code == 200 and original.content == svg
    assert original.headers["content-type"] == "application/octet-stream"
    assert original.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in original.headers["content-security-policy"]
    # Staff only; a raster has no "original" beside itself; an unknown hash is a 404.
    assert client.get(f"/v1/images/{digest}/original", headers=h["enterprise"]).status_code == 403
    assert client.get(f"/v1/images/{sha256_of(label)}/original", headers=h["inspector"]).status_code == 404
    assert client.get("/v1/images/" + "0" * 64 + "/original", headers=h["inspector"]).status_code == 404
