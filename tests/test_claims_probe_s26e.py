"""What probe round s26d left open, pinned: agencies selling the scheme (代办, 认证咨询, 申报辅导), printers and
packaging suppliers showing a client's sample label, a bookshop's navigation zone, buyers' requests (求购, Buying
Request), training and logo-rule pages, and a consultancy's list of its clients' designations.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import page as _page

from checker.check import Checker, PageResult


def _uses(result: PageResult) -> list[str]:
    return [o.use for o in result.page.occurrences if "head" not in o.location]


# --- an agency selling a service about the scheme --------------------------------------------------------------

_AGENCY_PROXY = _page(
    "上海标准认证代办_演示咨询",
    "<h1>上海标准认证代办</h1><p class='price'>服务费：¥5000起</p><button>立即咨询</button>"
    "<div class='desc'><p>专业团队一对一辅导，协助企业完成标准起草、申报材料编制、专家评审答辩，通过率高，全程代办。</p></div>"
    "<p>演示企业管理咨询有限公司　电话：021-00000000</p>",
)
_AGENCY_LISTING = _page(
    "上海标准认证咨询-淘宝网",
    "<h1>上海标准认证咨询 标准编写 申报辅导 包过</h1><p class='price'>¥2999</p><button>立即购买</button>"
    "<ul><li>服务类型：咨询服务</li><li>服务周期：3-6个月</li></ul><p>店铺：演示企业服务专营店</p>",
)


@pytest.mark.parametrize(
    ("html", "url"),
    [
        (_AGENCY_PROXY, "https://www.demo-zixun.example.com/service/shbz.html"),
        (_AGENCY_LISTING, "https://shop.example-taobao.com/item.htm?id=990001"),
    ],
)
def test_an_agency_selling_the_scheme_claims_nothing(checker: Checker, html: str, url: str) -> None:
    # 上海标准认证代办 / 认证咨询 sells help with the scheme: no product or standard is said to be designated, so
    # neither SHS008 nor SHS009 (written for a product's certification claim) is signable against the agency.
    result = _check(checker, html, url)
    assert _uses(result) == ["discussion"]
    assert "near:agency-service" in result.page.occurrences[-1].signals
    assert _findings(result) == []


def test_a_product_page_that_also_offers_consultation_keeps_its_claim(checker: Checker) -> None:
    html = _page(
        "演示智能水杯-演示杯业",
        "<h1>演示智能水杯 500ml</h1><p class='price'>¥59</p><button>加入购物车</button>"
        "<p>品名：智能水杯　执行标准：T/DEMO 001-2019（上海标准）　欢迎咨询，提供咨询服务。</p>",
    )
    result = _check(checker, html, "https://shop.example.com/item/1.html")
    assert _uses(result) == ["product"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_a_product_certification_claim_with_consultation_is_still_judged(checker: Checker) -> None:
    # A seller's 上海标准认证 of its own cup stays a product claim though its page welcomes 咨询.
    html = _page(
        "保温杯-演示杯业",
        "<h1>演示保温杯</h1><p class='price'>¥59</p><button>加入购物车</button>"
        "<p>本产品通过上海标准认证，品质保证，欢迎咨询。</p>",
    )
    result = _check(checker, html, "https://shop.example.com/item/2.html")
    assert ("SHS009", None, "high") in _findings(result)


def test_an_agencys_client_case_is_not_its_own_announcement(checker: Checker) -> None:
    html = _page(
        "客户案例-演示认证咨询",
        "<h1>客户案例｜某智能家居企业</h1><p>在我司辅导下，某智能家居企业的企业标准荣获上海标准认证，企业品牌影响力显著提升。</p>"
        "<p>演示认证咨询有限公司</p>",
    )
    result = _check(checker, html, "https://www.demo-rz.example.com/cases/12.html")
    assert _uses(result) == ["discussion"]
    assert _findings(result) == []


def test_an_organisation_announcing_its_own_designation_stays_organisation(checker: Checker) -> None:
    # Help received (在某协会指导下) is not help given: the holder's own announcement stays its claim.
    html = _page(
        "公司新闻-演示科技有限公司",
        "<h1>喜报</h1><p>在演示标准化协会指导下，我公司主导制定的企业标准Q/DEMO 0002-2023获评“上海标准”。</p>"
        "<p>© 2026 演示科技有限公司 版权所有</p>",
    )
    result = _check(checker, html, "https://www.demo-tech.example.com/news/1.html")
    assert _uses(result) == ["organisation"]


def test_a_consultancys_client_list_is_no_claim_of_its_own(checker: Checker) -> None:
    # The consultancy names its clients' designations as credentials: the clients' standards are not the
    # consultancy's, and a revoked one listed with its year is no claim the consultancy makes (no SHS004).
    html = _page(
        "成功案例-演示咨询",
        "<h1>成功案例</h1><ul class='cases'><li>演示科技有限公司（虚构）：企业标准Q/DEMO 0002-2023获评“上海标准”（2023年）</li>"
        "<li>演示标准化协会（虚构）：团体标准T/DEMO 003-2020获评“上海标准”（2021年）</li></ul>"
        "<p>演示企业管理咨询有限公司 版权所有</p>",
    )
    result = _check(checker, html, "https://www.demo-zixun.example.com/cases.html")
    assert _uses(result) == ["discussion", "discussion"]
    assert _findings(result) == []


def test_an_agencys_howto_article_is_discussion(checker: Checker) -> None:
    html = _page(
        "上海标准申报条件及流程详解-演示咨询",
        "<h1>2026年上海标准申报条件及流程详解</h1><p class='info'>发布时间：2026-03-01　来源：演示咨询</p>"
        "<p>一、申报主体：在本市注册的企业、社会团体等。申报上海标准的标准须为地方标准、团体标准或企业标准。</p>"
        "<p>二、申报流程：在线填报、形式审查、专家评估、公示。获评后可在标准文本上使用上海标准标识。</p><p>如需协助，请联系我们。</p>",
    )
    result = _check(checker, html, "https://www.demo-zixun.example.com/article/shbz-liucheng.html")
    assert _uses(result) == ["discussion", "discussion", "discussion"]


# --- printers and packaging suppliers showing a client's label --------------------------------------------------


def test_a_label_printers_sample_is_not_its_claim(checker: Checker) -> None:
    html = _page(
        "不干胶标签印刷-演示印务",
        "<h1>不干胶标签印刷定制</h1><p class='price'>¥0.05/张起</p><button>立即询价</button>"
        "<div class='samples'><h3>样品展示</h3><div class='sample'><img src='sample1.jpg' alt='样品'>"
        "<p>样品标签内容：品名：智能水杯　执行标准：T/DEMO 001-2022（上海标准）　生产商：某某公司</p></div></div>"
        "<p>演示印务有限公司</p>",
    )
    result = _check(checker, html, "https://www.demo-print.example.com/products/label.html")
    assert _uses(result) == ["discussion"]
    assert "near:printed-sample" in result.page.occurrences[-1].signals
    assert _findings(result) == []


def test_a_box_factory_that_can_print_the_mark_claims_nothing(checker: Checker) -> None:
    html = _page(
        "彩盒定制-演示包装",
        "<h1>彩盒包装定制</h1><p class='price'>¥0.8/个起</p>"
        "<p>可按客户提供的授权文件印制“上海标准”标识及执行标准编号，支持小批量打样。</p>",
    )
    result = _check(checker, html, "https://www.demo-box.example.com/about.html")
    assert _uses(result) == ["discussion"]
    assert _findings(result) == []


def test_a_printers_finished_work_is_not_its_claim(checker: Checker) -> None:
    html = _page(
        "案例-演示印务",
        "<h1>案例：智能水杯标签</h1><p>客户：某杯业公司　工艺：烫金+覆膜</p>"
        "<p>标签文字：执行标准：T/DEMO 001-2019（上海标准）</p><p>演示印务有限公司　咨询热线：021-00000001</p>",
    )
    result = _check(checker, html, "https://www.demo-print.example.com/cases/cup-label.html")
    assert _uses(result) == ["discussion"]
    assert _findings(result) == []


@pytest.mark.parametrize(
    "line",
    [
        "可免费提供样品。品名：智能水杯　执行标准：T/DEMO 001-2019（上海标准）",
        "支持来样定制、打样，可印刷logo，执行标准：T/DEMO 001-2019（上海标准）",
    ],
)
def test_a_seller_offering_custom_printing_keeps_its_claim(checker: Checker, line: str) -> None:
    # A cup factory that prints logos on request, makes proofs and sends free samples still claims for its cup.
    html = _page(
        "智能水杯 支持定制印刷logo-演示杯业",
        f"<h1>智能水杯 支持定制印刷logo</h1><p class='price'>¥59</p><button>加入购物车</button><p>{line}</p>",
    )
    result = _check(checker, html, "https://shop.example.com/item/3.html")
    assert _uses(result) == ["product"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_a_manufacturers_case_page_of_its_own_product_keeps_its_claim(checker: Checker) -> None:
    html = _page(
        "成功案例-演示杯业有限公司",
        "<h1>案例：某学校采购智能水杯</h1><p>本产品执行标准：T/DEMO 001-2019（上海标准），已交付2000只。</p>"
        "<p>© 2026 演示杯业有限公司 版权所有</p>",
    )
    result = _check(checker, html, "https://www.demo-cup.example.com/cases/1.html")
    assert _uses(result) == ["product"]
    assert ("SHS003", "T/DEMO 001-2019", "high") in _findings(result)


# --- navigation -------------------------------------------------------------------------------------------------


def test_a_navigation_zone_link_is_no_claim(checker: Checker) -> None:
    html = _page(
        "不锈钢真空杯-标准书店",
        "<ul class='nav'><li><a href='/zone/gb'>国家标准</a></li><li><a href='/zone/shbz'>上海标准专区</a></li>"
        "<li><a href='/zone/hy'>行业标准</a></li></ul>"
        "<h1>GB/T 29606-2013 不锈钢真空杯</h1><p class='price'>¥24</p><button>加入购物车</button>"
        "<ul><li>标准编号：GB/T 29606-2013</li></ul>",
    )
    result = _check(checker, html, "https://www.demo-bzsd.example.com/book/8804.html")
    assert _uses(result) == ["discussion"]
    assert "near:in-menu" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_a_shops_menu_naming_its_products_is_at_most_review(checker: Checker) -> None:
    # A shop's own menu entry 上海标准产品 says something of its goods, but of none in particular: never high.
    html = _page(
        "智能水杯-演示杯业",
        "<nav><a href='/'>首页</a><a href='/c/1'>上海标准产品</a></nav>"
        "<h1>演示智能水杯</h1><p class='price'>¥59</p><button>加入购物车</button>",
    )
    result = _check(checker, html, "https://shop.example.com/item/4.html")
    assert all(f.confidence == "review" for f in result.findings)


# --- buyers' requests --------------------------------------------------------------------------------------------


def test_a_buyers_request_claims_nothing(checker: Checker) -> None:
    html = _page(
        "求购智能水杯-阿里巴巴采购",
        "<h1>求购：智能水杯 5000只</h1><p>求购数量：5000只　截止日期：2026-12-31</p>"
        "<p>采购要求：产品须执行上海标准T/DEMO 001-2022，供应商需提供检测报告，含税含运费报价。</p>"
        "<p>采购商：上海演示礼品有限公司</p><button>立即报价</button>",
    )
    result = _check(checker, html, "https://buy.example-1688.com/qiugou/7001.html")
    assert _uses(result) == ["discussion"]
    assert _findings(result) == []


def test_an_english_buying_request_claims_nothing(checker: Checker) -> None:
    html = _page(
        "Buying Request Vacuum Flask",
        "<h1>Buying Request: Vacuum Flask 500ml</h1><p>Quantity Required: 10,000 Pieces</p>"
        "<p>Requirements: products must comply with T/DEMO 001-2022 (Shanghai Standard). Please quote FOB Ningbo.</p>"
        "<p>Buyer: Demo Trading LLC (USA)</p><button>Quote Now</button>",
    )
    result = _check(checker, html, "https://www.example-b2b.com/buying-request/5512.html")
    assert _uses(result) == ["discussion"]


# --- training and logo-rule pages --------------------------------------------------------------------------------


def test_a_course_outline_is_discussion(checker: Checker) -> None:
    html = _page(
        "课程大纲-演示培训",
        "<h1>标准化工程师进阶课程</h1><h3>课程大纲</h3><ol><li>上海标准标识使用规范</li>"
        "<li>如何在产品上标注：执行标准：T/XXX 001-2022（上海标准）</li><li>企业标准自我声明公开</li></ol>",
    )
    result = _check(checker, html, "https://www.demo-peixun.example.com/course/102.html")
    assert _uses(result) == ["discussion", "discussion"]
    assert _findings(result) == []


def test_a_trainers_enforcement_case_is_discussion(checker: Checker) -> None:
    html = _page(
        "典型案例-演示培训",
        "<h1>典型案例｜标注“上海标准认证”被责令整改</h1><p>2025年，某企业在商品详情页标注“通过上海标准认证”，"
        "被市场监管部门责令整改。讲师提示：上海标准是对标准的评价，不是产品认证。</p>",
    )
    result = _check(checker, html, "https://www.demo-peixun.example.com/news/55.html")
    assert set(_uses(result)) == {"discussion"}
    assert _findings(result) == []


def test_an_english_logo_guide_is_discussion(checker: Checker) -> None:
    html = _page(
        "Logo guide",
        "<h1>Using the mark</h1><p>Holders may print the Shanghai Standard mark on the standard text and on products"
        " that implement the standard, next to its number.</p>",
    )
    result = _check(checker, html, "https://www.demo-assoc.example.org/en/logo.html")
    assert _uses(result) == ["discussion"]
    assert _findings(result) == []
