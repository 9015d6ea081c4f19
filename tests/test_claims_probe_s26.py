"""What probe round s26 (tenders, price lists, exhibitor lists, organisation claims…) found wrong, pinned.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings

from checker.check import Checker
from checker.extract import extract_page


def _company_news(sentence: str) -> str:
    return (
        "<html><head><title>公司新闻-上海演示新材料有限公司</title></head><body>"
        "<div class='crumb'>当前位置：首页 &gt; 新闻中心 &gt; 公司新闻</div><h1>公司动态</h1>"
        f"<p class='info'>发布时间：2024-01-08</p><p>{sentence}</p>"
        "<div class='foot'>版权所有 © 上海演示新材料有限公司</div></body></html>"
    )


# --- organisation claims of a standard that can never be designated (SHS002) ---------------------------


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        ("我司主导制定的GB/T 12345-2020获评“上海标准”。", "GB/T 12345-2020"),
        ("公司主导制定的地方标准DB44/T 1234-2020获评“上海标准”。", "DB44/T 1234-2020"),
        ("热烈祝贺我司主导制定的行业标准QB/T 4049-2010荣获“上海标准”称号。", "QB/T 4049-2010"),
        ("我司主导制定的国家标准《塑料管材通用规范》GB/T 12345-2020获评“上海标准”称号。", "GB/T 12345-2020"),
    ],
)
def test_an_organisation_calling_an_ineligible_standard_a_shanghai_standard_is_shs002(
    checker: Checker, sentence: str, code: str
) -> None:
    # National, industry and other provinces' standards cannot be designated (domain.md §2): whatever the
    # registry says, the statement is false. It was no finding at all (SHS002 judged products only, and
    # SHS001 leaves ineligible codes to SHS002).
    result = _check(checker, _company_news(sentence))
    assert [c.use for c in result.page.claims] == ["organisation"]
    assert _findings(result) == [("SHS002", code, "high")]


@pytest.mark.parametrize(
    "sentence",
    [
        # The words annotate the group standard; the national standard is only a drafting credit.
        "公司参与制定国家标准GB/T 12345-2020；团体标准T/DEMO 001-2022（上海标准）。",
        "公司先后参与制定GB/T 3811-2008、GB/T 6067.1-2010等国家标准，主导制定的团体标准T/SHHJ 000003-2018获评首批“上海标准”。",
        # The words' own clause names a group standard (without its code): the national code of the clause
        # or sentence before is not the standard that was designated.
        "公司参与制定国家标准GB/T 12345-2020，主导制定的团体标准获评“上海标准”。",
        "公司参与制定国家标准GB/T 12345-2020；主导制定的团体标准获评“上海标准”。",
        "公司参与制定国家标准GB/T 12345-2020。主导制定的团体标准获评“上海标准”。",
    ],
)
def test_a_national_standard_credited_beside_a_designated_one_is_no_shs002(
    checker: Checker, sentence: str
) -> None:
    result = _check(checker, _company_news(sentence))
    assert not [f for f in result.findings if f.rule_id == "SHS002"]
    assert all(not (c.standard_code or "").startswith("GB") for c in result.page.claims)


def test_an_ineligible_code_in_another_clause_of_an_organisation_claim_is_for_review(
    checker: Checker,
) -> None:
    # "…participated in GB/T …, and was rated 上海标准": who or what was rated is not sure from the text.
    result = _check(checker, _company_news("公司参与制定国家标准GB/T 12345-2020，并获评“上海标准”。"))
    (finding,) = result.findings
    assert (finding.rule_id, finding.confidence) == ("SHS002", "review")
    assert any(r.startswith("code-other-clause") for r in finding.confidence_reasons)


def test_a_product_claim_of_a_national_standard_is_unchanged(checker: Checker) -> None:
    html = (
        "<html><body><h1>演示保温杯</h1><p>￥49</p><ul><li>产品名称：保温杯</li>"
        "<li>执行标准：GB/T 29606-2013（上海标准）</li><li>生产企业：演示保温容器有限公司</li></ul></body></html>"
    )
    assert _findings(_check(checker, html)) == [("SHS002", "GB/T 29606-2013", "high")]


# --- tables with a header row of column names --------------------------------------------------------------


_PRICE_LIST = (
    "<html><body><div class='nav'>上海演示杯业有限公司 | 首页 | 价格表</div><h1>2025年产品出厂价格表</h1>"
    "<table border='1'><tr><th>品名</th><th>规格</th><th>执行标准</th><th>出厂单价</th></tr>"
    "<tr><td>智能水杯</td><td>500ml</td><td>T/DEMO 001-2022（上海标准）</td><td>¥89</td></tr>"
    "<tr><td>智能水杯（经典款）</td><td>400ml</td><td>T/DEMO 001-2019（上海标准）</td><td>¥59</td></tr></table>"
    "<p>以上价格含税。</p></body></html>"
)


def test_a_price_list_s_header_row_is_not_a_label_and_its_value(checker: Checker) -> None:
    # The header row 品名 | 规格 | … was read as the row "品名：规格", so every claim's product was "规格" and
    # SHS011 fired (high) for products that are in scope.
    result = _check(checker, _PRICE_LIST)
    assert [c.product_name for c in result.page.claims] == ["智能水杯", "智能水杯(经典款)"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_a_row_of_a_column_table_names_its_product_only_from_its_own_cells(checker: Checker) -> None:
    # An exhibitor list: the page's h1 names the list, not the exhibit; the row's 展品 cell names it (s26b).
    html = (
        "<html><body><h1>2025上海国际家居用品展览会 · 展商名录</h1>"
        "<table border='1'><tr><th>展位号</th><th>展商名称</th><th>展品</th><th>说明</th></tr>"
        "<tr><td>1A01</td><td>上海演示杯业有限公司</td><td>智能水杯</td><td>执行标准：T/DEMO 001-2022（上海标准）</td></tr>"
        "<tr><td>1A02</td><td>上海演示厨具有限公司</td><td>不粘锅</td><td>执行标准：GB/T 32388-2015</td></tr>"
        "</table></body></html>"
    )
    result = _check(checker, html)
    assert [c.product_name for c in result.page.claims] == ["智能水杯"]
    assert _findings(result) == []


def test_an_attribute_table_still_reads_label_value_pairs() -> None:
    html = (
        "<html><body><h1>演示智能水杯</h1><p>￥89</p><table>"
        "<tr><th>品牌</th><td>演示</td><th>产品名称</th><td>智能水杯</td></tr>"
        "<tr><th>执行标准</th><td>T/DEMO 001-2022（上海标准）</td><th>生产企业</th><td>上海演示杯业有限公司</td></tr>"
        "</table></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert (claim.product_name, claim.claimant) == ("智能水杯", "上海演示杯业有限公司")


# --- product names --------------------------------------------------------------------------------------


def test_a_heading_that_names_standards_is_no_product(checker: Checker) -> None:
    # An association's list of its own standards under 本会已发布团体标准: the heading was the "product", and
    # SHS011 found it outside the scope of 智能水杯.
    html = (
        "<html><body><div class='nav'>演示标准化协会（虚构） | 首页 | 团体标准</div><h1>本会已发布团体标准</h1>"
        "<ul><li>T/DEMO 001-2022 演示用智能水杯（上海标准）</li><li>T/DEMO 007-2023 演示用晾衣架</li></ul></body></html>"
    )
    result = _check(checker, html)
    assert [c.product_name for c in result.page.claims] == [None]
    assert [f.rule_id for f in result.findings] == []
