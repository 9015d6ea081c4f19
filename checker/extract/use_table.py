"""How an occurrence of the words or mark is classified, as versioned data (issue 13 §1).

Every occurrence is a product claim, an organisation claim or discussion. Each signal below argues for one
or more of those uses with a weight, and says why it is in the table. `classify.py` adds up the signals of
the page as a whole (capped: a page is one piece of evidence however many ways it shows it) and of the
occurrence's neighbourhood (its sentence, its block, its row), and decides; a close call is never a guess.

Texts are matched after `normalize_text` (full-width folded: `：` is `:`, `（` is `(`), and traditional
forms are listed beside simplified ones where the normaliser does not fold them yet.
Bump USE_TABLE_VERSION (and EXTRACTOR_VERSION) on any change to a weight, a pattern or a threshold.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

USE_TABLE_VERSION = "1"

Use = Literal["product", "organisation", "discussion"]
USES: tuple[Use, ...] = ("product", "organisation", "discussion")

# --- Decision thresholds.
# The winning use needs at least this score to be taken with high confidence…
MIN_SCORE = 3
# …and at least this lead over every other use; anything closer is a close call (use_confidence: review).
MARGIN = 3
# The page as a whole counts at most this much per use: a page with a price, a cart and a JSON-LD offer is
# one fact ("the page offers a product"), and must not drown what the occurrence's own sentence says.
PAGE_CAP = 8


class Signal(NamedTuple):
    """A named pattern and the uses it argues for, with the reason it is in the table."""

    name: str
    weights: dict[Use, int]
    regex: re.Pattern[str] | None
    why: str
    # Literal strings one of which a text must hold before the regex is tried (pre-pass texts only).
    hints: tuple[str, ...] = ()
    # For signals counted over many texts: how many distinct matches make the signal.
    min_distinct: int = 1


def _s(
    name: str,
    weights: dict[Use, int],
    regex: str | None,
    why: str,
    *,
    hints: tuple[str, ...] = (),
    min_distinct: int = 1,
    flags: int = 0,
) -> Signal:
    return Signal(name, weights, re.compile(regex, flags) if regex else None, why, hints, min_distinct)


_CJK = r"\u4e00-\u9fff"
_NOT_CJK_BEFORE = rf"(?<![{_CJK}])"

# ---------------------------------------------------------------------------------------------------------
# Page signals read during the pre-pass, over every text of the whole page before pruning (prune.py's
# observer): bylines and prices sit far from the occurrence and would be cut with the rest of the page.
_BYLINE_LABELS = (
    "作者|来源|來源|文章来源|文章來源|信息来源|信息來源|稿件来源|稿源|发布时间|發布時間|發佈時間|发布日期|發布日期"
    "|发表时间|發表時間|发稿时间|更新时间|更新時間|责任编辑|責任編輯|编辑|編輯|责编|记者|記者|通讯员|通訊員"
    "|审核|審核|校对|校對|浏览次数|瀏覽次數|点击数|點擊數|阅读量|閱讀量|访问量|访问次数|供稿|撰稿"
)
_PRICE = (
    r"[¥￥]\s*\d|(?:价格|價格|售价|售價|促销价|促銷價|到手价|优惠价|零售价|批发价|批發價|市场价|会员价|单价|參考價|参考价)"
    r"\s*[:：]?\s*(?:[¥￥]|RMB)?\s*\d"
)
# Literal pieces every byline label holds (the pre-test before the byline regex runs).
_BYLINE_HINTS = (
    "作者",
    "来源",
    "來源",
    "发布",
    "發布",
    "發佈",
    "发表",
    "發表",
    "发稿",
    "更新",
    "编辑",
    "編輯",
    "责编",
    "记者",
    "記者",
    "通讯员",
    "通訊員",
    "审核",
    "審核",
    "校对",
    "校對",
    "浏览",
    "瀏覽",
    "点击",
    "點擊",
    "阅读",
    "閱讀",
    "访问",
    "供稿",
    "撰稿",
    "稿源",
    "时间",
    "時間",
    "日期",
)
PREPASS_SIGNALS: tuple[Signal, ...] = (
    _s(
        "byline",
        {"discussion": 2, "organisation": 1},
        rf"{_NOT_CJK_BEFORE}(?:{_BYLINE_LABELS})\s*[:：]"
        rf"|{_NOT_CJK_BEFORE}(?:时间|時間|日期)\s*[:：]\s*(?:19|20)\d\d",
        "bylines and source lines (作者/来源/发布时间/编辑/记者…) mark an article: news, a notice, company news",
        hints=_BYLINE_HINTS,
    ),
    _s(
        "byline-en",
        {"discussion": 1, "organisation": 1},
        r"^\s*(?:By [A-Z][a-z]+(?: [A-Z][a-z]+)?\s*(?:\||$)|(?:Source|Editor|Author|Published|Updated)\s*:)",
        "English bylines (By Name | Source: …) of news sites",
        hints=("By ", "Source", "Editor", "Author", "Published", "Updated"),
    ),
    _s(
        "reporter",
        {"discussion": 4},
        r"本报讯|本報訊|本报记者|本報記者|记者[^。]{0,10}(?:报道|獲悉|获悉|了解到|采访)|記者[^。]{0,10}報道|新华社|新華社|中新网|中新網",
        "a reporter or news agency writes the page: journalism about the scheme, not a claim",
        hints=("本报", "本報", "记者", "記者", "新华社", "新華社", "中新"),
    ),
    _s(
        "gov-cms",
        {"discussion": 3},
        r"字[号號]\s*[:：]?\s*[【\[]?\s*大|打印本[页頁]|关闭窗口|關閉窗口|【打印】|【关闭】|索引[号號]\s*[:：]|"
        r"发文机关|發文機關|成文日期|主题分类|主題分類|发布机构|發布機構|政府信息公开|政府信息公開",
        "the furniture of a government CMS page (字号 大中小, 打印本页, 索引号, 发文机关): a regulator's notice",
        hints=(
            "字号",
            "字號",
            "打印",
            "关闭",
            "關閉",
            "索引",
            "发文",
            "發文",
            "成文",
            "主题",
            "主題",
            "发布机构",
            "發布機構",
            "信息公",
        ),
    ),
    _s(
        "forum",
        {"discussion": 4},
        r"楼主|樓主|只看该作者|只看該作者|只看楼主|发表于|發表於|回复\s*[:：]?\s*#?\d|精华帖|^\s*#?\d{1,4}\s*[楼樓]\s*$|沙发|板凳",
        "forum and board furniture (楼主, 发表于, #2楼): a repost or a thread about the scheme",
        hints=("楼", "樓", "只看", "发表于", "發表於", "回复", "精华", "沙发", "板凳"),
    ),
    _s(
        "job-advert",
        {"discussion": 4},
        r"岗位职责|崗位職責|任职要求|任職要求|任职资格|任職資格|职位描述|職位描述|职位要求|薪资|薪資|工作地点|工作地點|"
        r"投递简历|投遞簡歷|五险一金|学历要求|經驗要求|经验要求|招聘人数",
        "a job advert (岗位职责, 任职要求): it may ask for 上海标准 experience but offers no product",
        hints=(
            "岗位",
            "崗位",
            "任职",
            "任職",
            "职位",
            "職位",
            "薪",
            "工作地",
            "简历",
            "簡歷",
            "五险",
            "学历",
            "经验",
            "經驗",
            "招聘",
        ),
    ),
    _s(
        "encyclopedia",
        {"discussion": 3},
        r"百科|词条|詞條|义项|義項|参考资料|參考資料|^\s*目录\s*$",
        "encyclopaedic text (百科, 词条, 参考资料) explains the scheme",
        hints=("百科", "词条", "詞條", "义项", "義項", "参考资料", "參考資料", "目录"),
    ),
    _s(
        "exam",
        {"discussion": 4},
        r"单项选择题|多项选择题|選擇題|选择题|判断题|判斷題|填空题|参考答案|參考答案|答案解析|练习题|練習題|试题|試題",
        "an exam or practice sheet (选择题, 参考答案): options quote right and wrong forms",
        hints=("选择题", "選擇題", "判断题", "判斷題", "填空题", "答案", "练习题", "練習題", "试题", "試題"),
    ),
    _s(
        "q-and-a",
        {"discussion": 3},
        r"^\s*(?:问|問|答|提问|提問)\s*[:：]|最佳答案|问题描述|问题补充|回答者|网友回答|網友回答|\d+\s*个回答",
        "a question-and-answer page about the scheme (问：… 答：…)",
        hints=("问", "問", "答", "提问", "回答"),
    ),
    _s(
        "article-nav",
        {"discussion": 2, "organisation": 1},
        r"^\s*(?:上一篇|下一篇|上一条|下一条|上一篇文章|下一篇文章|相关新闻|相关阅读|推荐阅读|相关文章|返回列表)\s*[:：]?",
        "article navigation (上一篇/下一篇, 相关新闻): an article page, news or company news",
        hints=("上一", "下一", "相关", "推荐阅读", "返回列表"),
    ),
    _s(
        "price",
        {"product": 2},
        _PRICE,
        "a price: the page offers something for sale",
        hints=("¥", "￥", "价", "價"),
    ),
    _s(
        "cart",
        {"product": 3},
        r"加入购物车|加入購物車|立即购买|立即購買|立即订购|立即下单|马上抢|加入采购单|立即询价|在线订购|在线询价|购买数量|"
        r"add to cart|buy now",
        "a cart or buy button: the page sells a product",
        hints=("购", "購", "订购", "下单", "马上抢", "询价", "dd to cart", "uy now"),
        flags=re.I,
    ),
    _s(
        "sales",
        {"product": 2},
        r"月销|月銷|累计评价|累計評價|已售\s*\d|库存\s*\d|起批|起订|运费|運費|包邮|包郵|七天无理由|7天无理由|售后保障",
        "sales furniture (月销, 库存, 起批, 包邮): a listing",
        hints=(
            "销",
            "銷",
            "评价",
            "評價",
            "已售",
            "库存",
            "起批",
            "起订",
            "运费",
            "運費",
            "包邮",
            "包郵",
            "无理由",
            "售后",
        ),
    ),
    _s(
        "param-label",
        {"product": 2},
        r"^\s*(?:品牌|型号|型號|规格|規格|净含量|淨含量|产地|產地|保质期|保質期|材质|材質|颜色|顏色|尺寸|重量|生产日期|货号|貨號"
        r"|包装|包裝|生产许可证|生產許可證|执行标准|執行標準|产品标准号|產品標準號|商品名称|產品名稱|产品名称)\s*(?:[:：]|$)",
        "parameter labels (品牌, 型号, 规格, 净含量…): three or more make a parameter table",
        hints=(
            "品牌",
            "型",
            "规格",
            "規格",
            "含量",
            "产地",
            "產地",
            "保质",
            "保質",
            "材",
            "颜色",
            "顏色",
            "尺寸",
            "重量",
            "生产",
            "生產",
            "货号",
            "貨號",
            "包装",
            "包裝",
            "标准",
            "標準",
            "名称",
            "名稱",
        ),
        min_distinct=3,
    ),
)

# Texts that name the page's owner: the organisation behind a company or association site, or a regulator.
SITE_OWNER = re.compile(
    r"(?:版权所有|版權所有|copyright|©|主办单位|主辦單位|主办|主辦)\s*[:：]?\s*(?:©\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?\s*)?"
    rf"(?P<owner>[{_CJK}（）()]{{2,40}}?(?:股份有限公司|有限责任公司|有限公司|集团|集團|协会|協會|学会|學會|研究院|研究所"
    r"|中心|联合会|聯合會|商会|商會|联盟|聯盟|委员会|委員會|管理局|人民政府|办公厅|辦公廳|局|单位|單位))",
    re.I,
)
SITE_OWNER_HINTS = ("版权", "版權", "opyright", "OPYRIGHT", "©", "主办", "主辦")
# Where a breadcrumb trail starts (当前位置：首页 > 新闻中心 > …): the trail is the rest of its container.
CRUMB_LABEL = re.compile(
    r"^\s*(?:当前位置|當前位置|您的位置|您现在的位置|您所在的位置|所在位置|现在位置)\s*(?:[:：]|$)"
)
CRUMB_HINTS = ("位置",)
# Regulators and public bodies: a page they own or a sentence they are the subject of is about the scheme.
REGULATOR = re.compile(
    r"市场监督管理局|市場監督管理局|市场监管局|市場監管局|市场监管部门|人民政府|办公厅|辦公廳|标准化研究院|標準化研究院"
    r"|标准化协会|標準化協會|标准化管理委员会|国家标准委|委员会$|管理局$"
)

# ---------------------------------------------------------------------------------------------------------
# Page signals read after pruning from the page's head: <title>, h1, breadcrumbs and their section names.
HEAD_SIGNALS: tuple[Signal, ...] = (
    _s(
        "notice-title",
        {"discussion": 3},
        r"(?:关于|關於).{0,60}(?:通知|公告|公示|意见|意見|办法|辦法|通告|决定|決定|批复|批覆|函|方案)|申报指南|申報指南|名单|名單"
        r"|公示|政策解读|政策解讀|答记者问|答記者問|发布会|發布會|工作要点|实施意见|實施意見|实施细则|實施細則",
        "the page is a notice, a list or a policy text (关于…的通知, 名单, 公示, 政策解读)",
    ),
    _s(
        "news-section",
        {"discussion": 2},
        r"新闻中心|新聞中心|新闻动态|新聞動態|要闻|要聞|媒体报道|媒體報道|通知公告|政策法规|政策法規|政务公开|政務公開"
        r"|信息公开|信息公開|工作动态|工作動態|行业资讯|行業資訊|行业新闻|行業新聞|公示公告|专题|專題|资讯|資訊",
        "a news, notice or policy section of a site (新闻中心, 通知公告, 政策法规)",
    ),
    _s(
        "company-news",
        {"organisation": 3},
        r"公司新闻|公司新聞|企业新闻|企業新聞|公司动态|公司動態|企业动态|企業動態|集团新闻|集團新聞|协会动态|協會動態"
        r"|本会动态|學會動態|学会动态|协会新闻|協會新聞|企业资讯|公司资讯|喜报|喜報|喜讯|喜訊|热烈祝贺|熱烈祝賀|捷报|捷報",
        "an enterprise's or association's own news (公司新闻, 协会动态, 喜报): it speaks for itself",
    ),
    _s(
        "about-page",
        {"organisation": 3},
        r"关于我们|關於我們|公司简介|公司簡介|企业简介|企業簡介|公司介绍|公司介紹|企业介绍|企業介紹|公司概况|公司概況"
        r"|集团简介|集團簡介|协会简介|協會簡介|本会简介|学会简介|发展历程|發展歷程|荣誉资质|榮譽資質|企业荣誉|企業榮譽"
        r"|公司荣誉|資質榮譽|资质荣誉|about us",
        "an about page (关于我们, 公司简介, 荣誉资质): an organisation presents itself",
        flags=re.I,
    ),
    _s(
        "product-section",
        {"product": 2},
        r"产品中心|產品中心|产品展示|產品展示|产品介绍|產品介紹|产品详情|產品詳情|商品详情|商品詳情|所有分类|全部商品|产品列表",
        "a product section of a site (产品中心, 商品详情)",
    ),
    _s(
        "consumer-advice",
        {"discussion": 3},
        r"消费提示|消費提示|消费警示|消費警示|消费者权益|消費者權益|消保委|消委会|消委會|12315|维权|維權",
        "consumer advice (消费提示, 12315): explains how to read the words, claims nothing",
    ),
    _s(
        "forum-site",
        {"discussion": 3},
        r"论坛|論壇|贴吧|貼吧|\bbbs\b|问答|問答|知乎|百度知道|博客|blog",
        "a forum, Q&A site or blog",
        flags=re.I,
    ),
    _s(
        "job-site",
        {"discussion": 3},
        r"招聘|诚聘|誠聘|岗位|崗位|职位|職位|\bjobs?\b|careers?",
        "a job board or careers page",
        flags=re.I,
    ),
    _s(
        "wiki-site",
        {"discussion": 3},
        r"百科|维基|維基|wiki",
        "an encyclopaedia",
        flags=re.I,
    ),
    _s(
        "policy-en",
        {"discussion": 3},
        r"\b(?:polic(?:y|ies)|regulations?|administration|announcement|explainers?|guidelines?|opinions|notice)\b",
        "an English policy or notice page (policy explainer, regulations, administration)",
        flags=re.I,
    ),
    _s(
        "news-en",
        {"discussion": 1, "organisation": 1},
        r"\b(?:news|press|announce[sd]?|batch)\b",
        "an English news page: news, or an organisation's own news",
        flags=re.I,
    ),
)

# ---------------------------------------------------------------------------------------------------------
# Page signals from structure (computed in classify.py; the table holds their weights and reasons).
STRUCTURE: dict[str, tuple[dict[Use, int], str]] = {
    "article-markup": (
        {"discussion": 2, "organisation": 1},
        "<article>, JSON-LD NewsArticle/Article or og:type article: an article page (markup alone decides nothing)",
    ),
    "gov-meta": (
        {"discussion": 4},
        "government CMS metadata (<meta name=ArticleTitle/PubDate/ContentSource/ColumnName>): a regulator's page",
    ),
    "gov-host": ({"discussion": 3}, "a .gov.cn host: a public body's page"),
    "regulator-site": (
        {"discussion": 3},
        "the site's owner (版权所有/主办单位) is a regulator or public body",
    ),
    "article-meta": (
        {"discussion": 2, "organisation": 1},
        "article publishing metadata (article:published_time, <meta name=author/publishdate>)",
    ),
    "news-url": (
        {"discussion": 1, "organisation": 1},
        "a news/article/notice path in the URL (/news/, /article/, /tzgg/): news, or an organisation's own news",
    ),
    "jsonld-product": ({"product": 4}, "JSON-LD Product or Offer: the page offers a product"),
    "og-product": ({"product": 3}, "og:type product: the page offers a product"),
    "param-rows": (
        {"product": 2},
        "two or more product rows (产品名称, 执行标准, 生产企业…) kept beside the claims",
    ),
    "shop": ({"product": 2}, "a marketplace shop block (layouts.py): the page is a listing"),
    "item-url": ({"product": 1}, "an item/product/goods path in the URL"),
    "association-site": (
        {"organisation": 1},
        "the site's owner is an association or alliance (协会, 学会, 联盟)",
    ),
}
GOV_META_NAMES = frozenset(
    ["articletitle", "pubdate", "contentsource", "columnname", "columntype", "sitedomain"]
)
ARTICLE_META_NAMES = frozenset(["article:published_time", "publishdate", "publish_date", "author", "pubdate"])
ARTICLE_JSONLD = re.compile(
    r"(?:News)?Article|BlogPosting|Report|NewsMediaOrganization|GovernmentService", re.I
)
PRODUCT_JSONLD = re.compile(r"Product|Offer|AggregateOffer|IndividualProduct|ProductModel", re.I)
NEWS_URL = re.compile(
    r"/(?:news|article|articles|xwzx|xwdt|zwgk|tzgg|gsxw|qyxw|info|notice|art|content)/", re.I
)
ITEM_URL = re.compile(
    r"/(?:item|items|product|products|goods|sku|offer|detail\.htm)|[?&](?:id|itemId|skuId)=\d", re.I
)
ASSOCIATION = re.compile(r"协会|協會|学会|學會|联合会|聯合會|联盟|聯盟|商会|商會|促进会|促進會")

# ---------------------------------------------------------------------------------------------------------
# Occurrence signals: the sentence holding the occurrence (normalised text).
_FIRST_PERSON = r"(?:我|本)(?:公司|司|厂|廠|集团|集團|企业|企業|单位|單位|院|所|中心|会|會|协会|協會|学会|學會|联盟|聯盟|社)|我们|我們"
_DESIGNATED = (
    r"获评|獲評|入选|入選|荣获|榮獲|获得|獲得|再获|再獲|获颁|被评为|被評為|被认定为|被認定為|喜获|喜獲|列入|纳入|納入"
    r"|通过[^。，,]{0,12}评价|通過[^。，,]{0,12}評價|现为|現為|又添|再添|新添"
)
_DRAFTED = (
    r"主导|主導|牵头|牽頭|参与|參與|负责|負責|组织|組織|制定|起草|编制|編制|研制|制修订|修订|修訂|发布|發布"
)
SENTENCE_SIGNALS: tuple[Signal, ...] = (
    _s(
        "product-subject",
        {"product": 4},
        r"本品|本产品|本產品|本商品|该产品|該產品|此产品|此產品|本款|该款|此款|本店|\b(?:our|this) (?:product|item)s?\b",
        "the sentence speaks of the product offered (本产品, 该款, our product)",
        flags=re.I,
    ),
    _s(
        "product-verb",
        {"product": 2},
        r"(?:执行|執行|符合|采用|採用|依据|依據|按照|遵循|达到|達到)[^。]{0,16}(?:标准|標準|\b[A-Z]{1,4}/)"
        r"|按[^。]{0,20}生产|按[^。]{0,20}生產"
        r"|\b(?:complies with|conforms to|manufactured (?:to|according to))\b",
        "a product made to, or meeting, a standard (执行…标准, 符合…标准)",
        flags=re.I,
    ),
    _s(
        "first-person-designation",
        {"organisation": 6},
        rf"(?:{_FIRST_PERSON})[^。“”\"「」]{{0,40}}(?:{_DESIGNATED}|{_DRAFTED})"
        rf"|(?:{_DESIGNATED}|{_DRAFTED})[^。“”\"「」]{{0,12}}(?:{_FIRST_PERSON})",
        "an organisation announces its own standard's designation (我公司主导制定的…获评上海标准)",
    ),
    _s(
        "congratulation",
        {"organisation": 3},
        r"喜报|喜報|喜讯|喜訊|好消息|热烈祝贺|熱烈祝賀|捷报|捷報|祝贺|祝賀",
        "an organisation celebrating (喜报, 热烈祝贺, 好消息): it announces its own news",
    ),
    _s(
        "company-subject",
        {"organisation": 3},
        rf"(?:^|[\s,，。、；;:：!！\-—])(?:公司|本会|协会|協會|集团|集團)(?:[^。]{{0,24}})(?:{_DESIGNATED}|{_DRAFTED})",
        "a bare 公司/协会 as the subject (公司获评…, 公司主导制定…): how an organisation writes about itself",
    ),
    _s(
        "first-person",
        {"organisation": 1},
        _FIRST_PERSON,
        "the organisation speaks for itself (我公司, 本会); without designation or drafting words it announces nothing",
    ),
    _s(
        "drafting",
        {"organisation": 2, "discussion": 1},
        rf"(?:{_DRAFTED})[^。]{{0,10}}(?:标准|標準)",
        "who drafted a standard (主导制定, 参与起草): an announcement or a report, not a product",
    ),
    _s(
        "policy-words",
        {"discussion": 2},
        r"政策|意见|意見|通知|办法|辦法|申报|申報|名单|名單|发布会|發布會|记者|記者|据悉|據悉|据了解|印发|印發|解读|解讀|公示|评审|評審"
        r"|专家|專家|主管部门|专项资金|專項資金|申报指南|受理|培育池|标识制度|標識制度|有关部门|各区|鼓励|鼓勵|引导|引導|推动|推動|推进|推進"
        r"|第三方|评价机构|評價機構|技术审查|技術審查|技术评价|技術評價|宣贯|宣貫|申报辅导|申報輔導"
        r"|按规定|按規定|根据规定|根據規定|按照规定|按照規定|消费者|消費者|12315",
        "policy and news wording (政策, 意见, 通知, 申报, 名单, 发布会, 记者, 推进…)",
    ),
    _s(
        "counting",
        {"discussion": 2},
        r"首批|第[一二三四五六七八九十\d]+批|累计|累計|共有|共计|共計|截至|截止|已有|新增|(?:\d+|[一二两三四五六七八九十百几多数]+)\s*(?:项|項|个|個|家)",
        "counting designations (首批, 第二批, 31项, 累计): a report on the scheme",
    ),
    _s(
        "example",
        {"discussion": 3},
        r"例如|比如|举例|舉例|示例|形式为|形式為|格式为|格式為|写法|寫法|可标注|可標注|可加注|加注|标注为|標注為|e\.g\.|for example",
        "the text shows how to write the words (例如, 可加注): a guide quoting the legitimate form",
        flags=re.I,
    ),
    _s(
        "placeholder-code",
        {"discussion": 8},
        r"\b[A-Z]{1,4}/(?:X{2,}|x{2,}|×{2,}|\*{2,})|(?:某某|××|XX)(?:标准|標準)",
        "a placeholder standard (T/XXX 001-2022, 某某标准) only appears in guides and examples: never a claim",
    ),
    _s(
        "question",
        {"discussion": 2},
        r"[?？]|吗|嗎|什么是|什麼是|怎么|怎麼|如何|怎样|怎樣|能否|可否|是否",
        "a question about the scheme (什么是, 如何申报, 吗？)",
    ),
    _s(
        "regulator-subject",
        {"discussion": 2},
        r"市场监督管理局|市場監督管理局|市场监管局|市場監管局|市场监管部门|标准化研究院|標準化研究院|标准化协会|標準化協會"
        r"|国家标准委|标准化行政主管部门|市政府|国务院|國務院",
        "a regulator or standards body is the subject: the text reports the scheme's administration",
    ),
    _s(
        "english-discussion",
        {"discussion": 2},
        r"\b(?:announced|announcement|batch|regulators?|regulations?|administration|policy|scheme"
        r"|programme|program|initiative|according to|reported|officials?)\b",
        "English news and policy wording (announced, batch, administration, scheme)",
        flags=re.I,
    ),
    _s(
        "english-organisation",
        {"organisation": 6},
        r"\b(?:our|we)\b[^.]{0,60}\b(?:drafted|led|developed|designated|awarded|selected)\b|\bwe are proud\b",
        "an English announcement of one's own standard (our standard … was designated)",
        flags=re.I,
    ),
)

# Right after the occurrence: the words name the scheme as a thing (the policy), not a product's claim.
AFTER_SIGNALS: tuple[Signal, ...] = (
    _s(
        "scheme-noun",
        {"discussion": 4},
        r"^[”\"」』’']?\s*(?:标识制度|標識制度|制度|评价工作|評價工作|申报|申報|培育|名单|名單|专项|專項|工作|试点|試點|政策|认定工作"
        r"|评审|評審|建设|建設|体系|體系|战略|戰略|行动|行動|数量|總數|总数|项目|項目|评价结果|評價結果|公示|申请|申請|企业名单"
        r"|的申报|的申報|的评价工作|的認定|的认定|培育池|先进标准|先進標準|scheme|programme|program|system|list|designation)",
        "the words name the scheme itself (“上海标准”标识制度, 上海标准申报, 名单): talk about the policy",
        flags=re.I,
    ),
    _s(
        "the-words",
        {"discussion": 4},
        r"^[”\"」』’']?\s*的?(?:字样|字樣|字眼|表述|说法|說法|一词|一詞|二字|四个字|四個字|wording|words?\b)",
        "the text talks about the words themselves (加注“上海标准”字样, 关于上海标准的说法): guidance, not a claim",
        flags=re.I,
    ),
    _s(
        "scheme-evaluation",
        {"discussion": 2},
        r"^[”\"」』’']?\s*(?:评价|評價|evaluation)",
        "上海标准评价…: the evaluation (its committee, its service, its application) rather than a designation held",
        flags=re.I,
    ),
    _s(
        "product-noun",
        {"product": 2},
        r"^[”\"」』’']?\s*(?:产品|產品|商品|好物|货|貨|认证产品|認證產品|products?\b|goods\b|items?\b|mark\b)",
        "the words qualify goods (上海标准产品, Shanghai Standard product): a product claim",
        flags=re.I,
    ),
    _s(
        "definition",
        {"discussion": 4},
        r"^[”\"」』’']?\s*(?:是指|指的是|是对|是對|即|作为|作為|是一项|是一種|是一种|是|不是|并非|並非|就是|\s+is\s+(?:a|an|the)\b)",
        "a definition of the scheme (上海标准是指…, 上海标准是对标准的评价)",
        flags=re.I,
    ),
)
# Right before the occurrence (a short window).
BEFORE_SIGNALS: tuple[Signal, ...] = (
    _s(
        "standard-label",
        {"product": 5},
        r"(?:产品执行标准|执行标准号|执行标准|執行標準|产品标准代号|产品标准号|產品標準號|标准代号|标准号|標準號)\s*[:：]"
        r"[^。；;\n”」』,，]{0,40}$",
        "the legitimate product form right before the words: 执行标准：T/XXX 001-2022（上海标准） (2023 Opinions part 4)",
    ),
    _s(
        "quoted-claim",
        {"discussion": 8},
        r"[“\"「『][^”\"」』“「『]{0,20}(?:本产品|本品|本商品|认证|認證|荣获|榮獲|通过|通過|产品)[^”\"」』“「『]{0,20}$",
        "a seller's claim quoted inside quotation marks (出现“本产品通过上海标准认证”的表述): cited, not made here",
    ),
    _s(
        "quoted-form",
        {"discussion": 6},
        r"[“\"「『‘]\s*(?:产品执行标准|执行标准|執行標準|产品标准号|產品標準號|标准号|標準號|standard)\s*[:：][^”\"」』’]{0,40}$",
        "the whole 执行标准：…（上海标准） form sits inside quotes: a text showing how to write it, not a seller's row",
        flags=re.I,
    ),
    _s(
        "designation-verb",
        {"organisation": 2, "discussion": 1},
        rf"(?:{_DESIGNATED})[^。,，]{{0,10}}$",
        "a standard was designated (获评2023年度“上海标准”): an announcement or a report of one, not a product",
    ),
    _s(
        "scheme-verb",
        {"discussion": 3},
        r"(?:开展|開展|组织|組織|推进|推進|实施|實施|深化|做好|申请|申請|申报|申報|推荐|推薦|评审|評審|评选|評選|培育|认定|認定|什么是|什麼是)"
        r"[^。,，]{0,6}[“\"「『‘']?$",
        "an action on the scheme (推进“上海标准”, 申报上海标准, 什么是上海标准): talk about the policy",
    ),
)
BEFORE_WINDOW = 48

# ---------------------------------------------------------------------------------------------------------
# Occurrence signals from structure around it (computed in classify.py).
NEAR_STRUCTURE: dict[str, tuple[dict[Use, int], str]] = {
    "standard-row": ({"product": 5}, "the occurrence sits in a 执行标准/产品标准号 row"),
    "declared-standard": (
        {"product": 3},
        "the code tied to the words is the one a 执行标准/产品标准号 row of the page declares for its product",
    ),
    "product-card": (
        {"product": 3},
        "the occurrence sits in a card or block that names a product (产品名称 row, listing entry)",
    ),
    "tied-code": (
        {"product": 2, "organisation": 1},
        "a standard code is glued to the words (T/XXX 001-2022（上海标准）) or shares their cell, row or caption",
    ),
    "price-near": ({"product": 2}, "a price in the occurrence's own block"),
    "standards-table": (
        {"organisation": 2, "discussion": 2},
        "the occurrence sits in a table of standards (标准编号/标准名称 columns): a list of standards, not products",
    ),
    "own-site": (
        {"organisation": 4},
        "the organisation named beside the words owns the site (版权所有, og:site_name): it speaks for itself",
    ),
    "first-person-block": ({"organisation": 1}, "the paragraph speaks in the first person (我公司, 本会)"),
    "in-link": (
        {"discussion": 2},
        "the words are a link's text (a related-news entry, a menu item): they point elsewhere",
    ),
    "related-list": (
        {"discussion": 3},
        "the words sit in a list headed 相关资讯/热点新闻/推荐阅读: headlines of other pages, not this page's claim",
    ),
    "in-heading": (
        {"discussion": 1},
        "the words are in a heading of a page that offers no product: a headline or a section title",
    ),
}
FIRST_PERSON = re.compile(_FIRST_PERSON)
PRICE = re.compile(_PRICE)
# An organisation named in a sentence (the subject of an announcement or a report).
ORGANISATION_NAME = re.compile(
    rf"[{_CJK}（）()]{{2,30}}?(?:股份有限公司|有限责任公司|有限公司|集团|集團|协会|協會|学会|學會|研究院|研究所|联合会|聯合會"
    r"|商会|商會|联盟|聯盟|联合体|聯合體|促进会|促進會)"
)
# Words that open an organisation's name but are the sentence's, not the name's (我公司与上海某协会…).
NAME_LEADING_NOISE = re.compile(rf"^.*?(?:[的与和及、由在为是被向对將将]|{_FIRST_PERSON})")
# Header cells of a table that lists standards (not products).
STANDARDS_TABLE_HEADER = re.compile(r"^(?:标准编号|標準編號|标准号|標準號|标准名称|標準名稱|标准代号)$")
# Page signals that make the page an organisation's own (an announcement can be made anywhere on it); on
# other pages an organisation claim needs organisation wording near the occurrence.
ORGANISATION_PAGE = frozenset(["company-news", "about-page", "association-site"])
# Headings of lists that point to other pages (a sidebar of news, related reading).
RELATED_LIST_HEADING = re.compile(
    r"相关|相關|资讯|資訊|新闻|新聞|阅读|閱讀|推荐|推薦|热点|熱點|公告|动态|動態|专题|專題|related|news|reading",
    re.I,
)
