"""The pages probe round s31 left open, decided: an employer's company box on a job advert saying something of its
products is its own statement (the rest of the advert is not), a question about the words answered no (in English as in Chinese) is no claim, and a
question no answer follows (a seller's FAQ listing questions) claims nothing.

Each case is a small page in the style of the probe pages (tests/claims_probe_s32_pages.py holds round s32's pages);
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

# --- an employer's own company box on a job advert (probe s31 r03) -----------------------------------------------


def _job_advert(company: str, heading: str, box: str, duties: str = "负责来料及成品检验。") -> str:
    return _page(
        f"质量工程师招聘-{company}",
        "<h1>质量工程师</h1><p>薪资：1万-1.5万</p><h3>岗位职责</h3>"
        f"<p>{duties}</p><h3>任职要求</h3><p>两年以上质量管理经验。</p><h3>{heading}</h3><p>{box}</p>",
    )


@pytest.mark.parametrize("heading", ["公司简介", "企业介绍", "公司介绍"])
def test_an_employers_company_box_on_a_job_advert_is_its_own_statement(
    checker: Checker, heading: str
) -> None:
    # domain.md §5 SHS010: the enterprise standard's holder is 演示科技有限公司（虚构）, the employer is not. The box
    # is the employer speaking of its own products, not a third party's discussion (it was kept as discussion).
    html = _job_advert(
        "杭州某某儿童用品有限公司",
        heading,
        "杭州某某儿童用品有限公司生产儿童安全座椅，产品执行Q/DEMO 0002-2023（上海标准）。",
    )
    result = _check(checker, html, "https://jobs.example.test/job/32101.html")
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "high")]
    (claim,) = result.page.claims
    assert "near:self-introduction" in claim.use_signals
    assert claim.claimant == "杭州某某儿童用品有限公司"


def test_the_holders_own_company_box_on_a_job_advert_is_no_finding(checker: Checker) -> None:
    html = _job_advert(
        "演示科技有限公司（虚构）",
        "公司简介",
        "演示科技有限公司（虚构）生产儿童安全座椅，产品执行Q/DEMO 0002-2023（上海标准）。",
    )
    assert _findings(_check(checker, html, "https://jobs.example.test/job/32102.html")) == []


@pytest.mark.parametrize(
    "duties",
    [
        "按Q/DEMO 0002-2023（上海标准）对儿童安全座椅进行出厂检验。",
        "负责公司企业标准的上海标准申报材料准备。",
    ],
)
def test_the_rest_of_a_job_advert_stays_discussion(checker: Checker, duties: str) -> None:
    html = _job_advert(
        "杭州某某儿童用品有限公司", "公司简介", "公司成立于2012年，主营婴童用品。", duties=duties
    )
    result = _check(checker, html, "https://jobs.example.test/job/32103.html")
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_a_designation_announced_in_the_company_box_of_a_job_advert_stays_discussion(
    checker: Checker,
) -> None:
    # The announcement repeats the company's own page on the board (probe s26b), where it is the one thing to act on.
    html = _job_advert(
        "杭州某某儿童用品有限公司", "公司简介", "公司主导制定的企业标准Q/DEMO 0002-2023入选上海标准。"
    )
    result = _check(checker, html, "https://jobs.example.test/job/32105.html")
    assert [o.use for o in result.page.occurrences] == ["discussion"]
    assert _findings(result) == []


def test_an_english_company_profile_on_a_job_advert_names_the_company_in_its_sentence(
    checker: Checker,
) -> None:
    # The advert's h1 is the vacancy; the profile's own sentence names who speaks. English names of one company vary,
    # so SHS010 against an English name goes to review (checker/confidence.py claimant-english-name).
    html = _page(
        "QC Engineer - Jobs",
        "<h1>QC Engineer</h1><p>Salary: CNY 8,000-12,000 / month</p><h3>Requirements</h3><p>Two years in QC.</p>"
        "<h3>Company Profile</h3><p>Ningbo Mouhou Baby Products Co., Ltd. makes child safety seats to"
        " Q/DEMO 0002-2023 (Shanghai Standard).</p>",
        lang="en",
    )
    result = _check(checker, html, "https://careers.example.test/jobs/32104.html")
    assert result.page.claims[0].claimant == "Ningbo Mouhou Baby Products Co., Ltd."
    assert _findings(result) == [("SHS010", "Q/DEMO 0002-2023", "review")]


# --- a question about the words answered no (probe s31 hb09) ------------------------------------------------------


def _en_item(faq: str) -> str:
    return _page(
        "Vacuum Flask",
        "<h1>Vacuum Flask</h1><div class='price'>US $4.00</div><a class='inquiry'>Send Inquiry</a>"
        "<table><tr><th>Executive Standard</th><td>GB/T 29606-2013</td></tr></table>" + faq,
        lang="en",
    )


@pytest.mark.parametrize(
    "faq",
    [
        "<p>Q: Is this flask a Shanghai Standard product?</p><p>A: No.</p>",
        "<p>Is this flask a Shanghai Standard product? Not yet: our standard is under evaluation.</p>",
        "<p>Q: Is this flask a Shanghai Standard product?</p><p>A: No, it is not. It is made to GB/T 29606-2013.</p>",
        "<p>Is it a Shanghai Standard product? Nope.</p>",
    ],
)
def test_an_english_question_answered_no_claims_nothing(checker: Checker, faq: str) -> None:
    result = _check(checker, _en_item(faq), _URL)
    assert _findings(result) == []
    assert "near:answered-no" in result.page.occurrences[0].signals


@pytest.mark.parametrize(
    "answer",
    ["答：不是的，本品执行国标。", "答：亲，暂时还不是哦。", "答：否。", "客服：目前不是，正在申报中。"],
)
def test_a_chinese_question_answered_no_claims_nothing(checker: Checker, answer: str) -> None:
    faq = f"<h3>这款保温杯是上海标准吗？</h3><p>{answer}</p>"
    result = _check(checker, _item("演示保温杯", _row("产品名称", "保温杯"), faq), _URL)
    assert _findings(result) == []
    assert "near:answered-no" in result.page.occurrences[0].signals


@pytest.mark.parametrize(
    "answer",
    [
        # Not a no: an implied yes nobody wrote as one stays a claim for a person to read (never a sure finding).
        "<p>A: No doubt about it, buy with confidence.</p>",
        "<p>A: No problem, we ship worldwide.</p>",
    ],
)
def test_no_doubt_or_no_problem_is_no_denial(checker: Checker, answer: str) -> None:
    result = _check(checker, _en_item("<p>Q: Is this flask a Shanghai Standard product?</p>" + answer), _URL)
    assert "near:answered-no" not in result.page.occurrences[0].signals
    assert _findings(result) == [("SHS008", None, "review")]


def test_chinese_no_problem_is_no_denial(checker: Checker) -> None:
    faq = "<h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>答：没问题，放心购买。</p>"
    result = _check(checker, _item("演示保温杯", _row("产品名称", "保温杯"), faq), _URL)
    assert "near:answered-no" not in result.page.occurrences[0].signals


# --- a question no answer follows (probe s31 hb12) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "faq",
    [
        "<h3>常见问题</h3><p>这款是上海标准吗？</p><p>能开发票吗？</p><p>几天发货？</p>",
        "<h3>常见问题</h3><p>这款是上海标准吗？能开发票吗？几天发货？</p>",
        "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>问：能开发票吗？</p><p>答：可以开具电子发票。</p>",
        # The yes answers the next question, not the one about the words.
        "<h3>常见问题</h3><p>问：这款是上海标准吗？问：支持七天无理由退货吗？答：是的，支持。</p>",
        "<h3>FAQ</h3><p>Q: Is this flask a Shanghai Standard product?</p><p>Q: Can you ship to Europe?</p><p>A: Yes.</p>",
    ],
)
def test_a_question_followed_by_another_question_claims_nothing(checker: Checker, faq: str) -> None:
    result = _check(checker, _item("演示保温杯", _row("产品名称", "保温杯"), faq), _URL)
    assert _findings(result) == []
    assert "near:unanswered" in result.page.occurrences[0].signals


@pytest.mark.parametrize(
    ("faq", "expected"),
    [
        # The seller's yes: with a revoked standard (probe s31 hb14), with none disclosed (s31's FAQ rule).
        (
            "<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：是的，执行T/DEMO 003-2020。</p>",
            [("SHS004", "T/DEMO 003-2020")],
        ),
        ("<h3>常见问题</h3><p>问：这款是上海标准吗？</p><p>答：是的</p>", [("SHS008", None)]),
        # A question in a heading answered yes in the next paragraph, after customer service's address.
        (
            "<h3>这款是上海标准吗？</h3><p>亲，是的哦，执行T/DEMO 003-2020。</p>",
            [("SHS004", "T/DEMO 003-2020")],
        ),
    ],
)
def test_a_sellers_yes_still_makes_the_question_its_claim(
    checker: Checker, faq: str, expected: list[tuple[str, str | None]]
) -> None:
    result = _check(checker, _item("演示共享单车锁", _row("产品名称", "共享单车锁"), faq), _URL)
    assert [(f.rule_id, f.standard_code) for f in result.findings] == expected
    assert "near:affirmed" in result.page.occurrences[0].signals


def test_a_question_whose_long_answer_was_not_kept_reads_its_answer(checker: Checker) -> None:
    # The pre-pass keeps only a short answer (prune._ANSWER_CHARS) but writes the first characters of a long one on
    # the question (prune.ANSWER_ATTR): the question after it is not this question's answer, the long yes is (session
    # 33; it was SHS008 for review). The open question at the end, which nothing follows, claims nothing.
    long_yes = "答：是的，" + "本店保温杯采用双层真空结构，保温时间长，杯盖密封不漏水。" * 10
    faq = (
        f"<h3>常见问题</h3><p>问：这款保温杯是上海标准吗？</p><p>{long_yes}</p>"
        "<p>问：上海标准和国家标准有什么区别？</p>"
    )
    result = _check(checker, _item("演示保温杯", _row("产品名称", "保温杯"), faq), _URL)
    first, last = result.page.occurrences
    assert "near:affirmed" in first.signals
    assert "near:unanswered" in last.signals
    assert _findings(result) == [("SHS008", None, "high")]


def test_a_block_of_many_questions_is_read_in_linear_time() -> None:
    # Each question reads a bounded window after it for its answer (a yes, a no, or the next question), never the
    # whole rest of the block: one paragraph of thousands of questions stays linear.
    def questions(n: int) -> bytes:
        return _item(
            "演示保温杯", _row("产品名称", "保温杯"), "<p>" + "这款是上海标准吗？" * n + "</p>"
        ).encode()

    result = extracted_in_linear_time(questions, 500)
    assert result.occurrences and all(o.use == "discussion" for o in result.occurrences[:-1])
