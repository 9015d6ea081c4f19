"""`markwatch extract`: text and JSON output, and a clear error (exit 2) for a bad file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from markwatch.cli import cli

CORPUS = Path(__file__).parent / "data" / "extract"


def test_text_output() -> None:
    result = CliRunner().invoke(cli, ["extract", str(CORPUS / "annotation_multi_codes.html")])
    assert result.exit_code == 0, result.output
    assert "1 claim(s)" in result.output
    assert "standard: T/ABC 001-2022" in result.output
    assert "claimant: 上海某某新材料有限公司" in result.output


def test_json_output_for_several_pages() -> None:
    pages = [str(CORPUS / "listing_two_products.html"), str(CORPUS / "traps.html")]
    result = CliRunner().invoke(cli, ["extract", "--format", "json", *pages])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [len(page["claims"]) for page in data] == [2, 0]
    assert data[0]["claims"][1]["product_name"] == "环保涂料 Y2"
    assert data[0]["extractor_version"]


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    result = CliRunner().invoke(cli, ["extract", str(missing)])
    assert result.exit_code == 2
    assert f"error: {missing}: cannot read the page" in result.output
    assert "Traceback" not in result.output


def test_directory_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["extract", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output
