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


def test_yaml_syntax_errors_are_one_line_with_line_and_column(tmp_path: Path) -> None:
    broken = GOOD.replace("    max_depth: 2\n", "    max_depth: [2\n")
    with pytest.raises(TargetsFileError) as info:
        load_targets(_write(tmp_path, broken))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'targets.yaml'}: line ") and ", column " in message
    assert "not valid YAML" in message and "\n" not in message
    with pytest.raises(TargetsFileError, match=r"line 2, column 1: .*character '\\t'"):
        load_targets(_write(tmp_path, "targets:\n\t- name: a\n"))


def test_a_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "targets.yaml"
    path.write_bytes(GOOD.replace("shop-a", "商店").encode("gbk"))
    with pytest.raises(TargetsFileError) as info:
        load_targets(path)
    assert str(info.value) == (
        f"{path}: line 2: not UTF-8: byte 0xc9 cannot be decoded (save the file as UTF-8)"
    )


@pytest.mark.parametrize(
    "host", ["169.254.169.254", "169.254.0.1", "[fd00:ec2::254]", "100.100.100.200", "[fe80::1]"]
)
def test_seeds_at_metadata_addresses_are_refused_even_when_allowed(tmp_path: Path, host: str) -> None:
    text = GOOD.replace("https://shop.example.com/list", f"http://{host}/latest/meta-data/").replace(
        "allowed_domains: [example.com]", f"allowed_domains: [example.com, '{host}']"
    )
    with pytest.raises(
        TargetsFileError, match=r"seeds.0.url: Value error, refused: .* addresses are never crawled"
    ):
        load_targets(_write(tmp_path, text))


def test_a_dead_page_costs_under_30_seconds_by_default_and_per_target_otherwise(tmp_path: Path) -> None:
    from sweeps.run import crawl_settings

    target = load_targets(_write(tmp_path, GOOD)).get("shop-a")
    settings = crawl_settings(target, db_url="sqlite://", sweep_id=1, job_dir=None, overrides={})
    tries = settings["RETRY_TIMES"] + 1
    backoff = sum(settings["RETRY_BACKOFF_BASE"] * 2**n for n in range(settings["RETRY_TIMES"]))
    assert settings["DOWNLOAD_TIMEOUT"] * tries + backoff < 30
    fast = load_targets(
        _write(tmp_path, GOOD.replace("concurrency: 1", "concurrency: 1\n    timeout: 3\n    retries: 0"))
    )
    settings = crawl_settings(fast.get("shop-a"), db_url="sqlite://", sweep_id=1, job_dir=None, overrides={})
    assert (settings["DOWNLOAD_TIMEOUT"], settings["RETRY_TIMES"]) == (3, 0)


def test_tracking_parameters_are_adapter_data() -> None:
    from crawler.adapters import tracking_params
    from crawler.canonical import Canonicalizer

    tmall = Canonicalizer.of(tracking_params("tmall"))
    url = "https://detail.tmall.com/item.htm?spm=a1.b2&id=42&utm_source=x&ali_trackid=9&skuId=7#reviews"
    assert tmall(url) == "https://detail.tmall.com/item.htm?id=42&skuId=7"
    assert (
        tmall("HTTPS://Detail.Tmall.com:443/item.htm?b=2&a=1") == "https://detail.tmall.com/item.htm?a=1&b=2"
    )
    # The generic list applies everywhere; a site's own only to its adapter.
    generic = Canonicalizer.of(tracking_params("generic"))
    assert generic("http://a.example/p?utm_medium=m&ali_trackid=9") == "http://a.example/p?ali_trackid=9"


def test_internationalised_domains_are_compared_in_their_xn_form() -> None:
    # allowed_domains: [例子.测试] was compared with the xn-- host of every request: the seed was "offsite".
    from crawler.targets import Target, host_allowed

    target = Target.model_validate(
        {
            "name": "idn",
            "seeds": [{"url": "http://例子.测试/", "kind": "listing"}],
            "allowed_domains": ["例子.测试"],
        }
    )
    assert target.allowed_domains == ["xn--fsqu00a.xn--0zwm56d"]
    assert host_allowed("xn--fsqu00a.xn--0zwm56d", target.allowed_domains)
    assert host_allowed("www.例子.测试", ["例子.测试"]) and not host_allowed(
        "例子.测试.evil.example", ["例子.测试"]
    )


def test_an_allowed_host_may_name_a_port_that_redirects_may_then_reach() -> None:
    # A port is another origin: a redirect reaches one only when the target names it (crawler/targets.py
    # origin_refusal); the host part still decides which hosts links may reach.
    from crawler.targets import Target, host_allowed, origin_refusal

    target = Target.model_validate(
        {
            "name": "ports",
            "seeds": [{"url": "http://shop.example.com:8080/", "kind": "listing"}],
            "allowed_domains": ["Shop.Example.com:8443", "例子.测试:81", "[2001:db8::1]:8000"],
        }
    )
    assert target.allowed_domains == [
        "shop.example.com:8443",
        "xn--fsqu00a.xn--0zwm56d:81",
        "[2001:db8::1]:8000",
    ]
    assert host_allowed("shop.example.com", target.allowed_domains)
    came_from = "http://shop.example.com:8080/a"
    assert origin_refusal("https://shop.example.com/b", came_from, target) is None  # the default port
    assert (
        origin_refusal("http://shop.example.com:8080/b", "http://shop.example.com/a", target) is None
    )  # a seed's
    assert origin_refusal("https://shop.example.com:8443/b", came_from, target) is None  # named
    assert origin_refusal("http://shop.example.com:6379/b", came_from, target) == "offsite_port"
    assert origin_refusal("http://shop.example.com:99999/b", came_from, target) == "bad_url"
    with pytest.raises(ValueError, match="not a bare host name"):
        Target.model_validate({**target.model_dump(), "allowed_domains": ["shop.example.com:0"]})
    for entry in ("shop.example.com:", "shop.example.com:http", "2001:db8::1", "http://shop.example.com"):
        with pytest.raises(ValueError, match="not a bare host name"):
            Target.model_validate({**target.model_dump(), "allowed_domains": [entry]})
