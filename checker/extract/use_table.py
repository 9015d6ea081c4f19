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

USE_TABLE_VERSION = (
    "17"  # 17: job-advert-en reads only labels a job advert alone carries (not Requirements, Qualifications); the
    # English maker's verb is ENGLISH_MAKER, not a product-verb weight.
    # 16: a designation reported as revoked or withdrawn (“上海标准”资格撤销, 称号已被收回, was revoked) is no claim
    # (designation-ended, decisive); 什么是/何为 before the words that end their sentence asks (WHAT_IS_BEFORE).
    # 15: an English job advert (job-advert-en, two distinct labels: Responsibilities, Requirements, Salary: …)
    # is a job advert as job-advert is (JOB_ADVERT_SIGNALS); an English maker's sentence (X makes child seats to Q/…,
    # made to, produced according to) is product-verb; a question nothing follows on the page is unanswered.
    # 14: a question about the words answered no (答：不是的, 暂时还不是, A: No. / Not yet / No, it is not) is no claim
    # (answered-no), nor one followed by another question instead of an answer (a FAQ listing questions: unanswered);
    # customer service's address before a yes or no (亲，是的哦) is read through; on a job advert the employer's company
    # box saying something of its products (生产…，产品执行…（上海标准）) is its own statement (self-introduction), and
    # an English profile's own sentence names the company (X Co., Ltd. makes…: ENGLISH_COMPANY).
    # 13: an English honours heading (Honors, Honours & Awards) makes an about page, and a denial may say the
    # product has not passed the evaluation (negated-en); an English yes/no question is asked (yes-no-question-en); headings of an organisation's honours list (HONOURS_HEADING: 荣誉资质, 企业荣誉, 资质荣誉) and an English
    # footer's owner (SITE_OWNER_EN: © 2024 X Co., Ltd.), taken only when the page's title or host names it too.
    # 12: an application in progress written after the words (T/…（上海标准）（申报中）, 上海标准正在申报中,
    # 上海标准评价已提交申请, application in progress) is no claim, as before them (pending-status); a parameter row
    # named by the words whose value says no (是否上海标准：否, Shanghai Standard: No) is a denial (row-denied); the
    # words qualifying a drafter (上海标准起草单位) are an organisation presenting itself (drafter-of).
    # A link whose words name the scheme (scheme-noun, section-name: 了解上海标准政策) settles the use as discussion.
    # The seller's yes to a question about the words (常见问题 问：这款是上海标准吗？ 答：是的。, 商家回复：是的) is its
    # claim for the product (affirmed; the question's asked/question/user-content no longer count); a buyer's is not.
    # An organisation's products holding the words as an honour (公司产品获得…上海标准等荣誉) are own-products-certified,
    # which then drops the designation signals (no standard is announced); a standard between them keeps it an announcement.
    # 11: a competitor's claim reported (竞品自称…, 与某些宣称…的竞品不同, unlike other brands that claim…), an
    # application in progress (正在申报, 已申请, （申报中）) and an English denial (is not a … product) are no claims;
    # a news box on a product page (行业新闻 in a sidebar) reports, it does not claim (news-box); the words naming a
    # table's column (是否上海标准) claim nothing sure of one product (column-name: review); the words defined
    # (上海标准是对标准的评价, is an evaluation of) are the scheme explained (defined), What is… asks (question-en).
    # 10: an organisation's own products called 上海标准认证 (我司产品通过上海标准认证) are a product claim, on
    # its about page too (own-products-certified); a footer's owner written before 版权所有 is the site's owner;
    # 获评上海标准的企业和产品 qualifies a listed class (designated-class), no one's announcement.
    # 9: services about the scheme (代办, 认证咨询, 申报辅导; an agency's 在我司辅导下) announce and certify
    # nothing; a printer's or packager's sample, template or finished client label is not its claim; a menu link
    # (上海标准专区) points elsewhere; a buyer's request (求购, Buying Request) demands, it does not claim; training
    # and logo-usage pages (课程, 标识使用规范, may print the mark) explain the scheme; a consultancy's list of its
    # clients' designations is a report about other organisations.
    # 8: English prices (US $, USD) and buy buttons (Inquire now, Min. Order) are an offer; procurement-result;
    # on a public body's page the seller's words do not keep a claim from no-offer; a viewer's line (弹幕：) is
    # user content.
    # 7: self-introduction (公司简介) beats a job board's no-offer; own-standards heading; 是一家 is no count.
    # 6: 的标注/提法 after the words talks about them; complaints. 5: denials with 从不/从未/并未…
)

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
    # Export offers in English (US $3.80, USD 8.50, US$ 3.50-4.20 / Piece, 3.80 USD): a currency beside an
    # amount, never a sum of millions or billions (news: "USD 2.5 billion"); the amount is read whole first.
    r"|(?:\bUS\s?[$＄]|\bUSD|\bEUR|€|\bGBP|£|(?<![A-Za-z])[$＄])\s*(?>\d[\d,]*(?:\.\d+)?)"
    r"(?!\s*(?:billion|million|trillion|thousand|bn|mn|[mkb]n?)\b)"
    r"|(?>\d[\d,]*(?:\.\d+)?)\s*(?:USD|US\s?[$＄])(?!\s*(?:billion|million|trillion|thousand|bn|mn)\b)"
)
# Literal pieces every price holds (the pre-test before the price regex runs).
_PRICE_HINTS = ("¥", "￥", "价", "價", "$", "＄", "USD", "EUR", "€", "GBP", "£")
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
        r"本报讯|本報訊|本报记者|本報記者|记者[^。]{0,10}(?:报道|獲悉|获悉|了解到|采访|走访|走訪|发现|發現|调查|調查|注意到|看到)|記者[^。]{0,10}報道|新华社|新華社|中新网|中新網",
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
        "job-advert-en",
        {"discussion": 4},
        # Anchored labels only a job advert carries (a heading, or a label before its colon). Not Requirements or
        # Qualifications alone: a supplier's profile lists its qualifications and order requirements.
        r"^\s*(?:job\s+(?:description|responsibilities|requirements|duties|type|title)|key\s+responsibilities"
        r"|salary(?:\s+range)?|employment\s+type|work(?:ing)?\s+location)\s*(?::|$)",
        "an English job advert (Job Description, Key Responsibilities, Salary: …), as job-advert in Chinese: it may name"
        " the words but offers no product",
        hints=(
            "Job ",
            "job ",
            "JOB ",
            "esponsibilit",
            "ESPONSIBILIT",
            "alary",
            "ALARY",
            "mployment",
            "MPLOYMENT",
            "ocation",
            "OCATION",
        ),
        flags=re.I,
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
        "enforcement",
        {"discussion": 4},
        r"决定书文号|決定書文號|处罚决定书|處罰決定書|行政处罚决定|行政處罰決定|违法行为类型|違法行為類型|处罚内容|處罰內容"
        r"|处罚依据|處罰依據|决定机关|決定機關|处罚机关|處罰機關|处罚结果|處罰結果|案件名称|案件名稱",
        "an enforcement record (决定书文号, 违法行为类型, 处罚内容): it quotes what a seller wrote in order to sanction it",
        hints=("决定", "決定", "处罚", "處罰", "违法", "違法", "案件"),
    ),
    _s(
        "tender",
        {"discussion": 3},
        r"招标公告|招標公告|投标人|投標人|采购需求|採購需求|预算金额|預算金額|最高限价|最高限價|开标时间|開標時間|中标公告|中標公告"
        r"|采购人|採購人|招标文件|招標文件|采购项目|採購項目|招标编号|招標編號|采购编号|採購編號",
        "a tender or procurement notice (投标人, 采购需求, 预算金额): the buyer states requirements, nobody offers",
        hints=(
            "招标",
            "招標",
            "投标",
            "投標",
            "采购",
            "採購",
            "预算",
            "預算",
            "限价",
            "限價",
            "开标",
            "開標",
            "中标",
            "中標",
        ),
    ),
    _s(
        "buying-request",
        {"discussion": 6},
        r"求购\s*[:：]|求購\s*[:：]|求购数量|求購數量|采购数量|採購數量|采购要求|採購要求|采购商\s*[:：]|採購商\s*[:：]"
        r"|立即报价|立即報價|我要报价|我要報價|报价截止|報價截止|\bBuying Requests?\b|\bQuantity Required\b|\bQuote Now\b"
        r"|\bRequest for Quotations?\b|\bSourcing Requests?\b",
        "a buyer's request for quotation (求购：, 采购要求, 立即报价; Buying Request, Quote Now): the buyer states what it"
        " wants and suppliers answer; nobody offers a product here. Two distinct pieces are needed: a marketplace's"
        " 发布求购 link alone is its furniture",
        hints=(
            "求购",
            "求購",
            "采购",
            "採購",
            "报价",
            "報價",
            "Buying Request",
            "Quantity Required",
            "Quote Now",
            "Request for Quotation",
            "Sourcing Request",
        ),
        min_distinct=2,
    ),
    _s(
        "procurement-result",
        {"discussion": 4},
        r"成交供应商|成交供應商|中标供应商|中標供應商|成交单位|成交單位|中标单位|中標單位|成交金额|成交金額|中标金额|中標金額"
        r"|成交结果|成交結果|中标结果|中標結果|成交公告",
        "a procurement result (成交供应商, 中标金额, 成交结果公告): the buyer reports whom it bought from and which goods;"
        " the supplier offers nothing on this page, and its goods' 执行标准 row is quoted",
        hints=("成交", "中标", "中標"),
    ),
    _s(
        "academic",
        {"discussion": 3},
        r"^\s*(?:摘\s*要|关键词|關鍵詞|关键字|基金资助|基金項目|基金项目|中图分类号|中圖分類號|作者单位|作者單位|参考文献|參考文獻|DOI)\s*[:：]"
        r"|^\s*(?:Abstract|Keywords|References)\s*:",
        "a paper's abstract page (摘要：, 关键词：, DOI：): research about the scheme; its price sells the paper",
        hints=(
            "摘",
            "关键",
            "關鍵",
            "基金",
            "分类号",
            "分類號",
            "作者单位",
            "作者單位",
            "参考文献",
            "參考文獻",
            "DOI",
            "Abstract",
            "Keywords",
            "References",
        ),
    ),
    _s(
        "press-release",
        {"organisation": 3},
        r"/\s*[A-Z][A-Za-z ]{0,30}(?:Newswire|Wire)\s*/\s*--|^\s*SOURCE\s+[A-Z]|^\s*Media contacts?\s*:|新闻稿|新聞稿",
        "a press release (CITY, date /PRNewswire/ --, SOURCE Company, 新闻稿): an organisation speaks for itself, wherever"
        " the wire posts it",
        hints=("Newswire", "Wire", "SOURCE", "Media contact", "新闻稿", "新聞稿"),
    ),
    _s(
        "q-and-a",
        {"discussion": 3},
        r"^\s*(?:问|問|答|提问|提問)\s*[:：]|最佳答案|问题描述|问题补充|回答者|网友回答|網友回答|\d+\s*个回答"
        r"|被浏览\s*[\d,]|被瀏覽\s*[\d,]|关注者\s*[\d,]|關注者\s*[\d,]|赞同\s*\d|贊同\s*\d|编辑于\s*(?:19|20)\d\d",
        "a question-and-answer page about the scheme (问：… 答：…; a Q&A site's 关注者, 被浏览, 赞同, 编辑于)",
        hints=(
            "问",
            "問",
            "答",
            "提问",
            "回答",
            "浏览",
            "瀏覽",
            "关注者",
            "關注者",
            "赞同",
            "贊同",
            "编辑于",
        ),
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
        "a price: the page offers something for sale (¥59, 价格：59; in English US $3.80, USD 8.50)",
        hints=_PRICE_HINTS,
    ),
    _s(
        "cart",
        {"product": 3},
        r"加入购物车|加入購物車|立即购买|立即購買|立即订购|立即下单|马上抢|加入采购单|立即询价|在线订购|在线询价|购买数量|"
        r"add to cart|buy now|inquire now|send (?:an )?inquir(?:y|ies)|add to inquiry|contact (?:the )?supplier"
        r"|get latest price|start order",
        "a cart or buy button: the page sells a product (an export marketplace's Inquire now, Send Inquiry,"
        " Contact Supplier are its buy buttons)",
        hints=(
            "购",
            "購",
            "订购",
            "下单",
            "马上抢",
            "询价",
            "dd to cart",
            "uy now",
            "nquir",
            "NQUIR",
            "upplier",
            "UPPLIER",
            "atest price",
            "tart order",
        ),
        flags=re.I,
    ),
    _s(
        "sales",
        {"product": 2},
        r"月销|月銷|累计评价|累計評價|已售\s*\d|库存\s*\d|起批|起订|运费|運費|包邮|包郵|七天无理由|7天无理由|售后保障"
        r"|\bMin(?:imum|\.)?\s*Order(?:\s*Quantity)?\s*:|\bMOQ\b",
        "sales furniture (月销, 库存, 起批, 包邮; Min. Order, MOQ on export marketplaces): a listing",
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
            "Min",
            "MOQ",
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
# The same name written before the notice (宁波某某有限公司 版权所有 浙ICP备…), as many company sites' footers do.
SITE_OWNER_BEFORE = re.compile(
    rf"(?P<owner>[{_CJK}（）()]{{2,40}}?(?:股份有限公司|有限责任公司|有限公司|集团|集團|协会|協會|学会|學會|研究院"
    r"|研究所|中心|联合会|聯合會|商会|商會|联盟|聯盟|委员会|委員會|管理局|人民政府|办公厅|辦公廳))"
    r"\s*(?:©\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?\s*)?(?:版权所有|版權所有|all rights reserved)",
    re.I,
)
# An English footer's owner (© 2024 Hangzhou X Co., Ltd. All rights reserved.): a name ending in a company form. A
# marketplace's footer names the marketplace (Focus Technology Co., Ltd. on a supplier's profile), so the name is
# the page's owner only when it shares a word with the page's title or host (classify._owners).
_ENGLISH_COMPANY = (
    r"[A-Z][A-Za-z0-9&'.\- ]{1,60}?\s(?:Co\.,?\s*Ltd\.?|Co\.,?\s*Limited|Company Limited|Limited|Ltd\.?"
    r"|Inc\.|Inc\b|LLC|Corporation|Corp\.)(?:\s*\([A-Za-z ]{1,20}\))?"
)
SITE_OWNER_EN = re.compile(
    r"(?:copyright|©)\s*(?:©\s*)?(?:\d{4}\s*(?:[-–]\s*\d{4})?\s*)?(?:by\s+)?"
    rf"(?P<owner>{_ENGLISH_COMPANY})",
)
# An English company name in a sentence (Ningbo X Baby Products Co., Ltd. makes…): who speaks in an English company
# profile whose page's heading names the vacancy, not the company.
ENGLISH_COMPANY = re.compile(rf"(?P<name>{_ENGLISH_COMPANY})")
SITE_OWNER_HINTS = ("版权", "版權", "opyright", "OPYRIGHT", "©", "主办", "主辦")
# Where a breadcrumb trail starts (当前位置：首页 > 新闻中心 > …): the trail is the rest of its container.
CRUMB_LABEL = re.compile(
    r"^\s*(?:当前位置|當前位置|您的位置|您现在的位置|您所在的位置|所在位置|现在位置)\s*(?:[:：]|$)"
)
CRUMB_HINTS = ("位置",)
# Regulators and public bodies: a page they own or a sentence they are the subject of is about the scheme.
REGULATOR = re.compile(
    r"市场监督管理局|市場監督管理局|市场监管局|市場監管局|市场监管部门|人民政府|办公厅|辦公廳|标准化研究院|標準化研究院"
    # The city's and the national standardisation associations run the scheme's work; any other association that
    # publishes group standards may hold a designation (演示标准化协会：本会团体标准…是“上海标准”): no regulator.
    r"|上海市标准化协会|上海標準化協會|上海市標準化協會|上海标准化协会|中国标准化协会|中國標準化協會"
    r"|标准化管理委员会|国家标准委|委员会$|管理局$"
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
        r"|公司荣誉|資質榮譽|资质荣誉|about us|^\s*honou?rs\b",
        "an about page (关于我们, 公司简介, 荣誉资质): an organisation presents itself",
        flags=re.I,
    ),
    _s(
        "own-standards",
        {"organisation": 4},
        r"(?:本会|本會|我会|我會|本协会|本協會|本学会|本學會|本联盟|本聯盟|本联合会|本促进会|本促進會"
        r"|本公司|我公司|我司|本企业|本企業|本集团|本集團)"
        r"(?:(?:已|已经|已經)?(?:发布|發布|制定|制修订)的?)?(?:团体|團體|企业|企業)?(?:标准|標準)"
        r"(?:目录|目錄|清单|清單|列表|一览|一覽|汇总|匯總|$)",
        "the page lists an organisation's own standards (本会已发布团体标准, 本会团体标准目录, 我司企业标准清单): what it"
        " marks 上海标准 there it says of its own standard; a platform's list of everyone's standards is not in the"
        " first person, and a news headline (我会两项团体标准入选…) is no list",
    ),
    _s(
        "agency-page",
        {"discussion": 3},
        r"代办|代辦|代理申报|代理申報|申报辅导|申報輔導|认证咨询|認證諮詢|申报咨询|申報諮詢|咨询服务|諮詢服務|辅导服务|輔導服務"
        r"|客户案例|客戶案例|服务案例|服務案例|辅导案例|輔導案例",
        "an agency's page about the scheme (认证代办, 申报辅导, 认证咨询, 客户案例): it sells help with applying, not a"
        " product that implements a designated standard",
    ),
    _s(
        "training-page",
        {"discussion": 3},
        r"培训|培訓|课程|課程|讲座|講座|研修|训练营|訓練營|公开课|公開課|内训|內訓|讲师|講師"
        r"|\btraining\b|\bcourses?\b|\bworkshops?\b|\bseminars?\b|\bwebinars?\b",
        "a training page (培训, 课程大纲, 讲座; workshop): it teaches how the scheme and its words work",
        flags=re.I,
    ),
    _s(
        "usage-guide",
        {"discussion": 3},
        r"(?:标识|標識|标志|標誌|标记|標記)的?使用|\blogo (?:guide|usage|rules)|\bbrand guidelines?\b"
        r"|\busing the mark\b|\bmark usage\b|\busage of the mark\b",
        "a guide to using the mark (标识使用指引, 标识使用规范; logo guide, using the mark): rules about the words, not"
        " a use of them; a product page's 使用指南 is about the product, so the mark must be named",
        flags=re.I,
    ),
    _s(
        "print-supplier",
        {"discussion": 1},
        r"印刷|印務|印务|印制|印製|彩盒|不干胶|不乾膠|标签定制|標籤定制|包装定制|包裝定制|纸箱|紙箱|吊牌定制"
        r"|\bprinting\b",
        "a printing or packaging supplier's page (不干胶标签印刷, 彩盒定制): labels it shows may be its clients';"
        " alone it decides little (a seller may print logos on request), beside a sample it makes printed-sample",
        flags=re.I,
    ),
    _s(
        "product-section",
        {"product": 2},
        r"产品中心|產品中心|产品展示|產品展示|产品介绍|產品介紹|产品详情|產品詳情|商品详情|商品詳情|所有分类|全部商品|产品列表",
        "a product section of a site (产品中心, 商品详情)",
    ),
    _s(
        "complaint",
        {"discussion": 4},
        r"投诉对象|投訴對象|投诉要求|投訴要求|投诉进度|投訴進度|投诉编号|投訴編號|涉诉金额|涉訴金額|被投诉|被投訴|投诉平台|投訴平台"
        r"|^\s*投诉[:：]|^\s*投訴[:：]",
        "a complaint (投诉对象, 涉诉金额, 投诉：…): a buyer reports what a shop wrote, the shop claims on its own page",
    ),
    _s(
        "consumer-advice",
        {"discussion": 3},
        r"消费提示|消費提示|消费警示|消費警示|消费者权益|消費者權益|消保委|消委会|消委會|12315|维权|維權",
        "consumer advice (消费提示, 12315): explains how to read the words, claims nothing",
    ),
    _s(
        "shopping-guide",
        {"discussion": 3},
        r"(?:实测|實測|横评|橫評|对比|對比)\s*\d+\s*款|\d+\s*款[^，,]{0,8}(?:对比|對比|横评|橫評|推荐|推薦|测评|測評)|选购指南|選購指南"
        r"|怎么选|怎麼選|如何选|如何選|哪款好|哪个牌子好|哪個牌子好|值得买吗|值得買嗎",
        "a shopping guide or comparison (实测8款, 怎么选, 选购指南): a writer reports what listings say, the sellers claim"
        " on their own pages",
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
    "scholarly-meta": (
        {"discussion": 4},
        "scholarly metadata (<meta name=citation_title/citation_author>): a paper about the scheme",
    ),
    "question-title": (
        {"discussion": 3},
        "the page's <title> or h1 asks a question (…是什么意思？, 如何…): a Q&A or advice page; an item's title never asks",
    ),
    "agency-site": (
        {"discussion": 2},
        "the site's owner or the site name in its <title> is a consultancy or agency (咨询, 顾问): organisations it"
        " names are its clients",
    ),
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
        r"(?:执行|執行|符合|采用|採用|依据|依據|按照|遵循|达到|達到)[^。]{0,16}(?:标准|標準|(?<![A-Za-z])[A-Z]{1,4}/)"
        r"|按[^。]{0,20}生产|按[^。]{0,20}生產"
        r"|\b(?:complies with|conforms to|manufactured (?:to|according to))\b",
        "a product made to, or meeting, a standard (执行…标准, 符合…标准, 执行T/…: a code's letters follow a Chinese"
        " character with no word boundary between them)",
        flags=re.I,
    ),
    _s(
        "first-person-designation",
        {"organisation": 6},
        rf"(?:{_FIRST_PERSON})[^。“”\"「」:：?？]{{0,40}}(?:{_DESIGNATED}|{_DRAFTED})"
        rf"|(?:{_DESIGNATED}|{_DRAFTED})[^。“”\"「」:：?？]{{0,12}}(?:{_FIRST_PERSON})",
        "an organisation announces its own standard's designation (我公司主导制定的…获评上海标准); not across a"
        " colon or a question, which introduce someone else's words (客户问我们：…入选了上海标准？)",
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
        "own-products-certified",
        {"product": 8},
        # Not a standard between the products and the words (公司产品执行的团体标准获评…: the standard's designation).
        rf"(?:{_FIRST_PERSON}|公司|本厂|本廠)的?[^。，,；;“”\"「」]{{0,6}}?(?:产品|產品|商品)(?:(?!标准|標準)[^。；;，,]){{0,16}}"
        r"上海(?:标准|標準)[”\"」』]?\s*(?:认证|認證|等?(?:荣誉|榮譽|奖项|獎項|称号|稱號))"
        # In English: Our products are certified to Shanghai Standard, …are Shanghai Standard certified.
        r"|\b(?:our|its)\s+(?:products?|goods)\b(?:(?!standard)[^.;]){0,40}"
        r"(?:\b(?:certified|certification|awarded|honou?red)\b[^.;]{0,12}Shanghai Standard"
        r"|Shanghai Standard[”\"']?\s+(?:certified|certification|certificate|award|honou?r))",
        "an organisation says its own products are 上海标准认证 or hold it as an honour (我司产品通过上海标准认证, 公司产品获得"
        "…上海标准等荣誉, our products are certified to Shanghai Standard): a product certification or award claimed for the"
        " goods it sells, not the announcement of a designated standard, on whatever page it sits",
        flags=re.I,
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
        r"首批|第[一二三四五六七八九十\d]+批|累计|累計|共有|共计|共計|截至|截止|已有|新增"
        r"|(?<![是为為])(?:\d+|[一二两三四五六七八九十百几多数]+)\s*(?:项|項|个|個|家)",
        "counting designations (首批, 第二批, 31项, 累计): a report on the scheme; 是一家…企业 (is a company) counts"
        " nothing",
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
        "reported-label",
        {"discussion": 4},
        r"(?:详情页|詳情頁|商品页|商品頁|产品页|產品頁|页面上|頁面上|网页上|網頁上|网店|網店|店铺|店鋪|包装上|包裝上|标签上|標籤上"
        r"|吊牌上|说明书上|說明書上|宣传页|宣傳頁|广告|廣告|商品上|产品上|產品上|规格表|規格表|参数表|參數表|铭牌|銘牌)[^。]{0,12}"
        r"(?:标注|標註|标明|標明|注明|註明|写着|寫著|写有|寫有|写的|寫的|写了|寫了|标的|標的|标着|標著|印有|印着|印著|出现|出現"
        r"|宣称|宣稱|声称|聲稱)",
        "a page or label is the object (详情页标注“…”, 商品上写着…, 包装上印有…): someone reports what a seller wrote;"
        " a seller writing its own page does not describe it that way",
    ),
    _s(
        "requirement",
        {"discussion": 3},
        r"(?:应当|應當|应|應|须|須|必须|必須|需要|需|要求|不得)[^。，,；;]{0,4}"
        r"(?:符合|执行|執行|满足|滿足|达到|達到|采用|採用|提供|使用)",
        "a requirement set by a buyer or a rule (应符合…, 须提供…, 不得使用…): it asks, it does not claim",
    ),
    _s(
        "enforcement-words",
        {"discussion": 3},
        r"当事人|當事人|责令|責令|罚款|罰款|处罚|處罰|违法|違法|违反|違反|查处|查處|立案|涉嫌|整改|下架|执法|執法|经查|經查|涉案",
        "enforcement wording (当事人, 责令, 罚款, 违反…规定, 整改): a sanction or a warning about claims, not a claim",
    ),
    _s(
        "advice",
        {"discussion": 2},
        r"如果|假如|若是|建议|建議|提醒|留意|注意|当心|當心|小心|谨防|謹防|别被|別被|投诉|投訴|举报|舉報|核对|核對|留个心眼|留個心眼",
        "advice and conditions (如果…, 建议, 提醒, 核对, 投诉): a text telling readers how to judge claims",
    ),
    _s(
        "offer",
        {"product": 3},
        r"欢迎(?:新老)?(?:客户|客戶|朋友|各界)?(?:来电|來電)?(?:垂询|垂詢|订购|訂購|咨询|諮詢|选购|選購|采购|採購|洽谈|洽談)"
        r"|订购热线|訂購熱線|销售热线|銷售熱線|量大从优|量大從優|现货供应|現貨供應|接受定制|支持定制",
        "the sentence offers the product (欢迎垂询订购, 订购热线, 量大从优): a seller's promotion, wherever it is posted",
    ),
    _s(
        "agency-service",
        {"discussion": 6},
        r"代办|代辦|代理申报|代理申報|申报辅导|申報輔導|认证咨询|認證諮詢|申报咨询|申報諮詢|咨询服务|諮詢服務|辅导服务|輔導服務"
        r"|通过率|通過率|包过|包過|包通过|包通過|代写|代寫"
        r"|(?:在|经|經|通过|通過)(?:我司|我们|我們|本公司|我公司|本机构|本機構)[^。，,]{0,6}"
        r"(?:辅导|輔導|协助|協助|帮助|幫助|指导|指導|服务|服務)",
        "a service about the scheme (上海标准认证代办, 认证咨询, 申报辅导, 包过; 在我司辅导下 a client…): the agency sells"
        " help with applying and reports its clients' results; it announces no designation of its own and no"
        " product of its is certified (the designation and certification signals of the sentence are dropped)",
    ),
    _s(
        "buyer-demand",
        {"discussion": 4},
        r"求购|求購|采购要求|採購要求|采购需求|採購需求|(?:要求|需|须|須|必须|必須)供应商(?:提供|具备|具備)"
        r"|供应商(?:需|须|須|必须|必須|应|應)(?:提供|具备|具備)"
        r"|\b(?:requirements?|required)\s*:|\bmust (?:comply|conform|meet)\b|\bsuppliers? (?:must|shall|should)\b",
        "a buyer's demand (求购, 采购要求：产品须执行…, 供应商需提供; Requirements: products must comply with…): it asks"
        " for goods to a standard, it claims nothing",
        flags=re.I,
    ),
    _s(
        "guide-conditional",
        {"discussion": 3},
        r"获评后|獲評後|入选后|入選後|评上后|評上後|(?:可|可以|方可|才能|才可|不得|不能|禁止)在[^。，,]{0,16}"
        r"(?:使用|标注|標註|加注|印制|印製)"
        r"|\b(?:may|can|must|shall|should)\s+(?:not\s+)?(?:print|use|display|add|apply|affix)\b[^.]{0,40}"
        r"\b(?:mark|logo|words)\b"
        r"|\b(?:mark|logo|words)\b[^.]{0,20}\b(?:may|can|must|shall|should)\s+(?:not\s+)?be\s+"
        r"(?:printed|used|displayed|added|applied|affixed)\b",
        "what may be done once designated (获评后可在标准文本上使用…, holders may print the mark…): a rule or a guide,"
        " no one's use",
        flags=re.I,
    ),
    _s(
        "usage-rules",
        {"discussion": 3},
        r"(?:标识|標識|标志|標誌|标记|標記)的?使用(?:规范|規範|规则|規則|指引|指南|办法|辦法|说明|說明|要求)",
        "the rules for using the mark (上海标准标识使用规范): a course topic or a rule's name, not a use",
    ),
    _s(
        "question",
        {"discussion": 2},
        r"[?？]|吗|嗎|什么是|什麼是|怎么|怎麼|如何|怎样|怎樣|能否|可否|是否",
        "a question about the scheme (什么是, 如何申报, 吗？)",
    ),
    _s(
        "yes-no-question-en",
        {"discussion": 2},
        r"^\s*(?:Q\s*[:：.]\s*|Question\s*[:：]\s*)?(?:is|are|was|were|does|do|did|has|have|can|could|will)\s+"
        r"(?:this|it|the|these|that|those|your|its|my)\b",
        "an English yes/no question opening the sentence (Is this flask a Shanghai Standard product?): asked, not"
        " claimed, as 吗 marks a Chinese one",
        flags=re.I,
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
        "english-enforcement",
        {"discussion": 3},
        r"\b(?:misus(?:e|es|ed|ing)|investigat(?:e|es|ed|ing|ion)|penalt(?:y|ies)|penali[sz]ed|fined|punish(?:ed|es|ment)?"
        r"|crack(?:s|ed|ing)? down|illegal(?:ly)?|unlawful(?:ly)?|false(?:ly)? claim(?:s|ed|ing)?|violat(?:e|es|ed|ing|ion)s?"
        r"|warned|warns|rectif(?:y|ied|ication))\b",
        "English enforcement wording (misusing, investigated, penalties, warned): a warning about claims, not a claim"
        " (enforcement-words in English)",
        flags=re.I,
    ),
    _s(
        "designation-ended",
        {"discussion": 6},
        # The verb right after the words' status (“上海标准”资格撤销), or after 已/被/予以 (上海标准称号已被收回): an
        # order cancelled (上海标准产品不支持取消订单, 撤销订单请联系客服) is neither.
        r"(?:上海标准|上海標準)[”\"」』’']?\s*(?:的?(?:资格|資格|称号|稱號|标识|標識|认定|認定|评价结果|評價結果)"
        r"[^。；;，,!！?？]{0,16}?|[^。；;，,!！?？]{0,16}?(?:已|已经|已經|被|遭|予以|依法)[^。；;，,!！?？]{0,12}?)"
        r"(?:撤销|撤銷|取消|注销|註銷|收回|终止|終止)"
        r"|(?:撤销|撤銷|取消|注销|註銷|收回)了?[^。；;，,!！?？]{0,30}?(?:上海标准|上海標準)[”\"」』’']?\s*的?"
        r"(?:资格|資格|称号|稱號|标识|標識|认定|認定)"
        r"|Shanghai Standard[^.;]{0,60}?\b(?:was|were|has been|had been|have been)\s+(?:revoked|withdrawn|cancell?ed)\b"
        r"|\b(?:revoked|withdrew|withdrawn|cancell?ed)\b[^.;]{0,30}?Shanghai Standard\s+(?:designation|status|label)",
        "the designation is reported as ended (“上海标准”资格已于…撤销, 称号已被收回, the designation was revoked): the"
        " re-review's result (domain.md §3), no designation claimed, whatever the page is",
        flags=re.I,
    ),
    _s(
        "english-announcement",
        {"organisation": 4},
        r"\b(?:announced|announces)\b[^.]{0,30}\bthat (?:its|their)\b[^.]{0,120}\b(?:designated|selected|recognised|recognized)\b",
        "a press release's third-person voice (X announced today that its standard … has been designated)",
        flags=re.I,
    ),
    _s(
        "english-organisation",
        {"organisation": 6},
        r"\b(?:our|we)\b[^.]{0,90}\b(?:drafted|led|developed|designated|awarded|selected)\b|\bwe are proud\b",
        "an English announcement of one's own standard (our standard … was designated; the code and the product"
        " between them take up to 90 characters)",
        flags=re.I,
    ),
)

# Right after the occurrence: the words name the scheme as a thing (the policy), not a product's claim.
AFTER_SIGNALS: tuple[Signal, ...] = (
    _s(
        "designated-class",
        {"discussion": 4},
        r"^[”\"」』’']?\s*的\s*(?:企业|企業|单位|單位|产品|產品|项目|項目|标准|標準)(?:和|与|與|及|、|们|們)",
        "the words qualify a class in a list (展示获评上海标准的企业和产品, 上海标准的企业与产品): those designated"
        " as a group, reported or shown, not one organisation's announcement or one product's claim",
    ),
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
        "section-name",
        {"discussion": 4},
        r"^[”\"」』’']?\s*(?:专区|專區|频道|頻道|栏目|欄目|专栏|專欄|板块|版块|板塊|导航|導航|入口|\bzone\b|\bchannel\b)",
        "the words name a part of a site (上海标准专区, 上海标准频道): a menu or section title, nothing said of a product",
        flags=re.I,
    ),
    _s(
        "unrelated",
        {"discussion": 6},
        r"^[”\"」』’']?\s*(?:毫无关系|毫無關係|毫无关联|毫無關聯|无关|無關|没有关系|沒有關係|没关系|沒關係|不沾边|不沾邊|扯不上)",
        "the words are said to have nothing to do with the thing (与上海标准毫无关系): a denial, not a claim",
    ),
    _s(
        "pending-status",
        {"discussion": 6},
        # Closing quotes or brackets may come first (T/…（上海标准）（申报中）), and the scheme's own nouns between
        # (上海标准评价已提交申请); an application that went through (已申报并获评, 已提交申请并通过) is none.
        r"^[”\"」』’')）\]】]*\s*[(（\[【,，]?\s*(?:评价|評價|称号|稱號|标识|標識)?\s*"
        r"(?:(?:申报|申報|申请|申請|评审|評審|审核|審核|审批|審批)(?:中|进行中|進行中|阶段|階段)|待评审|待評審|公示中|待公示"
        r"|(?:正在|尚在|仍在|还在|還在)(?:申报|申報|申请|申請|评审|評審|审核|審核|参评|參評)"
        r"|(?:已|已经|已經)?(?:提交|递交|遞交)(?:了)?(?:申报|申報|申请|申請)(?![^。；;]{0,8}(?:获|獲|通过|通過|入选|入選))"
        r"|\(?(?:application\s+(?:pending|in\b|under\b)|pending\b|under\s+review\b))",
        "an application in progress written after the words (上海标准（申报中）, 上海标准正在申报中, 上海标准评价已提交申请,"
        " Shanghai Standard application in progress): not designated (yet), as pending",
        flags=re.I,
    ),
    _s(
        "drafter-of",
        # Outweighs a product page as a whole and the card the words sit in (8 + 3): the words themselves say whom
        # they are about.
        {"organisation": 14},
        r"^[”\"」』’']?\s*的?(?:主导|主導|牵头|牽頭|参与|參與)?(?:起草|制定|编制|編制|主编|主編|参编|參編|研制)"
        r"(?:单位|單位|企业|企業|方|人)",
        "the words qualify who drafted a designated standard (上海标准起草单位, 店铺资质：上海标准起草单位): an organisation"
        " presenting itself, not a product's claim; with no code it names no standard to judge",
    ),
    _s(
        "value-denied",
        {"discussion": 8},
        r"^[”\"」』’']?\s*[:：]\s*(?:否|无|無|不是|非|没有|沒有|暂无|暫無|no|none|n/?a|×|✗|✘)\s*[。.]?\s*$",
        "the words label a value that says no, written in one text (是否上海标准：否, Shanghai Standard: No)",
        flags=re.I,
    ),
    _s(
        "pool",
        {"discussion": 6},
        r"^[”\"」』’']?\s*的?(?:培育池|培育庫|培育库|培育名单|培育名單|培育项目|培育項目|培育对象|培育對象|储备库|儲備庫|候选|候選)",
        "the cultivation pool (入选“上海标准”培育池): a candidate, not a designation (2023 Opinions part 5); a truthful"
        " pool entry claims no designation",
    ),
    _s(
        "the-words",
        {"discussion": 4},
        r"^[^”\"」』’'，。,；;:：!?！？]{0,6}[”\"」』’']?\s*的?(?:字样|字樣|字眼|表述|说法|說法|一词|一詞|二字|四个字|四個字"
        r"|标注|標註|标示|標示|提法|用语|用語|wording|words?\b)",
        "the text talks about the words themselves (加注“上海标准”字样, 看到“上海标准认证”字样, 关于上海标准的说法): guidance,"
        " not a claim",
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
        "defined",
        {"discussion": 8},
        r"^[”\"」』’']?\s*(?:是指|指的是|是对|是對|是一项|是一項|是一种|是一種|是由"
        # The after-window is 16 characters: " is an evaluatio" holds the word's stem only.
        r"|\s+(?:is|was)\s+(?:an?|the)\s+(?:evaluat|designat|scheme|program|rating|label|system)"
        r"|\s+refers?\s+to\b|\s+means\b)",
        "the words are defined (上海标准是对标准的评价, 上海标准是指…, the Shanghai Standard is an evaluation of…, refers"
        " to): the scheme explained, on whatever page; a seller's product is said to BE one (本品是上海标准产品), never"
        " the words to be an evaluation",
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
        "about-writing",
        {"discussion": 4},
        r"(?:写成|寫成|写为|寫為|只写|只寫|写着|寫著|写有|寫有|写的是|寫的是|写上|寫上|标成|標成|标为|標為|标注为|標註為"
        r"|表述为|表述為|说成|說成|宣传为|宣傳為|宣传成|宣傳成|冒充|谎称|謊稱|自称|自稱)[^。,，]{0,6}[“\"「『‘]?$"
        # 标注“上海标准认证”: marking with the words opened in quotes is what someone wrote, reported.
        r"|(?:标注|標註|标有|標有)\s*[“\"「『‘]$",
        "the words are what someone wrote or called something (写成“…”, 只写“…”, 宣传为…, 标注“…”): a text about"
        " wording",
    ),
    _s(
        "negated",
        {"discussion": 6},
        r"(?:未|没有|沒有|没|沒|并非|並非|并不是|並不是|暂未|暫未|尚未|不是|不属于|不屬於|非|无|無|从未|從未|从不|從不"
        r"|并未|並未|不曾|未曾|绝不|絕不)"
        r"(?:标注|標註|标明|標明|使用|获得|獲得|获评|獲評|入选|入選|写|寫|加注|执行|執行|申请|申請|申报|申報|属于|屬於|是"
        r"|通过|通過|取得|宣传|宣傳|声称|聲稱|标榜|標榜)?(?:过|過)?(?:任何|任何的)?"
        r"\s*[“\"「『‘]?$",
        "the words are denied right before them (未标注上海标准, 不是上海标准, 并非上海标准): whatever the page is, this"
        " occurrence claims nothing",
    ),
    _s(
        "others-claim",
        {"discussion": 8},
        r"(?:竞品|競品|竞争对手|競爭對手|同行|别家|別家|别人|別人|他人|其他|其它|某些|部分|一些|有些|个别|個別|不良|不法|无良|無良"
        r"|市面上)[^。，,；;“”\"「」]{0,12}(?:宣称|宣稱|自称|自稱|号称|號稱|声称|聲稱|标榜|標榜|冒称|冒稱|吹嘘|打着|打著)"
        r"[^。，,；;]{0,6}[“\"「『‘]?$"
        r"|\b(?:other|some|many|rival|competing)\s+(?:brands?|sellers?|suppliers?|vendors?|manufacturers?|factories"
        r"|products?|shops?|stores?)\b[^.,;:]{0,30}\b(?:claims?|claiming|claimed|advertis\w*|boasts?|boasting"
        r"|says?|saying)\b[^.,;:]{0,20}$"
        r"|\bcompetitors?\b[^.,;:]{0,30}\b(?:claims?|claiming|claimed|advertis\w*|boasts?|says?)\b[^.,;:]{0,20}$",
        "someone else's claim, reported by the page (与某些宣称“上海标准认证”的竞品不同, 竞品自称上海标准产品, unlike other"
        " brands that claim…): a seller setting itself apart quotes a competitor; its own claim is elsewhere",
        flags=re.I,
    ),
    _s(
        "pending",
        {"discussion": 6},
        r"(?:正在|正|拟|擬|准备|準備|计划|計劃|即将|即將|已|已经|已經)(?:申报|申報|申请|申請|参评|參評|参加|參加|提交)了?"
        r"[^。，,；;获獲评評选選通成]{0,4}[“\"「『‘]?$",
        "an application in progress (正在申报上海标准, 已申请上海标准评价): the standard is not designated (yet), as a"
        " cultivation-pool entry is not; no designation is claimed (已申报并获评/入选/通过… is a designation)",
    ),
    _s(
        "negated-en",
        {"discussion": 6},
        r"\b(?:is|are|was|were|be|been|has|have|had)\s+(?:not|never|no\s+longer)\s+"
        r"(?:(?:a|an|the|yet|been|labell?ed|called|rated|designated|listed|certified|marked|passed|as)\s+){0,3}$"
        r"|\b(?:isn't|aren't|wasn't|weren't|hasn't|haven't)\s+(?:(?:a|an|the|yet|been|labell?ed|called|rated"
        r"|designated|listed|certified|marked|passed|as)\s+){0,3}$"
        r"|\bnon-$",
        "the words denied in English (this product is not a Shanghai Standard product, isn't labelled as, has not"
        " passed the Shanghai Standard evaluation): a denial"
        " (negated), not a claim; 'not only a' is no denial",
        flags=re.I,
    ),
    _s(
        "question-en",
        {"discussion": 3},
        r"\b(?:what|how|why)(?:'s|\s+is|\s+are|\s+does|\s+do)\s+(?:an?\s+|the\s+)?[“\"']?$",
        "an English question about the scheme (What is the Shanghai Standard?), as 什么是上海标准 (scheme-verb)",
        flags=re.I,
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
    "row-denied": (
        {"discussion": 8},
        "the words name a parameter row whose value says no (是否上海标准：否, 上海标准 | 无, Shanghai Standard: No): the"
        " seller states the product is not one, as 不是上海标准 does",
    ),
    "column-name": (
        {"product": 1},
        "the words name a column of a table of records (是否上海标准 | 是/否, 上海标准 | ✓): what they say of each row is"
        " in that row's cell, so a claim made of them is never sure (use_confidence review)",
    ),
    "news-box": (
        {"discussion": 6},
        "on a page that offers a product, the words sit in a box of news (titled 行业新闻/最新资讯/News, or named"
        " news/xinwen/zixun): a report of the scheme or of someone else's standard beside the goods; without the"
        " seller's voice there (本品, 本店) or a 执行标准 row it is decisive",
    ),
    "related-list": (
        {"discussion": 5},
        "the words sit in a list headed 相关资讯/热点新闻/推荐阅读: headlines of other pages, not this page's claim",
    ),
    "affirmed": (
        {"product": 8},
        "the occurrence's question about the words is answered yes by the seller (常见问题 问：这款是上海标准吗？ 答：是的。,"
        " 商家回复：是的): the seller's claim for the product, asked or not; a yes by another buyer (问大家) is none",
    ),
    "answered-no": (
        {"discussion": 6},
        "the occurrence's question about the words is answered no (答：不是的, 暂时还不是, A: No. / Not yet / No, it is"
        " not): nobody claims by asking, and the answer denies it, as 不是上海标准 does",
    ),
    "unanswered": (
        {"discussion": 6},
        "the occurrence's question about the words is followed by another question, not an answer (a FAQ listing only"
        " questions: 这款是上海标准吗？ 能开发票吗？; a yes after it answers the next one), or by nothing at all on the"
        " page: a question no one answers claims nothing",
    ),
    "asked": (
        {"discussion": 4},
        "the occurrence's own sentence ends in a question mark (…入选了上海标准？, 这款是上海标准的吗？): nobody announces or"
        " offers by asking",
    ),
    "quoted-block": (
        {"discussion": 4},
        "the occurrence sits in a <blockquote> or <q>: words quoted from elsewhere (a forum post quoting a listing)",
    ),
    "certification-form": (
        {"product": 4},
        "上海标准认证 said of a thing that is not a standard (我司保温杯荣获“上海标准认证”): the evaluation of a standard"
        " presented as a product's certification, a product claim however the page celebrates it",
    ),
    "no-offer": (
        {"discussion": 8},
        "the page offers nothing (no price, cart, parameters or product markup) and reads as a forum, a notice, news,"
        " a Q&A or a paper: the 执行标准：…（上海标准） form there is quoted, not used",
    ),
    "user-content": (
        {"discussion": 6},
        "the occurrence sits in buyers' reviews or questions (商品评价, 问大家, 评论, class comment/review/ask), or on a"
        " line a viewer or buyer opens with their name (弹幕：, 网友：, 观众：): what buyers write is not the seller's"
        " claim; without the seller's voice there (本品, 本款) it is decisive",
    ),
    "other-organisation": (
        {"discussion": 3},
        "on an article page, the sentence names an organisation that is not the site's owner and does not speak in"
        " the first person: a report about someone else's standard or product",
    ),
    "in-heading": (
        {"discussion": 1},
        "the words are in a heading of a page that offers no product: a headline or a section title",
    ),
    "in-menu": (
        {"discussion": 6},
        "the words are a short link in a navigation bar or menu (<nav>, class nav/menu/navbar/breadcrumb: 上海标准专区):"
        " they point to a part of the site; a shop's menu naming its goods is a close call at most",
    ),
    "printed-sample": (
        {"discussion": 8},
        "on a printer's or packaging supplier's page, the words are on a sample, template or client's finished label"
        " (样品标签内容：…, 标签文字：…, 按客户提供的…印制): the label is the client's, the printer sells no such product",
    ),
    "self-introduction": (
        {"organisation": 5},
        "the occurrence sits in a section headed 公司简介/公司介绍/关于我们 (not a footer): the organisation presents"
        " itself, wherever the page is posted (its company page on a job board or a marketplace); the site's"
        " own furniture and job-seekers' posts are not such a section",
    ),
}
FIRST_PERSON = re.compile(_FIRST_PERSON)
PRICE = re.compile(_PRICE)
# An organisation named in a sentence (the subject of an announcement or a report).
ORGANISATION_NAME = re.compile(
    rf"[{_CJK}（）()]{{2,30}}?(?:股份有限公司|有限责任公司|有限公司|集团|集團|协会|協會|学会|學會|研究院|研究所|联合会|聯合會"
    r"|商会|商會|联盟|聯盟|联合体|聯合體|促进会|促進會)"
)
# A maker's name: a company or a factory (上海某某电器厂), which ORGANISATION_NAME's announcers need not be.
MAKER_NAME = re.compile(rf"[{_CJK}（）()]{{2,30}}?(?:公司|集团|集團|厂|廠)")
# Words that open an organisation's name but are the sentence's, not the name's (我公司与上海某协会…).
NAME_LEADING_NOISE = re.compile(
    rf"^.*?(?:[的与和及、由在为是被向对將将]|{_FIRST_PERSON}|(?:长期|战略)?合作伙伴|祝贺|恭喜)"
)
# Header cells of a table that lists standards (not products).
STANDARDS_TABLE_HEADER = re.compile(r"^(?:标准编号|標準編號|标准号|標準號|标准名称|標準名稱|标准代号)$")
# Page signals that make the page an organisation's own (an announcement can be made anywhere on it); on
# other pages an organisation claim needs organisation wording near the occurrence.
ORGANISATION_PAGE = frozenset(
    ["company-news", "about-page", "association-site", "press-release", "own-standards"]
)
# Headings of lists that point to other pages (a sidebar of news, related reading).
RELATED_LIST_HEADING = re.compile(
    r"相关|相關|资讯|資訊|新闻|新聞|阅读|閱讀|推荐|推薦|热点|熱點|公告|动态|動態|专题|專題|related|news|reading",
    re.I,
)
# Titles of a box of news on a page that offers a product (行业新闻, 最新资讯, News): reports of the scheme or of others'
# standards beside the goods, not the seller's words about them. Narrower than RELATED_LIST_HEADING: 相关/推荐 boxes
# hold products too, 公告/动态 may be the shop's own notices.
NEWS_BOX_HEADING = re.compile(r"资讯|資訊|新闻|新聞|快讯|快訊|要闻|要聞|政策速递|政策速遞|\bnews\b", re.I)
# Words of class/id names of containers that list other pages' headlines (news-list, relatedArticles, xinwen).
RELATED_LIST_CLASS = frozenset(
    ["news", "related", "headline", "headlines", "articles", "xinwen", "zixun", "xwzx", "newslist"]
)
# Sentence signals of a service about the scheme (an agency's 代办, 认证咨询, 在我司辅导下): what it says of
# certification or designation is about its service or its clients, so those signals of the sentence are dropped.
AGENCY_SIGNALS = frozenset(["agency-service"])
# Site owners that are consultancies or agencies (咨询, 顾问): the organisations they name are their clients.
AGENCY_OWNER = re.compile(r"咨询|諮詢|顾问|顧問|认证服务|認證服務|代办|代辦")
# Words of class/id names of navigation bars and menus (a link there names a part of the site).
MENU_CLASS = frozenset(
    [
        "nav",
        "navbar",
        "navigation",
        "menu",
        "menus",
        "mainmenu",
        "topnav",
        "subnav",
        "breadcrumb",
        "crumbs",
        "crumb",
    ]
)
# A menu entry is short: longer link texts in a nav are headlines or product names, not sections.
MENU_LINK_MAX = 16
# The head signal of a printing or packaging supplier, and the sentence context of a sample, template or client's
# finished label on such a page (together: near:printed-sample, decisive). Not 打样, 来样定制 or 支持…印刷: a factory
# selling its own goods offers those too, beside its own 执行标准.
PRINT_SUPPLIER = "print-supplier"
SAMPLE_CONTEXT = re.compile(
    r"样品标签|樣品標籤|样品展示|樣品展示|样张|樣張|样稿|樣稿|模板|模版|效果图|效果圖|设计稿|設計稿|标签文字|標籤文字"
    r"|标签内容|標籤內容|印刷内容|印刷內容|客户提供|客戶提供|代印|\bsample labels?\b|\btemplates?\b",
    re.I,
)
# Occurrence signals that settle the use whatever else fired: a placeholder code, a cultivation-pool entry, an
# application in progress, a denial or a competitor's claim reported is never a claim of designation, on any page
# (they never become claims, so they cannot cost recall).
DECISIVE_DISCUSSION = frozenset(
    [
        "placeholder-code",
        "row-denied",
        "value-denied",
        "pool",
        "pending",
        "pending-status",
        "designation-ended",
        "defined",
        "negated",
        "negated-en",
        "answered-no",
        "unanswered",
        "others-claim",
        "unrelated",
        "printed-sample",
    ]
)
# Sentence signals that announce a designation: dropped when the words are a certification of a thing that is
# not a standard (上海标准认证 of a thermos), since the organisation then announces nothing about a standard.
# An English maker speaking of its goods (X Co., Ltd. makes child safety seats to Q/…, our seats are made to …): on a
# job advert, the employer's box saying so is its own statement, as 生产…，产品执行… is (classify: of its products). Not
# a weight: elsewhere such a sentence stays the organisation's (its name is the claimant, SHS010).
ENGLISH_MAKER = re.compile(
    r"\b(?:made|produced|manufactured)\s+(?:to|according to|in accordance with)\b"
    r"|\b(?:makes|produces|manufactures)\b[^.;]{1,60}?\b(?:to|according to|in accordance with)\s+"
    r"(?:[A-Z]{1,4}/|(?:the|our)\s+(?:[\w-]+\s+){0,3}standards?\b)",
    re.I,
)
# A job advert's page signals, in Chinese and English: the advert is not the employer's claim, its company box speaking
# of its products is (classify.Classifier._structure).
JOB_ADVERT_SIGNALS = frozenset(["job-advert", "job-advert-en"])
DESIGNATION_SIGNALS = frozenset(
    ["first-person-designation", "designation-verb", "company-subject", "congratulation"]
)
# The words followed by certification wording (上海标准认证, 上海标準認證, Shanghai Standard certified).
CERTIFICATION_AFTER = re.compile(r"^[”\"」』’']?\s*(?:认证|認證|certified|certification)", re.I)
# A standard named in a sentence besides the words themselves (a standard, a code or a 《title》 is announced).
NAMES_A_STANDARD = re.compile(r"标准|標準|standard|《", re.I)
# Page signals of a public body's page (a regulator's notice, a government CMS, a .gov host): it sells nothing,
# so a product it writes about (该产品…执行标准：…) is someone else's, seller's words or not.
PUBLIC_BODY_PAGE = frozenset(["gov-host", "gov-cms", "gov-meta", "regulator-site"])
# Seller's voice in the occurrence's sentence: the product offered is the subject (these keep a claim a claim
# on a page that otherwise offers nothing).
SELLER_VOICE = frozenset(["product-subject", "offer", "affirmed"])
# The organisation's own voice around the occurrence: its self-introduction on a job board is no forum, notice
# or news, so the page reading as discussion (a job board: no-offer) does not make what it says of itself quoted.
OWN_VOICE = frozenset(["self-introduction"])
# …unless the words there name the scheme itself (公司积极参与上海标准的申报工作): talk about the policy, wherever.
SCHEME_TALK = frozenset(["scheme-noun", "scheme-verb", "scheme-evaluation", "the-words", "definition"])
# Headings of a section in which an organisation presents itself (its 公司简介 on a job board or in a shop).
SELF_INTRO_HEADING = re.compile(
    r"^\s*(?:公司|企业|企業|集团|集團|协会|協會|学会|學會)(?:简介|簡介|介绍|介紹|概况|概況)\s*$|^\s*关于我们\s*$|^\s*關於我們\s*$"
    r"|^\s*(?:about us|company (?:profile|introduction|overview))\s*$",
    re.I,
)
# Headings of the list of an organisation's honours (荣誉资质, 企业荣誉, 资质荣誉): an item there that is the words
# (2024年 上海标准) presents them as the organisation's award (domain.md §5 SHS009), unless the item discloses the
# standard the designation is of (Q/… 《…》（上海标准）, the form part 4 of the Opinions allows: domain.md §3).
HONOURS_HEADING = re.compile(
    r"^\s*(?:(?:公司|企业|企業|集团|集團|协会|協會)?(?:荣誉|榮譽)(?:资质|資質|证书|證書|墙|牆)?|(?:资质|資質)(?:荣誉|榮譽)"
    r"|(?:所获|所獲|获得|獲得)?(?:荣誉|榮譽)(?:与|與|和|及)(?:资质|資質|奖项|獎項)|honou?rs?(?: (?:and|&) (?:awards|qualifications))?)\s*$",
    re.I,
)
# Containers of a site's own furniture (footer, bottom bar, copyright): an 关于我们 there is the site's, not the
# organisation's on whose page it appears.
SITE_FURNITURE_CLASS = frozenset(["footer", "foot", "bottom", "copyright", "nav", "sidebar"])
# <meta> names of scholarly indexes (Google Scholar's citation_*, Dublin Core): a paper's page.
SCHOLARLY_META_NAMES = frozenset(["citation_title", "citation_author", "citation_journal_title", "dc.title"])
# Headings and container names of buyers' reviews and questions on item pages (and comment threads elsewhere).
USER_CONTENT_HEADING = re.compile(
    r"评价|評價|评论|評論|买家秀|買家秀|问大家|問大家|问答|問答|咨询|諮詢|晒单|曬單|网友|網友|留言|reviews?|comments?|q\s*&\s*a",
    re.I,
)
# Words of class/id names (split at -, _ and camel case) that hold reviews and questions: J_Reviews,
# comment-item, rate-grid, ask-answer (whole words only: J_LinkBasket is a cart button, not a question).
USER_CONTENT_CLASS = frozenset(
    [
        "comment",
        "comments",
        "review",
        "reviews",
        "rate",
        "rates",
        "rating",
        "ratings",
        "ask",
        "asks",
        "answer",
        "answers",
        "question",
        "questions",
        "faq",
        "faqs",
        "reply",
        "replies",
        "consult",
        "consults",
        "evaluate",
        "evaluation",
        "evaluations",
        "feedback",
    ]
)
# A line opened by a viewer's or buyer's name (弹幕：…, 网友小美：…, 观众：…, 评论：… in a livestream's transcript or a
# post's comments): what follows is theirs, not the seller's (its rules as for USER_CONTENT_HEADING). A seller's
# notice to buyers (买家须知：…) is the seller's. Matched from the line's start (re.match with a position).
VIEWER_LINE = re.compile(
    r"\s*(?:弹幕|彈幕|网友|網友|观众|觀眾|粉丝|粉絲|评论|評論|留言|游客|遊客|访客|訪客|买家|買家|顾客|顧客|用户|用戶)"
    r"(?!须知|須知|必读|必讀|注意|手册|手冊)[^:：，,。；;！？!?]{0,12}\s*[:：]"
)
# The answer to a question about the words (问：这款是上海标准吗？ 答：是的。): a label naming who answers, then a yes.
# The seller's labels (商家回复, 客服, 掌柜) make it the seller's wherever it stands; a plain 答/A/回答 is the seller's
# only outside buyers' questions (a shop's 常见问题, not 问大家 or reviews, where other buyers answer).
_ANSWER_LABEL = (
    r"^\s*(?:(?P<seller>商家|商傢|卖家|賣家|掌柜|掌櫃|客服|官方|店家|店主|品牌方|seller|shop|store)[^:：，,。]{0,6}\s*[:：]\s*"
    r"|(?:答|回答|回复|回覆|a|answer)\s*[:：.]?\s*)?"
    # Customer service opens with an address before its answer (亲，是的哦; 亲亲，不是的).
    r"(?:(?:亲亲|親親|亲|親|您好|你好)\s*[，,！!～~\s]\s*)?"
)
ANSWER = re.compile(
    _ANSWER_LABEL
    # A bare 是/对/当然 only as the whole first clause: 是对标准的评价 answering 什么是上海标准？ is no yes.
    + r"(?P<yes>是的|是滴|对的|對的|有的|没错|沒錯|确实是|確實是|(?:是|对|對|有|当然|當然|嗯)(?=[，,。.！!～~\s]|$)"
    r"|yes\b|yep\b|correct\b)",
    re.I,
)
# The answer to a question about the words that opens with a no (答：不是的; 暂时还不是; A: No. / Not yet / No, it is
# not): whoever answers, the question claims nothing (as 不是上海标准 before the words denies them). Not a no: 没问题,
# 没错, 没得说 (a yes), no doubt / no problem, not only.
ANSWER_NO = re.compile(
    _ANSWER_LABEL
    + r"(?P<no>(?:(?:暂时|暫時|目前|现在|現在|当前|當前|暂|暫|还|還|尚|仍|并|並|抱歉|很抱歉)[，,]?\s*)*"
    r"(?:不是|并非|並非|不属于|不屬於|(?:尚|暂|暫|还|還)未|没有(?!问题)|沒有(?!問題)|没(?!问题|错|毛病|得说|的说)|沒(?!問題|錯|得說|的說)"
    r"|(?:不|否)(?=[，,。.！!～~\s]|$))"
    r"|no\b(?!\s+(?:doubt|problem|worries|question|need|matter)\b)|nope\b|not\b(?!\s+only\b))",
    re.I,
)
# A yes taken back in the same clause (是的，但不是…; 当然不是 never matched): no affirmation.
# …or said to be only applied for (是的，我们正在申报): as an application in progress, no designation is claimed.
# A question no yes answers (什么是“上海标准”？, 为什么…, how is…?): a yes after it is no seller's claim; nor is a line
# that is itself a question (a FAQ listing only questions: 这款是上海标准吗？ 能开发票吗？, 能 read as a yes).
OPEN_QUESTION = re.compile(
    r"什么|甚麼|什麼|为何|為何|怎么|怎麼|如何|哪|\b(?:what|how|why|which|where|when)\b", re.I
)
ITSELF_A_QUESTION = re.compile(r"[？?]\s*$")
# What-is written right before the words, which end their sentence (a heading 什么是上海标准, 科普：何为“上海标准”): a
# question without its question mark, asked as 什么是上海标准？ is. The words going on (什么是上海标准产品) ask nothing.
WHAT_IS_BEFORE = re.compile(r"(?:什么是|什麼是|何为|何為|何谓|何謂)\s*[“\"「『‘]?\s*$")
ENDS_SENTENCE = re.compile(r"\s*[”\"」』’]?\s*$")
# The first sentence of what follows a question: when it is itself a question (a FAQ listing questions, 这款是上海标准吗？
# 能开发票吗？, or a yes that answers the next one), the question about the words is left unanswered.
FIRST_SENTENCE = re.compile(r"[^。.!！?？\n]*[。.!！?？]?")
ANSWER_DENIED = re.compile(
    r"[^。.!！?？]{0,16}(?:不是|并非|並非|不属于|不屬於|\bnot\b|\bno\b"
    r"|正在申|申报中|申報中|申请中|申請中|评审中|評審中|审核中|審核中|已申[请請报報](?![^，,。]{0,2}(?:并|並|获|獲|入选|通过))|培育"
    r"|\bpending\b|\bapplied\b)",
    re.I,
)
# Headings of buyers' questions and reviews: there a plain 答 is another buyer's word, not the seller's.
BUYER_QUESTIONS_HEADING = re.compile(
    r"问大家|問大家|买家|買家|网友|網友|评价|評價|评论|評論|晒单|曬單|留言|reviews?|comments?|customer questions",
    re.I,
)
# A parameter row's value that says no (是否上海标准：否, 上海标准 | 无, Shanghai Standard: No, ×, —): the whole value.
NEGATIVE_VALUE = re.compile(
    r"\s*(?:否|无|無|不是|非|没有|沒有|不属于|不屬於|暂无|暫無|no|none|not applicable|n/?a|×|✗|✘|—+|-+|/)\s*[。.]?\s*"
    r"(?:[(（][^()（）]{0,12}[)）]\s*)?",  # a note after it (否（申报中）)
    re.I,
)
# Page <title>/og:title/h1 that asks a question: a Q&A or advice page (a product's title never asks).
QUESTION_TITLE = re.compile(
    r"[?？]\s*(?:[-_|｜—–].*)?$|(?:是什么|是什麼|什么意思|什麼意思|怎么办|怎麼辦|怎么样|怎麼樣|为什么|為什麼|如何|吗|嗎)\s*(?:[-_|｜—–].*)?$"
)
