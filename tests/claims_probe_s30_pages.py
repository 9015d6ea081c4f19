"""Probe round s30's pages, each with the verdict an inspector would sign, written down before the checker ran on them.

Nine batches (p: marketplace listings, company pages, news, tenders, FAQs, tables, English and GBK pages; q-x: harder
ones written after the first fixes, each verdict still written before its batch ran). Judged against the example
registry (examples/registry.yaml) on 2026-11-26 by tests/test_claims_probe_pages.py."""

from __future__ import annotations

from claims_probe_support import ProbeRound

# Builders of the page styles (a Tmall or JD item, an English B2B listing, a news article).


def page(title: str, body: str, lang: str = "zh-CN", charset: str = "utf-8", head: str = "") -> str:
    return f'<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title>{head}</head><body>{body}</body></html>'


def tmall(name: str, rows: str, extra: str = "", price: str = "¥89.00", shop: str = "演示杯具旗舰店") -> str:
    return page(
        f"{name}-tmall.com天猫",
        f"<div class='shop-name'>{shop}</div><h1 class='tb-main-title'>{name}</h1>"
        f"<div class='tm-price'>{price}</div><a class='J_LinkBuy'>立即购买</a><a id='J_LinkBasket'>加入购物车</a>"
        f"<ul id='J_AttrUL'>{rows}</ul><div class='description'>{extra}</div>",
    )


def li(label: str, value: str) -> str:
    return f"<li>{label}：{value}</li>"


def jd(name: str, rows: list[tuple[str, str]], extra: str = "", price: str = "￥129.00") -> str:
    dl = "".join(f"<dl><dt>{label}</dt><dd>{value}</dd></dl>" for label, value in rows)
    return page(
        f"{name}【行情 报价 价格 评测】-京东",
        f"<div class='sku-name'>{name}</div><div class='summary-price'><span class='p-price'>{price}</span></div>"
        f"<a id='InitCartUrl'>加入购物车</a><div class='Ptable'>{dl}</div><div id='J-detail-content'>{extra}</div>",
    )


def en_b2b(name: str, rows: list[tuple[str, str]], extra: str = "") -> str:
    tr = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return page(
        f"{name} - Buy Product on Alibaba.com",
        f"<h1>{name}</h1><div class='price'>US $3.80 - $5.20 / Piece</div>"
        f"<p>Min. Order: 500 Pieces</p><a class='inquiry'>Send Inquiry</a><table class='attrs'>{tr}</table>{extra}",
        lang="en",
    )


def news(title: str, body: str, host_footer: str = "演示日报社 版权所有") -> str:
    return page(
        f"{title}_新闻中心",
        f"<div class='nav'><a>首页</a><a>新闻</a></div><h1>{title}</h1><div class='info'>来源：演示日报 2026-11-20 记者 张三</div>"
        f"<div class='article'>{body}</div><div class='footer'>{host_footer}</div>",
    )


_ROUND = ProbeRound("https://detail.tmall.example.com/item.htm?id=6001")
PAGES = _ROUND.pages
add = _ROUND.add


# --- batch pages ---
add(
    "p01",
    tmall(
        "演示智能水杯 500ml",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准）"),
        "<div class='faq'><h3>常见问题</h3><p>问：这款水杯是上海标准吗？</p><p>答：是的。</p></div>",
    ),
    [],
)
add(
    "p02",
    jd(
        "演示不锈钢保温杯",
        [("商品名称", "保温杯"), ("执行标准", "GB/T 29606-2013")],
        "<div class='faq'><h3>常见问题</h3><p>问：这款保温杯是上海标准产品吗？</p><p>答：是的，放心购买。</p></div>",
    ),
    [("SHS008", None)],
    url="https://item.jd.example.com/100030002.html",
)
add(
    "p03",
    tmall(
        "演示共享单车配件",
        li("产品名称", "共享单车车锁"),
        "<img src='/static/shanghai-standard-mark.png' alt='T/DEMO 003-2020'>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "p04",
    tmall(
        "演示智能水杯 S3",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本产品已通过上海标准评价，品质可靠。</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "p05",
    tmall(
        "演示智能水杯 S4",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本品执行的团体标准T/DEMO 001-2022已通过上海标准评价。</p>",
    ),
    [],
)
add(
    "p06",
    tmall(
        "演示空气净化器 A1",
        li("产品名称", "空气净化器") + li("执行标准", "T/DEMO 005-2024（上海标准）（申报中）"),
        price="¥1999",
    ),
    [],
)
add(
    "p07",
    tmall(
        "演示空气净化器 A2",
        li("产品名称", "空气净化器") + li("执行标准", "T/DEMO 005-2024（上海标准）"),
        price="¥1999",
    ),
    [("SHS007", "T/DEMO 005-2024")],
)
add(
    "p08",
    jd(
        "演示儿童安全座椅",
        [
            ("商品名称", "儿童安全座椅"),
            ("执行标准", "Q/DEMO 0002-2023（上海标准）"),
            ("生产企业", "演示科技有限公司（虚构）"),
        ],
    ),
    [],
    url="https://item.jd.example.com/100030008.html",
    seller="某某母婴专营店",
)
add(
    "p09",
    jd(
        "儿童安全座椅 ISOFIX",
        [
            ("商品名称", "儿童安全座椅"),
            ("执行标准", "Q/DEMO 0002-2023（上海标准）"),
            ("生产企业", "杭州某某儿童用品有限公司"),
        ],
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://item.jd.example.com/100030009.html",
)
add(
    "p10",
    tmall("演示电热水壶 1.7L", li("产品名称", "电热水壶") + li("执行标准", "T/DEMO 001-2019（上海标准）")),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "p11",
    tmall("演示电热水壶 1.5L", li("产品名称", "电热水壶") + li("执行标准", "T/DEMO 001-2022（上海标准）")),
    [("SHS011", "T/DEMO 001-2022")],
)
add(
    "p12",
    page(
        "协会动态-上海市化学建材行业协会",
        "<h1>我会团体标准获评首批“上海标准”</h1><p>近日，我会主导制定的团体标准T/SHHJ 000003-2018《学校运动场地合成材料面层有害物质限量》获评首批“上海标准”。</p>"
        "<div class='footer'>上海市化学建材行业协会 版权所有</div>",
    ),
    [],
    url="https://www.shhj.example.org/news/2020/1225.html",
)
add(
    "p13",
    page(
        "市场监管局发布首批“上海标准”名单",
        "<h1>市场监管局发布首批“上海标准”名单</h1><p>发布时间：2020-12-24</p><p>经评价，DB31/T 1108-2018《监护型救护车配置规范》等10项标准获评首批“上海标准”。</p>"
        "<div class='footer'>主办：上海市市场监督管理局</div>",
    ),
    [],
    url="https://scjgj.sh.gov.example.cn/xw/20201224.html",
)
add(
    "p14",
    page(
        "监护型救护车采购项目招标公告",
        "<h1>某区急救中心监护型救护车采购项目招标公告</h1><p>项目编号：SH-2026-0088</p><h2>采购需求</h2>"
        "<p>投标产品须符合DB31/T 1108-2018（上海标准）的配置要求，预算金额：180万元。</p><p>投标截止时间：2026年12月10日</p>",
    ),
    [],
    url="https://www.ccgp-shanghai.example.gov.cn/notice/88.html",
)
add(
    "p15",
    page(
        "中标结果公告",
        "<h1>某学校运动场改造项目中标结果公告</h1><p>中标供应商：某某体育设施有限公司</p><p>中标金额：96.5万元</p>"
        "<p>主要标的：塑胶跑道面层，执行标准：T/SHHJ 000003-2018（上海标准）</p>",
    ),
    [],
    url="https://www.ccgp-shanghai.example.gov.cn/result/99.html",
)
add(
    "p16",
    en_b2b(
        "Electric Toothbrush Sonic",
        [
            ("Product Name", "Electric toothbrush"),
            ("Executive Standard", "Q/DEMO 0004-2021 (Shanghai Standard)"),
        ],
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url="https://www.alibaba.example.com/product-detail/toothbrush_16.html",
)
add(
    "p17",
    page(
        "News - Demo Technology Co., Ltd. (fictional)",
        "<h1>Our standard designated a Shanghai Standard</h1><p>We are proud that our enterprise standard Q/DEMO 0002-2023 for child safety seats was designated a Shanghai Standard in December 2023.</p>"
        "<div class='footer'>© 2026 Demo Technology Co., Ltd. (fictional). All rights reserved.</div>",
        lang="en",
    ),
    [],
    url="https://en.demo-tech.example.com/news/17.html",
)
add(
    "p18",
    page(
        "演示共享单车 - 演示商城",
        "<h1>演示共享单车 城市通勤款</h1><p class='price'>￥899</p><button>加入购物车</button>"
        "<table class='spec'><tr><th>产品名称</th><td>共享单车</td></tr><tr><th>执行标准</th><td>T/DEMO 003-2020（上海标准）</td></tr></table>",
        charset="gbk",
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-mall.example.cn/goods/18.html",
    enc="gbk",
)
add(
    "p19",
    page(
        "六角螺栓 - 上海标准件厂",
        "<h1>上海标准件厂 六角头螺栓 M8</h1><p class='price'>￥0.35/件</p><button>加入购物车</button>"
        "<table class='spec'><tr><th>产品名称</th><td>六角头螺栓</td></tr><tr><th>执行标准</th><td>GB/T 5782-2016</td></tr><tr><th>生产厂家</th><td>上海标准件厂</td></tr></table>",
        charset="gbk",
    ),
    [],
    url="https://www.demo-mall.example.cn/goods/19.html",
    enc="gbk",
)
add(
    "p20",
    page(
        "2026出厂价-演示杯业",
        "<h1>2026年出厂价格表</h1><table border='1'><tr><th>品名</th><th>执行标准</th><th>备注</th><th>单价</th></tr>"
        "<tr><td>智能水杯</td><td>T/DEMO 001-2022</td><td>上海标准</td><td>¥89</td></tr><tr><td>保温杯</td><td>GB/T 29606-2013</td><td>—</td><td>¥49</td></tr></table>",
    ),
    [],
    url="https://www.demo-cup.example.com/price.html",
)
add(
    "p21",
    page(
        "2026出厂价-演示杯业",
        "<h1>2026年出厂价格表</h1><table border='1'><tr><th>品名</th><th>执行标准</th><th>备注</th><th>单价</th></tr>"
        "<tr><td>智能水杯</td><td>T/DEMO 001-2022</td><td>—</td><td>¥89</td></tr><tr><td>保温杯</td><td>GB/T 29606-2013</td><td>上海标准</td><td>¥49</td></tr></table>",
    ),
    [("SHS002", "GB/T 29606-2013")],
    url="https://www.demo-cup.example.com/price2.html",
)
add(
    "p22",
    jd("上海标准认证 演示保温杯 316不锈钢", [("商品名称", "保温杯"), ("执行标准", "GB/T 29606-2013")]),
    [("SHS008", None), ("SHS009", None)],
    url="https://item.jd.example.com/100030022.html",
)
add(
    "p23",
    tmall(
        "演示保温杯 大容量",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p>发货时间：上海标准时间每日15:00前下单当天发货。</p>",
    ),
    [],
)
add(
    "p24",
    page(
        "Standard Chartered Shanghai - Branch",
        "<h1>Standard Chartered Bank (China) Shanghai Branch</h1><p>Standard Chartered Shanghai offers accounts and loans.</p>",
        lang="en",
    ),
    [],
    url="https://www.sc.example.com/cn/shanghai.html",
)
add(
    "p25",
    tmall(
        "演示保温杯 轻量",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：不是，本品执行国家标准GB/T 29606-2013。</p></div>",
    ),
    [],
)
add(
    "p26",
    jd(
        "演示智能水杯 Pro",
        [("商品名称", "智能水杯"), ("执行标准", "T/DEMO 001-2019")],
        "<div class='ask-answer'><h3>问大家</h3><p>买家小王：这个是上海标准吗？</p><p>买家老李：不清楚，我也想知道</p></div>",
    ),
    [],
    url="https://item.jd.example.com/100030026.html",
)
add(
    "p27",
    jd(
        "演示智能水杯 Lite",
        [("商品名称", "智能水杯")],
        "<div class='ask-answer'><h3>问大家</h3><p>问：这个是上海标准吗？</p><p>商家回复：是的，本品执行T/DEMO 001-2019。</p></div>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://item.jd.example.com/100030027.html",
)
add(
    "p28",
    tmall(
        "演示空气净化器 A3",
        li("产品名称", "空气净化器"),
        "<ul><li>高效HEPA滤网</li><li>上海标准（申报中）</li></ul>",
        price="¥2299",
    ),
    [],
)
add(
    "p29",
    tmall(
        "演示智能水杯 S5",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本产品荣获上海标准，值得信赖。</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "p30",
    page(
        "关于我们-演示五金有限公司",
        "<h1>公司简介</h1><p>演示五金有限公司成立于2008年，是上海标准化协会会员单位，主营紧固件。</p><div class='footer'>演示五金有限公司 版权所有</div>",
    ),
    [],
    url="https://www.demo-wujin.example.com/about.html",
)
add(
    "p31",
    news(
        "上海标准化研究院举办团体标准培训",
        "<p>日前，上海标准化研究院举办团体标准培训班，来自各企业的100余名学员参加。</p>",
    ),
    [],
    url="https://news.example.cn/2026/1120/31.html",
)
add(
    "p32",
    en_b2b(
        "Smart Water Cup 500ml",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2022")],
        "<p>Certified by Shanghai Standard, safe for daily use.</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
    url="https://www.alibaba.example.com/product-detail/cup_32.html",
)
add(
    "p33",
    tmall(
        "演示电饭煲 4L",
        li("产品名称", "电饭煲") + li("执行标准", "DB44/T 1234-2020（上海标准）"),
        price="¥399",
    ),
    [("SHS002", "DB44/T 1234-2020")],
)
add(
    "p34",
    tmall(
        "演示电饭煲 3L",
        li("产品名称", "电饭煲") + li("执行标准", "Q/SHDM 0100-2025（上海标准）"),
        price="¥299",
    ),
    [("SHS001", "Q/SHDM 0100-2025")],
)
add(
    "p35",
    page(
        "监护型救护车-演示汽车",
        "<h1>监护型救护车 V8</h1><p>价格面议 在线询价</p><table class='spec'><tr><th>产品名称</th><td>监护型救护车</td></tr><tr><th>执行标准</th><td>DB31/T 1108-2019（上海标准）</td></tr></table>",
    ),
    [("SHS006", "DB31/T 1108-2019")],
    url="https://www.demo-auto.example.com/product/35.html",
)
add(
    "p36",
    tmall(
        "演示扫地机器人 R1",
        li("产品名称", "扫地机器人") + li("执行标准", "Q/DEMO 0006-2025（上海标准）"),
        price="¥1599",
    ),
    [("SHS007", "Q/DEMO 0006-2025")],
)
add(
    "p37",
    tmall("演示智能水杯 S6", li("产品名称", "智能水杯"), "<p>本品执行《演示用智能水杯》（上海标准）。</p>"),
    [],
)
add(
    "p38",
    page(
        "共享出行-演示商城",
        "<h1>共享出行</h1><div class='goods'><h3>城市单车 A</h3><p>¥699</p><p>执行标准：T/DEMO 003-2020（上海标准）</p></div>"
        "<div class='goods'><h3>城市单车 B</h3><p>¥599</p><p>执行标准：GB 3565-2005</p></div><button>加入购物车</button>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-mall.example.cn/cat/38.html",
)
add(
    "p39",
    page(
        "保温杯写着上海标准是不是虚假宣传？-消费论坛",
        "<h1>保温杯写着上海标准是不是虚假宣传？</h1><div class='post'><p>楼主：买的保温杯写着上海标准，执行标准GB/T 29606-2013，是不是虚假宣传？</p>"
        "<p>回复：国家标准不能叫上海标准，可以投诉。</p></div>",
    ),
    [],
    url="https://bbs.example.cn/thread-39.html",
)
add(
    "p40",
    page(
        "新品上市｜演示智能水杯",
        "<h1>新品上市｜演示智能水杯</h1><p>我们的智能水杯执行T/DEMO 001-2022（上海标准），到手价¥89，点击下方链接购买。</p><a href='https://shop.example.test/buy'>立即购买</a>",
    ),
    [],
    url="https://mp.weixin.example.qq.com/s/40",
)
add(
    "p41",
    tmall(
        "演示空气净化器 A4",
        li("产品名称", "空气净化器") + li("执行标准", "T/DEMO 005-2024"),
        "<p>本品执行标准的上海标准正在申报中，敬请期待。</p>",
        price="¥2599",
    ),
    [],
)
add(
    "p42",
    tmall(
        "演示智能水杯 上海标准认证产品",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019（上海标准）"),
    ),
    [("SHS003", "T/DEMO 001-2019"), ("SHS009", "T/DEMO 001-2019")],
)
add(
    "p43",
    page(
        "演示共享單車 - 演示商城",
        "<h1>演示共享單車</h1><p class='price'>NT$2,999</p><button>加入購物車</button><table class='spec'><tr><th>產品名稱</th><td>共享單車</td></tr>"
        "<tr><th>執行標準</th><td>T/DEMO 003-2020（上海標準）</td></tr></table>",
        lang="zh-TW",
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-mall.example.tw/goods/43.html",
)
add(
    "p44",
    news(
        "某公司保温杯标准获评上海标准",
        "<p>据了解，某某杯业有限公司生产的保温杯执行的T/DEMO 001-2019为“上海标准”，该标准由演示标准化协会制定。</p>",
    ),
    [],
    url="https://news.example.cn/2026/1121/44.html",
)

# --- batch pages2 ---
add(
    "q01",
    jd(
        "演示保温杯 经典款",
        [("商品名称", "保温杯"), ("执行标准", "GB/T 29606-2013"), ("店铺", "上海标准化工贸有限公司")],
    ),
    [],
    url="https://item.jd.example.com/200001.html",
)
add(
    "q02",
    page(
        "沪标 上海标准 智能水杯 500ml-淘宝网",
        "<h1>沪标 上海标准 智能水杯 500ml</h1><div class='tb-price'>¥89</div><a>加入购物车</a>"
        "<div class='desc'><p>产品名称：智能水杯</p><p>执行标准：T/DEMO 001-2022</p></div>",
    ),
    [],
    url="https://item.taobao.example.com/item.htm?id=7002",
)
add(
    "q03",
    tmall(
        "演示智能水杯 多规格",
        li("产品名称", "智能水杯"),
        "<table><tr><th>规格</th><th>执行标准</th><th>价格</th></tr><tr><td>500ml</td><td>T/DEMO 001-2022（上海标准）</td><td>¥89</td></tr>"
        "<tr><td>1L</td><td>T/DEMO 001-2019（上海标准）</td><td>¥129</td></tr></table>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "q04",
    page(
        "公司新闻-演示科技有限公司（虚构）",
        "<h1>公司新闻</h1><p>2022-01-05</p><p>演示科技有限公司（虚构）主导制定的企业标准Q/DEMO 0004-2021获评“上海标准”。</p>"
        "<div class='footer'>© 演示科技有限公司（虚构） 版权所有</div>",
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url="https://www.demo-tech.example.com/news/2022/0105.html",
)
add(
    "q05",
    page(
        "学校运动场改造项目招标文件",
        "<h1>学校运动场改造项目招标文件</h1><p>项目编号：SH-2026-0105</p><h2>技术要求</h2><p>投标人需提供面层材料符合T/SHHJ 000003-2018（上海标准）的检测报告；投标产品需提供上海标准证书。</p>",
    ),
    [],
    url="https://www.ccgp.example.gov.cn/notice/105.html",
)
add(
    "q06",
    en_b2b(
        "Vacuum Flask 500ml",
        [("Product Name", "Vacuum flask"), ("Standard", "GB/T 29606-2013")],
        "<div class='faq'><h3>FAQ</h3><p>Q: Is this a Shanghai Standard product?</p><p>A: Yes.</p></div>",
    ),
    [("SHS008", None)],
    url="https://www.b2b.example.com/product-detail/flask_06.html",
)
add(
    "q07",
    page(
        "演示共享单车 - 演示商城",
        "<h1>演示共享单车</h1><p class='price'>￥899</p><button>加入购物车</button>"
        "<table class='spec'><tr><th>产品名称</th><td>共享单车</td></tr><tr><th>执行标准</th><td>T/DEMO 003-2020</td></tr></table>"
        "<div class='faq'><h3>常见问题</h3><p>问：这款单车是上海标准吗？</p><p>答：是的。</p></div>",
        charset="gbk",
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-mall.example.cn/goods/q07.html",
    enc="gbk",
)
add(
    "q08",
    tmall(
        "演示智能水杯 S7",
        li("产品名称", "智能水杯"),
        "<p>本品执行标准T/DEMO 001-2022，荣获上海标准认证。</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "q09",
    tmall(
        "演示智能水杯 S8",
        li("产品名称", "智能水杯") + li("执行标准", "GB 4806.9-2016、T/DEMO 001-2022（上海标准）"),
    ),
    [],
)
add(
    "q10",
    tmall(
        "演示智能水杯 S9",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准）、GB 4806.9-2016"),
    ),
    [],
)
add(
    "q11",
    page(
        "标准化专员-招聘",
        "<h1>标准化专员</h1><p>薪资：8-12K</p><p>岗位要求：熟悉上海标准化工作流程，有团体标准编制经验。</p>",
    ),
    [],
    url="https://jobs.example.cn/job/11.html",
)
add(
    "q12",
    tmall("演示保温杯 Q12", li("产品名称", "保温杯"), "<p>本品不是上海标准产品，执行GB/T 29606-2013。</p>"),
    [],
)
add(
    "q13",
    page(
        "团体标准-上海市化学建材行业协会",
        "<h1>本会团体标准</h1><table><tr><th>标准编号</th><th>标准名称</th><th>备注</th></tr>"
        "<tr><td>T/SHHJ 000003-2018</td><td>学校运动场地合成材料面层有害物质限量</td><td>上海标准</td></tr></table><div class='footer'>上海市化学建材行业协会 版权所有</div>",
    ),
    [],
    url="https://www.shhj.example.org/standards.html",
)
add(
    "q14",
    tmall(
        "演示智能水杯 S10",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019 <img src='/m.png' alt='上海标准'>"),
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "q15",
    tmall(
        "演示扫地机器人 上海标准（评审中）",
        li("产品名称", "扫地机器人") + li("执行标准", "Q/DEMO 0006-2025"),
        price="¥1599",
    ),
    [],
)
add(
    "q16",
    tmall(
        "演示智能水杯 S11",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本品执行标准已通过上海标准评审。</p>",
    ),
    [],
)
add(
    "q17",
    tmall(
        "演示智能水杯 S12",
        li("产品名称", "智能水杯"),
        "<p>与普通水杯不同，本品执行上海标准T/DEMO 001-2022。</p>",
    ),
    [],
)
add(
    "q18",
    en_b2b(
        "Child Safety Seat ISOFIX",
        [
            ("Product Name", "Child safety seat"),
            ("Executive Standard", "Q/DEMO 0002-2023 (Shanghai Standard)"),
            ("Manufacturer", "Demo Technology Co., Ltd. (fictional)"),
        ],
    ),
    [],
    url="https://www.b2b.example.com/product-detail/seat_18.html",
)
add(
    "q19",
    en_b2b(
        "Child Safety Seat Group 1",
        [
            ("Product Name", "Child safety seat"),
            ("Executive Standard", "Q/DEMO 0002-2023 (Shanghai Standard)"),
            ("Manufacturer", "Hangzhou Foo Baby Products Co., Ltd."),
        ],
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.b2b.example.com/product-detail/seat_19.html",
)
add(
    "q20",
    page(
        "演示保溫杯 - 演示商城",
        "<h1>演示保溫杯</h1><p class='price'>NT$599</p><button>加入購物車</button><table class='spec'><tr><th>產品名稱</th><td>保溫杯</td></tr>"
        "<tr><th>執行標準</th><td>GB/T 29606-2013</td></tr></table><div class='faq'><h3>常見問題</h3><p>問：這款是上海標準嗎？</p><p>答：是的。</p></div>",
        lang="zh-TW",
    ),
    [("SHS008", None)],
    url="https://www.demo-mall.example.tw/goods/q20.html",
)
add(
    "q21",
    page(
        "上海标准和国家标准有什么区别？ - 问答",
        "<h1>上海标准和国家标准有什么区别？</h1><div class='answer'><p>上海标准是对标准的评价，国家标准是标准本身的层级。</p></div>",
    ),
    [],
    url="https://qa.example.cn/q/21.html",
)
add(
    "q22",
    tmall("演示智能水杯 S13", li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"), "").replace(
        "<h1",
        "<div class='breadcrumb'><a href='/'>首页</a> &gt; <a href='/shbz'>上海标准专区</a> &gt; 智能水杯</div><h1",
        1,
    ),
    [],
)
add(
    "q23",
    tmall(
        "演示保温杯 Q23",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div class='rate'><h3>商品评价</h3><p>买家评价：说是上海标准，质量一般。</p></div>",
    ),
    [],
)
add(
    "q24",
    page(
        "监护型救护车-上海演示汽车有限公司",
        "<h1>监护型救护车 S1</h1><p>在线询价</p><table class='spec'><tr><th>产品名称</th><td>监护型救护车</td></tr><tr><th>执行标准</th><td>DB31/T 1108-2018（上海标准）</td></tr><tr><th>生产企业</th><td>上海演示汽车有限公司</td></tr></table>",
    ),
    [],
    url="https://www.demo-auto.example.com/product/24.html",
)
add(
    "q25",
    tmall(
        "塑胶跑道面层材料",
        li("产品名称", "塑胶跑道面层") + li("执行标准", "T/SHHJ 000003-2018（上海标准）"),
        price="¥85/㎡",
    ),
    [],
)
add(
    "q26",
    en_b2b(
        "Insulated Tumbler",
        [("Product Name", "Tumbler"), ("Standard", "GB/T 29606-2013")],
        "<p>Shanghai Standard Time: orders before 3 pm ship the same day.</p>",
    ),
    [],
    url="https://www.b2b.example.com/product-detail/tumbler_26.html",
)
add(
    "q27",
    tmall(
        "演示智能水杯 S14",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019"),
        "<p>本品已申报上海标准，评审结果待公布。</p>",
    ),
    [],
)
add(
    "q28",
    page(
        "代理品牌｜演示儿童安全座椅",
        "<h1>代理品牌｜演示儿童安全座椅</h1><p>我们代理的演示儿童安全座椅执行Q/DEMO 0002-2023（上海标准），欢迎咨询订购，批发价¥699起。</p>"
        "<div class='footer'>某某贸易有限公司 版权所有</div>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.moumou-trade.example.com/brand/28.html",
)

# --- batch pages3 ---
add(
    "r01",
    tmall(
        "上海标准认证 演示智能水杯",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准）"),
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "r02",
    tmall(
        "演示智能水杯 上海标准",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019（上海标准）"),
        "<img src='/d/1.jpg' alt='上海标准'>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "r03",
    news(
        "网店宣称“通过上海标准认证”被责令整改",
        "<p>近日，区市场监管局检查发现，某公司在其网店宣称产品通过上海标准认证，执行标准为GB/T 29606-2013，已责令其整改。</p>",
    ),
    [],
    url="https://news.example.cn/2026/1122/r03.html",
)
add(
    "r04",
    page(
        "电动牙刷 S5-产品中心-演示科技有限公司（虚构）",
        "<div class='nav'><a>首页</a><a>产品中心</a></div><h1>电动牙刷 S5</h1><table class='spec'><tr><th>产品名称</th><td>电动牙刷</td></tr>"
        "<tr><th>执行标准</th><td>Q/DEMO 0004-2021（上海标准）</td></tr></table><p>欢迎来电咨询</p><div class='footer'>© 演示科技有限公司（虚构） 版权所有</div>",
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url="https://www.demo-tech.example.com/product/s5.html",
)
add(
    "r05",
    page(
        "会员单位-某紧固件协会",
        "<h1>会员单位</h1><ul><li>上海标准件有限公司</li><li>上海标准五金厂</li></ul>",
    ),
    [],
    url="https://www.fastener.example.org/members.html",
)
add(
    "r06",
    tmall(
        "演示保温杯 R6",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div class='service'><span>正品保障</span> | <span>上海标准</span> | <span>七天无理由</span></div>",
    ),
    [("SHS008", None)],
)
add(
    "r07",
    news(
        "The Shanghai Standardization Institute hosted a training",
        "<p>The Shanghai Standardization Institute hosted a training on group standards for 100 enterprises.</p>",
    ),
    [],
    url="https://news.example.cn/en/r07.html",
)
add(
    "r08",
    tmall(
        "演示智能水杯 R8",
        li("产品名称", "智能水杯"),
        "<p>本品执行T/DEMO 001-2022（上海标准），同时符合GB 4806.9-2016。</p>",
    ),
    [],
)
add(
    "r09",
    jd("演示电热水壶 上海标准产品", [("商品名称", "电热水壶"), ("产品标准号", "T/DEMO 001-2022")]),
    [("SHS011", "T/DEMO 001-2022")],
    url="https://item.jd.example.com/300009.html",
)
add(
    "r10",
    tmall(
        "演示共享单车 R10",
        li("产品名称", "共享单车") + li("执行标准", "T/DEMO 003-2020（上海标准，2024年5月前有效）"),
        price="¥799",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "r11",
    page(
        "2026价格表-演示杯业",
        "<h1>2026价格表</h1><table border='1'><tr><th>品名</th><th>规格</th><th>执行标准</th><th>备注</th></tr>"
        "<tr><td rowspan='2'>智能水杯</td><td>500ml</td><td>T/DEMO 001-2022</td><td>上海标准</td></tr><tr><td>1L</td><td>GB/T 29606-2013</td><td>—</td></tr></table><p>单价面议</p>",
    ),
    [],
    url="https://www.demo-cup.example.com/price3.html",
)
add(
    "r12",
    tmall(
        "演示保温杯 R12",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div style='display:none'>上海标准 保温杯 上海标准认证</div>",
    ),
    [("SHS008", None), ("SHS009", None)],
)
add(
    "r13",
    page(
        "2026年保温杯横评：五款产品实测-某某博客",
        "<h1>2026年保温杯横评：五款产品实测</h1><p>作者：小李 2026-10-01</p><p>A品牌智能水杯执行T/DEMO 001-2019（上海标准），保温6小时。</p><p>B品牌保温杯执行GB/T 29606-2013，保温8小时。</p><p><a href='https://s.click.example.com/x'>购买链接</a></p>",
    ),
    [],
    url="https://blog.example.cn/post/r13.html",
)
add(
    "r14",
    tmall(
        "演示智能水杯 R14",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<div class='banner'><h2>上海标准 · 品质之选</h2></div>",
    ),
    [],
)
add(
    "r15",
    tmall(
        "演示智能水杯 R15",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022(上海标准)"),
        "<p>本产品为上海标准认证产品。</p>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "r16",
    page(
        "典型案例｜虚假宣传“上海标准”案-上海市市场监督管理局",
        "<h1>典型案例｜虚假宣传“上海标准”案</h1><p>当事人在其销售的保温杯详情页标注“执行标准：GB/T 29606-2013（上海标准）”，构成虚假宣传。</p><div class='footer'>主办：上海市市场监督管理局</div>",
    ),
    [],
    url="https://scjgj.sh.gov.example.cn/al/r16.html",
)
add(
    "r17",
    en_b2b(
        "Smart Water Cup 750ml",
        [("Product Name", "Smart cup"), ("Standard", "T/DEMO 001-2022 (Shanghai Standard certified)")],
    ),
    [("SHS009", "T/DEMO 001-2022")],
    url="https://www.b2b.example.com/product-detail/cup_r17.html",
)
add(
    "r18",
    tmall(
        "演示智能水杯 R18",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<div class='faq'><h3>常见问题</h3><p>问：有上海标准认证吗？</p><p>答：有的。</p></div>",
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "r19",
    tmall(
        "演示保温杯 R19",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div class='faq'><h3>常见问题</h3><p>问：是上海标准吗？</p><p>答：是的，执行标准见参数表。</p></div>",
    ),
    [("SHS008", None)],
)
add(
    "r20",
    tmall(
        "演示智能水杯 R20",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019"),
        "<dl class='faq'><dt>这款是上海标准产品吗？</dt><dd>是的。</dd></dl>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)

# --- batch pages4 ---
ld = '<script type="application/ld+json">{"@context":"https://schema.org","@type":"Product","name":"演示共享单车","description":"执行标准：T/DEMO 003-2020（上海标准）","offers":{"@type":"Offer","price":"799","priceCurrency":"CNY"}}</script>'
add(
    "s01",
    page(
        "演示共享单车-演示商城",
        "<h1>演示共享单车</h1><p class='price'>¥799</p><button>加入购物车</button><p>执行标准：T/DEMO 003-2020（上海标准）</p>",
        head=ld,
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-mall.example.cn/goods/s01.html",
)
add(
    "s02",
    tmall(
        "演示智能水杯 S02",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<ul class='sku'><li data-value='500'>500ml 上海标准款</li><li>1L 普通款</li></ul>",
    ),
    [],
)
add(
    "s03",
    tmall("上海标准杯 限时特惠", li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013")),
    [("SHS008", None)],
)
add(
    "s04",
    tmall(
        "演示智能水杯 S04",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022") + li("产品认证", "上海标准"),
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "s05",
    tmall(
        "演示智能水杯 S05",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022") + li("获得荣誉", "上海标准、上海品牌"),
    ),
    [("SHS009", "T/DEMO 001-2022")],
)
add(
    "s06",
    page(
        "关于我们-演示厨具有限公司",
        "<h1>公司简介</h1><p>演示厨具有限公司成立于2005年。公司产品先后获得上海品牌认证、上海标准等荣誉。</p><div class='footer'>演示厨具有限公司 版权所有</div>",
    ),
    [("SHS008", None), ("SHS009", None)],
    url="https://www.demo-chuju2.example.com/about.html",
)
add(
    "s07",
    tmall("演示不锈钢保温杯 S07", li("产品名称", "保温杯") + li("执行标准", "T/DEMO 001-2022（上海标准）")),
    [],
)
add(
    "s08",
    tmall("演示智能水杯 S08", li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022 上海标准")),
    [],
)
add(
    "s09",
    tmall(
        "演示智能水杯 S09",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本品执行的上海标准已由T/DEMO 001-2019升级为T/DEMO 001-2022。</p>",
    ),
    [],
)
add(
    "s10",
    page(
        "监护型救护车-演示汽车",
        "<h1>监护型救护车 V9</h1><p>在线询价</p><table class='spec'><tr><th>产品名称</th><td>监护型救护车</td></tr><tr><th>执行标准</th><td>DB31/T 1108—2018（上海标准）</td></tr></table>",
        charset="gb18030",
    ),
    [],
    url="https://www.demo-auto.example.com/product/s10.html",
    enc="gb18030",
)
add(
    "s11",
    tmall(
        "演示保温杯 上海标准（T/DEMO 001-2022）", li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013")
    ),
    [],
)
add(
    "s12",
    page(
        "智能水杯 - 搜索结果",
        "<h1>“智能水杯”的搜索结果</h1><div class='item'><a href='/i/1'>演示智能水杯 A</a><p>¥89</p><p>店铺：甲专营店</p></div>"
        "<div class='item'><a href='/i/2'>上海标准 智能水杯 T/DEMO 001-2019</a><p>¥79</p><p>店铺：某某专营店</p></div><div class='item'><a href='/i/3'>演示保温杯 C</a><p>¥59</p><p>店铺：丙专营店</p></div>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://s.example.com/search?q=cup",
)
add(
    "s13",
    tmall(
        "演示保温杯 S13",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p>经上海标准化研究院检测合格。</p>",
    ),
    [],
)
add(
    "s14",
    en_b2b(
        "Monitoring Ambulance V8",
        [("Product Name", "Monitoring ambulance")],
        "<p>Complies with Shanghai Standard DB31/T 1108-2018.</p>",
    ),
    [],
    url="https://www.b2b.example.com/product-detail/amb_s14.html",
)

# --- batch pages5 ---
add(
    "t01",
    page(
        "公司新闻-演示科技有限公司（虚构）",
        "<h1>喜报</h1><p>我公司主导制定的T/DEMO 001-2022和Q/DEMO 0004-2021均获评“上海标准”。</p><div class='footer'>© 演示科技有限公司（虚构） 版权所有</div>",
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url="https://www.demo-tech.example.com/news/t01.html",
)
add(
    "t02",
    page(
        "急救车辆采购项目公开招标公告",
        "<h1>急救车辆采购项目公开招标公告</h1><h2>采购需求</h2><table><tr><th>品目</th><th>数量</th><th>执行标准</th></tr>"
        "<tr><td>监护型救护车</td><td>3辆</td><td>DB31/T 1108-2018（上海标准）</td></tr></table><p>预算金额：540万元</p>",
    ),
    [],
    url="https://www.ccgp.example.gov.cn/notice/t02.html",
)
add(
    "t03",
    page(
        "成交结果公告",
        "<h1>办公用品采购成交结果公告</h1><p>成交供应商：某某商贸有限公司</p><p>成交金额：12.8万元</p><p>中标产品：智能水杯，执行标准T/DEMO 001-2019（上海标准）</p>",
    ),
    [],
    url="https://www.ccgp.example.gov.cn/result/t03.html",
)
add(
    "t04",
    page(
        "参展企业名录-2026长三角标准化博览会",
        "<h1>参展企业名录</h1><table><tr><th>展商名称</th><th>展品名称</th><th>执行标准</th></tr>"
        "<tr><td>演示科技有限公司（虚构）</td><td>儿童安全座椅</td><td>Q/DEMO 0002-2023（上海标准）</td></tr><tr><td>某某电器有限公司</td><td>扫地机器人</td><td>Q/DEMO 0006-2025（上海标准）</td></tr></table>",
    ),
    [("SHS007", "Q/DEMO 0006-2025")],
    url="https://www.expo.example.cn/exhibitors.html",
)
add(
    "t05",
    page(
        "About us - Demo Kitchen Co., Ltd.",
        "<h1>About us</h1><p>Demo Kitchen Co., Ltd. was founded in 2005. Our products are certified to Shanghai Standard and sold in 30 countries.</p><div class='footer'>© Demo Kitchen Co., Ltd.</div>",
        lang="en",
    ),
    [("SHS008", None), ("SHS009", None)],
    url="https://en.demo-kitchen.example.com/about.html",
)
add(
    "t06",
    news(
        "演示科技儿童安全座椅标准获评上海标准",
        "<p>记者获悉，演示科技有限公司（虚构）儿童安全座椅执行的Q/DEMO 0002-2023获评“上海标准”。</p>",
    ),
    [],
    url="https://news.example.cn/2026/t06.html",
)
add(
    "t07",
    page(
        "上海标准件 M10 六角螺母",
        "<h1>上海标准件 M10 六角螺母</h1><p class='price'>￥0.12/件</p><button>加入购物车</button><table class='spec'><tr><th>产品名称</th><td>六角螺母</td></tr><tr><th>执行标准</th><td>GB/T 6170-2015</td></tr></table>",
        charset="gbk",
    ),
    [],
    url="https://www.demo-mall.example.cn/goods/t07.html",
    enc="gbk",
)
add(
    "t08",
    tmall(
        "儿童益智积木",
        li("产品名称", "儿童积木") + li("执行标准", "T/SHHJ 000003-2018（上海标准）"),
        price="¥129",
    ),
    [],
)
add(
    "t09",
    en_b2b(
        "Shared Bike Lock", [("Product Name", "Bike lock")], "<p>Meets Shanghai Standard T/DEMO 003-2020.</p>"
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.b2b.example.com/product-detail/lock_t09.html",
)
add(
    "t10",
    tmall(
        "演示智能水杯 T10",
        li("产品名称", "智能水杯")
        + li("执行标准", "T/DEMO 001-2022（上海标准）")
        + li("生产企业", "杭州某某杯业有限公司"),
    ),
    [],
)
add(
    "t11",
    jd("演示电饭煲 上海标准", [("商品名称", "电饭煲"), ("产品执行标准", "Q/SHDM 0100-2025")]),
    [("SHS008", None)],
    url="https://item.jd.example.com/400011.html",
)
add(
    "t12",
    tmall(
        "演示保温杯 T12",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<div class='shop-notice'><h4>店铺公告</h4><p>本店所有产品均为上海标准产品，放心选购。</p></div>",
    ),
    [("SHS008", None)],
)
add(
    "t13",
    page(
        "产品中心-演示电器有限公司",
        "<h1>产品中心</h1><div class='product'><h3>电饭煲 A1</h3><p>执行标准：DB44/T 1234-2020（上海标准）</p></div>"
        "<div class='product'><h3>电水壶 B2</h3><p>执行标准：GB 4706.19-2008</p></div><div class='footer'>演示电器有限公司 版权所有</div>",
    ),
    [("SHS002", "DB44/T 1234-2020")],
    url="https://www.demo-dianqi.example.com/products.html",
)
add("t14", tmall("演示智能水杯 T14", li("产品名称", "智能水杯"), "<p>本品执行沪标T/DEMO 001-2022。</p>"), [])
add(
    "t15",
    page(
        "如何辨别上海标准产品？",
        "<h1>如何辨别上海标准产品？</h1><p>看执行标准是否为DB31、T/、Q/开头，并在标准编号后加注“上海标准”字样，例如：执行标准：T/XXX 001-2022（上海标准）。</p>",
    ),
    [],
    url="https://blog.example.cn/post/t15.html",
)

# --- batch pages6 ---
add(
    "u01",
    en_b2b(
        "Travel Mug",
        [("Product Name", "Travel mug"), ("Standard", "GB/T 29606-2013")],
        "<p>10% off for Standard Chartered Shanghai card holders.</p>",
    ),
    [],
    url="https://www.b2b.example.com/product-detail/mug_u01.html",
)
add(
    "u02",
    tmall(
        "演示保温杯 U02",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p>上海标准化研究院推荐检测机构出具报告。</p>",
    ),
    [],
)
add(
    "u03",
    tmall(
        "演示保温杯 U03",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p>上海标准时间 2026-11-20 10:00 开抢！</p>",
    ),
    [],
)
add(
    "u04",
    tmall(
        "演示保温杯 U04",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p><a href='https://scjgj.sh.gov.cn/shbz'>了解上海标准政策 &gt;</a></p>",
    ),
    [],
)
add(
    "u05",
    jd(
        "演示儿童安全座椅 U05",
        [
            ("商品名称", "儿童安全座椅"),
            ("执行标准", "Q/DEMO 0002-2023（上海标准）"),
            ("生产企业", "演示科技有限公司（虚构）"),
        ],
    ),
    [],
    url="https://item.jd.example.com/500005.html",
    seller="某母婴店",
)
add(
    "u06",
    jd("演示儿童安全座椅 U06", [("商品名称", "儿童安全座椅"), ("执行标准", "Q/DEMO 0002-2023（上海标准）")]),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://item.jd.example.com/500006.html",
    seller="某某母婴专营店",
)
add(
    "u07",
    page(
        "R7工业机器人-演示起草单位甲",
        "<h1>R7 工业机器人</h1><p>在线询价</p><table class='spec'><tr><th>产品名称</th><td>工业机器人</td></tr><tr><th>执行标准</th><td>PDLH/DEMO 001-2023（上海标准）</td></tr><tr><th>生产企业</th><td>演示起草单位甲（虚构）</td></tr></table>",
    ),
    [],
    url="https://www.demo-jia.example.com/product/r7.html",
)
add(
    "u08",
    page(
        "R8工业机器人-苏州某某机器人",
        "<h1>R8 工业机器人</h1><p>在线询价</p><table class='spec'><tr><th>产品名称</th><td>工业机器人</td></tr><tr><th>执行标准</th><td>PDLH/DEMO 001-2023（上海标准）</td></tr><tr><th>生产企业</th><td>苏州某某机器人有限公司</td></tr></table>",
    ),
    [("SHS010", "PDLH/DEMO 001-2023")],
    url="https://www.szmm-robot.example.com/product/r8.html",
)
add(
    "u09",
    tmall(
        "演示电动自行车",
        li("产品名称", "电动自行车") + li("执行标准", "DB31/T 1108-2018（上海标准）"),
        price="¥2999",
    ),
    [],
)
add(
    "u10",
    tmall(
        "塑胶跑道材料 U10",
        li("产品名称", "塑胶跑道面层") + li("执行标准", "T/SHHJ 3-2018（上海标准）"),
        price="¥90/㎡",
    ),
    [],
)
add(
    "u11",
    tmall(
        "演示智能水杯 U11",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准）"),
        "<p>配套杯套执行T/DEMO 003-2020（上海标准）。</p>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "u12",
    news(
        "市场监管局解读上海标准新政",
        "<p>市市场监管局近日解读《关于深化推进“上海标准”标识制度实施的意见》。</p>",
    ).replace(
        "<div class='footer'>",
        "<div class='ad'><h4>广告</h4><p>智能水杯 ¥89 立即购买</p><p>执行T/DEMO 001-2019（上海标准）</p></div><div class='footer'>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://news.example.cn/2026/u12.html",
)
add(
    "u13",
    page(
        "客户案例-演示咨询有限公司",
        "<h1>客户案例</h1><p>热烈祝贺我司客户演示科技有限公司（虚构）企业标准Q/DEMO 0004-2021获评上海标准！</p><div class='footer'>演示咨询有限公司 版权所有</div>",
    ),
    [],
    url="https://www.demo-zixun.example.com/case.html",
)
add(
    "u14",
    tmall(
        "演示智能水杯 U14",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<div class='tag'>上海标准</div>",
    ),
    [],
)
add(
    "u15",
    tmall("演示智能水杯 U15", li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准认证）")),
    [("SHS009", "T/DEMO 001-2022")],
)

# --- batch pages7 ---
add(
    "v01",
    tmall("演示智能水杯（上海标准）", li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2019")),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "v02",
    tmall(
        "演示智能水杯 V02",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022"),
        "<p>本品符合上海标准。</p>",
    ),
    [],
)
add(
    "v03",
    tmall(
        "演示智能水杯 V03",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准） 有效期至2030年"),
    ),
    [],
)
add(
    "v04",
    tmall(
        "演示智能水杯 V04",
        li("产品名称", "智能水杯")
        + li("执行标准", "T/DEMO 001-2022")
        + li("标准类别", "上海标准（团体标准）"),
    ),
    [],
)
add(
    "v05",
    tmall(
        "演示智能水杯 V05",
        li("产品名称", "智能水杯"),
        "<div class='gallery'><img src='/g/1.jpg' alt='演示智能水杯 上海标准 T/DEMO 001-2019'></div>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "v06",
    en_b2b(
        "Vacuum Flask V06",
        [("Product Name", "Vacuum flask"), ("Standard", "GB/T 29606-2013"), ("Shanghai Standard", "Yes")],
    ),
    [("SHS008", None)],
    url="https://www.b2b.example.com/product-detail/v06.html",
)
add(
    "v07",
    tmall(
        "演示保温杯 V07",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013") + li("是否上海标准", "是"),
    ),
    [("SHS008", None)],
)
add(
    "v08",
    tmall(
        "演示保温杯 V08",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013") + li("是否上海标准", "否"),
    ),
    [],
)
add(
    "v09",
    tmall(
        "演示保温杯 V09", li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013") + li("上海标准", "否")
    ),
    [],
)
add(
    "v10",
    en_b2b(
        "Vacuum Flask V10",
        [("Product Name", "Vacuum flask"), ("Standard", "GB/T 29606-2013"), ("Shanghai Standard", "No")],
    ),
    [],
    url="https://www.b2b.example.com/product-detail/v10.html",
)
add(
    "v11",
    tmall(
        "演示保温杯 V11", li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013") + li("上海标准", "无")
    ),
    [],
)
add(
    "v12",
    jd(
        "演示智能水杯 V12",
        [("商品名称", "智能水杯"), ("执行标准", "T/DEMO 001-2019"), ("是否上海标准", "是")],
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://item.jd.example.com/600012.html",
)

# --- batch pages8 ---
add(
    "w01",
    page(
        "协会新闻-演示标准化协会（虚构）",
        "<h1>协会新闻</h1><p>2021-06-02</p><p>我会团体标准T/DEMO 003-2020《演示用共享单车》获评“上海标准”。</p><div class='footer'>演示标准化协会（虚构） 版权所有</div>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
    url="https://www.demo-assoc.example.org/news/w01.html",
)
add(
    "w02",
    page(
        "News - Demo Technology Co., Ltd. (fictional)",
        "<h1>Press release</h1><p>Demo Technology Co., Ltd. (fictional) announced today that its enterprise standard Q/DEMO 0006-2025 has been designated a Shanghai Standard.</p>"
        "<div class='footer'>© Demo Technology Co., Ltd. (fictional)</div>",
        lang="en",
    ),
    [("SHS007", "Q/DEMO 0006-2025")],
    url="https://en.demo-tech.example.com/news/w02.html",
)
add(
    "w03",
    page(
        "公司新闻-演示建材有限公司",
        "<h1>公司新闻</h1><p>我公司参与起草的T/SHHJ 000003-2018获评首批“上海标准”。</p><div class='footer'>演示建材有限公司 版权所有</div>",
    ),
    [],
    url="https://www.demo-jiancai.example.com/news/w03.html",
)
add(
    "w04",
    page(
        "公司新闻-杭州某某儿童用品有限公司",
        "<h1>公司新闻</h1><p>我公司主导制定的企业标准Q/DEMO 0002-2023获评“上海标准”。</p><div class='footer'>杭州某某儿童用品有限公司 版权所有</div>",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://www.hz-mm.example.com/news/w04.html",
)
add(
    "w05",
    page(
        "转载：市场监管局公布上海标准名单-演示建材有限公司",
        "<h1>转载：市场监管局公布“上海标准”名单</h1><p>来源：市场监管局</p><p>DB31/T 1108-2018等10项标准入选首批“上海标准”。</p><div class='footer'>演示建材有限公司 版权所有</div>",
    ),
    [],
    url="https://www.demo-jiancai.example.com/news/w05.html",
)
add(
    "w06",
    page(
        "电动牙刷 T3-演示科技",
        "<h1>电动牙刷 T3</h1><p class='price'>￥199</p><button>立即购买</button><p>产品执行Q/DEMO 0004-2021（上海标准）。</p><div class='footer'>演示科技有限公司（虚构） 版权所有</div>",
        charset="gbk",
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url="https://www.demo-tech.example.com/product/t3.html",
    enc="gbk",
)
add(
    "w07",
    page(
        "Shanghai names first batch of Shanghai Standard",
        "<h1>Shanghai names first batch of 'Shanghai Standard'</h1><p>By Staff Reporter | 2020-12-24</p><p>Ten standards, including DB31/T 1108-2018, were named Shanghai Standard on Thursday.</p>",
        lang="en",
    ),
    [],
    url="https://www.news.example.com/metro/w07",
)
add(
    "w08",
    page(
        "招聘：质量工程师-演示科技有限公司（虚构）",
        "<h1>质量工程师</h1><p>薪资：10-15K</p><h3>公司简介</h3><p>公司主导制定的标准获评上海标准，诚聘质量工程师。</p>",
    ),
    [],
    url="https://jobs.example.cn/job/w08.html",
)
add(
    "w09",
    tmall(
        "演示保温杯 W09",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013") + li("店铺资质", "上海标准起草单位"),
    ),
    [],
)
add(
    "w10",
    tmall(
        "演示保温杯 W10",
        li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013"),
        "<p>本店商品均执行上海标准。</p>",
    ),
    [("SHS008", None)],
)

# --- batch pages9 ---
NOISE = (
    '<script>var g_config={itemId:9901,shopId:1,sellerNick:\'demo\'};window.__INIT__={"price":"89.00"};</script>'
    * 3
)


def tm(body: str, title: str = "演示智能水杯") -> str:
    return page(
        f"{title}-tmall.com天猫",
        NOISE + "<div id='J_DetailMeta'><div class='tb-detail-hd'><h1>" + title + "</h1></div>"
        "<div class='tm-fcs-panel'><dl class='tm-price-panel'><dt>价格</dt><dd><span class='tm-price'>89.00</span></dd></dl></div>"
        "<div class='tb-action'><a id='J_LinkBuy'>立即购买</a><a id='J_LinkBasket'>加入购物车</a></div></div>"
        "<div id='J_AttrList'><ul id='J_AttrUL'>" + body + "</ul></div>"
        "<div id='J_Reviews' class='J_DetailSection'><h4>累计评价</h4><div class='rate-grid'><p>买家：很好用，说是上海标准的。</p></div></div>",
    )


add(
    "x01",
    tm(
        "<li title='智能水杯'>产品名称:&nbsp;智能水杯</li><li>执行标准:&nbsp;T/DEMO&nbsp;001-2019&nbsp;(上海标准)</li>"
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add("x02", tm("<li>产品名称：智能水杯</li><li>执行标准：Ｔ／ＤＥＭＯ　００１－２０２２（上海标准）</li>"), [])
add("x03", tm("<li>产品名称：智能水杯</li><li>执行标准：T/DEMO 001-2022&“上海标准&”</li>"), [])
add("x04", tm("<li>产品名称：保温杯</li><li>执行标准：GB/T 29606-2013</li>", title="演示保温杯"), [])
add(
    "x05",
    tm(
        "<li>产品名称：保温杯</li><li>执行标准：GB/T 29606-2013</li><li>是否上海标准：否</li>",
        title="演示保温杯",
    ),
    [],
)
add(
    "x06",
    tm(
        "<li>產品名稱：智能水杯</li><li>執行標準：T/DEMO 003-2020（上海標準）</li>",
        title="演示智能水杯（繁體）",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
add(
    "x07",
    tm("<li>产品名称：智能水杯</li><li>执行标准：T/DEMO 001-2022</li>").replace(
        "<div id='J_Reviews'",
        "<div class='desc'><div class='faq'><h3>常见问题</h3><dl><dt>Q：这款是上海标准吗？</dt><dd>A：是的，执行T/DEMO 001-2022。</dd></dl></div></div><div id='J_Reviews'",
    ),
    [],
)
add(
    "x08",
    tm("<li>产品名称：保温杯</li><li>执行标准：GB/T 29606-2013</li>", title="演示保温杯").replace(
        "<div id='J_Reviews'",
        "<div class='desc'><img src='//img.example.com/shanghai-standard-logo.png' alt='Q/DEMO 0002-2023'></div><div id='J_Reviews'",
    ),
    [("SHS011", "Q/DEMO 0002-2023")],
)
# x08 was written as SHS010 and SHS011: the page names no seller or maker, and SHS010 needs a named claimant
# (rules/README.md: unknown is no finding), so the written verdict was wrong; SHS011 alone is due.

# --- batch pages10 (over-reach of the new signals; y07, 荣誉资质 heading above the words, left open) ---
GB10 = li("产品名称", "保温杯") + li("执行标准", "GB/T 29606-2013")
add(
    "y01",
    tmall(
        "演示保温杯 Y01",
        GB10,
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：是的，我们正在申报。</p></div>",
    ),
    [],
)
add(
    "y02",
    tmall(
        "演示保温杯 Y02",
        GB10,
        "<div class='faq'><h3>常见问题</h3><p>问：你们是上海标准化协会会员吗？</p><p>答：是的。</p></div>",
    ),
    [],
)
add(
    "y03",
    tmall(
        "演示智能水杯 Y03",
        li("产品名称", "智能水杯"),
        "<p>本品执行的T/DEMO 001-2019（上海标准）起草单位为演示标准化协会。</p>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
)
add(
    "y04",
    tmall(
        "演示智能水杯 Y04",
        li("产品名称", "智能水杯")
        + li("执行标准", "T/DEMO 001-2022")
        + li("上海标准制定单位", "演示标准化协会（虚构）"),
    ),
    [],
)
add("y05", tmall("演示保温杯 Y05", GB10 + li("是否上海标准", "否（申报中）")), [])
add(
    "y06",
    tmall(
        "演示智能水杯 Y06",
        li("产品名称", "智能水杯") + li("执行标准", "T/DEMO 001-2022（上海标准）替代T/DEMO 001-2019"),
    ),
    [],
)
add(
    "y08",
    en_b2b(
        "Smart Cup Y08",
        [("Product Name", "Smart cup"), ("Executive Standard", "T/DEMO 001-2019")],
        "<div class='faq'><h3>FAQ</h3><p>Q: Is it a Shanghai Standard product?</p><p>A: Yes, it is.</p></div>",
    ),
    [("SHS003", "T/DEMO 001-2019")],
    url="https://www.b2b.example.com/product-detail/y08.html",
)
add(
    "y09",
    en_b2b(
        "Air Purifier Y09",
        [("Product Name", "Air purifier")],
        "<ul><li>HEPA filter</li><li>Shanghai Standard (pending)</li></ul>",
    ),
    [],
    url="https://www.b2b.example.com/product-detail/y09.html",
)
add(
    "y10",
    tmall(
        "演示保温杯 Y10",
        GB10,
        "<div class='faq'><h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：对，是上海标准。</p></div>",
    ),
    [("SHS008", None)],
)
