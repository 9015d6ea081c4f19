"""What probe round s29 found, pinned: a competitor's claim quoted on a seller's page, English denials, an
application still pending, 上海标准证书, a code written without its year, a code split across a row's cells.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import CUP_ROW as _CUP
from claims_probe_support import SHOP_URL as _URL
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import listing as _item
from claims_probe_support import page as _page
from claims_probe_support import spec_row as _row

from checker.check import Checker

# --- a competitor's claim, quoted by a seller ------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "与某些宣称“上海标准认证”的竞品不同，我们如实公开执行标准。",
        "市面上部分竞品自称上海标准产品，但其执行的GB/T 29606-2013并非上海标准。",
        "有些商家号称“上海标准认证产品”，请注意辨别。",
    ],
)
def test_a_competitors_claim_quoted_by_a_seller_is_not_the_sellers(checker: Checker, sentence: str) -> None:
    # 竞品自称/某些宣称…: the seller reports what others claim (to set itself apart); its own claim is its row.
    # The competitor's 上海标准认证 was SHS009 high against the seller, its GB/T code SHS002 high.
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准）"), f"<p>{sentence}</p>")
    result = _check(checker, html, _URL)
    assert _findings(result) == []
    assert any("near:others-claim" in o.signals for o in result.page.occurrences)


def test_the_sellers_own_claim_beside_a_competitors_is_still_judged(checker: Checker) -> None:
    html = _item(
        "演示智能水杯",
        _CUP + _row("执行标准", "T/DEMO 001-2019（上海标准）"),
        "<p>与某些宣称“上海标准认证”的竞品不同，我们如实公开执行标准。</p>",
    )
    assert _findings(_check(checker, html, _URL)) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_an_english_unlike_other_brands_is_not_the_sellers_certification(checker: Checker) -> None:
    html = _page(
        "Smart cup",
        "<h1>Smart Cup 500ml</h1><p>US$ 8.50</p><a>Send Inquiry</a>"
        "<p>Unlike other brands that only claim a Shanghai Standard certification, our cup implements"
        " T/DEMO 001-2019 (Shanghai Standard).</p>",
        lang="en",
    )
    # The seller's own claim in the same sentence is judged (expired edition); the others' wording is not its.
    assert _findings(_check(checker, html, _URL)) == [("SHS003", "T/DEMO 001-2019", "high")]


# --- English denials -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        "Note: this product is not a Shanghai Standard product.",
        "This flask isn't a Shanghai Standard product.",
        "Our products are not labelled as Shanghai Standard.",
    ],
)
def test_an_english_denial_is_no_claim(checker: Checker, note: str) -> None:
    # "is not a Shanghai Standard product" was a product claim tied to the GB/T code: SHS002 high.
    html = _page(
        "Vacuum flask",
        "<h1>Vacuum Flask</h1><p>US$ 3.80 / Piece</p><button>Inquire now</button>"
        f"<p>Standard: GB/T 29606-2013. {note}</p>",
        lang="en",
    )
    result = _check(checker, html, _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_an_english_not_only_is_no_denial(checker: Checker) -> None:
    html = _page(
        "Vacuum flask",
        "<h1>Vacuum Flask</h1><p>US$ 3.80 / Piece</p><button>Inquire now</button>"
        "<p>Standard: GB/T 29606-2013. It is not only a Shanghai Standard product but also a best seller.</p>",
        lang="en",
    )
    assert _findings(_check(checker, html, _URL)) == [("SHS002", "GB/T 29606-2013", "high")]


# --- an application still pending ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "本品标准正在申报上海标准（申报中）。",
        "本品执行的团体标准T/DEMO 005-2024正在申报“上海标准”。",
        "本品标准已申请上海标准评价，结果待公布。",
    ],
)
def test_a_pending_application_claims_no_designation(checker: Checker, sentence: str) -> None:
    # Like a cultivation-pool entry, an application in progress says the standard is not (yet) designated: it
    # was a product claim, SHS008 high "nothing disclosed".
    html = _item("演示空气净化器", _row("产品名称", "空气净化器"), f"<p>{sentence}</p>", price="¥1999")
    result = _check(checker, html, _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert "near:pending" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_a_pool_standard_written_as_shanghai_standard_is_still_not_designated(checker: Checker) -> None:
    html = _item("演示空气净化器", _row("执行标准", "T/DEMO 005-2024（上海标准）"), price="¥1999")
    assert _findings(_check(checker, html, _URL)) == [("SHS007", "T/DEMO 005-2024", "high")]


# --- a certificate ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "本产品已获得上海标准证书，品质有保障。",
        "本产品持有“上海标准”证书。",
        "This cup holds a Shanghai Standard certificate.",
    ],
)
def test_a_shanghai_standard_certificate_is_certification_wording(checker: Checker, sentence: str) -> None:
    # A standard is designated, no certificate is issued to a product: 上海标准证书 presents it as a
    # certification (SHS009). It was no finding (the code is designated).
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2022"), f"<p>{sentence}</p>")
    assert _findings(_check(checker, html, _URL)) == [("SHS009", "T/DEMO 001-2022", "high")]


def test_another_certificate_beside_the_words_is_no_certification_wording(checker: Checker) -> None:
    html = _item(
        "演示智能水杯", _CUP, "<p>本品执行T/DEMO 001-2022（上海标准），另附第三方检测机构出具的检测证书。</p>"
    )
    assert _findings(_check(checker, html, _URL)) == []


# --- a code written without its year ------------------------------------------------------------------------


def test_a_code_without_its_year_is_an_edition_for_review(checker: Checker) -> None:
    # T/DEMO 001 names no edition; the registry's designated edition may be the one implemented. SHS006 "names
    # a different edition" was high, a guess.
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001（上海标准）"))
    result = _check(checker, html, _URL)
    assert _findings(result) == [("SHS006", "T/DEMO 001", "review")]
    assert any(r.startswith("code-without-year") for r in result.findings[0].confidence_reasons)


def test_a_code_with_another_year_stays_high(checker: Checker) -> None:
    html = _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO 001-2021（上海标准）"))
    assert _findings(_check(checker, html, _URL)) == [("SHS006", "T/DEMO 001-2021", "high")]


# --- a code split across a row's cells ----------------------------------------------------------------------


def test_a_code_split_across_a_standard_rows_cells_is_declared(checker: Checker) -> None:
    # 标准号 | T/DEMO | 001-2019 with 标准类型：上海标准 below: the page discloses T/DEMO 001-2019 (expired). It
    # was SHS008 high, "nothing disclosed".
    html = _item(
        "演示智能水杯",
        _CUP + "<tr><th>标准号</th><td>T/DEMO</td><td>001-2019</td></tr>" + _row("标准类型", "上海标准"),
    )
    result = _check(checker, html, _URL)
    assert result.page.declared_standards == ["T/DEMO 001-2019"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "review")]


def test_a_three_cell_standard_row_with_a_remark_keeps_its_code(checker: Checker) -> None:
    html = _item(
        "演示智能水杯", _CUP + "<tr><th>执行标准</th><td>T/DEMO 001-2019（上海标准）</td><td>现行</td></tr>"
    )
    assert _findings(_check(checker, html, _URL)) == [("SHS003", "T/DEMO 001-2019", "high")]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            _item("演示智能水杯", _CUP, "<p>本品执行T/DEMO 001-2019，该标准已申报并获评“上海标准”。</p>"),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
        (
            _page(
                "公司新闻-演示科技有限公司",
                "<h1>喜报</h1><p>我公司主导制定的企业标准Q/DEMO 0004-2021已申报并入选“上海标准”。</p>"
                "<p>© 2026 演示科技有限公司 版权所有</p>",
            ),
            [("SHS005", "Q/DEMO 0004-2021", "high")],
        ),
    ],
)
def test_an_application_that_succeeded_is_a_designation(
    checker: Checker, html: str, expected: list[tuple[str, str, str]]
) -> None:
    # 已申报并获评: applied for and designated, no application in progress.
    result = _check(checker, html, _URL)
    assert "near:pending" not in {s for o in result.page.occurrences for s in o.signals}
    assert _findings(result) == expected


# --- a news box on a product page ------------------------------------------------------------------------------

_GB_FLASK = _row("产品名称", "保温杯") + _row("执行标准", "GB/T 29606-2013")


@pytest.mark.parametrize(
    "box",
    [
        "<div class='sidebar'><h4>行业新闻</h4><p>某公司企业标准Q/DEMO 0004-2021获评“上海标准”。</p></div>",
        "<div class='side'><div class='hd'><h3>最新资讯</h3></div><div class='bd'>"
        "<p>T/DEMO 003-2020等标准获评“上海标准”，市市场监管局发布名单。</p></div></div>",
        "<div class='news'><p>演示标准化协会团体标准T/DEMO 003-2020获评上海标准</p></div>",
    ],
)
def test_a_news_box_beside_a_product_is_not_its_claim(checker: Checker, box: str) -> None:
    # Industry news in a shop's sidebar reports someone else's standard: it was a product claim of the flask on
    # sale, SHS005/SHS004 high about a standard the page never said the flask implements.
    result = _check(checker, _item("演示保温杯", _GB_FLASK, box), _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert "near:news-box" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_the_sellers_own_words_in_a_news_box_stay_a_claim(checker: Checker) -> None:
    box = "<div class='sidebar'><h4>店铺资讯</h4><p>好消息：本品执行的T/DEMO 001-2019是上海标准！</p></div>"
    result = _check(checker, _item("演示智能水杯", _CUP, box), _URL)
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


# --- the words as a column's name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "marks"),
    [("是否上海标准", ("是", "否")), ("上海标准", ("✓", "—")), ("上海标准产品", ("√", ""))],
)
def test_the_words_naming_a_column_are_for_review(
    checker: Checker, column: str, marks: tuple[str, str]
) -> None:
    # A price list's column 是否上海标准 | 是/否: each row's mark says which product is claimed, and the row's
    # code is beside it; the header alone discloses nothing of its own. It was SHS008 high ("nothing
    # disclosed") on a table that discloses a code in every row.
    html = _page(
        "价格表-演示杯业",
        "<h1>2026年出厂价格表</h1><table border='1'>"
        f"<tr><th>品名</th><th>执行标准</th><th>{column}</th><th>单价</th></tr>"
        f"<tr><td>智能水杯</td><td>T/DEMO 001-2022</td><td>{marks[0]}</td><td>¥89</td></tr>"
        f"<tr><td>保温杯</td><td>GB/T 29606-2013</td><td>{marks[1]}</td><td>¥49</td></tr></table>",
    )
    result = _check(checker, html, _URL)
    assert result.findings, "the column still says something of the products listed"
    assert {f.confidence for f in result.findings} == {"review"}
    assert all("near:column-name" in c.use_signals for c in result.page.claims)


# --- a definition of the scheme beside an offer -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "上海标准是对标准的评价，不是产品认证。",
        "“上海标准”是指经市市场监管局评价、达到国际先进水平的标准。",
        "The Shanghai Standard is an evaluation of standards, not a product certification.",
        "Shanghai Standard refers to a designation of standards by the Shanghai regulator.",
    ],
)
def test_a_definition_of_the_scheme_beside_an_offer_is_no_claim(checker: Checker, text: str) -> None:
    # A shop explaining what the scheme is claims nothing for its flask: it was SHS008 high ("nothing disclosed").
    html = _item("演示保温杯", _GB_FLASK, f"<p>{text}</p>")
    result = _check(checker, html, _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_an_english_what_is_question_is_at_most_for_review(checker: Checker) -> None:
    # As 什么是上海标准？ is: a question about the scheme, never a sure claim (it was SHS008 high).
    html = _item("演示保温杯", _GB_FLASK, "<p>What is the Shanghai Standard? Ask our service team.</p>")
    assert {f.confidence for f in _check(checker, html, _URL).findings} <= {"review"}


def test_a_product_said_to_be_a_shanghai_standard_product_is_no_definition(checker: Checker) -> None:
    html = _item("演示智能水杯", _CUP, "<p>本品是上海标准产品，执行T/DEMO 001-2019。</p>")
    assert _findings(_check(checker, html, _URL)) == [("SHS003", "T/DEMO 001-2019", "high")]


# --- the rest of round s29: pages the checker already judged as expected, kept so they stay so ----------------

_CAT = (
    "<h1>杯壶系列</h1><div class='goods'><h3>智能水杯 500ml</h3><p>¥89</p><p>执行标准：{a}</p></div>"
    "<div class='goods'><h3>不锈钢保温杯</h3><p>¥49</p><p>执行标准：{b}</p></div>"
    "<div class='goods'><h3>电热水壶</h3><p>¥129</p><p>执行标准：{c}</p></div><button>加入购物车</button>"
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        # unusual labels in a spec table
        (_item("演示智能水杯", _CUP + _row("产品标准号", "T/DEMO 001-2022（上海标准）")), []),
        (
            _item(
                "儿童安全座椅",
                _row("品名", "儿童安全座椅")
                + _row("企标", "Q/DEMO 0002-2023（上海标准）")
                + _row("生产企业", "演示科技有限公司（虚构）"),
            ),
            [],
        ),
        (
            _item(
                "演示电饭煲", _row("产品名称", "电饭煲") + _row("执行标准", "Q/SHDM 0099-2024（上海标准）")
            ),
            [("SHS001", "Q/SHDM 0099-2024", "high")],
        ),
        (
            _item("演示智能水杯", _CUP + _row("执行标准", "Ｔ／ＤＥＭＯ　００１－２０１９（上海标准）")),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
        (
            _item("演示智能水杯", _CUP + _row("执行标准", "T/DEMO001——2019【上海标准】")),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
        (
            _item(
                "监护型救护车",
                _row("产品名称", "监护型救护车") + _row("执行标准", "DB31/T 1108-2020（上海标准）"),
            ),
            [("SHS006", "DB31/T 1108-2020", "high")],
        ),
        # a category page: only one product is designated
        (
            _page(
                "杯壶系列",
                _CAT.format(a="T/DEMO 001-2019（上海标准）", b="GB/T 29606-2013", c="Q/DEMO 0004-2021"),
            ),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
        # a comparison table: the other brand's column claims nothing
        (
            _page(
                "对比评测",
                "<h1>智能水杯对比</h1><p>¥89</p><button>加入购物车</button><table>"
                "<tr><th>项目</th><th>本品</th><th>某品牌</th></tr>"
                "<tr><td>执行标准</td><td>T/DEMO 001-2022（上海标准）</td><td>GB/T 29606-2013</td></tr></table>",
            ),
            [],
        ),
        # policy news and FAQs beside an offer
        (
            _item(
                "演示保温杯",
                _row("产品名称", "保温杯") + _row("执行标准", "GB/T 29606-2013"),
                "<div class='desc'><p>政策速递：根据《关于深化推进“上海标准”标识制度实施的意见》，实施上海标准的产品可在公开"
                "标准编号或名称时加注“上海标准”字样。</p></div>",
            ),
            [],
        ),
        (
            _item(
                "演示智能水杯",
                _CUP + _row("执行标准", "T/DEMO 001-2022（上海标准）"),
                "<div class='faq'><p>问：什么是上海标准？</p><p>答：上海标准是对标准的评价，不是产品认证。</p></div>",
            ),
            [],
        ),
        # a truthful pool entry, denials
        (
            _item(
                "演示空气净化器",
                _row("产品名称", "空气净化器") + _row("执行标准", "T/DEMO 005-2024"),
                "<p>本品执行的团体标准T/DEMO 005-2024已入选“上海标准”培育库。</p>",
            ),
            [],
        ),
        (
            _item(
                "演示保温杯",
                _row("产品名称", "保温杯"),
                "<p>本品执行标准为GB/T 29606-2013，不属于上海标准。</p>",
            ),
            [],
        ),
        # certification wording with a code, two things to act on
        (
            _item("演示智能水杯 上海标准认证", _CUP + _row("执行标准", "T/DEMO 001-2019（上海标准）")),
            [("SHS003", "T/DEMO 001-2019", "high"), ("SHS009", "T/DEMO 001-2019", "high")],
        ),
        # the mark's alt text beside a designated code; a fastener maker's name
        (
            _item(
                "演示智能水杯",
                _CUP + _row("执行标准", "T/DEMO 001-2022"),
                "<img src='/i/m.png' alt='上海标准标识'>",
            ),
            [],
        ),
        (
            _item(
                "上海标准件厂直销 六角头螺栓",
                _row("产品名称", "六角头螺栓")
                + _row("执行标准", "GB/T 5782-2016")
                + _row("生产厂家", "上海标准件厂"),
            ),
            [],
        ),
        # one claim repeated in the title, a bullet and the table: one finding
        (
            _item(
                "演示智能水杯 上海标准",
                _CUP + _row("执行标准", "T/DEMO 001-2019（上海标准）"),
                "<ul><li>上海标准产品，执行T/DEMO 001-2019</li></ul><p>再次提醒：本品执行T/DEMO 001-2019（上海标准）。</p>",
            ),
            [("SHS003", "T/DEMO 001-2019", "high")],
        ),
    ],
)
def test_round_s29_pages_judged_as_expected(
    checker: Checker, html: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _findings(_check(checker, html, _URL)) == expected


def test_an_announcement_of_one_of_the_citys_first_is_no_definition(checker: Checker) -> None:
    html = _page(
        "公司新闻-演示科技有限公司",
        "<h1>喜报</h1><p>我公司主导制定的企业标准Q/DEMO 0004-2021获评的“上海标准”是本市首批获评的企业标准。</p>"
        "<p>© 2026 演示科技有限公司 版权所有</p>",
    )
    result = _check(checker, html, _URL)
    # 是本市… after the words says which one it is, not what the scheme is (the announcement stays one).
    assert [o.use for o in result.page.occurrences] == ["organisation"]
    assert _findings(result) == [("SHS005", "Q/DEMO 0004-2021", "high")]
