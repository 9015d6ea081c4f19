"""What probe round s26b (td header rows, exhibitor lists, job-site company introductions, associations' lists
of their own standards, sentence ties…) found wrong, pinned.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings

from checker.check import Checker
from checker.extract import extract_page

# --- column tables whose header row is written with td ---------------------------------------------------


def _price_list(header: str) -> str:
    return (
        "<html><body><div class='nav'>上海演示杯业有限公司 | 首页 | 价格表</div><h1>2025年产品出厂价格表</h1>"
        f"<table border='1'>{header}"
        "<tr><td>智能水杯</td><td>500ml</td><td>T/DEMO 001-2022（上海标准）</td><td>¥89</td></tr>"
        "<tr><td>智能水杯（经典款）</td><td>400ml</td><td>T/DEMO 001-2019（上海标准）</td><td>¥59</td></tr></table>"
        "<p>以上价格含税。</p></body></html>"
    )


@pytest.mark.parametrize(
    "header",
    [
        # bold td cells (1688 price lists)
        "<tr><td><strong>品名</strong></td><td><strong>规格</strong></td><td><strong>执行标准</strong></td>"
        "<td><strong>出厂单价</strong></td></tr>",
        # plain td cells, a unit note after a name (tender attachments)
        "<tr><td>品名</td><td>规格/型号</td><td>执行标准</td><td>单价（元）</td></tr>",
        # a thead of td
        "<thead><tr><td>产品名称</td><td>容量</td><td>标准</td><td>价格</td></tr></thead>",
        # a title row spanning the table above the names
        "<tr><td colspan='4'>2025年出厂价格表</td></tr>"
        "<tr><td>品名</td><td>规格</td><td>执行标准</td><td>出厂单价</td></tr>",
    ],
)
def test_a_td_header_row_names_the_columns_of_a_price_list(checker: Checker, header: str) -> None:
    # The header row was read as the row "品名：规格", so every claim's product was "规格" and SHS011 fired
    # (high) for products that are in scope.
    result = _check(checker, _price_list(header))
    assert [c.product_name for c in result.page.claims] == ["智能水杯", "智能水杯(经典款)"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_an_attribute_table_of_td_pairs_still_reads_label_value_pairs() -> None:
    # The first row holds values between its labels (品牌 | 演示 | 产品名称 | 智能水杯): no header.
    html = (
        "<html><body><h1>演示智能水杯</h1><p>￥89</p><table>"
        "<tr><td><b>品牌</b></td><td>演示</td><td><b>产品名称</b></td><td>智能水杯</td></tr>"
        "<tr><td><b>执行标准</b></td><td>T/DEMO 001-2022（上海标准）</td><td><b>生产企业</b></td>"
        "<td>上海演示杯业有限公司</td></tr></table></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert (claim.product_name, claim.claimant) == ("智能水杯", "上海演示杯业有限公司")


def test_a_three_column_attribute_table_is_no_column_table() -> None:
    # 参数 | 值 | 备注 style tables: the first row is a parameter and its value, not names of columns.
    html = (
        "<html><body><h1>演示智能水杯</h1><p>￥89</p><table>"
        "<tr><td>产品名称</td><td>智能水杯</td><td>新品</td></tr>"
        "<tr><td>执行标准</td><td>T/DEMO 001-2022（上海标准）</td><td></td></tr></table></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert claim.product_name == "智能水杯"


# --- exhibitor lists --------------------------------------------------------------------------------------


def test_an_exhibitor_table_names_each_row_s_exhibitor_and_exhibit(checker: Checker) -> None:
    html = (
        "<html><body><h1>2025上海国际家居用品展览会 · 展商名录</h1><table border='1'>"
        "<thead><tr><td>展位号</td><td>展商名称</td><td>展品</td><td>执行标准</td></tr></thead>"
        "<tr><td>1A01</td><td>上海演示杯业有限公司</td><td>智能水杯</td><td>T/DEMO 001-2022（上海标准）</td></tr>"
        "<tr><td>1A02</td><td>上海演示厨具有限公司</td><td>不粘锅</td><td>T/DEMO 003-2020（上海标准）</td></tr>"
        "</table></body></html>"
    )
    result = _check(checker, html)
    assert [(c.claimant, c.product_name) for c in result.page.claims] == [
        ("上海演示杯业有限公司", "智能水杯"),
        ("上海演示厨具有限公司", "不粘锅"),
    ]
    assert _findings(result) == [("SHS004", "T/DEMO 003-2020", "high")]


def test_an_exhibitor_card_names_its_exhibitor_and_exhibit_but_no_maker() -> None:
    html = (
        "<html><body><h1>2025上海国际家居用品展览会 · 展商风采</h1>"
        "<div class='exh'><h3>1A01</h3><p>展商名称：上海演示杯业有限公司</p><p>展品：智能水杯</p>"
        "<p>执行标准：T/DEMO 001-2019（上海标准）</p></div>"
        "<div class='exh'><h3>1A02</h3><p>参展企业：上海演示厨具有限公司</p><p>展品：不粘锅</p>"
        "<p>执行标准：GB/T 32388-2015</p></div></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert (claim.claimant, claim.product_name) == ("上海演示杯业有限公司", "智能水杯")
    # An exhibitor may show a dealer's goods: it is no maker, so SHS010 about it would go to review.
    assert claim.claimant_source == "row:展商"


# --- the block's only code, in another sentence than the words ------------------------------------------


def _item(description: str, name: str = "演示保温杯 500ml") -> str:
    return (
        f"<html><head><title>{name}</title></head><body><h1>{name}</h1><p class='price'>¥89</p>"
        f"<button>加入购物车</button><div class='desc'><p>{description}</p></div></body></html>"
    )


def test_a_code_in_prose_in_another_sentence_is_tied_for_review(checker: Checker) -> None:
    # The food-contact standard the cup meets is not what the brand's title is about: SHS002 was high.
    result = _check(
        checker,
        _item("本品采用食品级304不锈钢内胆，符合GB 4806.9-2016。演示品牌荣获“上海标准”称号，品质有保障。"),
    )
    (claim,) = result.page.claims
    assert (claim.standard_code, claim.tie) == ("GB 4806.9-2016", "block")
    shs002 = next(f for f in result.findings if f.rule_id == "SHS002")
    assert shs002.confidence == "review"
    assert any(r.startswith("tie-block:") for r in shs002.confidence_reasons)
    # The certification wording stands on the words alone.
    assert next(f for f in result.findings if f.rule_id == "SHS009").confidence == "high"


def test_the_block_s_declared_standard_in_the_next_sentence_stays_high(checker: Checker) -> None:
    result = _check(
        checker, _item("本品为“上海标准”产品，品质有保障。执行标准：T/DEMO 001-2019。", "演示智能水杯")
    )
    (claim,) = result.page.claims
    assert (claim.standard_code, claim.tie) == ("T/DEMO 001-2019", "block-declared")
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_a_code_in_the_words_sentence_is_still_a_sentence_tie() -> None:
    (claim,) = extract_page(_item("本品执行T/DEMO 001-2022，是“上海标准”产品。").encode()).claims
    assert claim.tie == "sentence"


# --- an organisation's self-introduction on a job board ---------------------------------------------------


def _company_page(intro: str, heading: str = "公司简介") -> str:
    return (
        "<html><head><title>演示科技有限公司（虚构）- 招聘</title></head><body><h1>演示科技有限公司（虚构）</h1>"
        "<p>民营 | 100-499人 | 电动牙刷</p>"
        f"<h3>{heading}</h3><p>{intro}</p>"
        "<h3>热招职位</h3><ul><li>销售代表 8-12K</li></ul></body></html>"
    )


def test_a_company_s_introduction_on_a_job_board_is_its_claim(checker: Checker) -> None:
    # The company speaks about itself in its 公司简介; the job board read as discussion (no-offer) hid it.
    html = _company_page(
        "演示科技有限公司（虚构）是一家电动牙刷制造企业，我司企业标准Q/DEMO 0004-2021是“上海标准”，产品远销海外。"
    )
    result = _check(checker, html, url="https://jobs.example-51job.com/co/77123.html")
    (claim,) = result.page.claims
    assert (claim.use, claim.use_confidence) == ("organisation", "high")
    assert "near:self-introduction" in claim.use_signals
    assert claim.claimant == "演示科技有限公司(虚构)"
    assert _findings(result) == [("SHS005", "Q/DEMO 0004-2021", "high")]


def test_a_holder_s_introduction_with_its_designated_standard_is_no_finding(checker: Checker) -> None:
    html = _company_page("公司主导制定的企业标准Q/DEMO 0002-2023于2023年获评“上海标准”。", heading="公司介绍")
    result = _check(checker, html, url="https://jobs.example-zhaopin.com/company/99001.html")
    assert [c.use for c in result.page.claims] == ["organisation"]
    assert _findings(result) == []


@pytest.mark.parametrize(
    ("heading", "text"),
    [
        # the job itself: applying for the designation
        ("职位描述", "负责“上海标准”评价的申报材料准备。"),
        # a job-seeker's own post
        ("求职意向", "本人曾参与上海标准申报工作，熟悉标准化流程。"),
        # the introduction talks about the scheme, not about a standard of its own
        ("公司简介", "公司积极参与上海标准的申报工作。"),
    ],
)
def test_the_rest_of_a_job_board_stays_discussion(checker: Checker, heading: str, text: str) -> None:
    html = _company_page(text, heading=heading)
    result = _check(checker, html, url="https://jobs.example-zhaopin.com/job/8812345.html")
    assert [o.use for o in result.page.occurrences] == ["discussion"]


def test_the_site_s_own_about_us_in_its_footer_is_no_self_introduction() -> None:
    html = (
        "<html><head><title>演示招聘网</title></head><body><h1>标准化工程师</h1><p>岗位职责：标准起草。</p>"
        "<div class='footer'><h4>关于我们</h4><p>演示招聘网助力企业对接上海标准资源。</p></div></body></html>"
    )
    result = extract_page(html.encode(), url="https://jobs.example.com/job/1.html")
    assert [o.use for o in result.occurrences] == ["discussion"]
    assert not any("near:self-introduction" in o.signals for o in result.occurrences)


# --- an association's list of its own standards ----------------------------------------------------------


def test_an_association_s_list_of_its_own_standards_is_its_claim(checker: Checker) -> None:
    html = (
        "<html><head><title>本会团体标准目录-演示标准化协会（虚构）</title></head><body>"
        "<div class='nav'>演示标准化协会（虚构） | 首页 | 团体标准</div><h1>本会已发布团体标准</h1>"
        "<ul><li>T/DEMO 001-2022 演示用智能水杯（上海标准）</li><li>T/DEMO 003-2020 演示用共享单车（上海标准）</li>"
        "<li>T/DEMO 007-2023 演示用晾衣架</li></ul></body></html>"
    )
    result = _check(checker, html)
    assert [(c.use, c.use_confidence) for c in result.page.claims] == [("organisation", "high")] * 2
    assert {c.claimant for c in result.page.claims} == {"演示标准化协会(虚构)"}
    assert _findings(result) == [("SHS004", "T/DEMO 003-2020", "high")]


def test_a_platform_s_list_of_everyone_s_standards_is_not_an_organisation_s_own() -> None:
    # No first person: a platform (or a regulator) listing group standards speaks for nobody's standard.
    html = (
        "<html><head><title>团体标准目录-演示标准信息平台</title></head><body><h1>团体标准目录</h1>"
        "<ul><li>T/DEMO 001-2022 演示用智能水杯（上海标准）</li></ul></body></html>"
    )
    (occurrence,) = extract_page(html.encode()).occurrences
    assert "page:own-standards" not in occurrence.signals


def test_the_company_box_on_a_job_advert_stays_discussion() -> None:
    # The box repeats the company page's blurb on every vacancy: the company page is the one thing to act on.
    html = (
        "<html><head><title>标准化工程师招聘-演示科技有限公司（虚构）</title></head><body><h1>标准化工程师</h1>"
        "<p>岗位职责：负责企业标准起草。</p><p>任职要求：本科。</p>"
        "<div class='company-info'><h3>公司介绍</h3><p>公司主导制定的企业标准Q/DEMO 0004-2021入选上海标准。</p></div>"
        "</body></html>"
    )
    (occurrence,) = extract_page(html.encode(), url="https://jobs.example.com/job_detail/1.html").occurrences
    assert occurrence.use == "discussion"


def test_an_association_s_news_headline_about_its_standards_is_no_list_of_them() -> None:
    html = (
        "<html><head><title>我会两项团体标准入选“上海标准”培育池_协会新闻</title></head><body>"
        "<h1>我会两项团体标准入选“上海标准”培育池</h1><p>条件成熟后可申报“上海标准”评价。</p></body></html>"
    )
    result = extract_page(html.encode())
    assert "page:own-standards" not in result.page_signals
