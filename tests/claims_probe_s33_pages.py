"""Probe round s33's pages, each with the verdict an inspector would sign, written down before the checker ran on them.

Eighteen pages of shapes the earlier rounds did not cover: an enterprise's or an association's list of its own
standards where one row is marked, a claim split across table cells (the words in the cell after the code, a column
of standard kinds), the words only in a listing's parameter table (上海标准 | 是, 标准类型 | 上海标准), a national
standard called 上海标准 in a product title, a fake 上海标准认证 certificate as text, cultivation-pool wording (培育池,
上海标准培育项目), a revocation reported by the holder, a denial that also names the national standard, a seller
quoting the regulator's list of designated standards, the regulator's own list as a table, a product manual extracted
from a PDF (the words broken across a line), an English job advert whose company box announces a designation, and a
long yes in a seller's FAQ. Verdicts follow docs/domain.md (§3, §5, §7): a claim is a use of the designation for a
product or an organisation; a list of designated standards quoted or published, a truthful pool entry, a revocation
reported and a denial claim nothing. Judged against the example registry (examples/registry.yaml) on 2026-11-26 by
tests/test_claims_probe_pages.py.

First run, on EXTRACTOR_VERSION 1.32.2 (main before session 33): 10 of 18 right by the verdicts as written; 12 of 18
with s06 and s07's verdicts corrected (below). Wrong: s03 (SHS004 missed), s09 (SHS008 high beside a disclosed basis,
SHS010 missed), s12 (SHS004 for review against a revocation the holder reports), s14 (SHS008 high for a quoted list),
s17 (SHS004 high: an English job advert's company box), s18 (SHS010 missed: a long yes dropped). False findings with
high confidence: 3 (s09, s14, s17). On 1.33.0: 16 of 18 right, none with a false high-confidence finding; s03 and s14
are open (OPEN below).

Two verdicts as written contradicted a decision of round s30 (v07: 执行标准 GB/T 29606-2013 beside 是否上海标准 | 是 is
SHS008) that rests on domain.md §3 (the words are added when disclosing the standard's number: 在公开标准编号…时加注)
and that checker/rules/facts.py (_row_tie_holds) and checker/confidence.py (standard-elsewhere) implement: a row
carrying the words but not the code never wrote them beside a standard, so the claim discloses none (SHS008), sure when
the row's standard is national (wrong either way), for review when it may be designated. s06 was written SHS007
(T/DEMO 005-2024) and s07 SHS002 (GB/T 29606-2013); both are corrected to SHS008, as s30's x08 was corrected, for the
lead to confirm or overturn for both rounds at once."""

from __future__ import annotations

from claims_probe_support import ProbeRound, listing, page, spec_row

_ITEM = "https://shop.example.test/item/33.html"
_HOLDER = "演示科技有限公司（虚构）"
_ASSOCIATION = "演示标准化协会（虚构）"

_ROUND = ProbeRound(_ITEM)
PAGES = _ROUND.pages
add = _ROUND.add

CUP = spec_row("产品名称", "智能水杯")
FLASK = spec_row("产品名称", "保温杯")
SEAT = spec_row("产品名称", "儿童安全座椅")


def own_site(owner: str, title: str, body: str) -> str:
    """A page of an organisation's own site: its name in the header and footer."""
    return page(
        f"{title}-{owner}",
        f"<div class='header'><span class='logo'>{owner}</span></div>{body}"
        f"<div class='footer'>© 2026 {owner} 版权所有</div>",
    )


def standards_table(rows: list[tuple[str, str, str, str]], headers: tuple[str, str, str, str]) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table class='standards'><tr>{head}</tr>{body}</table>"


# --- an organisation's list of its own standards, one row marked -----------------------------------------------------
# The holder's 企业标准自我声明公开 page: it marks Q/DEMO 0006-2025 as 上海标准, which is in the cultivation pool only
# (designated_on 2031-01-01): SHS007. The unmarked rows claim nothing.
add(
    "s01",
    own_site(
        _HOLDER,
        "企业标准公开",
        "<h1>企业标准自我声明公开</h1><p>我公司执行的企业标准如下：</p>"
        + standards_table(
            [
                ("Q/DEMO 0002-2023", "演示用儿童座椅", "现行", "—"),
                ("Q/DEMO 0004-2021", "演示用电动牙刷", "现行", "—"),
                ("Q/DEMO 0006-2025", "演示用扫地机器人", "现行", "上海标准"),
            ],
            ("标准编号", "标准名称", "状态", "备注"),
        ),
    ),
    [("SHS007", "Q/DEMO 0006-2025")],
    url="https://www.demo-tech.example.com/standards.html",
)
# The same list with the designated one marked: Q/DEMO 0002-2023 is valid. The abolished Q/DEMO 0004-2021 is listed
# as 已废止 and not marked: no finding (the words are used for one standard only).
add(
    "s02",
    own_site(
        _HOLDER,
        "企业标准公开",
        "<h1>企业标准自我声明公开</h1>"
        + standards_table(
            [
                ("Q/DEMO 0002-2023", "演示用儿童座椅", "现行", "上海标准"),
                ("Q/DEMO 0004-2021", "演示用电动牙刷", "已废止", "—"),
            ],
            ("标准编号", "标准名称", "状态", "备注"),
        ),
    ),
    [],
    url="https://www.demo-tech.example.com/standards2.html",
)
# An association's catalogue of its group standards with a 是否上海标准 column: it still says 是 for T/DEMO 003-2020,
# whose designation was revoked on 2024-05-01 (SHS004); T/DEMO 001-2022 is designated and valid.
add(
    "s03",
    own_site(
        _ASSOCIATION,
        "团体标准目录",
        "<h1>团体标准目录</h1>"
        + standards_table(
            [
                ("T/DEMO 001-2022", "演示用智能水杯", "2022-03-01", "是"),
                ("T/DEMO 003-2020", "演示用共享单车", "2020-08-01", "是"),
                ("T/DEMO 007-2023", "演示用儿童水杯", "2023-05-01", "否"),
            ],
            ("标准编号", "标准名称", "发布日期", "是否上海标准"),
        ),
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-sa.example.org/catalogue.html",
)

# --- a claim split across table cells ----------------------------------------------------------------------------------
# A listing's row: the code in one cell, the words in the next one of the same row. Revoked (SHS004).
add(
    "s04",
    listing(
        "演示共享单车锁 S04",
        spec_row("产品名称", "共享单车锁")
        + "<tr><th>执行标准</th><td>T/DEMO 003-2020</td><td>上海标准</td></tr>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
# A B2B price table whose 标准属性 column says which standard is a 上海标准: T/DEMO 001-2020 matches the number of
# T/DEMO 001 in another year (SHS006); the national standard's row says 国家标准 and claims nothing.
add(
    "s05",
    page(
        "2026出厂价-演示杯业",
        "<h1>2026年出厂价格表</h1><a class='inquiry'>立即询价</a><table border='1'>"
        "<tr><th>品名</th><th>执行标准</th><th>标准属性</th><th>单价</th></tr>"
        "<tr><td>智能水杯</td><td>T/DEMO 001-2020</td><td>上海标准</td><td>¥89</td></tr>"
        "<tr><td>保温杯</td><td>GB/T 29606-2013</td><td>国家标准</td><td>¥49</td></tr></table>",
    ),
    [("SHS006", "T/DEMO 001-2020")],
    url="https://www.demo-cup.example.com/price3.html",
)

# --- the words only in a listing's parameter table ---------------------------------------------------------------------
# 上海标准 | 是 beside 执行标准 | T/DEMO 005-2024: the product's standard is said to be a 上海标准; it is in the
# cultivation pool only. Written as SHS007; corrected to SHS008 (see the module's note: the words are in their own row).
add(
    "s06",
    listing(
        "演示空气净化器 S06",
        spec_row("产品名称", "空气净化器")
        + spec_row("执行标准", "T/DEMO 005-2024")
        + spec_row("上海标准", "是"),
        price="¥1999",
    ),
    [("SHS008", None)],
)
# 标准类型 | 上海标准 beside 执行标准 | GB/T 29606-2013: the national standard the product discloses is called a
# 上海标准. Written as SHS002; corrected to SHS008 (the module's note; round s30's v07 is this shape).
add(
    "s07",
    listing(
        "演示保温杯 S07",
        FLASK + spec_row("执行标准", "GB/T 29606-2013") + spec_row("标准类型", "上海标准"),
    ),
    [("SHS008", None)],
)

# --- a national standard called 上海标准 in a product title ---------------------------------------------------------
add(
    "s08",
    listing("【上海标准】演示保温杯 GB 4806.9-2016 食品级316不锈钢", FLASK),
    [("SHS002", "GB 4806.9-2016")],
)

# --- 上海标准认证 as a certificate ------------------------------------------------------------------------------------
# A non-holder's listing shows a "certificate" as text: certification wording (SHS009) for the holder's standard,
# and the seller is not its holder (SHS010).
add(
    "s09",
    listing(
        "演示儿童安全座椅 S09",
        SEAT + spec_row("生产企业", "杭州某某儿童用品有限公司"),
        "<div class='cert'><h3>上海标准认证证书</h3><p>证书编号：SHBZ-2024-0158</p><p>认证产品：儿童安全座椅</p>"
        "<p>认证依据：Q/DEMO 0002-2023</p><p>获证单位：杭州某某儿童用品有限公司</p></div>",
        price="¥1099",
    ),
    [("SHS009", "Q/DEMO 0002-2023"), ("SHS010", "Q/DEMO 0002-2023")],
    seller="杭州某某儿童用品旗舰店",
)

# --- cultivation-pool wording (domain.md §3: a pool standard is not yet a 上海标准) --------------------------------------
# The holder's news: its standard entered the pool. A truthful pool entry claims nothing.
add(
    "s10",
    own_site(
        _HOLDER,
        "公司新闻",
        "<h1>公司新闻</h1><p>2025-01-12</p><p>近日，我公司主导制定的企业标准Q/DEMO 0006-2025《演示用扫地机器人》"
        "入选“上海标准”培育池。</p>",
    ),
    [],
    url="https://www.demo-tech.example.com/news/250112.html",
)
# A listing saying its standard is a pool item, not a 上海标准.
add(
    "s11",
    listing(
        "演示空气净化器 S11",
        spec_row("产品名称", "空气净化器") + spec_row("执行标准", "T/DEMO 005-2024（上海标准培育项目）"),
        price="¥1899",
    ),
    [],
)

# --- a revocation reported, a denial ---------------------------------------------------------------------------------
add(
    "s12",
    own_site(
        _ASSOCIATION,
        "通知公告",
        "<h1>关于团体标准T/DEMO 003-2020“上海标准”资格撤销的说明</h1><p>2024-05-08</p>"
        "<p>经复评，本会团体标准T/DEMO 003-2020《演示用共享单车》的“上海标准”资格已于2024年5月1日撤销。"
        "请相关企业不再在产品及宣传中标注“上海标准”字样。</p>",
    ),
    [],
    url="https://www.demo-sa.example.org/notice/240508.html",
)
add(
    "s13",
    listing(
        "演示保温杯 S13",
        FLASK + spec_row("执行标准", "GB/T 29606-2013"),
        "<p>郑重声明：本款并非“上海标准”产品（执行国家标准GB/T 29606-2013），网传信息不实。</p>",
    ),
    [],
)

# --- the regulator's list of designated standards --------------------------------------------------------------------
# A seller quotes the list on its listing; its own product discloses a national standard and does not say it is one.
add(
    "s14",
    listing(
        "演示保温杯 S14",
        FLASK + spec_row("执行标准", "GB/T 29606-2013"),
        "<h3>科普：什么是上海标准</h3><p>附：市场监管局公布的2021年度“上海标准”名单（节选）</p>"
        + standards_table(
            [
                ("1", "T/DEMO 003-2020", "演示用共享单车", _ASSOCIATION),
                ("2", "Q/DEMO 0004-2021", "演示用电动牙刷", _HOLDER),
            ],
            ("序号", "标准编号", "标准名称", "主要起草单位"),
        ),
    ),
    [],
)
# The regulator's notice itself, as a table.
add(
    "s15",
    page(
        "关于公布2021年度“上海标准”名单的通知",
        "<h1>关于公布2021年度“上海标准”名单的通知</h1><p>发布机构：上海市市场监督管理局 发布日期：2021-12-20</p>"
        "<p>经评价，以下标准获评2021年度“上海标准”：</p>"
        + standards_table(
            [
                ("1", "T/DEMO 003-2020", "演示用共享单车", _ASSOCIATION),
                ("2", "Q/DEMO 0004-2021", "演示用电动牙刷", _HOLDER),
            ],
            ("序号", "标准编号", "标准名称", "主要起草单位"),
        ),
    ),
    [],
    url="https://scjgj.sh.gov.cn/notice/211220.html",
)

# --- a product manual extracted from a PDF ---------------------------------------------------------------------------
# Text as a PDF converter leaves it: a <pre>, lines broken mid-phrase, page numbers. The words broken across a line
# are still the words; the edition expired on 2022-01-14 (SHS003).
add(
    "s16",
    page(
        "演示智能水杯使用说明书.pdf",
        "<pre>演示智能水杯  使用说明书\n\n— 1 —\n\n一、产品概述\n本产品为智能水杯，执行标准：T/DEMO 001-2019（上海\n"
        "标准）。生产企业：演示杯业有限公司\n\n— 2 —\n二、注意事项\n请勿放入微波炉加热。\n</pre>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://www.demo-cup.example.com/manual/cup.pdf.html",
)

# --- an English job advert whose company box announces a designation (session 32's open gap) ----------------------------
add(
    "s17",
    page(
        "Quality Engineer - Careers",
        "<h1>Quality Engineer</h1><h3>Job Description</h3><p>Run incoming and final inspection.</p>"
        "<h3>Qualifications</h3><p>Bachelor's degree; three years in QA.</p>"
        "<div class='company'><h3>Company Introduction</h3><p>Demo Standardization Association member since 2018, we"
        " led the drafting of T/DEMO 003-2020, which was designated a Shanghai Standard (上海标准) in 2021.</p></div>",
        lang="en",
    ),
    [],
    url="https://careers.example.test/jobs/33017.html",
)

# --- a seller's long yes ---------------------------------------------------------------------------------------------
add(
    "s18",
    listing(
        "演示儿童安全座椅 S18",
        SEAT,
        "<h3>常见问题</h3><p>问：这款安全座椅是上海标准吗？</p><p>答：是的亲，本款执行Q/DEMO 0002-2023。"
        + "座椅采用ISOFIX硬连接，五点式安全带，侧撞保护，适合9个月至12岁儿童使用，欢迎咨询。" * 5
        + "</p>",
        price="¥1199",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    seller="某某母婴专营店",
)

# Pages judged wrong at the end of session 33 (their written verdicts stand):
# - s03: the words name a column (是否上海标准) of an association's catalogue and each row's 是/否 says which standard
#   is claimed. The checker makes one claim of the column's name, without a code (column-name, review: probe s29's
#   decision), so the revoked T/DEMO 003-2020 marked 是 is no finding. Reading each row's mark as that row's claim,
#   tied to its code, is a change of that decision (one claim per marked row), not made here.
# - s14: a seller quotes the regulator's list of designated standards (市场监管局公布的…“上海标准”名单) under 科普：什么是上海标准
#   on its listing, its own product a national standard. Both occurrences are product claims for review (SHS008
#   review; the heading was SHS008 high before 1.33.0 read 什么是… as asked). The list's sentence weighs the offer and
#   the scheme words equally; a stronger "the regulator's list" signal would also outweigh an organisation announcing
#   its standard entered that list (我公司…入选市场监管局公布的…名单), so it stays for review.
OPEN: frozenset[str] = frozenset(["s03", "s14"])
