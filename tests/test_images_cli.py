"""`markwatch check` and `markwatch extract` read image files and the images beside a saved page."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from images_support import png_header_only

from checker.images.corpus import render, samples
from checker.registry import import_registry_file
from crawler.images.settings import ImageSettings
from crawler.targets import load_targets
from markwatch import db
from markwatch.cli.imagefiles import page_images
from markwatch.errors import InputError, TargetsFileError

REPO = Path(__file__).resolve().parent.parent
MARKWATCH = str(Path(sys.executable).with_name("markwatch"))


def _image(template: str, placement: str = "label") -> bytes:
    sample, spec = next((s, t) for s, t in samples() if s.template == template and s.placement == placement)
    return render(sample, spec)


@pytest.mark.slow
def test_check_reads_an_image_file_and_a_saved_pages_images(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mw.db'}"
    with db.session_scope(db_url) as session:
        import_registry_file(session, REPO / "examples" / "registry.yaml")
    pages = tmp_path / "pages"
    (pages / "item_files").mkdir(parents=True)
    (pages / "item_files" / "label.jpg").write_bytes(_image("words-without-code"))
    (pages / "item.html").write_text(
        "<html><head><meta charset='utf-8'><title>演示水杯</title></head><body><h1>演示水杯</h1>"
        "<img src='item_files/label.jpg'><img src='../outside.jpg'><img src='/etc/passwd'></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "outside.jpg").write_bytes(_image("national-standard"))  # outside the page's folder: not read
    (pages / "national.png").write_bytes(_image("national-standard"))
    (pages / "bomb.png").write_bytes(png_header_only(40_000, 40_000))
    result = subprocess.run(
        [MARKWATCH, "check", str(pages), "--db", db_url, "--as-of", "2026-11-30", "--format", "json"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    by_target = {Path(t["target"]).name: json.dumps(t, ensure_ascii=False) for t in report["results"]}
    assert set(by_target) == {"item.html", "national.png", "bomb.png", "label.jpg"}
    assert "SHS008" in by_target["item.html"] and "image-text" in by_target["item.html"]
    assert "SHS002" in by_target["national.png"] and "GB/T 24149-2009" in by_target["national.png"]
    assert "SHS002" not in by_target["item.html"]  # ../outside.jpg was not read
    assert "bomb.png" in result.stderr and "not decoded" in result.stderr
    # Images that could not be had are said, each with its reason (they were dropped without a word).
    assert "image ../outside.jpg not read: outside the saved page's folder" in result.stderr
    assert "image /etc/passwd not read" in result.stderr


def test_a_page_s_images_never_reach_private_addresses_from_the_operator_s_machine() -> None:
    from markwatch.cli.imagefiles import ImageUnread, _remote_image

    settings = ImageSettings()
    for address in (
        "http://169.254.169.254/latest/meta-data/x.png",
        "http://10.0.0.1/x.png",
        "http://[::1]/x.png",
    ):
        with pytest.raises(ImageUnread, match="refused"):
            _remote_image(address, settings, page_host="shop.example")


@pytest.mark.slow
def test_extract_prints_image_claims_with_box_and_confidence(tmp_path: Path) -> None:
    image = tmp_path / "label.jpg"
    image.write_bytes(_image("annotation-group"))
    result = subprocess.run([MARKWATCH, "extract", str(image)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[image-text] 上海标准" in result.stdout and "standard: T/DEMO 001-2022" in result.stdout
    assert "OCR confidence" in result.stdout and "claimant: 演示科技有限公司" in result.stdout
    skipped = subprocess.run(
        [MARKWATCH, "extract", "--no-images", str(image)], capture_output=True, text=True, timeout=120
    )
    # Not "0 claims" as if it had been read (QA #20): one line saying why it was not.
    assert skipped.returncode == 2 and "images are not read with --no-images" in skipped.stderr


def test_image_settings_and_targets_name_the_bad_field(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="MARKWATCH_IMAGE_WORKERS"):
        ImageSettings.from_env({"MARKWATCH_IMAGE_WORKERS": "many"})
    with pytest.raises(InputError, match="MARKWATCH_IMAGE_TILE_OVERLAP"):
        ImageSettings.from_env({"MARKWATCH_IMAGE_TILE_OVERLAP": "900"})
    assert ImageSettings.from_env({"MARKWATCH_IMAGE_LOW_CONFIDENCE": "0.7"}).low_confidence == 0.7
    targets = tmp_path / "t.yaml"
    targets.write_text(
        "targets:\n  - name: t\n    seeds: [{url: 'https://shop.example/'}]\n    allowed_domains: [shop.example]\n"
        "    image_domains: ['https://img.example/x']\n"
    )
    with pytest.raises(TargetsFileError, match="image_domains"):
        load_targets(targets)


def test_the_progress_line_says_how_many_images_wait_to_be_requested() -> None:
    from markwatch.cli.images import image_progress

    assert image_progress({}) == ""
    line = image_progress({"found": 720, "waiting": 600, "fetched": 120, "read": 3, "skipped_by_gate": 90})
    assert line.startswith("; images 720 found (600 not yet requested), 120 fetched, 3 read, 90 gated")
    assert "not yet requested" not in image_progress({"found": 6, "waiting": 0, "fetched": 6})


def test_an_incomplete_sweep_says_which_image_work_is_left() -> None:
    from types import SimpleNamespace

    from markwatch.cli.images import pending_line

    def line(**summary: object) -> str:
        return pending_line(SimpleNamespace(id=7, summary=summary))

    assert line() == ""
    pages = [f"https://shop.example/{n}.html" for n in range(7)]
    both = line(images_pending=9, images_pending_scan=4, images_pending_pages=pages)
    assert both.startswith(
        "sweep 7: 5 image(s) not yet read or judged, 4 page(s) not yet looked at for images (pages: "
    )
    assert both.endswith("/4.html, ...)")
    assert line(images_pending=3, images_pending_scan=3, images_pending_pages=pages[:1]) == (
        "sweep 7: 3 page(s) not yet looked at for images (pages: https://shop.example/0.html)"
    )
    # A summary written before pages were scanned apart counts images only.
    assert line(images_pending=2, images_pending_pages=pages[:1]).startswith("sweep 7: 2 image(s) not yet")


def test_a_saved_page_s_data_uri_image_is_read_from_the_page(tmp_path: Path) -> None:
    # Its key (data:<type>;sha256=…) is no address: asked for as a remote or local file, it was "not read".
    label = _image("words-without-code")
    page = (
        "<html><body><img src='data:image/jpeg;base64,"
        + base64.b64encode(label).decode()
        + "'></body></html>"
    ).encode()
    for url in (None, "https://shop.example/item.html"):
        pairs, unread = page_images(str(tmp_path / "item.html"), page, url, "utf-8", ImageSettings.from_env())
        assert unread == [] and [data for _, data in pairs] == [label], url
