"""What probe round s26c left open (English labels longer than 16 characters, English column headers, a resale
platform's shop nicknames) and what probe round s26d found, pinned.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import RECORDS
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings

from checker.check import Checker
from checker.extract.document import split_row
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case

# --- English labels longer than 16 characters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["Executive Standard", "Implementation Standard", "Product Standard No.", "Execution Standard"]
)
@pytest.mark.parametrize("shape", ["table", "line"])
def test_a_long_english_standard_label_is_a_standard_row(checker: Checker, label: str, shape: str) -> None:
    # Labels were cut at 16 characters (document._rows, patterns.ROW_TEXT): these never became rows, so the
    # English standard labels could never match and the 执行标准 row of an export page went unseen.
    row = (
        f"<table><tr><td>Product name</td><td>Vacuum flask</td></tr><tr><td>{label}</td>"
        "<td>GB/T 29606-2013 (Shanghai Standard)</td></tr></table>"
        if shape == "table"
        else f"<p>Product name: Vacuum flask</p><p>{label}: GB/T 29606-2013 (Shanghai Standard)</p>"
    )
    result = _check(checker, f"<html><body><h1>Vacuum Flask 500ml</h1>{row}</body></html>")
    claim = result.page.claims[0]
    assert "near:standard-row" in claim.use_signals
    assert claim.tie in ("cell", "row", "annotation")
    assert _findings(result) == [("SHS002", "GB/T 29606-2013", "high")]


@pytest.mark.parametrize(
    ("line", "row"),
    [
        ("Executive Standard: Q/DEMO 0002-2023", ("ExecutiveStandard", "Q/DEMO 0002-2023")),
        ("Product Standard No.：T/DEMO 001-2022", ("ProductStandardNo.", "T/DEMO 001-2022")),
        ("执行标准：T/DEMO 001-2022", ("执行标准", "T/DEMO 001-2022")),
        # Only Latin words up to 30 letters make a label: a sentence before a colon stays prose, and so does a
        # long Chinese phrase.
        ("The city said the following on Monday about it: the Shanghai Standard rates standards", None),
        ("市场监管部门在本次专项检查中发现以下问题并提醒消费者：上海标准不是认证", None),
    ],
)
def test_row_labels(line: str, row: tuple[str, str] | None) -> None:
    assert split_row(line) == row


# --- English column headers ---------------------------------------------------------------------------------


def _with_english_scope() -> RegistryIndex:
    records = [dict(r) for r in RECORDS]
    for record in records:
        if record["code"] == "T/DEMO 001-2022":
            record["scope"] = [*record["scope"], "smart cup", "vacuum flask"]
    return RegistryIndex.from_records(record_from_case(r, n) for n, r in enumerate(records, start=1))


_PRICE_LIST = (
    "<html><body><h1>2026 Export Price List</h1><table border='1'><tr><td><b>Product Name</b></td>"
    "<td><b>Model No.</b></td><td><b>Executive Standard</b></td><td><b>Unit Price (USD)</b></td></tr>"
    "<tr><td>{product}</td><td>X-1</td><td>T/DEMO 001-2022 (Shanghai Standard)</td><td>8.50</td></tr>"
    "</table></body></html>"
)


def test_english_column_headers_name_each_rows_product(checker: Checker) -> None:
    # Product Name, Model No. and Executive Standard were no column names (and too long for their shape):
    # the header row was read as "Product Name：Model No." pairs and no row named its product, so SHS011 could
    # not judge scope on an English export table even where the registry lists English scope terms.
    registry = _with_english_scope()
    out = _check(checker, _PRICE_LIST.format(product="Electric kettle"), registry=registry)
    claim = out.page.claims[0]
    assert (claim.product_name, claim.use) == ("Electric kettle", "product")
    assert _findings(out) == [("SHS011", "T/DEMO 001-2022", "high")]
    inside = _check(checker, _PRICE_LIST.format(product="Vacuum flask 500ml"), registry=registry)
    assert inside.page.claims[0].product_name == "Vacuum flask 500ml"
    assert inside.findings == []


def test_an_english_product_against_chinese_scope_terms_stays_unjudged(checker: Checker) -> None:
    # Across scripts scope cannot be compared (checker/rules/facts.py): no SHS011 for a translation.
    out = _check(checker, _PRICE_LIST.format(product="Stainless steel lunch box"))
    assert out.page.claims[0].product_name == "Stainless steel lunch box"
    assert out.findings == []


# --- a resale platform's shop is a private person -------------------------------------------------------------

_RESALE = (
    "<html><head><meta property='og:site_name' content='闲鱼'></head><body><h1>儿童安全座椅 九五新</h1>"
    "<p>¥580</p><ul><li>产品名称：儿童安全座椅</li><li>执行标准：Q/DEMO 0002-2023（上海标准）</li></ul>"
    "<p>宝宝长大了用不上，自提优先。</p></body></html>"
)


@pytest.mark.parametrize(
    "url",
    ["https://www.goofish.com/item?id=1", "https://m.zhuanzhuan.com/detail/2", "https://2.taobao.com/i/3"],
)
def test_a_resale_platforms_shop_nickname_is_no_claimant(checker: Checker, url: str) -> None:
    # With no seller row, a crawl's shop header (the seller's nickname) or the site's name became the claimant
    # and SHS010 (not a holder) went to review against a private person reselling a genuine child seat.
    result = _check(checker, _RESALE, url=url, seller="小鱼儿的闲置屋")
    claim = result.page.claims[0]
    assert (claim.claimant, claim.claimant_source) == (None, "seller:private")
    assert _findings(result) == []


def test_a_maker_row_on_a_resale_platform_still_names_the_claimant(checker: Checker) -> None:
    result = _check(
        checker,
        _RESALE.replace("</ul>", "<li>生产企业：宁波演示婴童用品有限公司</li></ul>"),
        url="https://www.goofish.com/item?id=4",
        seller="小鱼儿的闲置屋",
    )
    claim = result.page.claims[0]
    assert (claim.claimant, claim.claimant_source) == ("宁波演示婴童用品有限公司", "row:生产企业")
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "high")]


def test_a_shop_site_still_takes_the_crawls_seller(checker: Checker) -> None:
    result = _check(
        checker, _RESALE, url="https://detail.example-tmall.test/item.htm?id=5", seller="演示母婴专营店"
    )
    claim = result.page.claims[0]
    assert claim.claimant is not None


# --- a headline that repeats the words is the same claim --------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "finding"),
    [
        ("<p>本品执行T/DEMO 001-2019（上海标准），品质可靠。</p>", ("SHS003", "T/DEMO 001-2019", "high")),
        ("<p>本品符合GB/T 29606-2013（上海标准）。</p>", ("SHS002", "GB/T 29606-2013", "high")),
    ],
)
def test_a_headline_repeating_the_words_is_one_finding_with_the_descriptions(
    checker: Checker, body: str, finding: tuple[str, str, str]
) -> None:
    # The item's h1 repeats the words without a code; the description writes them with the code. The h1 was
    # judged alone: SHS008 (not disclosed) on a page that discloses the standard with the words, a second
    # finding for one thing to act on.
    result = _check(
        checker,
        f"<html><body><h1>演示智能水杯 上海标准 500ml</h1><p>¥59</p><button>加入购物车</button>{body}</body></html>",
    )
    assert [o.use for o in result.page.occurrences] == ["product", "product"]
    assert _findings(result) == [finding]
    assert len(result.findings[0].locations) == 2


def test_a_headline_beside_two_standards_stays_undisclosed(checker: Checker) -> None:
    # Two standards written with the words: the headline's words name neither (each claim keeps its own).
    result = _check(
        checker,
        "<html><body><h1>演示智能水杯 上海标准</h1><p>¥59</p><button>加入购物车</button>"
        "<p>杯体执行T/DEMO 001-2022（上海标准）。</p><p>杯盖执行GB/T 29606-2013（上海标准）。</p></body></html>",
    )
    assert ("SHS008", None, "high") in _findings(result)


def test_an_english_certified_title_takes_the_attribute_tables_standard(checker: Checker) -> None:
    # "Product name: Vacuum flask" is now a product row; the h1 names the same product in longer words and must
    # not make the page two products (the title's SHS009 then names the declared standard).
    result = _check(
        checker,
        "<html><body><h1 class='product-title'>Shanghai Standard Certified Vacuum Flask 500ml</h1>"
        "<p>US$3.90</p><a href='#'>Start Order</a><table><tr><td>Product name</td><td>Vacuum flask</td></tr>"
        "<tr><td>Standard</td><td>T/DEMO 001-2022 (Shanghai Standard)</td></tr></table></body></html>",
    )
    assert _findings(result) == [("SHS009", "T/DEMO 001-2022", "high")]
