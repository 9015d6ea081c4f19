"""What probe round s26b left open (private resellers, English export offers, regulators' and procurement
notices, livestream viewers' questions, past-tense resale descriptions), pinned.

Each case is a small page in the style the probe pages used; the findings are judged against the example
registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings

from checker.check import Checker
from checker.claimants import Claimant, fill_claimant
from checker.extract import extract_page

# --- a private reseller is no seller holding a standard -------------------------------------------------------


@pytest.mark.parametrize("seller", ["个人闲置", "个人卖家", "个人", "私人闲置"])
def test_a_private_reseller_is_not_the_claimant(checker: Checker, seller: str) -> None:
    # 卖家：个人闲置 became the claimant, so SHS010 (not a holder of the enterprise standard) went to review
    # for someone reselling a genuine child seat: a private person neither makes nor trades it.
    result = _check(
        checker,
        "<html><head><title>儿童安全座椅-二手</title><meta property='og:site_name' content='演示二手网'></head>"
        "<body><h1>儿童安全座椅 九五新</h1><p>¥580</p><ul><li>产品名称：儿童安全座椅</li>"
        "<li>执行标准：Q/DEMO 0002-2023（上海标准）</li></ul>"
        f"<p>卖家：{seller}</p></body></html>",
        url="https://m.example-resale.test/detail/1",
    )
    claim = result.page.claims[0]
    assert claim.claimant is None
    assert claim.claimant_source == "seller:private"
    assert _findings(result) == []


def test_a_shop_named_as_seller_is_still_the_claimant(checker: Checker) -> None:
    result = _check(
        checker,
        "<html><body><h1>儿童安全座椅</h1><p>¥980</p><ul><li>产品名称：儿童安全座椅</li>"
        "<li>执行标准：Q/DEMO 0002-2023（上海标准）</li></ul><p>卖家：演示母婴专营店</p></body></html>",
    )
    claim = result.page.claims[0]
    assert (claim.claimant, claim.claimant_source) == ("演示母婴专营店", "row:卖家")
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]


def test_a_private_reseller_s_claims_take_no_shop_name_from_the_crawl() -> None:
    page = extract_page(
        "<html><body><h1>儿童安全座椅</h1><p>¥580</p><ul><li>产品名称：儿童安全座椅</li>"
        "<li>执行标准：Q/DEMO 0002-2023（上海标准）</li></ul><p>卖家：个人闲置</p></body></html>".encode()
    )
    assert fill_claimant(page, Claimant("闲鱼用户abc", "shop")) == 0
    assert page.claims[0].claimant is None


# --- English export offers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "offer",
    [
        "<p>FOB Price: US $3.80 / Piece</p><button>Inquire now</button>",
        "<p>US$ 3.50-4.20 / Piece</p><p>Min. Order: 500 Pieces</p>",
        "<p>Price: USD 4.10</p><a href='/inquiry'>Send Inquiry</a>",
    ],
)
def test_an_english_export_offer_is_an_offer(checker: Checker, offer: str) -> None:
    # Made-in-China/Alibaba style pages: without a ¥ or a Chinese cart button, the offer was not seen and the
    # national standard presented as Shanghai Standard (SHS002) went to review as a close call.
    result = _check(
        checker,
        f"<html><body><h1>Vacuum Flask 500ml</h1>{offer}<table><tr><td>Model</td><td>VF-500</td></tr>"
        "<tr><td>Specification</td><td>GB/T 29606-2013 (Shanghai Standard)</td></tr></table></body></html>",
        url="https://www.example-b2b.test/prod/1.html",
    )
    claim = result.page.claims[0]
    assert (claim.use, claim.use_confidence) == ("product", "high")
    assert _findings(result) == [("SHS002", "GB/T 29606-2013", "high")]


def test_an_english_price_list_in_usd_is_an_offer(checker: Checker) -> None:
    result = _check(
        checker,
        "<html><body><h1>2026 Export Price List</h1><table border='1'>"
        "<tr><td><b>Product</b></td><td><b>Model</b></td><td><b>Standard</b></td><td><b>Unit price</b></td></tr>"
        "<tr><td>Smart cup</td><td>SC-500</td><td>T/DEMO 001-2022 (Shanghai Standard)</td><td>USD 8.50</td></tr>"
        "<tr><td>Smart cup classic</td><td>SC-400</td><td>T/DEMO 001-2019 (Shanghai Standard)</td>"
        "<td>USD 6.00</td></tr></table></body></html>",
    )
    assert [(c.use, c.use_confidence) for c in result.page.claims] == [("product", "high")] * 2
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


def test_dollar_sums_in_english_news_are_no_price() -> None:
    page = extract_page(
        b"<html><body><h1>Shanghai names new standards</h1><p>The city will invest USD 2.5 billion and"
        b" US$ 300 million in quality programmes.</p><p>The Shanghai Standard scheme rates standards, officials"
        b" said.</p></body></html>"
    )
    assert "page:price" not in page.page_signals
    assert [o.use for o in page.occurrences] == ["discussion"]


# --- regulators' and procurement notices quote someone else's product ---------------------------------------


def test_a_regulator_s_recall_notice_quoting_a_label_is_discussion(checker: Checker) -> None:
    # 该产品包装标注“执行标准：…（上海标准）”: the regulator reports the seller's label; its page offers nothing.
    result = _check(
        checker,
        "<html><head><title>召回公告-上海市市场监督管理局</title></head><body>"
        "<h1>关于某贸易有限公司召回部分保温杯的公告</h1><p>发布机构：上海市市场监督管理局　发布日期：2026-07-01</p>"
        "<p>召回原因：杯盖可能脱落。该产品执行标准：T/DEMO 001-2019（上海标准）。</p></body></html>",
        url="http://scjgj.sh.example.gov.cn/xxgk/2026/0701.html",
    )
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_a_procurement_result_quoting_the_goods_is_discussion(checker: Checker) -> None:
    # A deal result on a procurement platform (no .gov host): the buyer reports what the supplier delivers.
    result = _check(
        checker,
        "<html><head><title>成交结果公告_演示采购网</title></head><body>"
        "<h1>某医院救护车采购成交结果公告</h1><p>项目编号：CG-2026-01</p>"
        "<p>成交供应商：上海演示汽车有限公司　成交金额：980,000元</p>"
        "<p>货物名称：监护型救护车；执行标准：DB31/T 1108-2018（上海标准）；数量：1辆。</p>"
        "<p>采购人：某医院</p></body></html>",
        url="https://www.example-cg.test/announcement/1.html",
    )
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_a_government_run_shop_still_offers(checker: Checker) -> None:
    # A price on the page is an offer, whoever hosts it: the seller's voice is not overruled there.
    result = _check(
        checker,
        "<html><body><h1>智能水杯</h1><p>价格：¥59</p><button>立即购买</button>"
        "<p>本产品执行标准：T/DEMO 001-2019（上海标准）。</p></body></html>",
        url="http://mall.example.gov.cn/item/1.html",
    )
    assert [o.use for o in result.page.occurrences] == ["product"]
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]


# --- a livestream viewer's question is not the seller's claim -------------------------------------------------


@pytest.mark.parametrize("label", ["弹幕", "网友小美", "观众", "评论"])
def test_a_viewer_s_question_on_a_livestream_is_no_claim(checker: Checker, label: str) -> None:
    result = _check(
        checker,
        "<html><body><h1>直播回放：儿童安全座椅</h1><p>直播间价：¥999 <button>立即购买</button></p>"
        f"<div class='transcript'><p>{label}：这个是上海标准吗？</p>"
        "<p>主播：是的，我们家的座椅执行的是Q/DEMO 0002-2023，上海标准！</p></div></body></html>",
    )
    assert [o.use for o in result.page.occurrences] == ["discussion", "product"]
    assert "near:user-content" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_a_viewer_s_line_inside_a_transcript_block_is_no_claim() -> None:
    page = extract_page(
        "<html><body><h1>儿童安全座椅</h1><p>¥999</p><div>主播：欢迎<br>弹幕：这个是上海标准吗？<br>"
        "主播：本品执行Q/DEMO 0002-2023，是上海标准产品</div></body></html>".encode()
    )
    assert [o.use for o in page.occurrences] == ["discussion", "product"]


@pytest.mark.parametrize("line", ["主播：本品是上海标准产品，欢迎下单！", "买家须知：本品是上海标准产品。"])
def test_the_seller_s_own_lines_are_still_claims(line: str) -> None:
    page = extract_page(f"<html><body><h1>儿童安全座椅</h1><p>¥999</p><p>{line}</p></body></html>".encode())
    assert [o.use for o in page.occurrences] == ["product"]


# --- a past-tense resale description ----------------------------------------------------------------------


def test_a_product_said_to_have_been_shanghai_standard_when_bought_goes_to_review(checker: Checker) -> None:
    # 2021年买的，当时是上海标准产品: the edition was designated then; whether repeating it now misleads is an
    # inspector's call, as for an organisation's dated announcement.
    result = _check(
        checker,
        "<html><body><h1>智能水杯 九成新</h1><p>¥30 包邮</p><div class='desc'>"
        "<p>2021年买的，当时是上海标准产品，执行标准T/DEMO 001-2019，闲置出。</p></div></body></html>",
        url="https://2.example-resale.test/item?id=1",
    )
    finding = next(f for f in result.findings if f.rule_id == "SHS003")
    assert finding.confidence == "review"
    assert any(r.startswith("past-designation") for r in finding.confidence_reasons)


def test_a_present_tense_claim_of_an_expired_edition_stays_high(checker: Checker) -> None:
    result = _check(
        checker,
        "<html><body><h1>智能水杯</h1><p>¥30 包邮</p>"
        "<p>2021年新款，本品是上海标准产品，执行标准T/DEMO 001-2019。</p></body></html>",
        url="https://2.example-resale.test/item?id=2",
    )
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "high")]
