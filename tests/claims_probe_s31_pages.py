"""Probe round s31's pages, each with the verdict an inspector would sign, written down before the checker ran on them.

Two batches (s31a, 89 pages; s31b, 26 pages probing the over-reach of s31a's fixes) of kinds the earlier rounds did not cover: livestream and short-video copy, B2B catalogues
with many SKUs in a table, tenders and bids, recruitment pages, company news about drafting a standard, traditional-
character Hong Kong and Taiwan shops, English export pages, pages mixing a true claim and a false one, the mark's
image with alt text, hostile obfuscation, comparisons, resellers naming the maker, a designated DB31 standard beside
a national one, and the decisions of s30's open questions (honours lists, English footers, the seller's FAQ). Batch
s31a was written after the open questions' fixes (EXTRACTOR_VERSION 1.29.0) and before the checker ran on any of its
pages; batch s31b after s31a's fixes, before it ran. Judged against the example registry (examples/registry.yaml) on 2026-11-26 by
tests/test_claims_probe_pages.py."""

from __future__ import annotations

from claims_probe_support import ProbeRound, listing, page, spec_row

_ITEM = "https://shop.example.test/item/31.html"
_HOLDER = "演示科技有限公司（虚构）"


_ROUND = ProbeRound(_ITEM)
PAGES = _ROUND.pages
add = _ROUND.add


def row(label: str, value: str) -> str:
    return spec_row(label, value)


def live(title: str, lines: list[str], price: str = "¥79") -> str:
    """A livestream replay page: the room's product card (price, buy button) and the host's transcript."""
    script = "".join(f"<p>{line}</p>" for line in lines)
    return page(
        f"{title}-直播回放",
        f"<div class='live-card'><h1>{title}</h1><span class='price'>{price}</span><button>去购买</button></div>"
        f"<div class='transcript'><h3>直播文字实录</h3>{script}</div>",
    )


def catalogue(title: str, skus: list[tuple[str, str, str]], extra: str = "") -> str:
    """A B2B catalogue: one table of SKUs (model, product, standard) with an inquiry button."""
    body = "".join(f"<tr><td>{m}</td><td>{p}</td><td>{s}</td></tr>" for m, p, s in skus)
    return page(
        f"{title}-产品目录-演示供应链平台",
        f"<h1>{title}</h1><p class='price'>批发价 ¥35-¥120</p><a class='inquiry'>立即询价</a>"
        f"<table class='sku'><tr><th>型号</th><th>产品名称</th><th>执行标准</th></tr>{body}</table>{extra}",
    )


def hk(name: str, rows: str, extra: str = "", price: str = "HK$168") -> str:
    return page(
        f"{name}｜演示香港網店",
        f"<h1>{name}</h1><p class='price'>{price}</p><button>加入購物車</button><table>{rows}</table>{extra}",
        lang="zh-HK",
    )


def en(name: str, rows: list[tuple[str, str]], extra: str = "") -> str:
    tr = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return page(
        f"{name} - Export catalogue",
        f"<h1>{name}</h1><div class='price'>FOB US $4.20 / Piece</div><a class='inquiry'>Send Inquiry</a>"
        f"<table class='attrs'>{tr}</table>{extra}",
        lang="en",
    )


def company(title: str, body: str, owner: str = _HOLDER) -> str:
    return page(f"{title}-{owner}", f"{body}<div class='footer'>{owner} 版权所有</div>")


CUP = row("产品名称", "智能水杯")
FLASK = row("产品名称", "保温杯")
SEAT = row("产品名称", "儿童安全座椅")

# --- batch s31a (written before the checker ran on it) ---
# Livestream and short-video copy.
add(
    "l01", live("演示智能水杯", ["主播：这款智能水杯执行T/DEMO 001-2022（上海标准），今晚直播间专享价。"]), []
)
add(
    "l02",
    live("演示保温杯", ["主播：我们家这个保温杯是上海标准认证的！", "主播：三二一上链接！"]),
    [("SHS008", None), ("SHS009", None)],
)
add(
    "l03",
    live("演示保温杯", ["弹幕：这个是上海标准吗？", "主播：宝宝们看这个颜色，非常好看。"]),
    [],
)
add(
    "l04",
    page(
        "共享单车锁 #上海标准 短视频",
        "<h1>演示共享单车锁</h1><span class='price'>¥59</span><button>立即购买</button>"
        "<p class='desc'>#上海标准 #共享单车 本品执行标准T/DEMO 003-2020（上海标准），放心骑行。</p>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "l05",
    live("演示智能水杯 旧款", ["主播：智能水杯，执行标准T/DEMO 001-2019（上海标准），清仓价！"]),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "l06",
    live("演示保温杯", ["观众：主播，上海标准件厂的螺丝有吗？", "主播：我们只卖杯子哦。"]),
    [],
)
# B2B catalogues with many SKUs in a table.
add(
    "b01",
    catalogue(
        "水杯系列",
        [
            ("SC-01", "智能水杯", "T/DEMO 001-2022（上海标准）"),
            ("VF-02", "保温杯", "GB/T 29606-2013"),
            ("KT-03", "电热水壶", "GB/T 14249.1-2008"),
        ],
    ),
    [],
)
add(
    "b02",
    catalogue(
        "安全座椅系列",
        [("CS-1", "儿童安全座椅", "Q/DEMO 0002-2023（上海标准）")],
        "<p>生产企业：杭州某某儿童用品有限公司</p>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
)
add(
    "b03",
    catalogue(
        "净化器系列",
        [("AP-1", "空气净化器", "T/DEMO 005-2024（上海标准）"), ("AP-2", "空气净化器", "GB/T 18801-2022")],
    ),
    [("SHS007", "T/DEMO 005-2024")],
)
add(
    "b04",
    catalogue(
        "智能水杯系列",
        [
            ("SC-A", "智能水杯", "T/DEMO 001-2022（上海标准）"),
            ("SC-B", "智能水杯", "T/DEMO 001-2019（上海标准）"),
        ],
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "b05",
    catalogue(
        "工业机器人",
        [("R-6", "工业机器人", "PDLH/DEMO 001-2023（上海标准）")],
        "<p>生产企业：演示起草单位甲（虚构）</p>",
    ),
    [],
)
add(
    "b06",
    catalogue(
        "牙刷系列",
        [("TB-1", "电动牙刷", "Q/DEMO 0004-2021（上海标准）"), ("TB-2", "电动牙刷", "QB/T 2966-2014")],
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
)
add(
    "b07",
    catalogue("水杯系列二", [("SC-9", "智能水杯", "T/DEMO 009-2023（上海标准）")]),
    [("SHS001", "T/DEMO 009-2023")],
)
add(
    "b08",
    catalogue("保温杯系列", [("VF-8", "保温杯", "GB/T 29606-2013（上海标准）")]),
    [("SHS002", "GB/T 29606-2013")],
)
# Tenders, bids and procurement results.
add(
    "t01",
    page(
        "演示学校智能水杯采购项目招标公告",
        "<h1>演示学校智能水杯采购项目招标公告</h1><p>采购需求：智能水杯500个，投标产品应符合T/DEMO 001-2022（上海标准）。</p>"
        "<p>投标截止时间：2026-12-10</p>",
    ),
    [],
    url="https://zfcg.example.gov.cn/notice/31001.html",
)
add(
    "t02",
    page(
        "中标结果公告",
        "<h1>演示学校智能水杯采购项目中标结果公告</h1><table><tr><th>货物名称</th><th>执行标准</th><th>中标金额</th></tr>"
        "<tr><td>智能水杯</td><td>T/DEMO 001-2022（上海标准）</td><td>¥40,000</td></tr></table>",
    ),
    [],
    url="https://zfcg.example.gov.cn/result/31002.html",
)
add(
    "t03",
    page(
        "演示学校运动场地改造项目招标文件",
        "<h1>招标文件</h1><p>第三章 技术要求：面层材料应满足T/SHHJ 000003-2018《学校运动场地合成材料面层有害物质限量》（上海标准）。</p>",
    ),
    [],
    url="https://zfcg.example.gov.cn/notice/31003.html",
)
# Recruitment pages of a standard holder.
add(
    "r01",
    page(
        "标准化工程师招聘-演示标准化协会（虚构）",
        "<h1>标准化工程师</h1><p>薪资：8千-1.2万</p><p>岗位职责：负责团体标准起草及上海标准申报材料准备。</p>"
        "<p>任职要求：熟悉上海标准化工作流程。</p>",
    ),
    [],
    url="https://jobs.example.test/job/31001.html",
)
add(
    "r02",
    page(
        "产品经理招聘-演示科技有限公司（虚构）",
        "<h1>产品经理（儿童安全座椅）</h1><p>薪资：2万-3万</p><h3>公司简介</h3>"
        "<p>演示科技有限公司（虚构）是企业标准Q/DEMO 0002-2023《演示用儿童座椅》（上海标准）的持有单位。</p>",
    ),
    [],
    url="https://jobs.example.test/job/31002.html",
)
add(
    "r03",
    page(
        "质量工程师招聘-杭州某某儿童用品有限公司",
        "<h1>质量工程师</h1><p>薪资：1万-1.5万</p><h3>公司简介</h3>"
        "<p>杭州某某儿童用品有限公司生产儿童安全座椅，产品执行Q/DEMO 0002-2023（上海标准）。</p>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://jobs.example.test/job/31003.html",
)
# Company news about drafting a standard.
add(
    "n01",
    company(
        "公司新闻",
        "<h1>我司牵头起草团体标准T/DEMO 009-2024</h1><p>发布时间：2026-10-01</p>"
        "<p>该标准已完成征求意见，下一步我司将积极申报上海标准。</p>",
    ),
    [],
    url="https://www.demo-tech.example.com/news/31001.html",
)
add(
    "n02",
    company(
        "公司新闻",
        "<h1>喜报</h1><p>发布时间：2024-01-08</p><p>我司企业标准Q/DEMO 0002-2023《演示用儿童座椅》获评“上海标准”。</p>",
    ),
    [],
    url="https://www.demo-tech.example.com/news/31002.html",
)
add(
    "n03",
    company(
        "协会动态",
        "<h1>我会团体标准入选上海标准培育池</h1><p>发布时间：2025-03-05</p><p>我会起草的T/DEMO 005-2024入选“上海标准”培育池。</p>",
        owner="演示标准化协会（虚构）",
    ),
    [],
    url="https://www.demo-assoc.example.org/news/31003.html",
)
add(
    "n04",
    company(
        "公司新闻",
        "<h1>喜报</h1><p>发布时间：2024-02-01</p><p>我公司执行的企业标准Q/DEMO 0002-2023获评“上海标准”。</p>",
        owner="杭州某某儿童用品有限公司",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.hz-baby.example.com/news/31004.html",
)
add(
    "n05",
    company(
        "公司新闻",
        "<h1>我司参加上海标准化协会年会</h1><p>发布时间：2026-05-01</p><p>会上交流了上海标准化工作经验。</p>",
    ),
    [],
    url="https://www.demo-tech.example.com/news/31005.html",
)
# Traditional-character Hong Kong and Taiwan shops.
add("h01", hk("演示智能水杯", CUP + row("執行標準", "T/DEMO 001-2022（上海標準）")), [])
add(
    "h02",
    hk("演示保溫杯", row("產品名稱", "保溫杯"), "<p>本產品通過上海標準認證，品質保證。</p>", price="NT$690"),
    [("SHS008", None), ("SHS009", None)],
)
add(
    "h03",
    hk("演示共享單車鎖", row("執行標準", "T/DEMO 003-2020（上海標準）")),
    [("SHS004", "T/DEMO 003-2020")],
)
add("h04", hk("演示不鏽鋼螺栓", row("產品名稱", "螺栓"), "<p>上海標準件廠出品，規格齊全。</p>"), [])
add(
    "h05",
    hk("演示智能水杯 旧款", CUP + row("執行標準", "T/DEMO 001-2019（上海標準）")),
    [("SHS003", "T/DEMO 001-2019")],
)
# English export pages.
add(
    "e01",
    en(
        "Smart Cup",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2022 (Shanghai Standard)")],
    ),
    [],
)
add(
    "e02",
    en(
        "Vacuum Flask",
        [("Product Name", "Vacuum flask"), ("Executive Standard", "GB/T 29606-2013 (Shanghai Standard)")],
    ),
    [("SHS002", "GB/T 29606-2013")],
)
add(
    "e03",
    en(
        "Vacuum Flask", [("Product Name", "Vacuum flask")], "<p>Shanghai Standard certified vacuum flask.</p>"
    ),
    [("SHS008", None), ("SHS009", None)],
)
add(
    "e04",
    en(
        "Vacuum Flask",
        [("Product Name", "Vacuum flask")],
        "<p>Payment: T/T to Standard Chartered Bank, Shanghai branch.</p>",
    ),
    [],
)
add(
    "e05",
    en(
        "Robot Vacuum",
        [("Product Name", "Robot vacuum"), ("Executive Standard", "Q/DEMO 0006-2025 (Shanghai Standard)")],
    ),
    [("SHS007", "Q/DEMO 0006-2025")],
)
add(
    "e06",
    en(
        "Smart Cup",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2022")],
        "<p>This smart cup, designed in our Shanghai studio, was rated a Shanghai Standard product in 2023.</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "e07",
    en(
        "Child Safety Seat",
        [
            ("Product Name", "Child safety seat"),
            ("Executive Standard", "Q/DEMO 0002-2023 (Shanghai Standard)"),
            ("Manufacturer", "Hangzhou Mouhou Baby Products Co., Ltd."),
        ],
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
)
add(
    "e08",
    page(
        "About us - Hangzhou Mouhou Baby Products",
        "<h1>About us</h1><p>Our child safety seats are produced to Q/DEMO 0002-2023 (Shanghai Standard).</p>"
        "<div class='footer'>© 2024 Hangzhou Mouhou Baby Products Co., Ltd. All rights reserved.</div>",
        lang="en",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.mouhou-baby.example.com/about.html",
)
add(
    "e09",
    page(
        "Mouhou Baby Products - Supplier profile",
        "<h1>Company Profile</h1><p>Our child safety seats are produced to Q/DEMO 0002-2023 (Shanghai Standard).</p>"
        "<div class='footer'>Copyright © 1998-2024 Focus Demo Market Co., Ltd. All Rights Reserved.</div>",
        lang="en",
    ),
    [],
    url="https://mouhou.b2b-market.example.com/company-profile.html",
)
# Pages that mix a genuine claim and a false one for different products.
add(
    "m01",
    page(
        "水杯专区-演示旗舰店",
        "<h1>水杯专区</h1><div class='item'><h3>智能水杯</h3><p class='price'>¥89</p><p>执行标准：T/DEMO 001-2022（上海标准）</p></div>"
        "<div class='item'><h3>智能水杯 旧款</h3><p class='price'>¥49</p><p>执行标准：T/DEMO 001-2019（上海标准）</p></div>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "m02",
    listing(
        "演示智能水杯",
        CUP + row("执行标准", "T/DEMO 001-2022（上海标准）"),
        "<p>另：本品通过上海标准认证。</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add("m03", listing("演示智能水杯", CUP + row("执行标准", "T/DEMO 001-2022（上海标准）、GB 4806.9-2016")), [])
add(
    "m04",
    listing(
        "演示监护型救护车",
        row("产品名称", "监护型救护车") + row("执行标准", "DB31/T 1108-2018（上海标准）；GB/T 19001-2016"),
        price="¥680,000",
    ),
    [],
)
add(
    "m05",
    listing(
        "演示监护型救护车 B",
        row("产品名称", "监护型救护车")
        + row("执行标准", "DB31/T 1108-2018（上海标准）")
        + row("生产企业", "江苏某某汽车有限公司"),
        price="¥650,000",
    ),
    [],
)
add(
    "m06",
    listing("演示智能手表", row("产品名称", "智能手表") + row("执行标准", "DB31/T 1234-2020（上海标准）")),
    [("SHS001", "DB31/T 1234-2020")],
)
add(
    "m07",
    page(
        "座椅专区-演示母婴旗舰店",
        "<h1>座椅专区</h1><div class='item'><h3>儿童安全座椅 A</h3><p class='price'>¥1299</p>"
        "<p>执行标准：Q/DEMO 0002-2023（上海标准）</p><p>生产企业：演示科技有限公司（虚构）</p></div>"
        "<div class='item'><h3>儿童安全座椅 B</h3><p class='price'>¥899</p><p>执行标准：Q/DEMO 0002-2023（上海标准）</p>"
        "<p>生产企业：杭州某某儿童用品有限公司</p></div>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
)
add(
    "m08",
    listing("演示智能水杯 Pro", CUP + row("执行标准", "T/DEMO 001-2021（上海标准）")),
    [("SHS006", "T/DEMO 001-2021")],
)
add(
    "m09",
    listing("演示电热水壶", row("产品名称", "电热水壶") + row("执行标准", "T/DEMO 001-2022（上海标准）")),
    [("SHS011", "T/DEMO 001-2022")],
)
add("m10", listing("演示智能水杯 T", CUP + row("执行标准", "《演示用智能水杯》（上海标准）")), [])
add(
    "m11",
    listing("演示电饭煲", row("产品名称", "电饭煲") + row("执行标准", "《演示用电饭煲》（上海标准）")),
    [("SHS001", None)],
)
# The mark's image with alt text.
add(
    "i01",
    listing(
        "演示智能水杯 M1",
        CUP + row("执行标准", "T/DEMO 001-2022"),
        "<img src='/img/mark.png' alt='上海标准标识'>",
    ),
    [],
)
add("i02", listing("演示保温杯 M2", FLASK, "<img src='/img/mark.png' alt='上海标准'>"), [("SHS008", None)])
add(
    "i03",
    listing("演示智能水杯 M3", CUP, "<img src='/img/mark.png' alt='上海标准 T/DEMO 001-2019'>"),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "i04", listing("演示螺栓 M4", row("产品名称", "螺栓"), "<img src='/img/logo.png' alt='上海标准件厂'>"), []
)
add(
    "i05",
    listing(
        "演示保温杯 M5",
        FLASK + row("执行标准", "GB/T 29606-2013"),
        "<img src='/img/shanghai-biaozhun-logo.png'>",
    ),
    [("SHS008", None)],
)
add(
    "i06",
    listing(
        "演示智能水杯 M6",
        CUP,
        "<figure><img src='/img/mark.png'><figcaption>上海标准 T/DEMO 001-2022</figcaption></figure>",
    ),
    [],
)
# Hostile obfuscation.
add(
    "o01",
    listing("演示共享单车锁 O1", row("执行标准", "T/DEMO 003-2020（上\u200b海\u200b标\u200b准）")),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "o02",
    listing("演示智能水杯 O2", CUP + row("执行标准", "Ｔ／ＤＥＭＯ　００１－２０１９（上海标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add("o03", listing("演示智能水杯 O3", CUP + row("执行标准", "T/DEMO 001-2022&amp;“上海标准&amp;”")), [])
add(
    "o04",
    listing("演示智能水杯 O4", CUP + row("执行标准", "T/DEMO 001―2019（上海标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "o05",
    listing("演示保温杯 O5", FLASK, "<p>上海 标准认证，品质保障。</p>"),
    [("SHS008", None), ("SHS009", None)],
)
add("o06", listing("演示螺栓 O6", row("产品名称", "螺栓"), "<p>上海\u200b标准件，规格齐全。</p>"), [])
add(
    "o07",
    listing("演示智能水杯 O7", CUP + row("执行标准", "t/demo 001‐2019（上海标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "o08",
    listing("演示智能水杯 O8", CUP + row("执行标准", "T/DEMO 001-2019（<span>上海</span><b>标准</b>）")),
    [("SHS003", "T/DEMO 001-2019")],
)
# Comparison pages.
add(
    "c01",
    listing(
        "演示智能水杯 C1",
        CUP + row("执行标准", "T/DEMO 001-2022"),
        "<p>与其他品牌不同，我们的智能水杯执行T/DEMO 001-2022（上海标准）。</p>",
    ),
    [],
)
add(
    "c02",
    listing(
        "演示保温杯 C2",
        FLASK + row("执行标准", "GB/T 29606-2013"),
        "<p>别家宣称上海标准，我们只做国标，实实在在。</p>",
    ),
    [],
)
add(
    "c03",
    en(
        "Vacuum Flask C3",
        [("Product Name", "Vacuum flask")],
        "<p>Unlike others, our flask meets the Shanghai Standard.</p>",
    ),
    [("SHS008", None)],
)
add(
    "c04",
    listing(
        "演示智能水杯 C4",
        CUP + row("执行标准", "T/DEMO 001-2022"),
        "<table class='compare'><tr><th>对比项</th><th>本品</th><th>普通水杯</th></tr>"
        "<tr><td>执行标准</td><td>T/DEMO 001-2022（上海标准）</td><td>无</td></tr></table>",
    ),
    [],
)
# Resellers naming the manufacturer.
add(
    "rs01",
    listing(
        "演示儿童安全座椅 R1",
        SEAT
        + row("执行标准", "Q/DEMO 0002-2023（上海标准）")
        + row("生产企业", _HOLDER)
        + row("经销商", "某某母婴专营店"),
    ),
    [],
    seller="某某母婴专营店",
)
add(
    "rs02",
    listing(
        "演示儿童安全座椅 R2",
        SEAT + row("执行标准", "Q/DEMO 0002-2023（上海标准）") + row("生产企业", "杭州某某儿童用品有限公司"),
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    seller="某某母婴专营店",
)
add(
    "rs03",
    listing(
        "演示电动牙刷 R3",
        row("产品名称", "电动牙刷")
        + row("执行标准", "Q/DEMO 0004-2021（上海标准）")
        + row("生产企业", _HOLDER),
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    seller="某某数码专营店",
)
add(
    "rs04",
    page(
        "授权经销商-演示科技有限公司（虚构）产品",
        "<h1>演示儿童安全座椅 授权经销</h1><p class='price'>¥1199</p><button>立即购买</button>"
        "<p>本店为演示科技有限公司（虚构）授权经销商，所售座椅由该公司生产，执行Q/DEMO 0002-2023（上海标准）。</p>",
    ),
    [],
    seller="某某母婴专营店",
)
# Precision traps beside an offer.
add("x01", listing("演示不锈钢螺栓", row("产品名称", "螺栓"), "<p>上海标准件厂直供，量大从优。</p>"), [])
add(
    "x02",
    listing(
        "演示保温杯 X2",
        FLASK + row("执行标准", "GB/T 29606-2013"),
        "<p>检测机构：上海标准化研究院（虚构检测报告）</p>",
    ),
    [],
)
add("x03", listing("演示保温杯 X3", FLASK, "<p>按上海标准时间每日16:00前下单当天发货。</p>"), [])
add(
    "x04",
    page(
        "政策解读：“上海标准”标识制度",
        "<h1>政策解读：“上海标准”标识制度</h1><p>“上海标准”是对标准的评价，不是对产品的认证。</p>",
    ),
    [],
    url="https://news.example.test/policy/31004.html",
)
add("x05", listing("演示保温杯 X5", FLASK, "<p>本店支持上海标准化协会团体标准的推广。</p>"), [])
# s30's open questions, decided (tests/test_claims_probe_s31.py).
add(
    "q01",
    company(
        "荣誉资质",
        "<h2>荣誉资质</h2><ul><li>高新技术企业</li><li>2024年 上海标准</li><li>上海市专精特新企业</li></ul>",
    ),
    [("SHS009", None)],
    url="https://www.demo-tech.example.com/honor.html",
)
add(
    "q02",
    company(
        "荣誉资质",
        "<h2>荣誉资质</h2><ul><li>DB31/T 1108-2018《监护型救护车配置规范》（上海标准）</li><li>先进集体</li></ul>",
        owner="上海市医疗急救中心",
    ),
    [],
    url="https://www.demo-120.example.org/honor.html",
)
add(
    "q03",
    company("企业荣誉", "<h2>企业荣誉</h2><ul><li>上海品牌认证</li><li>高新技术企业</li></ul>"),
    [],
    url="https://www.demo-tech.example.com/honor2.html",
)
add(
    "q04",
    listing("演示保温杯 Q4", FLASK, "<h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的</p>"),
    [("SHS008", None)],
)
add(
    "q05",
    listing(
        "演示保温杯 Q5",
        FLASK,
        "<div class='faq'><h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的，执行T/DEMO 001-2022。</p></div>",
    ),
    [],
)
add(
    "q06",
    listing(
        "演示保温杯 Q6",
        FLASK,
        "<div class='faq'><h3>问大家</h3><p>问：这款保温杯是上海标准吗？</p><p>答：是的，我买过。</p></div>",
    ),
    [],
)
add(
    "q07",
    listing(
        "演示保温杯 Q7",
        FLASK,
        "<div class='faq'><h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：不是，本品执行GB/T 29606-2013。</p></div>",
    ),
    [],
)
add(
    "q08",
    en(
        "Vacuum Flask Q8",
        [("Product Name", "Vacuum flask")],
        "<h3>FAQ</h3><p>Q: Is it a Shanghai Standard product?</p><p>A: Yes.</p>",
    ),
    [("SHS008", None)],
)
# More listing forms: a GBK page, a JSON-LD product, a spec list with a colon row.
add(
    "g01",
    page(
        "演示智能水杯 GBK",
        "<h1>演示智能水杯</h1><p class='price'>￥89</p><button>加入购物车</button><ul><li>产品名称：智能水杯</li>"
        "<li>执行标准：T/DEMO 001-2019（上海标准）</li></ul>",
        lang="zh-CN",
    ).replace('charset="utf-8"', 'charset="gbk"'),
    [("SHS003", "T/DEMO 001-2019")],
    enc="gbk",
)
add(
    "g02",
    page(
        "演示智能水杯 LD",
        '<script type=\'application/ld+json\'>{"@type":"Product","name":"智能水杯","brand":"演示"}</script>'
        "<h1>演示智能水杯</h1><p class='price'>¥89</p><button>加入购物车</button><p>执行标准：T/DEMO 001-2022（上海标准）</p>",
    ),
    [],
)
add(
    "g03",
    listing(
        "演示儿童安全座椅 G3",
        SEAT + row("产品标准号", "Q/DEMO 0002-2023（上海标准）") + row("生产商", _HOLDER),
    ),
    [],
)
add(
    "g04",
    listing("演示保温杯 G4", FLASK + row("是否上海标准", "是")),
    [("SHS008", None)],
)

# --- batch s31b (over-reach of this session's fixes; written after batch s31a's fixes, before it ran) ---
# Honours lists.
add(
    "hb01",
    company("荣誉资质", "<h2>荣誉资质</h2><ul><li>参与起草上海标准1项</li><li>高新技术企业</li></ul>"),
    [],
    url="https://www.demo-tech.example.com/honor3.html",
)
add(
    "hb02",
    company("荣誉资质", "<h2>荣誉资质</h2><ul><li>上海标准化协会理事单位</li><li>高新技术企业</li></ul>"),
    [],
    url="https://www.demo-tech.example.com/honor4.html",
)
add(
    "hb03",
    company(
        "荣誉资质",
        "<h2>荣誉资质</h2><ul><li>“上海标准”证书</li><li>ISO9001认证证书</li></ul>",
        owner="杭州某某儿童用品有限公司",
    ),
    [("SHS009", None)],
    url="https://www.hz-baby.example.com/honor.html",
)
add(
    "hb04",
    company(
        "荣誉资质",
        "<h2>荣誉资质</h2><p>公司高度重视标准化工作，主导制定的企业标准Q/DEMO 0002-2023《演示用儿童座椅》于2024年获评“上海标准”，"
        "并多次获得行业协会表彰。</p>",
    ),
    [],
    url="https://www.demo-tech.example.com/honor5.html",
)
add(
    "hb05",
    company(
        "产品中心",
        "<h1>产品中心</h1><p>儿童安全座椅系列</p><div class='footer-nav'><h4>荣誉资质</h4><ul><li><a href='/sh'>上海标准专区</a></li></ul></div>",
    ),
    [],
    url="https://www.demo-tech.example.com/products.html",
)
add(
    "hb06",
    page(
        "Honors - Hangzhou Mouhou Baby Products",
        "<h2>Honors</h2><ul><li>High-tech Enterprise</li><li>Shanghai Standard (2024)</li></ul>"
        "<div class='footer'>© 2024 Hangzhou Mouhou Baby Products Co., Ltd.</div>",
        lang="en",
    ),
    [("SHS009", None)],
    url="https://www.mouhou-baby.example.com/honors.html",
)
add(
    "hb07",
    company(
        "企业荣誉",
        "<h2>企业荣誉</h2><ul><li>上海品牌</li><li>上海标准</li></ul>",
        owner="杭州某某儿童用品有限公司",
    ),
    [("SHS009", None)],
    url="https://www.hz-baby.example.com/honor2.html",
)
# English "passed" wording.
add(
    "hb08",
    en(
        "Smart Cup HB8",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2022")],
        "<p>The standard was rated a Shanghai Standard in 2022, and this cup implements it.</p>",
    ),
    [],
)
add(
    "hb09",
    en(
        "Vacuum Flask HB9",
        [("Product Name", "Vacuum flask"), ("Executive Standard", "GB/T 29606-2013")],
        "<p>Is this flask a Shanghai Standard product? No: it has not passed the Shanghai Standard evaluation.</p>",
    ),
    [],
)
add(
    "hb10",
    en(
        "Smart Cup HB10",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2022")],
        "<p>This cup implements a group standard that passed the Shanghai Standard evaluation.</p>",
    ),
    [],
)
# A question and its answer as plain paragraphs.
add(
    "hb11",
    listing(
        "演示保温杯 HB11",
        FLASK,
        "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：不是的，本品执行国标。</p>",
    ),
    [],
)
add(
    "hb12",
    listing(
        "演示保温杯 HB12",
        FLASK,
        "<h3>常见问题</h3><p>这款是上海标准吗？</p><p>能开发票吗？</p><p>几天发货？</p>",
    ),
    [],
)
add(
    "hb13",
    page(
        "什么是上海标准",
        "<h1>政策问答</h1><h2>什么是“上海标准”？</h2><p>是的，很多人问这个问题：它是对标准的评价。</p>",
    ),
    [],
    url="https://news.example.test/qa/31013.html",
)
add(
    "hb14",
    listing(
        "演示共享单车锁 HB14",
        row("产品名称", "共享单车锁"),
        "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：是的，执行T/DEMO 003-2020。</p>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
# Dealers and makers.
add(
    "hb15",
    listing(
        "演示儿童安全座椅 HB15",
        SEAT + row("执行标准", "Q/DEMO 0002-2023（上海标准）") + row("生产企业", "杭州某某儿童用品有限公司"),
        "<p>本店为演示科技有限公司（虚构）授权经销商，店内另售其他品牌座椅。</p>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    seller="某某母婴专营店",
)
add(
    "hb16",
    page(
        "授权代理-儿童安全座椅",
        "<h1>儿童安全座椅</h1><p class='price'>¥999</p><button>立即购买</button>"
        "<p>我们是杭州某某儿童用品有限公司的授权代理，其生产的儿童安全座椅执行Q/DEMO 0002-2023（上海标准）。</p>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    seller="某某母婴专营店",
)
# Transcript-like product names.
add(
    "hb17",
    listing(
        "演示LED字幕机",
        row("产品名称", "LED字幕机") + row("执行标准", "T/DEMO 001-2022（上海标准）"),
        price="¥2999",
    ),
    [("SHS011", "T/DEMO 001-2022")],
)
# English footers on the company's own shop.
add(
    "hb18",
    page(
        "Child Safety Seat - Mouhou Baby Products",
        "<h1>Child Safety Seat</h1><div class='price'>US $129</div><a class='buy'>Add to cart</a>"
        "<table><tr><th>Executive Standard</th><td>Q/DEMO 0002-2023 (Shanghai Standard)</td></tr></table>"
        "<div class='footer'>© 2024 Hangzhou Mouhou Baby Products Co., Ltd.</div>",
        lang="en",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.mouhou-baby.example.com/item/seat.html",
)
add(
    "hb19",
    page(
        "Child Safety Seat - Demo Technology",
        "<h1>Child Safety Seat</h1><div class='price'>US $139</div><a class='buy'>Add to cart</a>"
        "<table><tr><th>Executive Standard</th><td>Q/DEMO 0002-2023 (Shanghai Standard)</td></tr></table>"
        "<div class='footer'>© 2024 Demo Technology Co., Ltd. (fictional)</div>",
        lang="en",
    ),
    [],
    url="https://www.demo-tech.example.com/item/seat.html",
)
# More obfuscation.
add(
    "hb20",
    listing("演示智能水杯 HB20", CUP + row("执行标准", "T/DEMO 001-2019（上\u00ad海标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "hb21",
    hk("演示共享單車鎖 HB21", row("執行標準", "Ｔ／ＤＥＭＯ　００３－２０２０（上海標準）")),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "hb22",
    listing("演示智能水杯 HB22", CUP + row("执行标准", "T/DEMO 001-2019（上海<wbr>标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add("hb23", listing("演示螺栓 HB23", row("产品名称", "螺栓"), "<p>上 海 标 准 件，规格齐全。</p>"), [])
# A bidder's response table, two products, a DB31 standard without scope.
add(
    "hb24",
    page(
        "投标响应表",
        "<h1>投标文件 技术响应表</h1><table><tr><th>投标人</th><td>杭州某某儿童用品有限公司</td></tr>"
        "<tr><th>投标产品</th><td>儿童安全座椅</td></tr><tr><th>执行标准</th><td>Q/DEMO 0002-2023（上海标准）</td></tr>"
        "<tr><th>投标报价</th><td>¥120,000</td></tr></table>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://bid.example.test/response/31024.html",
)
add(
    "hb25",
    page(
        "家电专区-演示旗舰店",
        "<h1>家电专区</h1><div class='item'><h3>智能水杯</h3><p class='price'>¥89</p><p>执行标准：T/DEMO 001-2022（上海标准）</p></div>"
        "<div class='item'><h3>空气净化器</h3><p class='price'>¥1999</p><p>执行标准：T/DEMO 005-2024（上海标准）</p></div>",
    ),
    [("SHS007", "T/DEMO 005-2024")],
)
add(
    "hb26",
    listing(
        "演示救护车担架",
        row("产品名称", "救护车担架") + row("执行标准", "DB31/T 1108-2018（上海标准）"),
        price="¥8,800",
    ),
    [],
)

# Pages judged wrong at the end of session 31, fixed in session 32 (their written verdicts stand):
# - r03 (s31a): a non-holder's 公司简介 on a job advert presenting its seats as Q/DEMO 0002-2023（上海标准）: use_table 7
#   kept a job advert's company box discussion; the employer's box saying something of its products is its own
#   statement (use_table 14; its designation announced there stays discussion, s26b).
# - hb09 (s31b): "Is this flask a Shanghai Standard product? No: …": the English no is read as a denial (answered-no).
# - hb12 (s31b): a seller's FAQ listing questions only (这款是上海标准吗？ 能开发票吗？): a question followed by another
#   question is unanswered and claims nothing (unanswered).
# Fixed in session 31 after their batch's first run: l01, e09, rs04 (s31a); hb01, hb04, hb06, hb13, hb18, hb24
# (s31b).
OPEN: frozenset[str] = frozenset()
