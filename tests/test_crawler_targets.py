"""Targets file schema and site adapters: strict, and every error names the file, target and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.adapters import adapter_names, get_adapter
from crawler.targets import load_targets, validate_cron
from markwatch.errors import TargetsFileError

GOOD = """targets:
  - name: shop-a
    seeds:
      - {url: "https://shop.example.com/list", kind: listing}
      - {url: "https://shop.example.com/sitemap.xml", kind: sitemap}
    allowed_domains: [example.com]
    adapter: tmall
    max_depth: 2
    max_pages: 50
    delay: 2.5
    concurrency: 1
    schedule: "15 2 * * 1-5"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_file_loads(tmp_path: Path) -> None:
    target = load_targets(_write(tmp_path, GOOD)).get("shop-a")
    assert target.seeds[1].kind == "sitemap"
    assert target.delay == 2.5 and target.concurrency == 1 and target.schedule == "15 2 * * 1-5"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("max_pages: 50", "max_pages: 0", "target 'shop-a' (#1), field max_pages"),
        ('schedule: "15 2 * * 1-5"', 'schedule: "15 2 * *"', "target 'shop-a' (#1), field schedule"),
        ('schedule: "15 2 * * 1-5"', 'schedule: "61 2 * * *"', "target 'shop-a' (#1), field schedule"),
        ("adapter: tmall", "adapter: ebay", "target 'shop-a' (#1), field adapter"),
        ("kind: sitemap", "kind: feed", "target 'shop-a' (#1), field seeds.1.kind"),
        ('"https://shop.example.com/list"', '"ftp://shop.example.com/list"', "field seeds.0.url"),
        (
            "allowed_domains: [example.com]",
            "allowed_domains: [other.org]",
            "target 'shop-a' (#1), field (target)",
        ),
        ("    concurrency: 1", "    concurrency: 1\n    colour: red", "target 'shop-a' (#1), field colour"),
    ],
)
def test_errors_name_file_target_and_field(tmp_path: Path, old: str, new: str, where: str) -> None:
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(TargetsFileError) as info:
        load_targets(path)
    assert str(info.value).startswith(f"{path}: ")
    assert where in str(info.value)


def test_duplicate_names_and_bad_yaml(tmp_path: Path) -> None:
    twice = GOOD + GOOD.split("\n", 1)[1]
    with pytest.raises(TargetsFileError, match="duplicate target names: shop-a"):
        load_targets(_write(tmp_path, twice))
    with pytest.raises(TargetsFileError, match="not valid YAML"):
        load_targets(_write(tmp_path, "targets: [\n"))
    with pytest.raises(TargetsFileError, match="no target named 'nope'"):
        load_targets(_write(tmp_path, GOOD)).get("nope")


@pytest.mark.parametrize("line", ["* * * * *", "*/15 0-6 1,15 * 0", "0 3 * 12 7"])
def test_cron_accepts(line: str) -> None:
    validate_cron(line)


@pytest.mark.parametrize(
    "line", ["* * * *", "0 24 * * *", "0 0 0 * *", "*/0 * * * *", "5-1 * * * *", "@daily"]
)
def test_cron_rejects(line: str) -> None:
    with pytest.raises(ValueError):
        validate_cron(line)


def test_bundled_adapters() -> None:
    assert {"generic", "tmall", "taobao", "jd", "demo-marketplace"} <= set(adapter_names())
    jd = get_adapter("jd")
    assert jd.next_page and jd.item_links and jd.param_table and jd.seller
    assert get_adapter("generic").follow_all
