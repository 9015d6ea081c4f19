"""The questions probe round s30 left open, decided: the words listed among an organisation's honours, a copyright
footer as the page's claimant on an English about page, an English product said to have passed the evaluation
further off than a few words, a seller's bare yes in its own FAQ, and a seller's FAQ box that is not buyers' talk.

Each case is a small page in the style the probe pages used; the findings are judged against the example registry
(examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import SHOP_URL as _URL
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import listing as _item
from claims_probe_support import page as _page
from claims_probe_support import spec_row as _row

from checker.check import Checker

# --- the words listed among an organisation's honours (domain.md §5 SHS009: presented as an award) --------------

_OWNER = "演示科技有限公司（虚构）"


def _honours(heading: str, items: str, owner: str = _OWNER) -> str:
    return _page(
        f"{heading}-{owner}",
        f"<h2>{heading}</h2><ul>{items}</ul><div class='footer'>{owner} 版权所有</div>",
    )


@pytest.mark.parametrize("heading", ["荣誉资质", "企业荣誉", "资质荣誉"])
def test_the_words_listed_among_an_organisations_honours_are_an_award(checker: Checker, heading: str) -> None:
    html = _honours(heading, "<li>高新技术企业</li><li>2024年 上海标准</li><li>专精特新企业</li>")
    result = _check(checker, html, "https://www.demo-tech.example.com/about/honor.html")
    assert [(f.rule_id, f.standard_code) for f in result.findings] == [("SHS009", None)]
    assert result.page.claims[0].claimant == "演示科技有限公司(虚构)"


def test_an_honours_item_that_discloses_the_designated_standard_is_no_award(checker: Checker) -> None:
    # The item names the standard the designation is of, in the form part 4 of the Opinions allows (domain.md §3:
    # 在公开标准编号或名称时加注“上海标准”), and its holder lists it: nothing is presented as the company's award.
    html = _honours(
        "资质荣誉", "<li>ISO9001质量管理体系认证</li><li>Q/DEMO 0002-2023《演示用儿童座椅》（上海标准）</li>"
    )
    assert _findings(_check(checker, html, "https://www.demo-tech.example.com/about/honor.html")) == []


def test_an_honours_list_naming_a_standardization_body_is_no_claim(checker: Checker) -> None:
    html = _honours("荣誉资质", "<li>上海标准化协会会员单位</li><li>高新技术企业</li>")
    assert _findings(_check(checker, html, "https://www.demo-tech.example.com/about/honor.html")) == []


def test_company_news_that_its_standard_was_rated_stays_no_award(checker: Checker) -> None:
    html = _page(
        "公司新闻-演示科技有限公司（虚构）",
        "<h1>喜报</h1><p>我公司主导制定的企业标准Q/DEMO 0002-2023荣获“上海标准”称号。</p>"
        f"<div class='footer'>{_OWNER} 版权所有</div>",
    )
    assert _findings(_check(checker, html, "https://www.demo-tech.example.com/news/1.html")) == []


# --- a copyright footer on an English about page names the organisation, a marketplace's names the marketplace --


def _about_en(title: str, footer: str, host: str) -> tuple[str, str]:
    html = _page(
        title,
        "<h1>About us</h1><p>We make child safety seats to Q/DEMO 0002-2023 (Shanghai Standard).</p>"
        f"<div class='footer'>{footer}</div>",
        lang="en",
    )
    return html, f"https://{host}/about-us.html"


def test_an_english_copyright_footer_names_the_organisation_whose_site_it_is(checker: Checker) -> None:
    # SHS010 needs the seller or manufacturer named on the page (domain.md §5); the site's own footer names it.
    html, url = _about_en(
        "About us - Hangzhou Mouhou Baby Products",
        "© 2024 Hangzhou Mouhou Baby Products Co., Ltd. All rights reserved.",
        "www.mouhou-baby.example.com",
    )
    result = _check(checker, html, url)
    assert [(f.rule_id, f.standard_code) for f in result.findings] == [("SHS010", "Q/DEMO 0002-2023")]
    assert result.page.claims[0].claimant == "Hangzhou Mouhou Baby Products Co., Ltd."


def test_the_holders_own_english_footer_is_no_finding(checker: Checker) -> None:
    html, url = _about_en(
        "About us - Demo Technology",
        "Copyright © 2020-2024 Demo Technology Co., Ltd. (fictional)",
        "www.demo-tech.example.com",
    )
    result = _check(checker, html, url)
    assert _findings(result) == []
    assert result.page.claims[0].claimant == "Demo Technology Co., Ltd. (fictional)"


@pytest.mark.parametrize("owner", ["Focus Technology Co., Ltd.", "Focus Demo Market Co., Ltd."])
def test_a_marketplaces_footer_names_no_supplier(checker: Checker, owner: str) -> None:
    # A supplier's profile on a B2B marketplace: the footer's company runs the marketplace, it sells nothing here
    # and shares no name with the page (market in both the host and the marketplace's name says which site it is,
    # not whose); no claimant, so no SHS010 against it.
    html, url = _about_en(
        "Hangzhou Mouhou Baby Products - Company Profile",
        f"Copyright © 1998-2024 {owner} All Rights Reserved.",
        "mouhou.b2b-market.example.com",
    )
    result = _check(checker, html, url)
    assert _findings(result) == []
    assert result.page.claims[0].claimant != owner


# --- an English product said to have passed the evaluation, anywhere in its sentence ----------------------------


def _en_listing(sentence: str) -> str:
    return _page(
        "Smart cup - Buy on the demo B2B site",
        "<h1>Smart cup</h1><div class='price'>US $5.00 / Piece</div><a class='inquiry'>Send Inquiry</a>"
        f"<table><tr><th>Product Name</th><td>Smart cup</td></tr><tr><th>Executive Standard</th><td>T/DEMO 001-2022</td>"
        f"</tr></table><p>{sentence}</p>",
        lang="en",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "This product, which we have exported to Europe since 2015, passed the Shanghai Standard evaluation.",
        "Our smart cup was rated a Shanghai Standard product by the city regulator in 2023.",
        "The cup we sell here has been recognised as a Shanghai Standard product.",
    ],
)
def test_an_english_product_said_to_have_passed_or_been_rated_is_certification_wording(
    checker: Checker, sentence: str
) -> None:
    # domain.md §1: the designation evaluates a standard, not a product; §5 SHS009.
    result = _check(checker, _en_listing(sentence), _URL)
    assert [(f.rule_id, f.standard_code) for f in result.findings] == [("SHS009", "T/DEMO 001-2022")]


@pytest.mark.parametrize(
    "sentence",
    [
        # The standard is the subject: true.
        "The product implements T/DEMO 001-2022, which passed the Shanghai Standard evaluation in 2022.",
        "The group standard this product implements passed the Shanghai Standard evaluation in 2022.",
        # The product in one sentence, the standard's evaluation in the next: not across sentences.
        "This product is made in our own plant. The standard T/DEMO 001-2022 passed the Shanghai Standard evaluation.",
    ],
)
def test_a_standard_that_passed_the_evaluation_is_no_certification_wording(
    checker: Checker, sentence: str
) -> None:
    assert _findings(_check(checker, _en_listing(sentence), _URL)) == []


# --- a seller's own FAQ: its bare yes is its claim (no code: SHS008), buyers' questions stay questions -------------

_CUP_PAGE_ROW = _row("产品名称", "保温杯")


@pytest.mark.parametrize(
    "faq",
    [
        # The shop's FAQ box, and the same FAQ as plain paragraphs under the page's own 常见问题 heading.
        "<div class='faq'><h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的</p></div>",
        "<h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的</p>",
        "<h3>FAQ</h3><p>Q: Is this vacuum cup a Shanghai Standard product?</p><p>A: Yes.</p>",
        # The seller answering in its own FAQ without a yes: the product is said to meet the words.
        "<div class='faq'><h3>常见问题</h3><p>问：材质安全吗？</p><p>答：安全，本品符合上海标准。</p></div>",
    ],
)
def test_a_sellers_faq_saying_yes_without_a_code_is_standard_not_disclosed(
    checker: Checker, faq: str
) -> None:
    # domain.md §3: the words may be added only when the standard's number or name is disclosed; §5 SHS008. The
    # seller's yes with a code is judged on that code (probe s30 p01, y08), so its yes without one discloses none.
    result = _check(checker, _item("演示保温杯", _CUP_PAGE_ROW, faq), _URL)
    assert [(f.rule_id, f.standard_code) for f in result.findings] == [("SHS008", None)]


@pytest.mark.parametrize(
    "faq",
    [
        # Buyers asking buyers (问大家), a buyer's named line, a question the seller answers with a national code.
        "<div class='faq'><h3>问大家</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的</p></div>",
        "<div class='faq'><h3>买家问答</h3><p>买家小李：这款是上海标准的吗？</p><p>买家小王：是的，我买过。</p></div>",
        "<h3>常见问题</h3><p>问：我想买上海标准的保温杯，有推荐吗？</p><p>答：本店保温杯执行GB/T 29606-2013。</p>",
        "<h3>常见问题</h3><p>问：上海标准是什么？</p><p>答：上海标准是对标准的评价，不是产品认证。</p>",
        "<h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：不是。</p>",
    ],
)
def test_buyers_questions_and_a_sellers_no_are_no_claim(checker: Checker, faq: str) -> None:
    assert _findings(_check(checker, _item("演示保温杯", _CUP_PAGE_ROW, faq), _URL)) == []


# --- a dealer's page naming the maker it deals for (probe s31 rs04) ------------------------------------------------


@pytest.mark.parametrize(
    ("maker", "expected"),
    [
        ("演示科技有限公司（虚构）", []),
        ("杭州某某儿童用品有限公司", [("SHS010", "Q/DEMO 0002-2023")]),
    ],
)
def test_a_dealer_saying_its_goods_are_made_by_the_company_it_deals_for_names_that_maker(
    checker: Checker, maker: str, expected: list[tuple[str, str]]
) -> None:
    # SHS010 is about who implements the standard (domain.md §5: the seller/manufacturer named on the page): the
    # sentence names the maker (由该公司生产, the company it is the authorised dealer of), not the shop crawled.
    html = _page(
        "授权经销-儿童安全座椅",
        "<h1>儿童安全座椅 授权经销</h1><p class='price'>¥1199</p><button>立即购买</button>"
        f"<p>本店为{maker}授权经销商，所售座椅由该公司生产，执行Q/DEMO 0002-2023（上海标准）。</p>",
    )
    result = _check(checker, html, _URL, seller="某某母婴专营店")
    assert [(f.rule_id, f.standard_code) for f in result.findings] == expected


# --- a livestream's transcript heading is no product (probe s31 l01) -----------------------------------------------


@pytest.mark.parametrize("heading", ["直播文字实录", "直播回放字幕", "Live transcript"])
def test_a_livestream_transcripts_heading_names_no_product(checker: Checker, heading: str) -> None:
    # SHS011 needs the product named on the page (domain.md §5); a transcript's section heading names none, the
    # room's product card does (演示智能水杯, inside the cup standard's scope): no finding.
    html = _page(
        "演示智能水杯-直播回放",
        "<div class='live-card'><h1>演示智能水杯</h1><span class='price'>¥79</span><button>去购买</button></div>"
        f"<div class='transcript'><h3>{heading}</h3>"
        "<p>主播：这款智能水杯执行T/DEMO 001-2022（上海标准），今晚直播间专享价。</p></div>",
    )
    result = _check(checker, html, _URL)
    assert _findings(result) == []
    assert result.page.claims[0].product_name != heading


# --- an English yes/no question about the words answered no is no claim (probe s31 hb09, decided in s32) ---------


@pytest.mark.parametrize(
    "faq",
    [
        "<p>Is this flask a Shanghai Standard product? No, it is not.</p>",
        "<p>Q: Is this flask a Shanghai Standard product?</p><p>A: No.</p>",
    ],
)
def test_an_english_question_answered_no_is_no_claim(checker: Checker, faq: str) -> None:
    # It was SHS008 high, then (s31) for review: nobody claims by asking, and the answer no denies it, as 不是 does.
    html = _page(
        "Vacuum Flask",
        "<h1>Vacuum Flask</h1><div class='price'>US $4.00</div><a class='inquiry'>Send Inquiry</a>" + faq,
        lang="en",
    )
    assert _findings(_check(checker, html, _URL)) == []
