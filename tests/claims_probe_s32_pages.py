"""Probe round s32's pages, each with the verdict an inspector would sign, written down before the checker ran on them.

Fifteen pages around the three shapes probe round s31 left open: an employer's own company box on a job advert (other
job sites' headings and layouts, the holder's own box, the words in the job's duties instead, an English profile,
products said to be certified), a question about the words answered no in English or Chinese ("No.", "Not yet",
"no, it is not", 还不是), and a seller's questions left unanswered (a list of questions in one block, a list followed
by an answer to another question, a question in a heading answered yes in the next paragraph, a yes that answers the
next question). Verdicts follow docs/domain.md: a claim is a use of the designation for a product or an organisation;
a question that is not answered, or is answered no, claims nothing; the employer's 公司简介 on a job advert saying
something of its products is its own statement, the rest of the advert is not. Judged against the example registry
(examples/registry.yaml) on 2026-11-26 by tests/test_claims_probe_pages.py.

First run, on EXTRACTOR_VERSION 1.30.1 (before session 32's fixes): 4 of 15 right. Six findings missed on five pages
(j01, j02, j04, j05: the company box kept discussion; q06: 亲，是的 not read as a yes) and six pages with a false
SHS008, each for review (e01, e02, e03, q10: the no not read; q01, q09: the question left unanswered); no false
finding with high confidence. On 1.31.0: 15 of 15."""

from __future__ import annotations

from claims_probe_support import ProbeRound, listing, page, spec_row

_ITEM = "https://shop.example.test/item/32.html"
_JOB = "https://jobs.example.test/job/{}.html"

_ROUND = ProbeRound(_ITEM)
PAGES = _ROUND.pages
add = _ROUND.add


def job_advert(
    title: str, company: str, box_heading: str, box: str, duties: str = "负责来料及成品检验。"
) -> str:
    """A job advert on a job board: the vacancy (salary, duties, requirements) and the employer's company box."""
    return page(
        f"{title}招聘-{company}",
        f"<h1>{title}</h1><p>薪资：8千-1.2万</p><p>工作地点：宁波</p><h3>岗位职责</h3><p>{duties}</p>"
        "<h3>任职要求</h3><p>大专及以上学历，两年以上相关经验。</p>"
        f"<div class='company-box'><h3>{box_heading}</h3><p>{box}</p></div>",
    )


def en_listing(name: str, standard: str, faq: str) -> str:
    """An English export listing (price, inquiry button, attribute table) with the seller's FAQ below it."""
    return page(
        f"{name} - Export catalogue",
        f"<h1>{name}</h1><div class='price'>FOB US $4.20 / Piece</div><a class='inquiry'>Send Inquiry</a>"
        f"<table class='attrs'><tr><th>Product Name</th><td>{name}</td></tr>"
        f"<tr><th>Executive Standard</th><td>{standard}</td></tr></table>{faq}",
        lang="en",
    )


FLASK = spec_row("产品名称", "保温杯")
LOCK = spec_row("产品名称", "共享单车锁")

# --- an employer's own company box on a job advert (s31 r03's shape) ---
# Another board's heading (企业介绍) and a non-holder presenting its seats as Q/DEMO 0002-2023（上海标准）: its own
# statement about its products (domain.md §5 SHS010: the holder is 演示科技有限公司（虚构）).
add(
    "j01",
    job_advert(
        "品质主管",
        "宁波某某婴童用品有限公司",
        "企业介绍",
        "宁波某某婴童用品有限公司专业生产儿童安全座椅，产品执行Q/DEMO 0002-2023（上海标准），远销欧美。",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url=_JOB.format("32001"),
)
# The holder's own box presenting its toothbrushes to a standard abolished on 2024-09-30 (SHS005).
add(
    "j02",
    job_advert(
        "电动牙刷结构工程师",
        "演示科技有限公司（虚构）",
        "公司简介",
        "演示科技有限公司（虚构）生产电动牙刷，产品执行Q/DEMO 0004-2021（上海标准）。",
    ),
    [("SHS005", "Q/DEMO 0004-2021")],
    url=_JOB.format("32002"),
)
# The words in the job's duties, not in the employer's box: the rest of a job advert is no claim.
add(
    "j03",
    job_advert(
        "质检员",
        "宁波某某婴童用品有限公司",
        "公司简介",
        "宁波某某婴童用品有限公司成立于2012年，主营婴童用品。",
        duties="按Q/DEMO 0002-2023（上海标准）对儿童安全座椅进行出厂检验，填写检验记录。",
    ),
    [],
    url=_JOB.format("32003"),
)
# An English job site's company profile: a non-holder's own statement (the holder has registered English names).
add(
    "j04",
    page(
        "QC Engineer - Ningbo Mouhou Baby Products Co., Ltd. - Jobs",
        "<h1>QC Engineer</h1><p>Salary: CNY 8,000-12,000 / month</p><h3>Responsibilities</h3>"
        "<p>Inspect incoming materials and finished seats.</p><h3>Requirements</h3><p>Two years in quality control.</p>"
        "<div class='company-box'><h3>Company Profile</h3><p>Ningbo Mouhou Baby Products Co., Ltd. makes child safety"
        " seats to Q/DEMO 0002-2023 (Shanghai Standard).</p></div>",
        lang="en",
    ),
    [("SHS010", "Q/DEMO 0002-2023")],
    url="https://careers.example.test/jobs/32004.html",
)
# The employer's box says its products passed 上海标准认证: certification wording (SHS009) with no standard disclosed
# (SHS008), as on its own about page (probe s27).
add(
    "j05",
    job_advert(
        "外贸业务员",
        "宁波某某厨具有限公司",
        "公司简介",
        "宁波某某厨具有限公司是一家厨具生产企业，我司产品通过上海标准认证，远销欧美。",
    ),
    [("SHS008", None), ("SHS009", None)],
    url=_JOB.format("32005"),
)

# --- a question about the words answered no (s31 hb09's shape) ---
add(
    "e01",
    en_listing(
        "Vacuum flask E01",
        "GB/T 29606-2013",
        "<h3>FAQ</h3><p>Q: Is this vacuum flask a Shanghai Standard product?</p><p>A: No.</p>",
    ),
    [],
)
add(
    "e02",
    en_listing(
        "Vacuum flask E02",
        "GB/T 29606-2013",
        "<p>Is it a Shanghai Standard product? Not yet: our group standard is still under evaluation.</p>",
    ),
    [],
)
add(
    "e03",
    en_listing(
        "Vacuum flask E03",
        "GB/T 29606-2013",
        "<h3>FAQ</h3><p>Q: Is this flask a Shanghai Standard product?</p>"
        "<p>A: No, it is not. It is made to the national standard GB/T 29606-2013.</p>",
    ),
    [],
)
# Chinese: a seller's no without 问/答 labels, under a heading that asks.
add(
    "q10",
    listing(
        "演示保温杯 Q10",
        FLASK + spec_row("执行标准", "GB/T 29606-2013"),
        "<h3>这款保温杯是上海标准吗？</h3><p>暂时还不是，相关标准正在申报中。</p>",
    ),
    [],
)

# --- a seller's questions that no yes answers (s31 hb12's shape) ---
# A list of questions in one paragraph.
add(
    "q01",
    listing(
        "演示保温杯 Q01",
        FLASK,
        "<h3>常见问题</h3><p>这款是上海标准吗？能开发票吗？几天发货？</p><p>以上问题请咨询在线客服。</p>",
    ),
    [],
)
# A list of questions followed by an answer to the last one.
add(
    "q02",
    listing(
        "演示保温杯 Q02",
        FLASK,
        "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>问：能开发票吗？</p><p>答：可以开具电子发票。</p>",
    ),
    [],
)
# A yes that answers the next question, not the one about the words.
add(
    "q09",
    listing(
        "演示保温杯 Q09",
        FLASK,
        "<h3>常见问题</h3><p>问：这款是上海标准吗？问：支持七天无理由退货吗？答：是的，支持。</p>",
    ),
    [],
)
# A question in a heading answered yes in the next paragraph, with a designated standard whose scope holds 保温杯.
add(
    "q03",
    listing(
        "演示保温杯 Q03",
        FLASK,
        "<h3>这款保温杯是上海标准吗？</h3><p>是的，本款执行T/DEMO 001-2022。</p>",
    ),
    [],
)
# Customer-service style: the yes after an address (亲，是的), disclosing a revoked standard (SHS004).
add(
    "q06",
    listing(
        "演示共享单车锁 Q06",
        LOCK,
        "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：亲，是的哦，执行T/DEMO 003-2020。</p>",
    ),
    [("SHS004", "T/DEMO 003-2020")],
)
# A question at the end of an English FAQ followed by an unrelated answer to the next question.
add(
    "e04",
    en_listing(
        "Smart cup E04",
        "T/DEMO 001-2022",
        "<h3>FAQ</h3><p>Q: Is this cup a Shanghai Standard product?</p><p>Q: Can you ship to Europe?</p>"
        "<p>A: Yes, by sea or air.</p>",
    ),
    [],
)

OPEN: frozenset[str] = frozenset()
