"""What probe round s27 found, pinned: an organisation's own products called 上海标准认证 on its about page, a
site owner named before 版权所有 in a footer, English Manufacturer/Supplier rows, and a spec sheet whose code sits
in a row that is no 执行标准 row.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import page as _page

from checker.check import Checker, PageResult


def _claimants(result: PageResult) -> set[tuple[str | None, str | None]]:
    return {(c.claimant, c.claimant_source) for c in result.page.claims}


# --- an organisation's own products presented as certified -------------------------------------------------

_ABOUT_CERTIFIED = _page(
    "关于我们-浙江演示厨具有限公司",
    "<div class='nav'><a>首页</a> <a>关于我们</a> <a>产品中心</a></div><h1>公司简介</h1>"
    "<p>浙江演示厨具有限公司是一家集研发、生产、销售于一体的厨具企业。我司产品通过上海标准认证，远销欧美及东南亚。</p>"
    "<div class='footer'>浙江演示厨具有限公司 版权所有</div>",
)


def test_an_organisations_own_products_certified_are_a_product_claim(checker: Checker) -> None:
    # 我司产品通过上海标准认证 certifies the goods the company sells: SHS009 (and nothing disclosed: SHS008), with the
    # company as claimant, though its about page and first person argued for an announcement (no finding at all).
    result = _check(checker, _ABOUT_CERTIFIED, "https://www.demo-chuju.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["product"]
    assert "near:own-products-certified" in result.page.claims[0].use_signals
    assert _findings(result) == [("SHS008", None, "high"), ("SHS009", None, "high")]
    assert result.page.claims[0].claimant == "浙江演示厨具有限公司"
    # The about page's section heading names no product.
    assert result.page.claims[0].product_name is None


def test_an_organisation_announcing_its_designation_is_still_an_announcement(checker: Checker) -> None:
    html = _ABOUT_CERTIFIED.replace(
        "我司产品通过上海标准认证", "我司主导制定的企业标准Q/DEMO 0002-2023获评“上海标准”"
    )
    result = _check(checker, html, "https://www.demo-chuju.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["organisation"]


def test_the_company_certified_itself_is_no_product_claim(checker: Checker) -> None:
    # Without its products as the subject, 上海标准认证 on an about page is not turned into a product claim here.
    html = _ABOUT_CERTIFIED.replace("我司产品通过上海标准认证", "我司产品远销海外，公司获得上海标准认证")
    result = _check(checker, html, "https://www.demo-chuju.example.com/about.html")
    assert all("near:own-products-certified" not in c.use_signals for c in result.page.claims)


# --- the site owner named before 版权所有 --------------------------------------------------------------------

_OWN_SITE_SEAT = _page(
    "儿童安全座椅 K3-产品展示",
    "<h1>K3 儿童安全座椅</h1><table><tr><th>产品名称</th><td>儿童安全座椅</td></tr>"
    "<tr><th>执行标准</th><td>Q/DEMO 0002-2023（上海标准）</td></tr><tr><th>适用年龄</th><td>0-4岁</td></tr></table>"
    "<p>欢迎来电咨询：0574-00000000</p><div class='footer'>宁波演示婴童用品有限公司 版权所有 浙ICP备00000001号</div>",
)


def test_a_footers_owner_before_the_notice_is_the_claimant(checker: Checker) -> None:
    # Nobody else named beside the product: the site's owner offers it. It is not named as the maker, so the
    # holder check goes to review (it may sell the holder's seats).
    result = _check(checker, _OWN_SITE_SEAT, "https://www.demo-baby.example.com/product/12.html")
    assert _claimants(result) == {("宁波演示婴童用品有限公司", "site:copyright")}
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]


def test_a_crawls_seller_replaces_the_footers_owner(checker: Checker) -> None:
    # On a marketplace the footer names the platform's operator; the shop the crawl knows offers the product.
    result = _check(
        checker, _OWN_SITE_SEAT, "https://www.demo-baby.example.com/product/12.html", seller="演示母婴专营店"
    )
    assert _claimants(result) == {("演示母婴专营店", "adapter:seller")}


def test_the_holders_own_footer_gives_no_holder_finding(checker: Checker) -> None:
    html = _OWN_SITE_SEAT.replace("宁波演示婴童用品有限公司 版权所有", "演示科技有限公司（虚构） 版权所有")
    result = _check(checker, html, "https://www.demo-tech.example.com/product/12.html")
    assert _findings(result) == []


def test_a_dealers_title_is_not_taken_as_the_claimant(checker: Checker) -> None:
    # A dealer's page titles itself and names the maker it sells for in its text: no holder finding about it.
    html = _page(
        "演示扫地机器人X1-宁波演示贸易有限公司",
        "<h1>演示扫地机器人 X1</h1><p>零售价：¥2599</p><p>演示科技有限公司（虚构）授权宁波演示贸易有限公司销售其扫地机器人。</p>"
        "<p>产品名称：扫地机器人</p><p>执行标准：Q/DEMO 0006-2025（上海标准）</p>",
    )
    result = _check(checker, html, "https://www.demo-nbtrade.example.com/products/robot.html")
    assert _findings(result) == [("SHS007", "Q/DEMO 0006-2025", "high")]


# --- English claimant rows ----------------------------------------------------------------------------------


def _export_seat(label: str, name: str) -> str:
    return _page(
        "Child Safety Seat - Alibaba.com",
        "<h1>Child Safety Seat ISOFIX 0-12 Years</h1><div class='price'>US $38.00 / piece</div><a>Contact Supplier</a>"
        "<div class='attrs'><p>Product Name: Child Safety Seat 儿童安全座椅</p>"
        f"<p>Standard: Q/DEMO 0002-2023 (上海标准)</p><p>{label}: {name}</p></div>",
        lang="en",
    )


def test_an_english_manufacturer_row_names_the_maker(checker: Checker) -> None:
    result = _check(
        checker,
        _export_seat("Manufacturer", "宁波演示婴童用品有限公司"),
        "https://www.alibaba.example.com/p/1.html",
    )
    assert _claimants(result) == {("宁波演示婴童用品有限公司", "row:生产商")}
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "high")]


def test_an_english_supplier_row_names_a_seller(checker: Checker) -> None:
    result = _check(
        checker, _export_seat("Supplier", "义乌演示贸易有限公司"), "https://www.alibaba.example.com/p/2.html"
    )
    assert _claimants(result) == {("义乌演示贸易有限公司", "row:供应商")}
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]


def test_an_english_makers_latin_name_is_compared_with_the_registered_english_name(checker: Checker) -> None:
    # The holder has a registered English name (examples/registry.yaml): a Latin-script maker equal to none is
    # SHS010 at review, never high (one company's English name may be spelt in more than one way). Without
    # a registered English name it is not compared at all (tests/test_holder_names.py).
    html = _export_seat("Manufacturer", "Ningbo Demo Baby Products Co., Ltd.")
    result = _check(checker, html, "https://www.alibaba.example.com/p/3.html")
    assert _claimants(result) == {("Ningbo Demo Baby Products Co., Ltd.", "row:生产商")}
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]
    [finding] = result.findings
    assert "claimant-english-name: Ningbo Demo Baby Products Co., Ltd." in finding.confidence_reasons


# --- a code in a row that is no 执行标准 row -----------------------------------------------------------------


def test_a_code_in_another_standard_row_sends_not_disclosed_to_review(checker: Checker) -> None:
    # 标准类型：上海标准 beside 通信接口标准：PDLH/DEMO 009-2023 in the same spec table: the page discloses a code the
    # registry does not know, so "nothing disclosed" is an inspector's judgement (was SHS008 high). (The
    # designated PDLH/DEMO 001-2023 there is the claim's standard: test_claims_row_tie.py.)
    html = _page(
        "R5工业机器人-演示起草单位甲（虚构）",
        "<h1>R5 六轴工业机器人</h1><h2>规格参数</h2><table class='spec'>"
        "<tr><th>产品名称</th><td>工业机器人</td></tr><tr><th>通信接口标准</th><td>PDLH/DEMO 009-2023</td></tr>"
        "<tr><th>标准类型</th><td>上海标准</td></tr><tr><th>生产商</th><td>演示起草单位甲（虚构）</td></tr></table>",
    )
    result = _check(checker, html, "https://www.demo-jiaqi.example.com/product/robot-r5.html")
    assert _findings(result) == [("SHS008", None, "review")]
    reasons = result.findings[0].confidence_reasons
    assert any(r.startswith("standard-elsewhere") and "PDLH/DEMO 009-2023" in r for r in reasons)


# --- a class of designated organisations and products --------------------------------------------------------


def test_designated_organisations_and_products_as_a_class_are_no_claim(checker: Checker) -> None:
    # An exhibition's news: 展示获评上海标准的企业和产品 reports those designated as a group (was an organisation
    # claim, on a close call).
    html = _page(
        "博览会设立“上海标准”展区-2026演示博览会",
        "<h1>博览会设立“上海标准”展区</h1><div class='info'>发布时间：2026-06-01</div>"
        "<p>本届博览会首次设立“上海标准”展区，集中展示获评上海标准的企业和产品，市市场监管局相关负责人出席开幕式。</p>",
    )
    result = _check(checker, html, "https://www.demo-expo.example.com/news/34.html")
    assert result.page.claims == []
    assert any("near:designated-class" in o.signals for o in result.page.occurrences)


def test_a_designated_enterprise_standard_is_still_announced(checker: Checker) -> None:
    # 的企业标准 names the standard announced, not a class in a list.
    html = _ABOUT_CERTIFIED.replace(
        "我司产品通过上海标准认证", "我司获评上海标准的企业标准为Q/DEMO 0002-2023"
    )
    result = _check(checker, html, "https://www.demo-chuju.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["organisation"]
