"""What probe round s30 found, pinned: a lapsed designation is one thing to act on (no scope or holder finding
beside it), a seller's FAQ answering yes to "…是上海标准吗？", the mark's image whose alt text discloses the code,
a product said to have passed the Shanghai Standard evaluation, and an application pending written after the words.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import AS_OF, REGISTRY
from claims_probe_support import CUP_ROW as _CUP
from claims_probe_support import SHOP_URL as _URL
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import listing as _item
from claims_probe_support import page as _page
from claims_probe_support import spec_row as _row

from checker.check import Checker

# --- a lapsed designation is one thing to act on ---------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # An expired edition claimed for a kettle (outside the cup standard's scope): SHS011 low came beside
        # SHS003 high, two findings for one claim whose fix is the same (stop using the words).
        (
            _row("产品名称", "电热水壶") + _row("执行标准", "T/DEMO 001-2019（上海标准）"),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
        # A standard designated only from 2031 claimed by a shop that is not its holder: SHS007 only (SHS010
        # came beside it, for review).
        (
            _row("产品名称", "扫地机器人") + _row("执行标准", "Q/DEMO 0006-2025（上海标准）"),
            [("SHS007", "Q/DEMO 0006-2025", "high")],
        ),
    ],
)
def test_a_lapsed_designation_is_one_finding(
    checker: Checker, rows: str, expected: list[tuple[str, str, str]]
) -> None:
    result = _check(checker, _item("演示商品", rows), _URL, seller="演示杯具旗舰店")
    assert _findings(result) == expected


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            _row("产品名称", "电热水壶") + _row("执行标准", "T/DEMO 001-2022（上海标准）"),
            [("SHS011", "T/DEMO 001-2022", "high")],
        ),
        (
            _row("产品名称", "儿童安全座椅")
            + _row("执行标准", "Q/DEMO 0002-2023（上海标准）")
            + _row("生产企业", "杭州某某儿童用品有限公司"),
            [("SHS010", "Q/DEMO 0002-2023", "high")],
        ),
    ],
)
def test_a_valid_designation_keeps_its_scope_and_holder_findings(
    checker: Checker, rows: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _findings(_check(checker, _item("演示商品", rows), _URL)) == expected


# --- an application pending, written after the words -------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "extra"),
    [
        # The annotation of the legitimate form, then the status: the pool standard's SHS007 was high.
        (_row("执行标准", "T/DEMO 005-2024（上海标准）（申报中）"), ""),
        (_row("执行标准", "T/DEMO 005-2024【上海标准 评审中】"), ""),
        (_row("执行标准", "T/DEMO 005-2024"), "<p>本品执行标准的上海标准正在申报中，敬请期待。</p>"),
        (_row("执行标准", "T/DEMO 005-2024"), "<p>本品标准“上海标准”评价已提交申请，等待评审。</p>"),
        (_row("产品名称", "空气净化器"), "<ul><li>高效HEPA滤网</li><li>上海标准（申报中）</li></ul>"),
        (_row("Standard", "T/DEMO 005-2024 (Shanghai Standard application in progress)"), ""),
    ],
)
def test_an_application_pending_after_the_words_claims_no_designation(
    checker: Checker, rows: str, extra: str
) -> None:
    # As 正在申报上海标准 before the words (round s29): the seller says the standard is not designated yet.
    result = _check(checker, _item("演示空气净化器", rows, extra, price="¥1999"), _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert "near:pending-status" in result.page.occurrences[0].signals
    assert _findings(result) == []


@pytest.mark.parametrize(
    "value",
    [
        "T/DEMO 001-2019（上海标准）（已申报并获评）",
        "T/DEMO 001-2019（上海标准，已提交申请并通过评审）",
    ],
)
def test_an_application_that_succeeded_after_the_words_is_a_designation(checker: Checker, value: str) -> None:
    result = _check(checker, _item("演示智能水杯", _CUP + _row("执行标准", value)), _URL)
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


# --- the mark's image whose alt text discloses the code -----------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        # The file name names the mark, the alt text the standard: it was SHS008 ("nothing disclosed").
        (
            "<img src='/static/shanghai-standard-mark.png' alt='GB/T 29606-2013'>",
            [("SHS002", "GB/T 29606-2013", "high")],
        ),
        (
            "<img src='/img/上海标准.png' alt='执行标准：T/DEMO 003-2020'>",
            [("SHS004", "T/DEMO 003-2020", "high")],
        ),
        # The caption names the mark, the image's alt text the standard.
        (
            "<figure><img src='/img/p.png' alt='执行标准GB/T 29606-2013'><figcaption>上海标准</figcaption></figure>",
            [("SHS002", "GB/T 29606-2013", "high")],
        ),
        # The alt text names the mark, the title the standard.
        (
            "<img src='/img/m.png' alt='上海标准' title='GB/T 29606-2013'>",
            [("SHS002", "GB/T 29606-2013", "high")],
        ),
        # The alt text naming the mark with the code stays as it was.
        ("<img src='/img/m.png' alt='上海标准 GB/T 29606-2013'>", [("SHS002", "GB/T 29606-2013", "high")]),
    ],
)
def test_the_marks_image_discloses_the_code_its_own_text_gives(
    checker: Checker, image: str, expected: list[tuple[str, str, str]]
) -> None:
    html = _item("演示保温杯", _row("产品名称", "保温杯"), f"<div class='detail'>{image}</div>")
    result = _check(checker, html, _URL)
    assert _findings(result) == expected
    assert [c.kind for c in result.page.claims] == ["logo"]


def test_a_mark_image_with_a_plain_alt_discloses_nothing(checker: Checker) -> None:
    html = _item(
        "演示保温杯", _row("产品名称", "保温杯"), "<img src='/img/shanghai-standard.png' alt='产品细节图'>"
    )
    assert _findings(_check(checker, html, _URL)) == [("SHS008", None, "high")]


# --- a product said to have passed the evaluation ----------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "本产品已通过上海标准评价，品质可靠。",
        "本品通过“上海标准”评审，放心选购。",
        "该产品被评为上海标准产品。",
        "This product has passed the Shanghai Standard evaluation.",
    ],
)
def test_a_product_said_to_have_passed_the_evaluation_is_certification_wording(
    checker: Checker, sentence: str
) -> None:
    # A standard is evaluated, a product is not (domain.md §1): the product presented as having passed it is a
    # product certification or approval (SHS009). It was no finding (the row's code is designated).
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022"), f"<p>{sentence}</p>")
    assert _findings(_check(checker, html, _URL)) == [("SHS009", "T/DEMO 001-2022", "high")]


@pytest.mark.parametrize(
    "sentence",
    [
        "本品执行的团体标准T/DEMO 001-2022已通过上海标准评价。",
        "本产品执行T/DEMO 001-2022，该标准通过上海标准评价。",
        "The standard our cup implements, T/DEMO 001-2022, passed the Shanghai Standard evaluation.",
    ],
)
def test_a_standard_said_to_have_passed_the_evaluation_is_true(checker: Checker, sentence: str) -> None:
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022"), f"<p>{sentence}</p>")
    assert _findings(_check(checker, html, _URL)) == []


# --- a seller's FAQ answering yes -------------------------------------------------------------------------

_GB_FLASK = _row("产品名称", "保温杯") + _row("执行标准", "GB/T 29606-2013")


@pytest.mark.parametrize(
    "faq",
    [
        "<div class='faq'><h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的。</p></div>",
        "<div class='faq'><h3>常见问题</h3><p>Q：这款是上海标准产品吗？</p><p>A：是的，放心购买。</p></div>",
        "<ul class='qa'><li>这款是上海标准吗？是的！</li></ul>",
        "<div class='ask-answer'><h3>问大家</h3><p>问：这个是上海标准吗？</p><p>商家回复：是的亲。</p></div>",
    ],
)
def test_the_sellers_yes_to_is_it_a_shanghai_standard_is_its_claim(checker: Checker, faq: str) -> None:
    # Asking is no claim (near:asked), but the seller's yes answers for the product: it was discussion, no
    # finding, on a page that discloses only a national standard (nothing designated with the words: SHS008).
    result = _check(checker, _item("演示保温杯", _GB_FLASK, faq), _URL)
    assert "near:affirmed" in result.page.claims[0].use_signals
    assert _findings(result) == [("SHS008", None, "high")]


def test_the_sellers_yes_to_a_certification_question_is_certification_wording(checker: Checker) -> None:
    faq = "<div class='faq'><h3>常见问题</h3><p>问：有上海标准认证吗？</p><p>答：有的。</p></div>"
    result = _check(checker, _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022"), faq), _URL)
    assert _findings(result) == [("SHS009", "T/DEMO 001-2022", "high")]


def test_the_sellers_yes_takes_the_code_its_reply_discloses(checker: Checker) -> None:
    faq = (
        "<div class='ask-answer'><h3>问大家</h3><p>问：这个是上海标准吗？</p>"
        "<p>商家回复：是的，本品执行T/DEMO 001-2019。</p></div>"
    )
    result = _check(checker, _item("演示智能水杯", _CUP, faq), _URL)
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "review")]


def test_the_sellers_yes_beside_a_designated_row_is_true(checker: Checker) -> None:
    faq = "<div class='faq'><h3>常见问题</h3><p>问：这款水杯是上海标准吗？</p><p>答：是的。</p></div>"
    result = _check(
        checker, _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准）"), faq), _URL
    )
    assert _findings(result) == []


@pytest.mark.parametrize(
    "faq",
    [
        # Another buyer's yes under 问大家 is not the seller's word.
        "<div class='ask-answer'><h3>问大家</h3><p>问：这个是上海标准吗？</p><p>答：是的，我买过。</p></div>",
        "<div class='comments'><p>买家小王：这个是上海标准吗？</p><p>买家老李：是的</p></div>",
        # A no, a yes taken back, an explanation of the scheme.
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：不是，本品执行国家标准。</p></div>",
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：是的，不过不是上海标准，是国家标准。</p></div>",
        "<div class='faq'><h3>常见问题</h3><p>问：什么是上海标准？</p><p>答：是对标准的评价，不是产品认证。</p></div>",
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：请以执行标准栏为准。</p></div>",
    ],
)
def test_no_sellers_yes_leaves_the_question_a_question(checker: Checker, faq: str) -> None:
    result = _check(checker, _item("演示保温杯", _GB_FLASK, faq), _URL)
    assert {o.use for o in result.page.occurrences} == {"discussion"}
    assert _findings(result) == []


# --- an export page's English standard row ------------------------------------------------------------------


def _export(row_label: str, code: str, sentence: str) -> str:
    return _page(
        "Smart Water Cup 500ml - Buy Product",
        "<h1>Smart Water Cup 500ml</h1><div class='price'>US $3.80 - $5.20 / Piece</div><p>Min. Order: 500 Pieces</p>"
        f"<a class='inquiry'>Send Inquiry</a><table class='attrs'><tr><th>Product Name</th><td>Smart cup</td></tr>"
        f"<tr><th>{row_label}</th><td>{code}</td></tr></table><p>{sentence}</p>",
        lang="en",
    )


@pytest.mark.parametrize("label", ["Executive Standard", "Standard No.", "Implementation Standard"])
def test_an_english_standard_row_declares_the_pages_standard(checker: Checker, label: str) -> None:
    # The row was pruned before reading (only Chinese labels were kept as context): the page declared nothing,
    # and "Certified by Shanghai Standard" was SHS008 (nothing disclosed) beside SHS009 with no code.
    html = _export(label, "T/DEMO 001-2022", "Certified by Shanghai Standard, safe for daily use.")
    result = _check(checker, html, "https://www.b2b.example.com/product-detail/cup_32.html")
    assert result.page.declared_standards == ["T/DEMO 001-2022"]
    assert _findings(result) == [("SHS009", "T/DEMO 001-2022", "high")]


def test_an_english_row_with_an_expired_edition_is_its_own_finding(checker: Checker) -> None:
    html = _export("Executive Standard", "T/DEMO 001-2019", "A Shanghai Standard product.")
    result = _check(checker, html, "https://www.b2b.example.com/product-detail/cup_33.html")
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "review")]


# --- the words presented as an honour --------------------------------------------------------------------------


def test_the_words_listed_as_an_honour_are_award_wording(checker: Checker) -> None:
    # 获得荣誉：上海标准、上海品牌: the mark presented as an award (SHS009); it was no finding (the code is designated).
    html = _item(
        "演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022") + _row("获得荣誉", "上海标准、上海品牌")
    )
    assert _findings(_check(checker, html, _URL)) == [("SHS009", "T/DEMO 001-2022", "high")]


def test_an_organisations_products_holding_the_words_as_an_honour_are_a_product_claim(
    checker: Checker,
) -> None:
    # On its about page, 公司产品…获得…上海标准等荣誉 was an organisation's announcement with no standard, so no finding.
    html = _page(
        "关于我们-演示厨具有限公司",
        "<h1>公司简介</h1><p>演示厨具有限公司成立于2005年。公司产品先后获得上海品牌认证、上海标准等荣誉。</p>"
        "<div class='footer'>演示厨具有限公司 版权所有</div>",
    )
    result = _check(checker, html, "https://www.demo-chuju2.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["product"]
    assert {(f.rule_id, f.standard_code) for f in result.findings} == {("SHS008", None), ("SHS009", None)}


def test_an_organisations_standard_designated_is_still_an_announcement(checker: Checker) -> None:
    html = _page(
        "关于我们-演示科技有限公司（虚构）",
        "<h1>公司简介</h1><p>公司产品执行的企业标准Q/DEMO 0002-2023荣获“上海标准”称号。</p>"
        "<div class='footer'>演示科技有限公司（虚构） 版权所有</div>",
    )
    result = _check(checker, html, "https://www.demo-tech.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["organisation"]
    assert _findings(result) == []


# --- a standard replaced by a new edition -------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "本品执行的上海标准已由T/DEMO 001-2019升级为T/DEMO 001-2022。",
        "本品执行的上海标准T/DEMO 001-2019（旧版）已更新为T/DEMO 001-2022。",
    ],
)
def test_the_edition_a_standard_was_upgraded_to_is_the_claims(checker: Checker, sentence: str) -> None:
    # 由…2019升级为…2022: the words were tied to the nearer, replaced edition (SHS003 high).
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022"), f"<p>{sentence}</p>")
    assert _findings(_check(checker, html, _URL)) == []


def test_two_editions_not_said_to_replace_each_other_keep_the_nearer(checker: Checker) -> None:
    html = _item("演示智能水杯", _CUP, "<p>本品执行的上海标准为T/DEMO 001-2019，另见T/DEMO 001-2022。</p>")
    assert _findings(_check(checker, html, _URL)) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_an_english_organisations_products_certified_are_a_product_claim(checker: Checker) -> None:
    # As 我司产品通过上海标准认证 (round s27): it was an organisation's announcement naming no standard, no finding.
    html = _page(
        "About us - Demo Kitchen Co., Ltd.",
        "<h1>About us</h1><p>Demo Kitchen Co., Ltd. was founded in 2005. Our products are certified to Shanghai"
        " Standard and sold in 30 countries.</p><div class='footer'>© Demo Kitchen Co., Ltd.</div>",
        lang="en",
    )
    result = _check(checker, html, "https://en.demo-kitchen.example.com/about.html")
    assert [c.use for c in result.page.claims] == ["product"]
    assert result.page.claims[0].product_name is None  # "About us" names a section, not a product
    assert _findings(result) == [("SHS008", None, "high"), ("SHS009", None, "high")]


def test_an_english_organisations_standard_designated_stays_an_announcement(checker: Checker) -> None:
    html = _page(
        "About us - Demo Technology Co., Ltd. (fictional)",
        "<h1>About us</h1><p>Our products implement our enterprise standard Q/DEMO 0002-2023, designated a Shanghai"
        " Standard in 2023.</p><div class='footer'>© Demo Technology Co., Ltd. (fictional)</div>",
        lang="en",
    )
    result = _check(checker, html, "https://en.demo-tech.example.com/about.html")
    assert all("near:own-products-certified" not in c.use_signals for c in result.page.claims)


# --- the rest of round s30: pages the checker already judged as expected, kept so they stay so ----------------

_FLASK_GB = _row("产品名称", "保温杯") + _row("执行标准", "GB/T 29606-2013")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # precision traps beside an offer
        (_item("演示保温杯", _FLASK_GB, "<p>发货时间：上海标准时间每日15:00前下单当天发货。</p>"), []),
        (_item("演示保温杯", _FLASK_GB, "<p>经上海标准化研究院检测合格。</p>"), []),
        (_item("演示保温杯", _FLASK_GB, "<p>10% off for Standard Chartered Shanghai card holders.</p>"), []),
        (
            _item(
                "演示保温杯",
                _FLASK_GB,
                "<div class='rate'><h3>商品评价</h3><p>买家评价：说是上海标准，质量一般。</p></div>",
            ),
            [],
        ),
        (
            _item(
                "演示保温杯", _row("产品名称", "保温杯"), "<p>本品不是上海标准产品，执行GB/T 29606-2013。</p>"
            ),
            [],
        ),
        # two codes in one row, the words annotating the designated one
        (_item("演示智能水杯", _CUP + _row("执行标准", "GB 4806.9-2016、T/DEMO 001-2022（上海标准）")), []),
        (_item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准）、GB 4806.9-2016")), []),
        # an unpadded number, a standard with no scope, a local standard's holder unjudged
        (
            _item(
                "塑胶跑道面层",
                _row("产品名称", "塑胶跑道面层") + _row("执行标准", "T/SHHJ 3-2018（上海标准）"),
            ),
            [],
        ),
        (
            _item(
                "演示电动自行车",
                _row("产品名称", "电动自行车") + _row("执行标准", "DB31/T 1108-2018（上海标准）"),
            ),
            [],
        ),
        # a second product's claim on the same page, a pool standard, a standard designated later
        (
            _item(
                "演示智能水杯",
                _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准）"),
                "<p>配套杯套执行T/DEMO 003-2020（上海标准）。</p>",
            ),
            [("SHS004", "T/DEMO 003-2020", "high")],
        ),
        (
            _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准认证）")),
            [("SHS009", "T/DEMO 001-2022", "high")],
        ),
        (
            _item(
                "演示电饭煲", _row("产品名称", "电饭煲") + _row("执行标准", "DB44/T 1234-2020（上海标准）")
            ),
            [("SHS002", "DB44/T 1234-2020", "high")],
        ),
        # a shop notice and a service strip using the words for the goods on a page disclosing only GB/T
        (
            _item(
                "演示保温杯",
                _FLASK_GB,
                "<div class='shop-notice'><h4>店铺公告</h4><p>本店所有产品均为上海标准产品。</p></div>",
            ),
            [("SHS008", None, "high")],
        ),
        (
            _item(
                "演示保温杯",
                _FLASK_GB,
                "<div class='service'><span>正品保障</span> | <span>上海标准</span></div>",
            ),
            [("SHS008", None, "high")],
        ),
        # buyers asking buyers; tenders and procurement results; a regulator's case; a comparison blog
        (
            _item(
                "演示智能水杯",
                _CUP + _row("执行标准", "T/DEMO 001-2019"),
                "<div class='ask-answer'><h3>问大家</h3><p>买家小王：这个是上海标准吗？</p><p>买家老李：不清楚</p></div>",
            ),
            [],
        ),
        (
            _page(
                "监护型救护车采购项目招标公告",
                "<h1>监护型救护车采购项目招标公告</h1><h2>采购需求</h2><p>投标产品须符合DB31/T 1108-2018（上海标准）的配置要求，"
                "预算金额：180万元。</p>",
            ),
            [],
        ),
        (
            _page(
                "成交结果公告",
                "<h1>办公用品采购成交结果公告</h1><p>成交供应商：某某商贸有限公司</p><p>成交金额：12.8万元</p>"
                "<p>中标产品：智能水杯，执行标准T/DEMO 001-2019（上海标准）</p>",
            ),
            [],
        ),
        (
            _page(
                "典型案例｜虚假宣传“上海标准”案-上海市市场监督管理局",
                "<h1>典型案例</h1><p>当事人在其销售的保温杯详情页标注“执行标准：GB/T 29606-2013（上海标准）”，构成虚假宣传。</p>"
                "<div class='footer'>主办：上海市市场监督管理局</div>",
            ),
            [],
        ),
        (
            _page(
                "参展企业名录",
                "<h1>参展企业名录</h1><table><tr><th>展商名称</th><th>展品名称</th><th>执行标准</th></tr>"
                "<tr><td>演示科技有限公司（虚构）</td><td>儿童安全座椅</td><td>Q/DEMO 0002-2023（上海标准）</td></tr>"
                "<tr><td>某某电器有限公司</td><td>扫地机器人</td><td>Q/DEMO 0006-2025（上海标准）</td></tr></table>",
            ),
            [("SHS007", "Q/DEMO 0006-2025", "high")],
        ),
    ],
)
def test_round_s30_pages_judged_as_expected(
    checker: Checker, html: str, expected: list[tuple[str, str | None, str]]
) -> None:
    assert _findings(_check(checker, html, _URL)) == expected


def test_a_gbk_page_with_the_sellers_yes_is_read_and_judged(checker: Checker) -> None:
    html = _item(
        "演示共享单车",
        _row("产品名称", "共享单车") + _row("执行标准", "T/DEMO 003-2020"),
        "<div class='faq'><h3>常见问题</h3><p>问：这款单车是上海标准吗？</p><p>答：是的。</p></div>",
        price="￥899",
    ).replace('charset="utf-8"', 'charset="gbk"')
    result = checker.check_page(
        html.encode("gbk"),
        url=_URL,
        declared_charset=None,
        observed_at=None,
        registry=REGISTRY,
        as_of=AS_OF,
    )
    assert _findings(result) == [("SHS004", "T/DEMO 003-2020", "review")]


# --- a parameter row named by the words that says no ----------------------------------------------------------


@pytest.mark.parametrize(
    "row",
    [
        _row("是否上海标准", "否"),
        _row("上海标准", "无"),
        _row("Shanghai Standard", "No"),
        "<tr><td>是否上海标准：否</td></tr>",
        _row("是否上海标准", "—"),
    ],
)
def test_a_row_named_by_the_words_saying_no_is_a_denial(checker: Checker, row: str) -> None:
    # The seller states the flask is not one: it was SHS008 high ("nothing disclosed") against it.
    result = _check(checker, _item("演示保温杯", _FLASK_GB + row), _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert {"near:row-denied", "near:value-denied"} & set(result.page.occurrences[0].signals)
    assert _findings(result) == []


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (_row("是否上海标准", "是"), [("SHS008", None, "high")]),
        (_row("Shanghai Standard", "Yes"), [("SHS008", None, "high")]),
    ],
)
def test_a_row_named_by_the_words_saying_yes_is_a_claim(
    checker: Checker, row: str, expected: list[tuple[str, None, str]]
) -> None:
    assert _findings(_check(checker, _item("演示保温杯", _FLASK_GB + row), _URL)) == expected


def test_the_words_qualifying_a_drafter_are_an_organisation_presenting_itself(checker: Checker) -> None:
    # 店铺资质：上海标准起草单位: the shop presents itself as a drafter; it was SHS008 high against the flask.
    result = _check(checker, _item("演示保温杯", _FLASK_GB + _row("店铺资质", "上海标准起草单位")), _URL)
    assert [c.use for c in result.page.claims] == ["organisation"]
    assert _findings(result) == []


@pytest.mark.parametrize(
    "link",
    [
        "<p><a href='https://scjgj.sh.gov.example.cn/shbz'>了解上海标准政策 &gt;</a></p>",
        "<p><a href='/help/shbz.html'>上海标准申报指南</a></p>",
    ],
)
def test_a_link_naming_the_scheme_beside_an_offer_is_no_claim(checker: Checker, link: str) -> None:
    # The link's text names the policy (上海标准政策, 申报指南) and points elsewhere: it was SHS008 for review.
    result = _check(checker, _item("演示保温杯", _FLASK_GB, link), _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_a_link_naming_a_product_as_a_shanghai_standard_stays_a_claim(checker: Checker) -> None:
    result = _check(
        checker, _item("演示保温杯", _FLASK_GB, "<p><a href='/item/2'>上海标准产品 保温杯 热卖</a></p>"), _URL
    )
    assert [o.use for o in result.page.occurrences] == ["product"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # A yes that says the standard is only applied for claims no designation (it was SHS008 high).
        ("答：是的，我们正在申报。", []),
        # A yes repeating the words without the seller's voice answers for the question's words (it was no finding:
        # the answer's own words, in the FAQ box, read as a buyer's).
        ("答：对，是上海标准。", [("SHS008", None, "high")]),
    ],
)
def test_what_the_sellers_answer_says_after_its_yes(
    checker: Checker, answer: str, expected: list[tuple[str, None, str]]
) -> None:
    faq = f"<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>{answer}</p></div>"
    assert _findings(_check(checker, _item("演示保温杯", _FLASK_GB, faq), _URL)) == expected


def test_a_row_saying_no_with_a_note_is_a_denial(checker: Checker) -> None:
    result = _check(checker, _item("演示保温杯", _FLASK_GB + _row("是否上海标准", "否（申报中）")), _URL)
    assert _findings(result) == []


# --- an organisation's own certificate or honour in the next clause ----------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        # The company's ISO certificate, its honours and awards, named in a clause of their own after a true
        # claim: the words are not presented as a certificate or an award (SHS009 high against the seller).
        "本品执行标准T/SHHJ 000003-2018（上海标准），公司通过ISO9001认证。",
        "本品执行标准T/SHHJ 000003-2018（上海标准），公司曾获多项荣誉。",
        "本品执行标准T/SHHJ 000003-2018（上海标准）；我司荣获高新技术企业称号。",
        "本品执行标准T/SHHJ 000003-2018（上海标准），同时企业获得省级设计奖项。",
        "公司获奖，本品（上海标准）执行T/SHHJ 000003-2018。",
    ],
)
def test_an_organisations_own_certificate_in_another_clause_is_not_the_words_presented_as_one(
    checker: Checker, sentence: str
) -> None:
    html = _item("智能水杯", _CUP, f"<p>{sentence}</p>")
    assert _findings(_check(checker, html, url=_URL)) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # The words themselves presented as a certificate or award, in their own clause or one that goes on
        # without a subject of its own: SHS009 as before.
        "本品通过上海标准认证，执行标准T/SHHJ 000003-2018。",
        "本品执行标准T/SHHJ 000003-2018，荣获上海标准。",
        "本品执行T/SHHJ 000003-2018（上海标准），并通过认证。",
        "公司产品执行T/SHHJ 000003-2018，获得上海标准等荣誉。",
    ],
)
def test_the_words_presented_as_a_certificate_in_their_own_clause_stay_certification_wording(
    checker: Checker, sentence: str
) -> None:
    html = _item("智能水杯", _CUP, f"<p>{sentence}</p>")
    assert ("SHS009", "T/SHHJ 000003-2018") in {
        (rule, code) for rule, code, _ in _findings(_check(checker, html, url=_URL))
    }
