"""The gaps session 32 left open, closed: an English company box on a job advert that only announces a designation is
discussion (as the Chinese one is), a seller's yes longer than the pre-pass kept is still the question's answer, and a
question that nothing follows on the page claims nothing (the pre-pass says what follows a question, cut or not).

Each case is a small page in the style of the probe pages (tests/claims_probe_s33_pages.py holds round s33's pages);
the findings are judged against the example registry (examples/registry.yaml) on 2026-11-26."""

from __future__ import annotations

import pytest
from claims_probe_support import SHOP_URL as _URL
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings
from claims_probe_support import listing as _item
from claims_probe_support import page as _page
from claims_probe_support import spec_row as _row
from hostile_support import extracted_in_linear_time

from checker.check import Checker

# --- an English company box on a job advert (probe s32's open gap) -------------------------------------------------

_JOB_URL = "https://careers.example.test/jobs/33101.html"


def _en_job_advert(box: str, duties: str = "Inspect incoming materials and finished goods.") -> str:
    """An English job advert: the vacancy (salary, responsibilities, requirements) and the employer's box."""
    return _page(
        "QC Engineer - Careers",
        "<h1>QC Engineer</h1><p>Salary: CNY 8,000-12,000 / month</p><h3>Responsibilities</h3>"
        f"<p>{duties}</p><h3>Requirements</h3><p>Two years in quality control.</p>"
        f"<div class='company-box'><h3>About us</h3><p>{box}</p></div>",
        lang="en",
    )


@pytest.mark.parametrize(
    "box",
    [
        "Shanghai Mouhou Technology Co., Ltd. was founded in 2012. Our standard T/DEMO 003-2020 was designated a"
        " Shanghai Standard (上海标准) in 2021.",
        "Founded in 2012, we led the drafting of T/DEMO 003-2020, which was selected as a Shanghai Standard.",
    ],
)
def test_a_designation_announced_in_an_english_company_box_on_a_job_advert_stays_discussion(
    checker: Checker, box: str
) -> None:
    # As the Chinese box (test_claims_probe_s32): the announcement repeats the company's own page, the one thing to
    # act on. T/DEMO 003-2020 is revoked: as a claim it would be SHS004.
    result = _check(checker, _en_job_advert(box), _JOB_URL)
    assert result.page.occurrences
    assert [o.use for o in result.page.occurrences] == ["discussion"] * len(result.page.occurrences)
    assert _findings(result) == []


@pytest.mark.parametrize(
    "box",
    [
        "Ningbo Mouhou Baby Products Co., Ltd. makes child safety seats to Q/DEMO 0002-2023 (Shanghai Standard).",
        "Ningbo Mouhou Baby Products Co., Ltd.: our child safety seats are made to Q/DEMO 0002-2023 (Shanghai"
        " Standard).",
    ],
)
def test_an_english_company_box_speaking_of_its_products_stays_its_claim(checker: Checker, box: str) -> None:
    # The employer's own statement about its goods; an English name against the holder's goes to review.
    result = _check(checker, _en_job_advert(box), _JOB_URL)
    assert "page:job-advert-en" in result.page.occurrences[0].signals or "near:self-introduction" in (
        result.page.occurrences[0].signals
    )
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]


def test_the_duties_of_an_english_job_advert_stay_discussion(checker: Checker) -> None:
    html = _en_job_advert(
        "Founded in 2012, we make child safety seats.",
        duties="Inspect child safety seats to Q/DEMO 0002-2023 (Shanghai Standard) before shipping.",
    )
    result = _check(checker, html, _JOB_URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_an_english_listing_with_one_requirements_heading_is_no_job_advert(checker: Checker) -> None:
    # One job-like heading (a product's system requirements) makes no job advert: two distinct ones do.
    html = _page(
        "Smart Cup - Export catalogue",
        "<h1>Smart Cup</h1><div class='price'>US $6.00</div><a class='inquiry'>Send Inquiry</a>"
        "<h3>Requirements</h3><p>Bluetooth 5.0 phone.</p>"
        "<table><tr><th>Executive Standard</th><td>T/DEMO 003-2020 (Shanghai Standard)</td></tr></table>",
        lang="en",
    )
    result = _check(checker, html, _URL)
    assert "page:job-advert-en" not in result.page.occurrences[0].signals
    assert _findings(result) == [("SHS004", "T/DEMO 003-2020", "high")]


# --- a seller's yes longer than the pre-pass kept ---------------------------------------------------------------------

_FLASK = _row("产品名称", "保温杯")
_LOCK = _row("产品名称", "共享单车锁")
_MORE = "本店产品采用双层真空结构，保温时间长，杯盖密封不漏水，欢迎选购。" * 10  # 290 characters


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (f"答：是的。{_MORE}", [("SHS008", None, "high")]),
        # The code in the answer is tied from another block than the words: an inference, for review (as short).
        (f"答：亲，是的哦，本款执行T/DEMO 003-2020。{_MORE}", [("SHS004", "T/DEMO 003-2020", "review")]),
    ],
)
def test_a_long_yes_still_answers_the_question(
    checker: Checker, answer: str, expected: list[tuple[str, str | None, str]]
) -> None:
    # The answer opens with the yes however long it runs (it was dropped with the rest of a long answer: discussion,
    # or SHS008 for review). The same as the short yes (test_claims_probe_s32).
    faq = f"<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>{answer}</p>"
    result = _check(checker, _item("演示共享单车锁", _LOCK, faq), _URL)
    assert "near:affirmed" in result.page.occurrences[0].signals
    assert [(f.rule_id, f.standard_code, f.confidence) for f in result.findings] == expected


def test_a_long_yes_in_the_box_after_the_questions_box_answers_it(checker: Checker) -> None:
    faq = f"<div class='q'><p>问：这款是上海标准吗？</p></div><div class='a'><p>答：是的。{_MORE}</p></div>"
    result = _check(checker, _item("演示保温杯", _FLASK, faq), _URL)
    assert "near:affirmed" in result.page.occurrences[0].signals
    assert _findings(result) == [("SHS008", None, "high")]


def test_an_english_long_yes_still_answers_the_question(checker: Checker) -> None:
    more = "It is made with double-wall vacuum insulation and keeps drinks hot for twelve hours. " * 4
    html = _page(
        "Vacuum Flask",
        "<h1>Vacuum Flask</h1><div class='price'>US $4.00</div><a class='inquiry'>Send Inquiry</a>"
        f"<h3>FAQ</h3><p>Q: Is this flask a Shanghai Standard product?</p><p>A: Yes. {more}</p>",
        lang="en",
    )
    result = _check(checker, html, _URL)
    assert "near:affirmed" in result.page.occurrences[0].signals
    assert _findings(result) == [("SHS008", None, "high")]


def test_a_long_no_still_answers_the_question(checker: Checker) -> None:
    faq = f"<h3>这款保温杯是上海标准吗？</h3><p>不是的，本品执行国家标准。{_MORE}</p>"
    result = _check(checker, _item("演示保温杯", _FLASK + _row("执行标准", "GB/T 29606-2013"), faq), _URL)
    assert "near:answered-no" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_questions_with_long_answers_are_read_in_linear_time() -> None:
    # Each question's answer is read to a bounded head in the pre-pass, never whole: a FAQ of many questions with
    # long answers stays linear.
    def faq(n: int) -> bytes:
        pairs = f"<p>问：这款是上海标准吗？</p><p>答：是的。{_MORE}</p>" * n
        return _item("演示保温杯", _FLASK, "<h3>常见问题</h3>" + pairs).encode()

    result = extracted_in_linear_time(faq, 200)
    assert result.occurrences and all("near:affirmed" in o.signals for o in result.occurrences)


def test_questions_each_last_in_a_deep_box_are_read_in_linear_time() -> None:
    # What follows a question that ends its box is looked for a few levels up, never through the rest of the page.
    def boxes(n: int) -> bytes:
        box = "<div><div><div><p>这款是上海标准吗？</p></div></div></div>"
        return _item("演示保温杯", _FLASK, box * n + f"<div><p>{_MORE * 20}</p></div>").encode()

    result = extracted_in_linear_time(boxes, 200)
    assert result.occurrences


# --- a question that nothing follows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "faq",
    [
        "<h3>常见问题</h3><p>这款保温杯是上海标准吗？</p>",
        "<p>这款保温杯是上海标准吗？</p>",
        "<div class='faq'><div class='item'><p>问：这款保温杯是上海标准吗？</p></div></div>",
        # An open question about the scheme at the end of the FAQ, after another one's long answer.
        f"<h3>常见问题</h3><p>问：能开发票吗？</p><p>答：可以。{_MORE}</p><p>问：上海标准和国家标准有什么区别？</p>",
    ],
)
def test_a_question_nothing_follows_claims_nothing(checker: Checker, faq: str) -> None:
    # The pre-pass looked at the whole page: nothing after the question is no answer cut away, but none given.
    result = _check(checker, _item("演示保温杯", _FLASK, faq), _URL)
    assert "near:unanswered" in result.page.occurrences[-1].signals
    assert _findings(result) == []


def test_an_english_question_nothing_follows_claims_nothing(checker: Checker) -> None:
    html = _page(
        "Vacuum Flask",
        "<h1>Vacuum Flask</h1><div class='price'>US $4.00</div><a class='inquiry'>Send Inquiry</a>"
        "<h3>FAQ</h3><p>Q: Is this flask a Shanghai Standard product?</p>",
        lang="en",
    )
    result = _check(checker, html, _URL)
    assert "near:unanswered" in result.page.occurrences[0].signals
    assert _findings(result) == []


def test_a_question_followed_by_text_that_answers_neither_way_stays_for_review(checker: Checker) -> None:
    # Something follows, neither a yes, a no nor another question: a person reads it (as before).
    faq = "<p>这款保温杯是上海标准吗？</p><p>欢迎咨询在线客服，下单后48小时内发货。</p>"
    result = _check(checker, _item("演示保温杯", _FLASK, faq), _URL)
    assert "near:unanswered" not in result.page.occurrences[0].signals
    assert _findings(result) == [("SHS008", None, "review")]


# --- a designation reported as revoked (probe s33 s12) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "经复评，本会团体标准T/DEMO 003-2020的“上海标准”资格已于2024年5月1日撤销。",
        "关于团体标准T/DEMO 003-2020“上海标准”资格撤销的说明",
        "T/DEMO 003-2020的上海标准称号已被收回，相关产品不得继续标注。",
        "The Shanghai Standard designation of T/DEMO 003-2020 was revoked on 1 May 2024.",
    ],
)
def test_a_designation_reported_as_revoked_claims_nothing(checker: Checker, text: str) -> None:
    # The holder reporting the end of its standard's designation (domain.md §3: re-review) announces no designation:
    # it was SHS004 for review against the very standard it says was revoked.
    html = _page(
        "通知公告-演示标准化协会（虚构）",
        f"<div class='header'>演示标准化协会（虚构）</div><h1>通知公告</h1><p>{text}</p>"
        "<div class='footer'>© 2026 演示标准化协会（虚构） 版权所有</div>",
    )
    result = _check(checker, html, "https://www.demo-sa.example.org/notice/33201.html")
    assert result.page.occurrences
    assert all("near:designation-ended" in o.signals for o in result.page.occurrences)
    assert _findings(result) == []


@pytest.mark.parametrize(
    "text",
    [
        # Not a revocation: an order cancelled, a product still claimed.
        "本品执行T/DEMO 003-2020（上海标准），上海标准产品不支持取消订单。",
        "执行标准：T/DEMO 003-2020（上海标准），撤销订单请联系客服。",
    ],
)
def test_cancelling_an_order_is_no_revocation(checker: Checker, text: str) -> None:
    result = _check(checker, _item("演示共享单车锁", _LOCK, f"<p>{text}</p>"), _URL)
    assert not any("near:designation-ended" in o.signals for o in result.page.occurrences)
    assert ("SHS004", "T/DEMO 003-2020") in [(f.rule_id, f.standard_code) for f in result.findings]


# --- a certificate's basis, a what-is heading (probe s33 s09, s14) ----------------------------------------------------


def test_a_fake_certificate_discloses_the_standard_it_names_as_its_basis(checker: Checker) -> None:
    # 认证依据 names the standard the product is said to meet: disclosed on the page, so no "nothing disclosed"
    # (SHS008 high before); the certification wording is the thing to act on, and the seller is not the holder.
    cert = (
        "<div class='cert'><h3>上海标准认证证书</h3><p>证书编号：SHBZ-2025-0077</p>"
        "<p>认证依据：Q/DEMO 0002-2023</p></div>"
    )
    html = _item("演示儿童安全座椅", _row("产品名称", "儿童安全座椅"), cert)
    result = _check(checker, html, _URL, seller="某某母婴专营店")
    assert [(f.rule_id, f.standard_code) for f in result.findings] == [
        ("SHS009", "Q/DEMO 0002-2023"),
        ("SHS010", "Q/DEMO 0002-2023"),
    ]


@pytest.mark.parametrize("heading", ["科普：什么是上海标准", "什么是“上海标准”", "何为上海标准"])
def test_a_what_is_heading_without_a_question_mark_is_asked(checker: Checker, heading: str) -> None:
    # As 什么是上海标准？ (test_claims_probe_s29): a question about the scheme, never a sure claim; it was SHS008 high.
    faq = f"<h3>{heading}</h3><p>欢迎咨询在线客服，下单后48小时内发货。</p>"
    result = _check(checker, _item("演示保温杯", _FLASK, faq), _URL)
    assert any(signal.endswith("near:asked") for signal in result.page.occurrences[0].signals)
    assert {f.confidence for f in result.findings} <= {"review"}


def test_a_what_is_heading_the_page_ends_with_claims_nothing(checker: Checker) -> None:
    result = _check(checker, _item("演示保温杯", _FLASK, "<h3>什么是上海标准</h3>"), _URL)
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_what_is_inside_a_product_name_is_no_question(checker: Checker) -> None:
    # Only the words ending the sentence after 什么是 ask: a claim that goes on is still a claim.
    html = _item(
        "演示共享单车锁", _LOCK, "<p>不知道什么是上海标准产品？本品执行T/DEMO 003-2020（上海标准）。</p>"
    )
    assert ("SHS004", "T/DEMO 003-2020") in [
        (f.rule_id, f.standard_code) for f in _check(checker, html, _URL).findings
    ]


def test_an_english_supplier_profile_with_qualifications_and_requirements_is_no_job_advert(
    checker: Checker,
) -> None:
    # A supplier's profile lists its qualifications and order requirements: no job advert, so its profile sentence
    # stays the company's claim about its seats (SHS010 for review against an English name), as before session 33.
    html = _page(
        "Company Profile - Ningbo Mouhou Baby Products Co., Ltd.",
        "<h1>Ningbo Mouhou Baby Products Co., Ltd.</h1><h3>Company Profile</h3><p>Ningbo Mouhou Baby Products Co., Ltd."
        " makes child safety seats to Q/DEMO 0002-2023 (Shanghai Standard).</p>"
        "<h3>Qualifications</h3><p>ISO 9001</p><h3>Requirements</h3><p>MOQ 100 pieces.</p>",
        lang="en",
    )
    result = _check(checker, html, "https://www.mouhou-baby.example.com/profile.html")
    assert not any("job-advert-en" in signal for signal in result.page.occurrences[0].signals)
    assert result.page.claims[0].claimant == "Ningbo Mouhou Baby Products Co., Ltd."
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]
