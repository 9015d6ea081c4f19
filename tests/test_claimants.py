"""Who claims: a claimant known from outside the claim (adapter's shop header, self-check's enterprise) fills
only gaps; a listing's shops are separate claimants; "not a holder" said of a seller is for review."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.check import Checker, PageResult
from checker.claimants import Claimant
from checker.extract.classify import maker_named
from checker.extract.context import names_maker
from checker.registry import RegistryIndex
from checker.registry.models import DesignationType
from checker.registry.records import DesignationRecord, Holder

DAY = dt.date(2026, 11, 26)
RECORD = DesignationRecord(
    id=1,
    code="Q/DEMO 0009-2024",
    code_key="Q/DEMO 9-2024",
    number_key="Q/DEMO 9",
    year=2024,
    title="演示企业标准",
    type=DesignationType.ENTERPRISE,
    holders=(Holder(name="演示持有公司（虚构）", uscc=None),),
    designated_on=dt.date(2025, 1, 1),
    valid_until=None,
    revoked_on=None,
    abolished_on=None,
    pool_entered_on=None,
    scope=(),
    source=None,
    note="demo record",
)
UNNAMED = "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li></ul>".encode()
NAMED = (
    "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>生产企业：演示持有公司（虚构）</li></ul>".encode()
)


def _result(raw: bytes, fallback: Claimant | None = None) -> PageResult:
    return Checker().check_page(
        raw,
        url="http://127.0.0.1/item",
        declared_charset="utf-8",
        observed_at=None,
        registry=RegistryIndex.from_records([RECORD]),
        as_of=DAY,
        fallback_claimant=fallback,
    )


def _check(raw: bytes, fallback: Claimant | None) -> tuple[list[str], list[str | None], list[str | None]]:
    result = _result(raw, fallback)
    claims = result.page.claims
    return (
        sorted(f.rule_id for f in result.findings),
        [c.claimant for c in claims],
        [c.claimant_source for c in claims],
    )


def test_seller_from_the_shop_header_fills_a_claim_that_names_nobody() -> None:
    # No claimant on the page: the holder rule has no evidence and stays silent.
    assert _check(UNNAMED, None)[0] == []
    rules, names, sources = _check(UNNAMED, Claimant("别家旗舰店", "adapter:seller"))
    assert rules == ["SHS010"] and names == ["别家旗舰店"] and sources == ["adapter:seller"]
    # A shop may sell the holder's product: "not a holder" about it is for an inspector to judge.
    [finding] = _result(UNNAMED, Claimant("别家旗舰店", "adapter:seller")).findings
    assert finding.confidence == "review"
    assert "claimant-not-maker: adapter:seller" in finding.confidence_reasons
    # The holder's own shop: no finding.
    assert _check(UNNAMED, Claimant("演示持有公司（虚构）", "adapter:seller"))[0] == []


def test_the_page_s_own_claimant_wins_over_the_fallback() -> None:
    rules, names, sources = _check(NAMED, Claimant("别家旗舰店", "adapter:seller"))
    # The page's own claimant as extracted (normalised: full-width brackets folded).
    assert rules == [] and names == ["演示持有公司(虚构)"] and sources != ["adapter:seller"]


def _card(title: str, seller_row: str) -> str:
    return f"<li class='item'><h3>{title}</h3><p>执行标准：T/ZZZ 001-2020（上海标准）</p><p>{seller_row}</p></li>"


def test_each_card_s_shop_is_its_own_claimant_and_its_own_finding() -> None:
    # A search page of three shops' cards (no price, so no listing layout): three enterprises to act on.
    # Before, the three claims named nobody and merged into one SHS001 finding.
    cards = [
        _card("塑胶跑道面层A", "店铺：甲乙丙旗舰店"),
        _card("塑胶跑道面层B", "店铺名称：丁戊己专营店"),
        _card("塑胶跑道面层C", "卖家：庚辛壬商行"),
    ]
    page = f"<html><body><ul class='results'>{''.join(cards)}</ul></body></html>".encode()
    result = _result(page)
    claims = {(c.claimant, c.claimant_source) for c in result.page.claims}
    assert claims == {("甲乙丙旗舰店", "row:店铺"), ("丁戊己专营店", "row:店铺"), ("庚辛壬商行", "row:卖家")}
    assert sorted(f.rule_id for f in result.findings) == ["SHS001", "SHS001", "SHS001"]
    assert len({f.finding_key for f in result.findings}) == 3


def test_a_shop_row_beside_the_words_does_not_hide_the_maker_of_the_parameter_table() -> None:
    page = (
        "<div class='summary'><h1>儿童安全座椅</h1><p>店铺：别家旗舰店</p>"
        "<p>执行标准：Q/DEMO 0009-2024（上海标准）</p></div>"
        "<table class='params'><tr><td>生产企业</td><td>演示持有公司（虚构）</td></tr></table>"
    ).encode()
    assert _check(page, None) == ([], ["演示持有公司(虚构)"], ["row:生产企业"])


def test_a_shop_s_buttons_after_its_name_are_not_its_name() -> None:
    page = "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>店铺：<a>别家旗舰店</a> <span>进店逛逛</span></li></ul>"
    assert _check(page.encode(), None)[1:] == (["别家旗舰店"], ["row:店铺"])


def test_a_seller_row_that_rates_the_shop_names_nobody() -> None:
    for row in ("卖家：好评率98%", "商家：已认证", "店铺：进入店铺"):
        page = f"<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>{row}</li></ul>".encode()
        assert _check(page, None) == ([], [None], [None]), row


def test_a_maker_row_wins_over_a_seller_row_and_a_seller_row_over_the_shop_header() -> None:
    both = "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>店铺：别家旗舰店</li><li>生产企业：演示持有公司（虚构）</li></ul>"
    rules, names, sources = _check(both.encode(), Claimant("头部店铺", "adapter:seller"))
    assert (rules, names, sources) == ([], ["演示持有公司(虚构)"], ["row:生产企业"])
    seller = "<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>卖家：别家旗舰店</li></ul>"
    rules, names, sources = _check(seller.encode(), Claimant("头部店铺", "adapter:seller"))
    assert (rules, names, sources) == (["SHS010"], ["别家旗舰店"], ["row:卖家"])


@pytest.mark.parametrize(
    ("row", "confidence"),
    [
        ("生产企业：别家制造有限公司", "high"),
        ("委托方：别家品牌有限公司", "high"),
        ("店铺：别家旗舰店", "review"),
        ("经销商：别家贸易有限公司", "review"),
        ("公司名称：别家贸易有限公司", "review"),
    ],
)
def test_not_a_holder_is_sure_only_of_the_maker(row: str, confidence: str) -> None:
    page = f"<ul><li>执行标准：Q/DEMO 0009-2024（上海标准）</li><li>{row}</li></ul>".encode()
    [finding] = _result(page).findings
    assert (finding.rule_id, finding.confidence) == ("SHS010", confidence)
    assert any(r.startswith("claimant-not-maker") for r in finding.confidence_reasons) == (
        confidence == "review"
    )


def test_organisation_announcements_speak_for_themselves() -> None:
    # An organisation announcing the designation of a standard it does not hold: no seller doubt.
    page = "<p>热烈祝贺别家制造有限公司的Q/DEMO 0009-2024被评为上海标准！</p>".encode()
    [finding] = _result(page).findings
    assert finding.rule_id == "SHS010" and finding.confidence == "high"


@pytest.mark.parametrize(
    ("source", "maker"),
    [
        ("row:生产企业", True),
        ("row:委托单位", True),
        ("jsonld:manufacturer", True),
        ("selfcheck", True),
        ("sentence:maker", True),
        ("row:店铺", False),
        ("row:企业名称", False),
        ("jsonld:brand", False),
        ("jsonld:seller", False),
        ("shop", False),
        ("listing:shop", False),
        ("adapter:seller", False),
        ("og:site_name", False),
        (None, False),
    ],
)
def test_names_maker(source: str | None, maker: bool) -> None:
    assert names_maker(source) is maker


@pytest.mark.parametrize(
    ("sentence", "maker"),
    [
        (
            "演示科技有限公司（虚构）出品，执行企业标准 Q/DEMO 0009-2024（上海标准）。",
            "演示科技有限公司（虚构）",
        ),
        ("本品由演示科技有限公司生产，执行标准Q/DEMO 0009-2024（上海标准）", "演示科技有限公司"),
        ("演示科技有限公司荣誉出品 Q/DEMO 0009-2024（上海标准）", "演示科技有限公司"),
        ("演示科技有限公司生产的产品，执行Q/DEMO 0009-2024（上海标准）", "演示科技有限公司"),
        # Equipment, a tester or a mere mention of a company is not the product's maker.
        ("采用德国演示机械有限公司生产的设备，执行Q/DEMO 0009-2024（上海标准）", None),
        ("经演示检测有限公司检测，符合Q/DEMO 0009-2024（上海标准）", None),
        ("执行标准：Q/DEMO 0009-2024（上海标准）", None),
        ("源头工厂生产，执行标准Q/DEMO 0009-2024（上海标准）", None),
        ("上海演示电器厂出品，执行标准Q/DEMO 0009-2024（上海标准）", "上海演示电器厂"),
    ],
)
def test_maker_named_in_the_claim_s_sentence(sentence: str, maker: str | None) -> None:
    assert maker_named(sentence) == maker


def test_a_maker_the_sentence_names_answers_for_the_claim_instead_of_the_shop() -> None:
    shop = Claimant("别家旗舰店", "adapter:seller")
    # The holder makes it; a shop sells it: nothing to act on (the shop alone was SHS010, high, before).
    holders = "<p>演示持有公司（虚构）出品，执行企业标准 Q/DEMO 0009-2024（上海标准）。</p>".encode()
    assert _check(holders, shop) == ([], ["演示持有公司(虚构)"], ["sentence:maker"])
    # Another maker: SHS010 about the maker, sure.
    other = "<p>别家制造有限公司出品，执行企业标准 Q/DEMO 0009-2024（上海标准）。</p>".encode()
    [finding] = _result(other, shop).findings
    assert (finding.rule_id, finding.confidence) == ("SHS010", "high")
    assert _check(other, shop)[1:] == (["别家制造有限公司"], ["sentence:maker"])


def _recommendations(card_shop: str) -> bytes:
    cards = "".join(
        f"<li class='reco-item'><a href='/item/{n}'>上海标准 塑胶跑道面层 T/ZZZ 00{n}-2020</a>"
        f"<span class='price'>¥{n}99</span>{card_shop.format(n=n)}</li>"
        for n in (1, 2, 3)
    )
    return (
        "<html><body><div class='shop-name'>本店旗舰店</div><h1>儿童安全座椅</h1>"
        "<ul class='attributes'><li>产品名称：儿童安全座椅</li><li>执行标准：GB 27887-2011</li></ul>"
        f"<div class='recommend'><h3>看了又看</h3><ul>{cards}</ul></div></body></html>"
    ).encode()


def test_an_item_page_s_recommendation_cards_are_not_its_shop_s_claims() -> None:
    # Cards that show no seller: nobody is named, the shop header and the adapter's seller fill nothing,
    # and each finding is for review (before: SHS001 x3, high, against 本店旗舰店).
    result = _result(
        _recommendations("<span class='by'>第{n}家商行</span>"), Claimant("本店旗舰店", "adapter:seller")
    )
    assert {(c.claimant, c.claimant_source) for c in result.page.claims} == {(None, "listing:other-product")}
    assert [(f.rule_id, f.confidence) for f in result.findings] == [("SHS001", "review")] * 3
    assert all("other-product-card" in f.confidence_reasons for f in result.findings)
    # Cards that show their seller name it, and stay sure.
    result = _result(_recommendations("<span class='shop-name'>第{n}家商行</span>"))
    assert sorted(c.claimant or "" for c in result.page.claims) == ["第1家商行", "第2家商行", "第3家商行"]
    assert [f.confidence for f in result.findings] == ["high"] * 3


def test_a_shop_s_own_listing_names_the_shop_for_every_card() -> None:
    # No product of the page's own outside the cards: a shop's listing, whose header names every card's seller.
    page = _recommendations("").replace(
        "<ul class='attributes'><li>产品名称：儿童安全座椅</li><li>执行标准：GB 27887-2011</li></ul>".encode(),
        b"",
    )
    result = _result(page)
    assert {(c.claimant, c.claimant_source) for c in result.page.claims} == {("本店旗舰店", "shop")}
    assert [f.confidence for f in result.findings] == ["high"] * 3


@pytest.mark.parametrize("heading", ["看了又看", "大家都在看", "同类热卖", "人气排行榜"])
def test_a_recommendation_strip_s_heading_is_never_a_product_name(heading: str) -> None:
    page = (
        f"<html><body><div class='box'><h3>{heading}</h3><div class='c'><a href='/i/2'>上海标准 面层 "
        "T/ZZZ 001-2020</a><span>¥99</span></div></div></body></html>"
    ).encode()
    [claim] = _result(page).page.claims
    assert claim.product_name != heading


def test_an_item_s_own_options_are_its_shop_s_claims() -> None:
    # Priced options of the item itself (no link to another page) are not recommendation cards.
    options = "".join(
        f"<li class='sku'>{name} ¥{price}/㎡</li>"
        for name, price in (("标准款", 99), ("上海标准款（执行T/ZZZ 001-2020）", 129), ("加厚款", 159))
    )
    page = (
        "<html><body><div class='shop-name'>本店旗舰店</div><h1>塑胶跑道面层</h1>"
        f"<ul class='attributes'><li>产品名称：塑胶跑道面层</li></ul><ul class='skus'>{options}</ul></body></html>"
    ).encode()
    result = _result(page)
    assert [(c.claimant, c.claimant_source) for c in result.page.claims] == [("本店旗舰店", "shop")]
    assert [(f.rule_id, f.confidence) for f in result.findings] == [("SHS001", "high")]


def test_a_strip_of_two_recommendation_cards_is_not_the_shop_s_claims() -> None:
    # Below the three-card listing threshold: two priced cards that link away still recommend other products.
    cards = "".join(
        f"<li class='reco'><a href='/item/{n}'>上海标准 面层 T/ZZZ 00{n}-2020</a><span>¥{n}99</span></li>"
        for n in (1, 2)
    )
    page = (
        "<html><body><div class='shop-name'>本店旗舰店</div><h1>儿童安全座椅</h1>"
        "<ul class='attributes'><li>产品名称：儿童安全座椅</li></ul>"
        f"<div class='box'><h3>看了又看</h3><ul>{cards}</ul></div></body></html>"
    ).encode()
    result = _result(page, Claimant("本店旗舰店", "adapter:seller"))
    assert [(c.claimant, c.claimant_source, c.product_name) for c in result.page.claims] == [
        (None, "listing:other-product", None)
    ] * 2
