"""Occurrence classification (issue 13 §1, §3, §4, §6; issue 14 long-article byline): the tables and the
decisions they drive."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases_support import import_example_registry
from click.testing import CliRunner

from checker.check import Checker, PageResult
from checker.extract import extract_page
from checker.extract.mentions import find_in_text
from checker.extract.patterns import NOT_A_PRODUCT_NAME, NOT_A_STANDARD_TITLE
from checker.extract.prune import prune
from checker.extract.tie import not_a_standard
from checker.extract.use_table import (
    AFTER_SIGNALS,
    BEFORE_SIGNALS,
    HEAD_SIGNALS,
    NEAR_STRUCTURE,
    PREPASS_SIGNALS,
    SENTENCE_SIGNALS,
    STRUCTURE,
    USES,
)
from checker.registry import RegistryIndex
from checker.rules.cases import record_from_case
from markwatch import db
from markwatch.cli import cli
from pagetext.decode import decode_page
from pagetext.normalize import normalize_text

DEMO_ITEMS = Path(__file__).resolve().parent.parent / "markwatch" / "demo_site" / "pages" / "item"
REGISTRY = RegistryIndex.from_records(
    [
        record_from_case(
            {
                "code": "T/DEMO 001-2022",
                "title": "演示用智能水杯",
                "type": "group",
                "holders": [{"name": "演示标准化协会"}],
                "designated_on": "2022-06-01",
            },
            1,
        )
    ]
)
_PARAGRAPH = (
    "记者了解到，本市近年来持续推进标准化工作，一批企业和社会团体积极参与标准的制定和实施，"
    "在集成电路、生物医药、高端装备和民生服务等领域形成了一批具有较高水平的标准成果。"
)


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker(engine="plain")
    yield instance
    instance.close()


def _judge(checker: Checker, html: str, url: str = "https://example.test/page.html") -> list[str]:
    result = checker.check_page(
        html.encode(),
        url=url,
        declared_charset=None,
        observed_at=None,
        registry=REGISTRY,
        as_of=dt.date(2026, 11, 26),
    )
    return [f.rule_id for f in result.findings]


# --- the tables ----------------------------------------------------------------------------------------------


def test_every_signal_is_named_once_weighted_and_explained() -> None:
    tables = [*PREPASS_SIGNALS, *HEAD_SIGNALS, *SENTENCE_SIGNALS, *BEFORE_SIGNALS, *AFTER_SIGNALS]
    names = [s.name for s in tables] + list(STRUCTURE) + list(NEAR_STRUCTURE)
    assert len(names) == len(set(names)), "a signal name is used twice"
    for signal in tables:
        assert signal.why and signal.regex is not None and signal.weights
        assert set(signal.weights) <= set(USES) and all(w > 0 for w in signal.weights.values())
    for weights, why in (*STRUCTURE.values(), *NEAR_STRUCTURE.values()):
        assert why and set(weights) <= set(USES)
    for signal in PREPASS_SIGNALS:
        assert signal.hints, f"{signal.name}: a pre-pass signal needs literal hints for the cheap pre-test"


# --- issue 14: a long article keeps its byline ----------------------------------------------------------------


@pytest.mark.parametrize("where", ["start", "end"])
def test_a_long_article_keeps_its_byline(where: str) -> None:
    byline = "<div class='info'>来源：某某日报　编辑：王某</div>"
    body = "".join(f"<p>{_PARAGRAPH}</p>" for _ in range(30))
    mention = "<p>截至目前，本市累计已有数十项标准获评“上海标准”。</p>"
    parts = [byline, body, mention] if where == "start" else [body, mention, byline]
    html = f"<html><body><div class='wrap'>{''.join(parts)}</div></body></html>"
    assert len(re.sub(r"<[^>]+>", "", body)) > 2000
    # Pruning cuts the byline away from the occurrence's block…
    pruned = prune(decode_page(html.encode()).text)
    assert pruned is not None and "来源" not in pruned
    # …but the pre-pass saw it first, so the page is still read as an article.
    result = extract_page(html.encode())
    assert "page:byline" in result.page_signals
    assert [o.use for o in result.occurrences] == ["discussion"]
    assert result.claims == []


# --- decisions -------------------------------------------------------------------------------------------------


def test_a_product_page_claim_is_a_confident_product_claim(checker: Checker) -> None:
    html = (
        "<html><body><h1>演示智能水杯</h1><p class='price'>￥99.00</p><button>加入购物车</button>"
        "<ul><li>产品名称：演示智能水杯</li><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert (claim.use, claim.use_confidence) == ("product", "high")
    assert "near:standard-label" in claim.use_signals or "near:standard-row" in claim.use_signals
    assert _judge(checker, html) == []


def test_a_close_call_is_kept_as_a_claim_for_review() -> None:
    # Nothing on the page says product or news: never dropped, never confidently judged.
    (claim,) = extract_page("<html><body><p>上海标准</p></body></html>".encode()).claims
    assert (claim.use, claim.use_confidence) == ("product", "review")
    assert claim.use_signals == ["no-signal"]


def test_news_about_the_scheme_yields_no_finding(checker: Checker) -> None:
    html = (
        "<html><head><title>首批“上海标准”发布_新闻中心</title></head><body><h1>首批“上海标准”发布</h1>"
        "<p>发布时间：2020-12-25　来源：某某新闻网</p><p>12月24日，首批10项“上海标准”发布。</p>"
        "<p>企业在公开标准编号时可以加注“上海标准”字样，例如“执行标准：T/XXX 001-2022（上海标准）”。</p>"
        "</body></html>"
    )
    result = extract_page(html.encode())
    assert {o.use for o in result.occurrences} == {"discussion"}
    assert all(o.claim_id is None and o.signals for o in result.occurrences)
    assert result.page_kind == "discussion"
    assert _judge(checker, html) == []


def test_an_organisation_announcement_is_judged_only_on_what_it_can_break(checker: Checker) -> None:
    html = (
        "<html><head><title>公司新闻-上海演示新材料有限公司</title></head><body>"
        "<p>我公司主导制定的团体标准获评2023年度“上海标准”。</p>"
        "<p>我公司主导制定的团体标准T/ZZZ 009-2022获评2023年度“上海标准”。</p>"
        "<div>版权所有 © 上海演示新材料有限公司</div></body></html>"
    )
    claims = extract_page(html.encode()).claims
    assert [(c.use, c.product_name, c.claimant) for c in claims] == [
        ("organisation", None, "上海演示新材料有限公司"),
        ("organisation", None, "上海演示新材料有限公司"),
    ]
    # No SHS008 for the announcement without a code; SHS001 for the unregistered one.
    assert _judge(checker, html) == ["SHS001"]


# The kettle's page says it makes no claim (无上海标准声明, "no 上海标准 declaration"): a denial, not a claim.
DEMO_DENIAL = "maker-kettle"
# Item pages whose claims exist only inside their images (issue 15): their text claims nothing; the image
# findings are asserted by tests/test_demo.py.
DEMO_IMAGE_ONLY = ("tmall-flask-photo", "tmall-kettle-strip")


@pytest.mark.parametrize(
    "page",
    [p for p in sorted(DEMO_ITEMS.glob("*.html")) if p.stem not in (DEMO_DENIAL, *DEMO_IMAGE_ONLY)],
    ids=lambda p: p.stem,
)
def test_demo_site_claims_stay_confident_product_claims(page: Path) -> None:
    result = extract_page(page.read_bytes())
    assert result.claims and all((c.use, c.use_confidence) == ("product", "high") for c in result.claims)


@pytest.mark.parametrize("stem", DEMO_IMAGE_ONLY)
def test_demo_site_image_only_items_claim_nothing_in_their_text(stem: str) -> None:
    page = (DEMO_ITEMS / f"{stem}.html").read_bytes()
    assert b"<img" in page and extract_page(page).claims == []


def test_demo_site_denial_is_no_claim() -> None:
    result = extract_page((DEMO_ITEMS / f"{DEMO_DENIAL}.html").read_bytes())
    assert result.claims == []
    (occurrence,) = result.occurrences
    assert occurrence.use == "discussion" and "near:negated" in occurrence.signals


# --- §3: titles of laws and plans never tie ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "上海市标准化条例",
        "上海市標準化條例",
        "上海市标准化条例（2019修订）",
        "关于深化推进“上海标准”标识制度实施的意见",
        "上海市標準化推進專項資金管理辦法",
        "上海市标准化发展行动计划",
        "国家标准化发展纲要",
        "某某工作方案",
        "上海市质量发展规划（2021-2025年）",
        "关于开展2024年度评价工作的通知",
        "中华人民共和国标准化法",
        "上海市促进浦东新区标准化创新发展若干规定",
    ],
)
def test_laws_plans_and_notices_are_never_standards(title: str) -> None:
    assert not_a_standard(normalize_text(title)) is not None
    html = f"<p>依据《{title}》，本品执行上海标准。</p>"
    claims = extract_page(html.encode()).claims
    assert claims and all(c.standard_title is None and c.tie == "none" for c in claims)


@pytest.mark.parametrize(
    "title",
    [
        "学校运动场地合成材料面层有害物质限量",
        "监护型救护车配置规范",
        "塑料 拉伸性能的测定方法",
        "演示用智能水杯",
    ],
)
def test_standard_titles_still_tie(title: str) -> None:
    assert not_a_standard(title) is None
    (claim,) = extract_page(f"<p>本品执行《{title}》（上海标准）。</p>".encode()).claims
    assert claim.standard_title == title and claim.tie == "title-only"


def test_a_law_before_a_standard_does_not_hide_the_standard() -> None:
    html = "<p>依据《中华人民共和国标准化法》，本品执行《演示用智能水杯》（上海标准）。</p>"
    (claim,) = extract_page(html.encode()).claims
    assert claim.standard_title == "演示用智能水杯"


def test_title_table_explains_every_entry() -> None:
    assert all(p.why for p in NOT_A_STANDARD_TITLE) and all(p.why for p in NOT_A_PRODUCT_NAME)


# --- §6: English traps and certification wording ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Shanghai Standard Parts Co., Ltd.",
        "SHANGHAI STANDARD PARTS CO., LTD.",
        "Shanghai Standard Technology Co., Ltd.",
        "Shanghai Standard Time (CST)",
        "shanghai standard time",
        "Shanghai Standard Fasteners",
        "Shanghai Standard Chartered branch",
        "上海标准电器有限公司",
        "上海标准件厂",
        "上海标准五金专营店",
        "店铺：上海标准好物旗舰店",
        "上海標準五金專營店",
        # 上海 + a noun starting with 标准: a standard room, pitch, course, map, edition; a factory's name.
        "上海标准间 含早 ￥299/晚",
        "上海标准大床房",
        "已承建上海标准足球场30余片",
        "上海标准日本语考试辅导",
        "上海标准地图（2024版）",
        "上海标准版",
        "上海标准普尔指数",
        "生产厂家：上海标准电机厂",
        "上海標準模型廠",
    ],
)
def test_english_and_company_traps_are_not_mentions(text: str) -> None:
    assert list(find_in_text(normalize_text(text))) == []


@pytest.mark.parametrize(
    "text",
    [
        "certified Shanghai Standard product",
        "Shanghai Standard certified by ABC Co.",
        "获评上海标准的公司",
        "上海标准认证专卖店",
        "上海标准产品的旗舰店",
        "上海标准产品生产厂",
        "上海标准厂家直销",
        "上海标准产品，间接提升品质",
    ],
)
def test_near_traps_stay_mentions(text: str) -> None:
    assert len(list(find_in_text(normalize_text(text)))) == 1


def test_certified_shanghai_standard_product_is_certification_wording(checker: Checker) -> None:
    html = (
        "<html><body><h1>Demo Smart Cup</h1><p>$19.90</p><button>Add to cart</button>"
        "<p>Certified Shanghai Standard product.</p></body></html>"
    )
    (claim,) = extract_page(html.encode()).claims
    assert claim.use == "product" and claim.certification_words
    assert sorted(_judge(checker, html)) == ["SHS008", "SHS009"]


# --- §4: products, known or unknown -----------------------------------------------------------------------------


def _product(html: str) -> tuple[str | None, str | None]:
    (claim,) = extract_page(html.encode()).claims
    return claim.product_name, claim.product_source


def test_a_model_number_never_names_the_product() -> None:
    html = (
        "<html><body><h1>CNMG120408</h1><table><tr><th>型号</th><td>CNMG120408</td></tr>"
        "<tr><th>执行标准</th><td>T/DEMO 001-2022（上海标准）</td></tr></table></body></html>"
    )
    assert _product(html) == (None, None)


def test_a_brand_alone_never_names_the_product() -> None:
    html = (
        "<html><body><h1>演示</h1><ul><li>品牌：演示</li><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul>"
        "</body></html>"
    )
    assert _product(html) == (None, None)


def test_a_certification_word_never_names_the_product() -> None:
    html = "<html><body><h1>上海市名牌产品证书</h1><ul><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul></body></html>"
    assert _product(html) == (None, None)


def test_a_marketplace_title_never_names_the_product() -> None:
    html = (
        "<html><head><title>智能水杯批发_智能水杯价格-阿里巴巴</title>"
        "<meta property='og:title' content='智能水杯批发_智能水杯价格-阿里巴巴'></head>"
        "<body><ul><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul></body></html>"
    )
    assert _product(html) == (None, None)


def test_product_rows_and_item_headings_name_the_product() -> None:
    row = "<html><body><h1>演示 XK-200</h1><ul><li>产品名称：演示智能水杯</li><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul></body></html>"
    assert _product(row) == ("演示智能水杯", "row:产品名称")
    heading = "<html><body><h1>演示智能水杯 450ml</h1><ul><li>执行标准：T/DEMO 001-2022（上海标准）</li></ul></body></html>"
    assert _product(heading) == ("演示智能水杯 450ml", "layout:product")
    card = (
        "<html><body><ul><li><h4>演示智能水杯 450ml</h4><p>￥99</p><ul><li>执行标准：T/DEMO 001-2022（上海标准）</li>"
        "</ul></li><li><h4>别的水杯</h4></li></ul></body></html>"
    )
    assert _product(card) == ("演示智能水杯 450ml", "heading")


def test_an_article_headline_is_not_a_product() -> None:
    html = (
        "<html><body><h1>本市企业积极参与标准制定</h1><p>来源：某某日报</p>"
        "<p>本品执行T/DEMO 001-2022（上海标准）。</p></body></html>"
    )
    result = extract_page(html.encode())
    assert all(c.product_name != "本市企业积极参与标准制定" for c in result.claims)


# --- the extract command shows the classification ---------------------------------------------------------------


def test_extract_shows_page_kind_uses_and_signals(tmp_path: Path) -> None:
    page = tmp_path / "news.html"
    page.write_text(
        "<html><head><title>首批“上海标准”发布_新闻中心</title></head><body><h1>首批“上海标准”发布</h1>"
        "<p>来源：某某新闻网</p><p>12月24日，首批10项“上海标准”发布。</p></body></html>",
        encoding="utf-8",
    )
    text = CliRunner().invoke(cli, ["extract", str(page)])
    assert text.exit_code == 0, text.output
    assert "page: discussion (" in text.output and "page:byline" in text.output
    assert "not claims: 2 occurrence(s)" in text.output and "- discussion: 上海标准" in text.output
    as_json = CliRunner().invoke(cli, ["extract", "--format", "json", str(page)])
    assert '"page_kind": "discussion"' in as_json.output and '"occurrences"' in as_json.output


# --- precision held-out rounds: general rules they called for -------------------------------------------------

_ITEM = (
    "<html><head><meta charset='utf-8'><title>演示智能水杯</title></head><body>"
    "<h1>演示智能水杯 执行上海标准</h1><p class='price'>￥199.00</p><a>加入购物车</a>"
    "<table><tr><td>产品名称</td><td>演示智能水杯</td></tr>"
    "<tr><td>执行标准</td><td>T/DEMO 001-2022（上海标准）</td></tr></table>{extra}</body></html>"
)


def test_a_single_item_pages_declared_standard_covers_its_bare_claims(checker: Checker) -> None:
    html = _ITEM.format(extra="<div class='desc'><p>本品执行上海标准，品质更放心。</p></div>")
    result = extract_page(html.encode())
    assert [(c.standard_code, c.tie) for c in result.claims] == [
        ("T/DEMO 001-2022", "page"),
        ("T/DEMO 001-2022", "annotation"),
        ("T/DEMO 001-2022", "page"),
    ]
    assert _judge(checker, html) == []  # the standard is disclosed with the words: no SHS008


def test_listing_cards_keep_only_their_own_standard(checker: Checker) -> None:
    cards = "".join(
        f"<li class='card'><a href='/i/{n}'>{name}</a><p>{claim}</p><span>￥{price}</span></li>"
        for n, name, claim, price in (
            (1, "演示智能水杯", "执行标准：T/DEMO 001-2022（上海标准）", 199),
            (2, "空气净化器", "上海标准品质", 999),
            (3, "电水壶", "执行标准：GB/T 24149-2009", 99),
        )
    )
    html = f"<html><body><ul class='list'>{cards}</ul><a>加入购物车</a></body></html>"
    result = extract_page(html.encode())
    assert [c.tie for c in result.claims] == ["annotation", "none"]
    assert _judge(checker, html) == ["SHS008"]


@pytest.mark.parametrize(
    "sentence",
    [
        "本款执行国家标准，未标注上海标准。",  # a denial
        "该商品与上海标准毫无关系。",  # a denial after the words
        "本品标准已入选“上海标准”培育池。",  # a pool entry is no designation
        "执行标准：T/XXX 001-2022（上海标准）",  # a placeholder code
    ],
)
def test_denials_pool_entries_and_placeholders_are_never_claims(sentence: str) -> None:
    html = _ITEM.format(extra=f"<div class='desc'><p>{sentence}</p></div>").replace("执行上海标准", "")
    html = html.replace("T/DEMO 001-2022（上海标准）", "T/DEMO 001-2022")
    result = extract_page(html.encode())
    (occurrence,) = result.occurrences
    assert occurrence.use == "discussion" and result.claims == [], occurrence.signals


@pytest.mark.parametrize(
    "sentence",
    [
        "本品未通过任何上海标准认证。",
        "我们从不宣传上海标准认证。",
        "說明：本品並非上海標準產品，也未通過任何上海標準認證。",
    ],
)
def test_a_denied_certification_is_no_claim_and_no_certification(checker: Checker, sentence: str) -> None:
    html = _ITEM.replace("执行上海标准", "").replace("T/DEMO 001-2022（上海标准）", "T/DEMO 001-2022")
    html = html.format(extra=f"<div class='desc'><p>{sentence}</p></div>")
    result = extract_page(html.encode())
    assert result.claims == [] and {o.use for o in result.occurrences} == {"discussion"}
    assert _judge(checker, html) == []


def test_a_seller_correcting_the_certification_myth_is_not_certification_wording(checker: Checker) -> None:
    # 上海标准不是认证: the clause denies the certification. Its standard is designated: nothing to report.
    html = _ITEM.format(
        extra="<div class='ask'><p>答：上海标准不是认证，是本品执行的标准获评“上海标准”。</p></div>"
    )
    assert all(not c.certification_words for c in extract_page(html.encode()).claims)
    assert _judge(checker, html) == []


@pytest.mark.parametrize(
    ("sentence", "words"),
    [
        ("本产品获评上海标准。", "产品获评或认定"),
        ("本产品经上海市市场监管局认定为“上海标准”产品。", "产品获评或认定"),
        ("本品荣膺“上海标准”称号。", "荣获"),
        ("上海标准授权产品，品质保证。", "授权"),
    ],
)
def test_a_product_said_to_be_rated_or_approved_is_certification_wording(
    checker: Checker, sentence: str, words: str
) -> None:
    # §5 SHS009: a standard is designated; a product presented as rated, recognised or approved is misled.
    html = _ITEM.format(extra=f"<div class='desc'><p>{sentence}</p></div>")
    claims = [c for c in extract_page(html.encode()).claims if c.certification_words]
    assert [words in c.certification_words for c in claims] == [True]
    assert "SHS009" in _judge(checker, html)


def test_one_card_s_standard_row_does_not_speak_for_another_card(checker: Checker) -> None:
    # Two unlinked product cards (no listing): card B's bare words were tied "page" to card A's code.
    html = (
        "<html><body><div class='prod'><h3>演示智能水杯 A款</h3><p>￥799</p><p>执行标准：T/DEMO 001-2022（上海标准）</p></div>"
        "<div class='prod'><h3>演示儿童安全座椅 B款</h3><p>￥999</p><p>上海标准品质</p></div></body></html>"
    )
    claims = extract_page(html.encode()).claims
    assert [(c.product_name, c.tie, c.standard_code) for c in claims] == [
        ("演示智能水杯 A款", "annotation", "T/DEMO 001-2022"),
        ("演示儿童安全座椅 B款", "none", None),
    ]
    assert _judge(checker, html) == ["SHS008"]


def test_buyers_write_discussion_the_sellers_answer_claims() -> None:
    html = _ITEM.replace("执行上海标准", "").replace("T/DEMO 001-2022（上海标准）", "T/DEMO 001-2022")
    html = html.format(
        extra="<div class='comment-list'><h3>商品评价</h3><p>听说上海标准是政府认证的，买了。</p></div>"
        "<div class='ask'><p>问：这款是上海标准的吗？</p><p>答：本品执行T/DEMO 001-2022（上海标准）。</p></div>"
    )
    result = extract_page(html.encode())
    assert [o.use for o in result.occurrences] == ["discussion", "discussion", "product"]


def test_names_in_another_script_are_not_compared(checker: Checker) -> None:
    registry = RegistryIndex.from_records(
        [
            record_from_case(
                {
                    "code": "Q/DEMO 0102-2022",
                    "title": "演示用不锈钢真空保温杯",
                    "type": "enterprise",
                    "holders": [{"name": "上海演示日用制品有限公司"}],
                    "designated_on": "2023-06-01",
                    "scope": ["保温杯"],
                },
                1,
            )
        ]
    )
    html = (
        "<html><head><meta property='og:site_name' content='Shanghai Demo Daily Products Co., Ltd.'></head><body>"
        "<h1>Vacuum flask 500ml</h1><p>US$3.90</p><a>Add to cart</a><table>"
        "<tr><td>Product name</td><td>Vacuum flask</td></tr>"
        "<tr><td>Standard</td><td>Q/DEMO 0102-2022 (Shanghai Standard)</td></tr></table></body></html>"
    )
    result = checker.check_page(
        html.encode(),
        url=None,
        declared_charset=None,
        observed_at=None,
        registry=registry,
        as_of=dt.date(2026, 1, 1),
    )
    (claim,) = result.page.claims
    assert claim.claimant and claim.standard_code == "Q/DEMO 0102-2022"
    # An English seller and product name against a Chinese holder and scope: neither SHS010 nor SHS011.
    assert result.findings == []


@pytest.mark.parametrize(
    ("row", "confidence"),
    [
        (
            "Q/DEMO 0002-2023",
            "review",
        ),  # may be the designated standard the badge is about: an inspector judges
        ("T/ZZB 0123-2019", "review"),  # a group standard the registry does not know
        ("GB/T 29606-2013", "high"),  # a national standard is never designated: wrong either way
    ],
)
def test_a_badge_on_a_page_whose_row_declares_a_standard_without_the_words_is_for_review(
    checker: Checker, row: str, confidence: str
) -> None:
    html = (
        "<html><body><h1>演示儿童安全座椅</h1><p class='price'>￥1299.00</p><button>加入购物车</button>"
        f"<img src='/shs.png' alt='上海标准'><p>执行标准：{row}</p><p>生产企业：演示科技有限公司</p></body></html>"
    )
    result = checker.check_page(
        html.encode(), url=None, declared_charset=None, observed_at=None, registry=REGISTRY,
        as_of=dt.date(2026, 11, 26),
    )  # fmt: skip
    assert result.page.declared_standards == [row]
    (finding,) = result.findings
    assert (finding.rule_id, finding.confidence) == ("SHS008", confidence)
    assert any(r.startswith("standard-elsewhere") for r in finding.confidence_reasons) == (
        confidence == "review"
    )


def test_a_badge_on_a_page_whose_row_declares_a_designated_standard_takes_it(checker: Checker) -> None:
    # The row's code is a designated 上海标准: the badge is about it (tie page-row), nothing is undisclosed.
    html = (
        "<html><body><h1>演示儿童安全座椅</h1><p class='price'>￥1299.00</p><button>加入购物车</button>"
        "<img src='/shs.png' alt='上海标准'><p>执行标准：T/DEMO 001-2022</p><p>生产企业：演示科技有限公司</p></body></html>"
    )
    result = checker.check_page(
        html.encode(), url=None, declared_charset=None, observed_at=None, registry=REGISTRY,
        as_of=dt.date(2026, 11, 26),
    )  # fmt: skip
    (claim,) = result.page.claims
    assert (claim.standard_code, claim.tie) == ("T/DEMO 001-2022", "page-row")
    assert all(f.rule_id != "SHS008" for f in result.findings)


@pytest.mark.parametrize(
    "html",
    [
        # A buyer's complaint quotes what a shop wrote: the shop claims on its own page.
        "<html><body><h1>投诉：某某旗舰店宣称保温杯“通过上海标准认证”</h1><div>涉诉金额：129元</div>"
        "<p>我在该店购买的保温杯，详情页写着通过上海标准认证、执行标准T/DEMO 001-2019（上海标准），要求退款。</p></body></html>",
        # Advice about the wording, beside an advertisement box with a price and a buy link.
        "<html><body><h1>如何识别“上海标准”标识？</h1><p>市场监管部门提醒，“上海标准”是对标准的评价，不是产品认证，"
        "看到“上海标准认证”字样要警惕。</p><div class='ad'>推广：演示智能水杯 ￥99 <a href='/buy'>立即购买</a></div></body></html>",
    ],
)
def test_complaints_and_advice_about_the_wording_claim_nothing(checker: Checker, html: str) -> None:
    assert extract_page(html.encode()).claims == []
    assert _judge(checker, html) == []


@pytest.mark.parametrize(
    ("line", "confidence"),
    [
        ("2021年12月 企业标准Q/DEMO 0004-2021《演示用电动牙刷》获评“上海标准”", "review"),  # dated: true then
        ("我公司企业标准Q/DEMO 0004-2021《演示用电动牙刷》获评“上海标准”", "high"),  # undated
    ],
)
def test_a_dated_honour_for_a_lapsed_designation_is_for_review(
    sqlite_url: str, line: str, confidence: str
) -> None:
    html = (
        "<html><body><h2>企业荣誉</h2><ul class='honor-list'>"
        f"<li>{line}</li><li>2022年 上海市高新技术企业</li></ul>"
        "<div class='foot'>Copyright © 演示科技有限公司 All rights reserved.</div></body></html>"
    )
    (finding,) = _check(sqlite_url, html).findings
    assert (finding.rule_id, finding.confidence) == ("SHS005", confidence)
    assert any(r.startswith("dated-announcement") for r in finding.confidence_reasons) == (
        confidence == "review"
    )


def test_a_quoted_form_called_a_labelling_is_talk_about_the_wording() -> None:
    html = (
        "<html><body><h1>如何识别“上海标准”标识？</h1><p>消费者在网购时常看到“执行标准：××（上海标准）”的标注。</p>"
        "<div class='ad'>推广：演示智能水杯 ￥99 <a href='/buy'>立即购买</a></div></body></html>"
    )
    assert extract_page(html.encode()).claims == []


def _check(sqlite_url: str, html: str) -> PageResult:
    import_example_registry(sqlite_url)
    with db.session_scope(sqlite_url) as session:
        registry = RegistryIndex.load(session)
    return Checker(engine="plain").check_page(
        html.encode(), url=None, declared_charset=None, observed_at=None, registry=registry,
        as_of=dt.date(2026, 12, 1),
    )  # fmt: skip


def test_a_listing_card_without_the_words_does_not_make_the_listing_an_item_page(sqlite_url: str) -> None:
    # The plain card's 执行标准 row, all that pruning kept of it, read as the page's own product: every card
    # became a recommendation (other-product-card) and the expired claim went to review.
    cards = "".join(
        f"<div class='item'><a href='/item/{n}.htm'>{name}</a><div class='price'>¥59.00</div>"
        f"<div class='attr'>执行标准：{code}</div></div>"
        for n, name, code in (
            (1, "甲智能水杯", "T/DEMO 001-2019（上海标准）"),
            (2, "乙智能水杯", "T/DEMO 001-2022（上海标准）"),
            (3, "丙智能水杯", "T/DEMO 001-2022（上海标准）"),
            (4, "丁玻璃杯", "GB/T 4548-1995"),
        )
    )
    result = _check(sqlite_url, f"<html><body>{cards}</body></html>")
    assert [(f.rule_id, f.confidence) for f in result.findings] == [("SHS003", "high")]


@pytest.mark.parametrize(
    ("sentence", "rule", "confidence", "claimant"),
    [
        # A partner's standard congratulated on a distributor's site: the partner's claim, and it holds it.
        (
            "近日，我司长期合作伙伴演示科技有限公司（虚构）主导制定的Q/DEMO 0002-2023获评“上海标准”，我司向其表示祝贺。",
            None,
            None,
            "演示科技有限公司",
        ),
        # A co-drafter reporting the designation: not the holder, maybe not a misuse either.
        (
            "我司参与起草的企业标准Q/DEMO 0002-2023《演示用儿童座椅》获评“上海标准”。",
            "SHS010",
            "review",
            "演示杯业有限公司",
        ),
    ],
)
def test_who_an_organisation_claim_belongs_to(
    sqlite_url: str, sentence: str, rule: str | None, confidence: str | None, claimant: str
) -> None:
    html = (
        f"<html><head><title>公司新闻 - 演示杯业有限公司</title></head><body><div class='news'><p>{sentence}</p></div>"
        "<div class='foot'>Copyright © 演示杯业有限公司 All rights reserved.</div></body></html>"
    )
    result = _check(sqlite_url, html)
    assert [c.claimant for c in result.page.claims] == [claimant]
    assert [(f.rule_id, f.confidence) for f in result.findings] == ([(rule, confidence)] if rule else [])


def test_a_standardisation_association_s_own_standard_is_its_claim(sqlite_url: str) -> None:
    # Any "…标准化协会" was a regulator, so an association's own expired standard was read as discussion.
    html = (
        "<html><head><title>演示标准化协会</title></head><body><p>本会团体标准T/DEMO 001-2019是“上海标准”。</p>"
        "<div class='foot'>版权所有 演示标准化协会</div></body></html>"
    )
    assert [f.rule_id for f in _check(sqlite_url, html).findings] == ["SHS003"]


@pytest.mark.parametrize(
    ("html", "product"),
    [
        # A long product title holding a section word (同款, 规格, 包装) is still the product.
        (
            "<h1>不锈钢分格饭盒 网红同款 学生上班族</h1><p>￥39</p><p>执行标准：T/DEMO 001-2022（上海标准）</p>",
            "不锈钢分格饭盒 网红同款 学生上班族",
        ),
        # A member list's heading names a company, not a product.
        (
            "<div class='m'><h3>演示杯业有限公司</h3><p>主打产品执行团体标准T/DEMO 001-2022（上海标准）。</p></div><p>￥1</p>",
            None,
        ),
    ],
)
def test_product_names_are_neither_section_headings_nor_companies(html: str, product: str | None) -> None:
    claims = extract_page(f"<html><body>{html}</body></html>".encode()).claims
    assert [c.product_name for c in claims] == [product]


def test_a_founding_year_does_not_date_an_announcement(sqlite_url: str) -> None:
    html = (
        "<html><head><title>关于我们 - 演示杯业有限公司</title></head><body><div class='about'><p>演示杯业有限公司成立于"
        "2010年，公司主导起草的T/DEMO 001-2019是“上海标准”。</p></div></body></html>"
    )
    assert [(f.rule_id, f.confidence) for f in _check(sqlite_url, html).findings] == [("SHS003", "high")]


def test_a_shop_named_after_the_words_is_no_claim() -> None:
    html = "<html><body><h1>扳手</h1><p>￥20</p><p>店铺：上海标准五金城</p><p>执行标准：GB/T 4440-2008</p></body></html>"
    assert extract_page(html.encode()).claims == []
