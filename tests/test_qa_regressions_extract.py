"""QA regressions for extraction and check (QA report DEFECTS.md; its tests in qa-regressions.py, adapted).

Each test names its defect. The pages QA wrote are copied into tests/data/qa_pages (see SOURCES.md there).
The bad-database-URL regression (#10) is with the other CLI input tests in test_check_cli_inputs.py.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.check import Checker
from checker.extract import extract_page
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case
from markwatch.cli import cli

QA_PAGES = Path(__file__).parent / "data" / "qa_pages"
DAY = dt.date(2026, 11, 26)
REGISTRY = RegistryIndex.from_records(
    [
        record_from_case(
            {"code": "T/DEMO 001-2022", "title": "演示用智能水杯（虚构）", "type": "group",
             "holders": [{"name": "演示标准化协会（虚构）"}], "designated_on": "2022-06-01"},
            1,
        ),
        record_from_case(
            {"code": "T/SHHJ 000003-2018", "title": "学校运动场地合成材料面层", "type": "group",
             "holders": [{"name": "上海市环境科学学会"}], "designated_on": "2020-12-24"},
            2,
        ),
    ]
)  # fmt: skip


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker()
    yield instance
    instance.close()


def rule_ids(checker: Checker, raw: bytes, url: str | None = None) -> list[str]:
    result = checker.check_page(
        raw, url=url, declared_charset=None, observed_at=None, registry=REGISTRY, as_of=DAY
    )
    return [finding.rule_id for finding in result.findings]


def qa_page(name: str) -> bytes:
    return (QA_PAGES / name).read_bytes()


# --- p04 (noted open on main e5d7c7b; fixed by 61a3d2c's English enforcement wording) ---


@pytest.mark.parametrize(
    "url", [None, "https://www.shine.cn/biz/2405/p04.html", "https://shop.example/item/p04"]
)
def test_an_english_news_article_about_the_scheme_gets_no_finding(checker: Checker, url: str | None) -> None:
    """p04_english_news: an article (byline, headline) on the fourth batch, ending 'firms misusing the
    Shanghai Standard mark would be investigated', got SHS008 (review): it discloses nothing because it
    claims nothing."""
    assert rule_ids(checker, qa_page("p04_english_news.html"), url) == []
    claims = extract_page(qa_page("p04_english_news.html"), url=url).claims
    assert claims == []


# --- #4: URL path against byline; a news sidebar on a product page ---


def test_an_explainer_crawled_under_item_is_still_an_article(checker: Checker) -> None:
    """#4: crawled as http://…/item/p06_wechat_repost.html, an explainer with a 来源/责任编辑 byline got SHS008:
    the /item/ path outweighed the byline."""
    url = "http://mp.example/item/p06_wechat_repost.html"
    assert rule_ids(checker, qa_page("p06_wechat_repost.html"), url) == []
    assert extract_page(qa_page("p06_wechat_repost.html"), url=url).claims == []


def test_news_links_in_a_product_pages_sidebar_are_not_claims_nor_its_product(checker: Checker) -> None:
    """#4: the sidebar's '冒用“上海标准”标识将被查处' got SHS008 high and the product was named '行业资讯'
    after the sidebar's h3. With a real claim on the product, only that claim is read, named after the
    product."""
    raw = qa_page("p22_product_with_about_sidebar.html")
    claimed = raw.replace(
        "执行标准：T/DEMO 001-2022".encode(), "执行标准：T/DEMO 001-2022（上海标准）".encode()
    )
    url = "https://shop.example/item/22.html"
    for page in (raw, claimed):
        assert "SHS008" not in rule_ids(checker, page, url)
    claims = extract_page(claimed, url=url).claims
    assert [(claim.standard_code, claim.product_name) for claim in claims] == [
        ("T/DEMO 001-2022", "智能水杯")
    ]
    uses = [occurrence.use for occurrence in extract_page(claimed, url=url).occurrences]
    assert uses == ["product", "discussion", "discussion"]


# --- #13: JD-style listing entries ---


def test_listing_entries_are_named_after_their_own_card() -> None:
    """#13: JD-layout listing (.gl-item .p-name) entries got no product names and no claimant; a card with a
    .p-shop names its shop, and a card without one borrows nobody else's."""
    raw = qa_page("p17_listing.html").replace(
        b'<div class="p-price">', '<div class="p-shop">演示单车旗舰店</div><div class="p-price">'.encode(), 1
    )
    claims = extract_page(raw).claims
    assert [(claim.product_name, claim.claimant) for claim in claims] == [
        ("演示共享单车 成人通勤", "演示单车旗舰店"),
        ("不锈钢炒锅 32cm", None),
        ("儿童雨衣", None),
    ]


# --- #1: extraction time grows with the mentions, not their square ---


def test_many_mentions_in_one_block_extract_in_near_linear_time() -> None:
    """#1: `markwatch extract` on '<p>' + '上海标准 T/DEMO 001-2022 ' * N + '</p>' took 38 s at N=1000 and
    about 4 min at N=2000 (find_codes on the whole block once per mention). Doubling N must not
    quadruple the time; the absolute bound is generous for slow CI machines."""

    def seconds(mentions: int) -> float:
        raw = ("<p>" + "上海标准 T/DEMO 001-2022 " * mentions + "</p>").encode()
        start = time.perf_counter()
        extract_page(raw)
        return time.perf_counter() - start

    seconds(50)  # warm up: patterns compiled, gate chosen
    small, large = seconds(500), seconds(2000)
    assert large < 20.0, f"2000 mentions took {large:.1f} s"
    assert large < 4 * 3 * small + 0.5, f"500 mentions: {small:.2f} s, 2000: {large:.2f} s (quadratic?)"


# --- Adapted from qa-regressions.py: fixed on main (#3, #5), kept so they stay fixed ---

NEGATED = [
    # markwatch/demo_site/pages/item/maker-kettle.html: the demo's own SHS002 came from this sentence.
    "<p>本产品符合国家标准 GB/T 24149-2009，无上海标准声明。</p>",
    "<p>温馨提示：本产品执行国家标准，不属于“上海标准”产品，也未申请“上海标准”评价。</p>",
]


@pytest.mark.parametrize("body", NEGATED)
def test_a_page_saying_it_makes_no_claim_makes_none(body: str) -> None:
    """#3: a product page that says it has no 上海标准 claim was flagged (SHS002 on the demo kettle, SHS008
    high on a 'not a 上海标准 product' notice): negation is not a claim."""
    page = (
        "<html><head><meta charset='utf-8'><title>保温壶</title></head><body><h1>家用保温壶</h1>"
        "<div class='price'>¥89.00</div><ul><li>商品名称：家用保温壶</li></ul>" + body + "</body></html>"
    )
    assert [claim.snippet for claim in extract_page(page.encode("utf-8")).claims] == []


def test_a_claim_nested_past_the_parser_depth_is_found_or_warned() -> None:
    """#5: libxml2 stops at 2048 levels even with huge_tree: a claim nested deeper vanished without a page
    warning, so the page checked clean. Either read it or say the page was cut."""
    depth = 2100
    page = (
        "<html><body><h1>智能水杯</h1><div class='price'>¥5</div>"
        + "<div>" * depth
        + "<ul><li>产品名称：智能水杯</li><li>执行标准：T/DEMO 001-2019（上海标准）</li></ul>"
        + "</div>" * depth
        + "</body></html>"
    )
    result = extract_page(page.encode("utf-8"))
    assert result.claims or result.warnings, "claim dropped silently"


def test_p04_checks_clean_through_the_cli(sqlite_url: str, tmp_path: Path) -> None:
    """The QA report's own reproduction: `markwatch check p04_english_news.html` against a filled registry."""
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        "designations:\n"
        '  - {code: "T/SHHJ 000003-2018", title: "学校运动场地合成材料面层", type: group,'
        " designated_on: 2020-12-24, source: test}\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli, ["registry", "import", str(registry), "--db", sqlite_url]).exit_code == 0
    result = runner.invoke(
        cli, ["check", str(QA_PAGES / "p04_english_news.html"), "--db", sqlite_url, "--as-of", "2026-11-26"]
    )
    assert result.exit_code == 0, result.output
    assert "0 claim(s), 0 finding(s)" in result.stdout
