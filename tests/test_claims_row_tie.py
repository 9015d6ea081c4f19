"""A product page whose 执行标准 row names, without the words, the code of a designated 上海标准: that standard
is the claim's (tie "page-row", judged for review), so an expired edition is its own SHS003, not an SHS008
"not disclosed" that the page's own row contradicts. A row naming a code the registry never designated is
still not enough to tie (SHS008 review, standard-elsewhere), and the claim keeps no standard.

Pages in the style of probe round s27 (p02, p37, p38, p42), judged against examples/registry.yaml on 2026-11-26."""

from __future__ import annotations

from claims_probe_support import AS_OF, REGISTRY
from claims_probe_support import check as _check
from claims_probe_support import findings as _findings

from checker.check import Checker
from checker.extract import extract_page


def _jd(title: str, row_code: str) -> str:
    return (
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>演示保温杯-京东</title></head><body>'
        f"<div class='sku-name'>{title}</div><div class='summary-price'><span class='p-price'>￥129.00</span></div>"
        "<a id='InitCartUrl'>加入购物车</a><div class='Ptable'><dl><dt>商品名称</dt><dd>智能水杯</dd></dl>"
        f"<dl><dt>执行标准</dt><dd>{row_code}</dd></dl><dl><dt>生产商</dt><dd>演示杯业有限公司</dd></dl></div>"
        "</body></html>"
    )


_URL = "https://item.jd.example.com/100020001.html"


def test_an_expired_edition_in_the_row_is_its_own_finding(checker: Checker) -> None:
    result = _check(checker, _jd("演示 智能水杯 长效保温 上海标准产品", "T/DEMO 001-2019"), _URL)
    assert _findings(result) == [("SHS003", "T/DEMO 001-2019", "review")]
    assert [c.tie for c in result.page.claims] == ["page-row"]
    reasons = result.findings[0].confidence_reasons
    assert any(r.startswith("tie-page-row") for r in reasons), reasons


def test_a_designated_code_in_the_row_discloses_the_standard(checker: Checker) -> None:
    result = _check(checker, _jd("上海标准 智能水杯 温显", "T/DEMO 001-2022"), _URL)
    assert _findings(result) == []
    assert result.page.claims[0].standard_code == "T/DEMO 001-2022"


def test_an_unregistered_code_in_the_row_is_still_not_disclosed(checker: Checker) -> None:
    # The documented reason stands: a row without the words is not enough, unless the registry knows the code
    # as a 上海标准. The claim keeps no standard, so its case key is the one it always had.
    result = _check(checker, _jd("上海标准 智能水杯 温显", "T/ZZB 0123-2019"), _URL)
    assert _findings(result) == [("SHS008", None, "review")]
    claim = result.page.claims[0]
    assert (claim.standard_code, claim.standard_key, claim.tie) == (None, None, "none")


def test_a_national_code_in_the_row_keeps_shs008_high(checker: Checker) -> None:
    result = _check(checker, _jd("上海标准 智能水杯 温显", "GB/T 29606-2013"), _URL)
    assert _findings(result) == [("SHS008", None, "high")]


def test_a_certification_row_beside_a_designated_row_is_only_shs009(checker: Checker) -> None:
    html = (
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>S2智能水杯</title></head><body>'
        "<h1>S2 智能水杯</h1><table class='spec'><tr><th>产品名称</th><td>智能水杯</td></tr>"
        "<tr><th>执行标准</th><td>T/DEMO 001-2022</td></tr><tr><th>产品认证</th><td>上海标准认证</td></tr>"
        "<tr><th>生产企业</th><td>演示杯业有限公司</td></tr></table><a>在线询价</a></body></html>"
    )
    result = _check(checker, html, "https://www.demo-cup.example.com/product/cup-s2.html")
    assert _findings(result) == [("SHS009", "T/DEMO 001-2022", "high")]


def test_a_holders_spec_sheet_naming_its_joint_standard_in_another_row(checker: Checker) -> None:
    html = (
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>R5工业机器人</title></head><body>'
        "<h1>R5 六轴工业机器人</h1><h2>规格参数</h2><table class='spec'>"
        "<tr><th>产品名称</th><td>工业机器人</td></tr><tr><th>通信接口标准</th><td>PDLH/DEMO 001-2023</td></tr>"
        "<tr><th>标准类型</th><td>上海标准</td></tr><tr><th>生产商</th><td>演示起草单位甲（虚构）</td></tr></table>"
        "</body></html>"
    )
    result = _check(checker, html, "https://www.demo-jiaqi.example.com/product/robot-r5.html")
    assert _findings(result) == []


def test_two_codes_in_the_rows_tie_neither(checker: Checker) -> None:
    html = _jd("上海标准 智能水杯 温显", "T/DEMO 001-2022；GB/T 29606-2013")
    result = _check(checker, html, _URL)
    assert [rule for rule, _, _ in _findings(result)] == ["SHS008"]


def test_another_edition_of_a_designated_number_ties_for_the_edition_finding(checker: Checker) -> None:
    # The number was designated (2019, 2022), this edition never: the edition is the thing to act on.
    result = _check(checker, _jd("上海标准 智能水杯 温显", "T/DEMO 001-2016"), _URL)
    assert _findings(result) == [("SHS006", "T/DEMO 001-2016", "review")]


def test_a_revoked_designation_in_the_row_is_its_own_finding(checker: Checker) -> None:
    result = _check(checker, _jd("上海标准 智能水杯 温显", "T/DEMO 003-2020"), _URL)
    assert [(rule, code) for rule, code, _ in _findings(result)][:1] == [("SHS004", "T/DEMO 003-2020")]
    assert all(confidence == "review" for _, _, confidence in _findings(result))


def test_a_standard_never_designated_does_not_tie(checker: Checker) -> None:
    # Pool only (T/DEMO 005-2024), or designated after the day judged (Q/DEMO 0006-2025, from 2031): the registry
    # does not know the code as a 上海标准 yet, so the row says nothing about the words.
    for code in ("T/DEMO 005-2024", "Q/DEMO 0006-2025"):
        result = _check(checker, _jd("上海标准 智能水杯 温显", code), _URL)
        assert _findings(result) == [("SHS008", None, "review")], code
        assert result.page.claims[0].tie == "none"


def test_judging_extracted_claims_leaves_an_untied_claim_naming_nothing(checker: Checker) -> None:
    # The API and image checks extract first and judge with check_claims: the claims they return and store are
    # the judged ones, so a console never shows a row's unregistered code as the standard of a "not disclosed".
    page = extract_page(
        _jd("上海标准 智能水杯 温显", "T/ZZB 0123-2019").encode(), url=_URL, declared_charset=None
    )
    assert page.claims[0].tie == "page-row"
    findings = checker.check_claims(page, REGISTRY, AS_OF)
    assert [f.rule_id for f in findings] == ["SHS008"]
    claim = page.claims[0]
    assert (claim.standard_code, claim.standard_key, claim.tie) == (None, None, "none")
