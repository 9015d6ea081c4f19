"""The reader version keys cached readings: a change to how images are prepared must read them again."""

from __future__ import annotations

import pytest

from checker.images import versions
from checker.images.reading import ImageReader
from crawler.images.settings import ImageSettings


def test_a_change_in_image_preparation_changes_the_reader_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = versions.reader_version(None)
    # An animated banner read from its first frame (prep-1) and from its busiest frame (prep-2) are two
    # different readings of the same bytes: one cached under the old preparation must not be reused.
    monkeypatch.setattr(versions, "PREPARATION_VERSION", "prep-1")
    assert versions.reader_version(None) != before
    assert versions.reader_version(None).startswith("prep-1; rapidocr-onnxruntime ")


def test_the_reader_version_names_every_part() -> None:
    version = versions.reader_version(None)
    assert version.startswith(f"{versions.PREPARATION_VERSION}; ")
    assert "rapidocr-onnxruntime" in version and versions.MATCHER_VERSION in version


def test_the_reader_stores_readings_under_the_key_its_callers_look_them_up_by() -> None:
    # The stage, the API and the CLI look cached readings up by versions.reader_version; a reader that
    # composed its own key would store every reading where no lookup finds it (each image read on every sweep).
    reader = ImageReader(ImageSettings())
    assert reader.version == versions.reader_version(None)
