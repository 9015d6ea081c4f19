"""Verdicts an inspector can sign: one finding per thing to act on, titles matched by similarity, SHS011 only
for a named product, confidence with reasons, and the precision floor learnt from inspectors' decisions."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from checker.check import Checker, PageResult
from checker.confidence import describe, reason_code
from checker.extract.models import Claim, ImageRef, Occurrence, PageClaims, PageWarning
from checker.registry import RegistryIndex
from checker.report import SCHEMA_FILE, TargetResult, to_explain, to_json, to_sarif, to_text
from checker.rules.cases import record_from_case
from crawler.store.models import Sweep
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.lifecycle import transition
from markwatch.cases.models import Case, CaseEvent, CaseStatus, DismissalKind
from markwatch.cases.precision import PrecisionPolicy, review_policy
from markwatch.cli import cli
from sweeps.checking import RegistryChecker
from sweeps.models import Finding

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-2.1.0.json").read_text(encoding="utf-8"))
V2_SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
DAY = dt.date(2026, 11, 26)
T0 = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
MAKER = "上海演示企业A有限公司（虚构）"
REGISTRY_YAML = """\
designations:
  - {code: "T/DEMO 001-2022", title: "演示用智能水杯（虚构）", type: group, designated_on: 2022-06-01,
     holders: [{name: "演示标准化协会（虚构）"}], scope: ["智能水杯", "儿童饮水杯"], source: test}
  - {code: "T/DEMO 002-2019", title: "演示用旧标准（虚构）", type: group, designated_on: 2019-06-01,
     valid_until: 2022-01-01, revoked_on: 2023-01-01, source: test}
  - {code: "T/DEMO 003-2020", title: "产品质量检测规范（演示）", type: group, designated_on: 2020-06-01,
     valid_until: 2024-01-01, source: test}
  - {code: "T/SHHJ 000003-2018", title: "学校运动场地合成材料面层有害物质限量", type: group,
     designated_on: 2020-12-24, valid_until: 2023-12-24, holders: [{name: "上海市化学建材行业协会"}], source: test}
"""
# The same claim three times: attribute summary, full parameter table, description.
DUPLICATED = f"""<html><head><meta charset="utf-8"><title>智能水杯</title></head><body>
<h1>智能水杯</h1>
<ul class="attributes"><li>产品名称：智能水杯</li><li>执行标准：T/DEMO 002-2019（上海标准）</li></ul>
<table class="params"><tr><th>商品名称</th><td>智能水杯</td></tr>
<tr><th>执行标准</th><td>T/DEMO 002-2019（上海标准）</td></tr><tr><th>生产企业</th><td>{MAKER}</td></tr></table>
<div class="description"><p>本品执行标准 T/DEMO 002-2019（上海标准），品质可靠。</p></div>
</body></html>""".encode()


def title_page(title: str, product: str = "检测仪") -> bytes:
    return (
        f'<html><body><h1>{product}</h1><ul class="params"><li>产品名称：{product}</li>'
        f"<li>本产品执行{title}（上海标准）</li><li>生产企业：{MAKER}</li></ul></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker()
    yield instance
    instance.close()


@pytest.fixture
def registry_db(db_url: str, tmp_path: Path) -> str:
    """db_url (SQLite and PostgreSQL) with the test registry imported through the CLI."""
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY_YAML, encoding="utf-8")
    result = CliRunner().invoke(cli, ["registry", "import", str(path), "--db", db_url])
    assert result.exit_code == 0, result.output
    return db_url


def registry_of(url: str) -> RegistryIndex:
    with db.session_scope(url) as session:
        return RegistryIndex.load(session)


def check(checker: Checker, registry: RegistryIndex, raw: bytes, **kw: object) -> PageResult:
    return checker.check_page(
        raw,
        url="https://shop.example/item/1",
        declared_charset=None,
        observed_at=None,
        registry=registry,
        as_of=DAY,
        **kw,  # type: ignore[arg-type]
    )


# ---- one finding per thing to act on -------------------------------------------------------------------


def test_duplicated_parameter_block_is_one_finding_with_three_locations_in_every_format(
    registry_db: str, tmp_path: Path
) -> None:
    page = tmp_path / "item.html"
    page.write_bytes(DUPLICATED)
    runner = CliRunner()
    base = ["check", str(page), "--db", registry_db, "--as-of", "2026-11-26"]

    text = runner.invoke(cli, base)
    assert text.exit_code == 1, text.output
    assert "1 target(s), 3 claim(s), 1 finding(s)" in text.output
    assert text.output.count("SHS004 designation-revoked") == 1
    located = [line for line in text.output.splitlines() if line.startswith("    at ")]
    assert [line.split()[1] for line in located] == ["c1", "c2", "c3"]
    assert any("ul.attributes" in line for line in located) and any(
        "table.params" in line for line in located
    )

    doc = json.loads(runner.invoke(cli, [*base, "--format", "json"]).stdout)
    jsonschema.Draft202012Validator(V2_SCHEMA).validate(doc)
    (finding,) = doc["results"][0]["findings"]
    assert finding["rule_id"] == "SHS004" and finding["claim_ids"] == ["c1", "c2", "c3"]
    assert [loc["claim_id"] for loc in finding["locations"]] == ["c1", "c2", "c3"]
    assert len({loc["location"] for loc in finding["locations"]}) == 3
    assert finding["record_code"] == "T/DEMO 002-2019" and finding["record_match"] == "exact"
    assert finding["confidence"] == "high"

    sarif = json.loads(runner.invoke(cli, [*base, "--format", "sarif"]).stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert [loc["id"] for loc in result["locations"]] == [0, 1, 2]
    assert result["kind"] == "fail" and result["level"] == "error"
    assert result["partialFingerprints"]["markwatchFindingKey/v1"] == finding["finding_key"]

    legacy = runner.invoke(cli, [*base, "--format", "json-v1"])
    assert "deprecated" in legacy.stderr
    old = json.loads(legacy.stdout)
    assert old["schema"] == "markwatch.check.v1" and len(old["results"][0]["findings"]) == 1


def test_grouping_keeps_the_case_key_and_separates_rules(checker: Checker, registry_db: str) -> None:
    from checker.findings import finding_key

    result = check(checker, registry_of(registry_db), DUPLICATED)
    (finding,) = result.findings
    # The case key is the one a single claim always had: existing cases keep their key.
    claimant = result.page.claims[0].claimant
    assert finding.finding_key == finding_key(
        "https://shop.example/item/1", claimant, "SHS004", "T/DEMO 2-2019"
    )
    both = DUPLICATED.replace("品质可靠".encode(), "通过上海标准认证".encode())
    rules = sorted(f.rule_id for f in check(checker, registry_of(registry_db), both).findings)
    assert rules == ["SHS004", "SHS009"]


# ---- titles --------------------------------------------------------------------------------------------


def test_title_claims_match_registered_titles_by_similarity(checker: Checker, registry_db: str) -> None:
    registry = registry_of(registry_db)

    def only(title: str) -> list:  # type: ignore[type-arg]
        return check(checker, registry, title_page(title)).findings

    # Simplified, exact: judged on the record its title names (expired), never "?" and never "no record".
    (exact,) = only("《产品质量检测规范（演示）》")
    assert (exact.rule_id, exact.record_code, exact.record_match, exact.title_score) == (
        "SHS003",
        "T/DEMO 003-2020",
        "title",
        100,
    )
    assert exact.record_id == registry.find("T/DEMO 003-2020").id  # type: ignore[union-attr]
    assert exact.confidence == "high" and "?" not in exact.message
    assert (
        "按名称对应 T/DEMO 003-2020" in exact.message
        and "matched by title to T/DEMO 003-2020" in exact.message
    )
    assert "2024-01-01" in exact.message

    # Traditional script: the same record, the same verdict.
    (traditional,) = only("《產品質量檢測規範（演示）》")
    assert (traditional.rule_id, traditional.record_code, traditional.title_score) == (
        "SHS003",
        "T/DEMO 003-2020",
        100,
    )

    # A title in traditional script throughout: OpenCC converts every character, not a hand-picked few.
    (whole,) = only("《學校運動場地合成材料面層有害物質限量》")
    assert (whole.rule_id, whole.record_code, whole.title_score) == ("SHS003", "T/SHHJ 000003-2018", 100)

    # Close but not the same (edition words dropped): still that record, but an inspector checks the match.
    (similar,) = only("《产品质量检测规范》")
    assert similar.rule_id == "SHS003" and similar.record_code == "T/DEMO 003-2020"
    assert similar.confidence == "review" and 85 <= (similar.title_score or 0) < 100
    assert "title-similar" in {reason_code(r) for r in similar.confidence_reasons}

    # Near miss below the match threshold: SHS001 naming the nearest title and its score, for review.
    (near,) = only("《产品质量检测规程》")
    assert near.rule_id == "SHS001" and near.record_code is None and near.record_match == "none"
    assert "《产品质量检测规范（演示）》" in near.message and "T/DEMO 003-2020" in near.message
    assert (
        f"相似度 {near.title_score}/100" in near.message
        and f"similarity {near.title_score}/100" in near.message
    )
    assert near.confidence == "review" and "title-near-miss" in {
        reason_code(r) for r in near.confidence_reasons
    }

    # Far from every registered title: SHS001, high, still naming the nearest one.
    (far,) = only("《电动牙刷技术规范》")
    assert far.rule_id == "SHS001" and far.confidence == "high" and (far.title_score or 0) < 70
    assert "nearest registered title" in far.message and "?" not in far.message


def test_nothing_disclosed_is_review_when_an_unreadable_number_stands_beside_the_words(
    checker: Checker, registry_db: str
) -> None:
    def only(row: str) -> tuple[str, str, set[str]]:
        raw = (
            f'<html><body><h1>检测仪</h1><ul class="params"><li>产品名称：检测仪</li><li>{row}</li>'
            f"<li>生产企业：{MAKER}</li></ul></body></html>"
        ).encode()
        (finding,) = check(checker, registry_of(registry_db), raw).findings
        return finding.rule_id, finding.confidence, {reason_code(r) for r in finding.confidence_reasons}

    # Q/31 is no enterprise code the reader knows, but an inspector sees a number: "nothing disclosed" is a guess.
    rule, confidence, reasons = only("执行标准: Q/31 0001-2020 上海标准")
    assert (rule, confidence) == ("SHS008", "review") and "code-unread" in reasons
    assert only("执行标准：Ｑ／３１　０００１—２０２０（上海标准）")[1:] == ("review", reasons)
    # Nothing shaped like a number beside the words: still sure.
    rule, confidence, reasons = only("执行标准：上海标准")
    assert (rule, confidence) == ("SHS008", "high") and "code-unread" not in reasons
    # A number the reader does read is judged as that number, never as "nothing disclosed".
    assert only("执行标准：GB/T 19001-2016（上海标准）")[0] == "SHS002"


def test_two_titles_in_one_finding_are_both_named(checker: Checker, registry_db: str) -> None:
    raw = title_page("《电动牙刷技术规范》").replace(
        b"</ul>", "<li>另执行《电动牙刷安全要求》（上海标准）</li></ul>".encode()
    )
    (finding,) = check(checker, registry_of(registry_db), raw).findings
    assert finding.rule_id == "SHS001" and len(finding.locations) == 2
    assert "同页另有：《电动牙刷安全要求》" in finding.message
    assert "also on this page: 《电动牙刷安全要求》" in finding.message


def test_title_threshold_is_a_rule_parameter(registry_db: str, tmp_path: Path) -> None:
    from checker.rules.loader import DEFAULT_RULES_DIR

    for path in DEFAULT_RULES_DIR.glob("SHS*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("SHS001-") and not path.name.endswith(".test.yaml"):
            text = text.replace("title_match_min: 85", "title_match_min: 95")
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    strict = Checker(rules_dir=tmp_path, engine="plain")
    (finding,) = check(strict, registry_of(registry_db), title_page("《产品质量检测规范》")).findings
    assert finding.rule_id == "SHS001"  # 88.9 is no longer close enough


def test_title_only_case_carries_the_record_its_title_matched(registry_db: str) -> None:
    """The card beside a case reads the case's standard from the registry: it must be the record judged."""
    registry = registry_of(registry_db)
    outcome = RegistryChecker(Checker(), registry).check(
        title_page("《产品质量检测规范（演示）》"),
        url="https://shop.example/t",
        declared_charset=None,
        observed_at=T0,
    )
    with db.session_scope(registry_db) as session:
        sweep = _sweep(session)
        _store(session, sweep, outcome.findings, "https://shop.example/t")
        ingest_sweep(session, sweep.id)
        case = session.scalars(select(Case)).one()
        assert case.rule_id == "SHS003" and case.standard_code == "T/DEMO 003-2020"
        card = RegistryIndex.load(session).find(case.standard_code)
        assert card is not None and card.status_as_of(T0.date()).value == "expired"


# ---- SHS011 --------------------------------------------------------------------------------------------


def test_shs011_names_the_product_and_scope_and_needs_a_named_product(
    checker: Checker, registry_db: str
) -> None:
    registry = registry_of(registry_db)
    outside = check(checker, registry, title_page("T/DEMO 001-2022", product="不锈钢保温杯"))
    (finding,) = outside.findings
    assert finding.rule_id == "SHS011"
    assert "不锈钢保温杯" in finding.message and "智能水杯、儿童饮水杯" in finding.message
    # Borderline (most of a scope term in the name): not clearly outside, no finding.
    assert check(checker, registry, title_page("T/DEMO 001-2022", product="智能保温杯")).findings == []
    # The claims extractor leaves product_name None when unsure: then SHS011 never fires.
    page = outside.page.model_copy(deep=True)
    for claim in page.claims:
        claim.product_name = None
        claim.product_category = "保温杯"
    assert checker.check_claims(page, registry, DAY) == []


# ---- confidence ----------------------------------------------------------------------------------------


def _claim(cid: str, **kw: object) -> Claim:
    values: dict[str, object] = {
        "id": cid,
        "kind": "text",
        "text": "上海标准",
        "verbatim": "上海标准",
        "pattern": "words-zh",
        "use": "product",
        "use_signals": ["page:price", "near:params"],
        "certification_words": ["上海标准认证"],
        "claimant": MAKER,
        "snippet": "通过上海标准认证",
        "location": f"p:nth-of-type({cid[1:]})",
    }
    values.update(kw)
    return Claim.model_validate(values)


def _page(*claims: Claim, **kw: object) -> PageClaims:
    return PageClaims.model_validate(
        {"url": "https://shop.example/x", "extractor_version": "test", "claims": list(claims), **kw}
    )


def test_confidence_reasons_from_use_ocr_and_page_warnings(checker: Checker, registry_db: str) -> None:
    registry = registry_of(registry_db)
    sure = checker.check_claims(_page(_claim("c1")), registry, DAY)
    assert [(f.rule_id, f.confidence) for f in sure] == [("SHS008", "high"), ("SHS009", "high")]
    assert "use: product (page:price, near:params)" in sure[0].confidence_reasons

    close = checker.check_claims(_page(_claim("c1", use_confidence="review")), registry, DAY)
    assert {f.confidence for f in close} == {"review"}
    assert "use-close-call" in {reason_code(r) for r in close[0].confidence_reasons}

    # One certain location is enough; the close call is still mentioned.
    mixed = checker.check_claims(_page(_claim("c1", use_confidence="review"), _claim("c2")), registry, DAY)
    assert mixed[0].confidence == "high" and mixed[0].claim_ids == ["c1", "c2"]
    assert "other-locations: 1 of 2" in mixed[0].confidence_reasons

    blurry = _claim(
        "c1",
        kind="image-text",
        image=ImageRef(sha256="ab" * 32, ocr_text="上海标准认证", ocr_confidence=0.55),
    )
    (ocr, *_rest) = checker.check_claims(_page(blurry), registry, DAY)
    assert ocr.confidence == "review" and "ocr-low: 0.55 < 0.80" in ocr.confidence_reasons
    assert ocr.locations[0].image is not None and ocr.locations[0].kind == "image-text"

    cut = _page(_claim("c1"), warnings=[PageWarning(code="depth-cut", message="nesting over 400 levels")])
    assert {f.confidence for f in checker.check_claims(cut, registry, DAY)} == {"review"}
    assert describe("page-partly-read: depth-cut", "zh") == "页面有部分内容未能读取: depth-cut"


def test_explain_says_why_each_occurrence_was_judged(checker: Checker, registry_db: str) -> None:
    page = _page(
        _claim("c1"),
        page_kind="product",
        page_signals=["page:price"],
        occurrences=[
            Occurrence(
                text="上海标准", use="discussion", signals=["near:byline", "text:记者"], location="p.news"
            ),
            Occurrence(
                text="上海标准",
                use="product",
                signals=["near:params"],
                claim_id="c1",
                location="p:nth-of-type(1)",
            ),
        ],
    )
    findings = checker.check_claims(page, registry_of(registry_db), DAY)
    text = to_explain([TargetResult("x.html", PageResult(page=page, as_of=DAY, findings=findings))])
    assert "page: product (page:price)" in text
    assert "not judged: discussion of the scheme" in text and "near:byline, text:记者" in text
    assert "judged as product claim c1" in text
    assert "SHS009 certification-wording [medium]" in text and "classified as: product" in text


def test_cli_explain_on_a_page_and_refused_with_json(registry_db: str, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_bytes(DUPLICATED)
    runner = CliRunner()
    out = runner.invoke(cli, ["check", str(page), "--db", registry_db, "--explain", "--as-of", "2026-11-26"])
    assert (
        out.exit_code == 1 and "judged as product claim" in out.output and "tied by: annotation" in out.output
    )
    refused = runner.invoke(cli, ["check", str(page), "--db", registry_db, "--explain", "--format", "json"])
    assert refused.exit_code == 2 and "--explain" in refused.output


def test_hostile_snippets_cannot_drive_the_terminal(checker: Checker, registry_db: str) -> None:
    evil = _claim("c1", snippet="上海标准认证\x1b[2J\x1b]0;pwned\x07\u202e", location="p\x1b[31m")
    findings = checker.check_claims(_page(evil), registry_of(registry_db), DAY)
    result = [TargetResult("x", PageResult(page=_page(evil), as_of=DAY, findings=findings))]
    for text in (to_text(result), to_explain(result)):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(to_sarif(result, checker.rules))
    jsonschema.Draft202012Validator(V2_SCHEMA).validate(to_json(result, DAY))


# ---- learning from inspectors' decisions ---------------------------------------------------------------


def _sweep(session: object) -> Sweep:
    sweep = Sweep(target="demo", state="finished", started_at=T0, finished_at=T0)
    session.add(sweep)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return sweep


def _store(session: object, sweep: Sweep, records: list, url: str, at: dt.datetime = T0) -> None:  # type: ignore[type-arg]
    """What the sweep pipeline stores per finding (sweeps/pipelines.py::_persist), without a crawl."""
    for record in records:
        session.add(  # type: ignore[attr-defined]
            Finding(
                sweep_id=sweep.id,
                finding_key=record.finding_key,
                rule_id=record.rule_id,
                severity=record.severity,
                standard_code=record.standard_code,
                claim=record.claim,
                message=record.message,
                evidence=record.evidence,
                page_url=url,
                site="shop.example",
                claimant=record.claimant,
                observed_at=at,
            )
        )
    session.flush()  # type: ignore[attr-defined]


def _decide(
    session: object, rule_id: str, confirmed: int, not_a_claim: int, pattern: str = "words-zh"
) -> None:
    """Decided cases of a rule, each behind a stored finding whose claim came from `pattern`."""
    sweep = _sweep(session)
    for n in range(confirmed + not_a_claim):
        key = f"{rule_id}-{pattern}-{sweep.id}-{n}"
        session.add(  # type: ignore[attr-defined]
            Finding(
                sweep_id=sweep.id,
                finding_key=key,
                rule_id=rule_id,
                severity="medium",
                claim={"pattern": pattern},
                message="m",
                evidence={"snippet": "s", "location": "p", "patterns": [pattern]},
                page_url=f"https://old.example/{key}",
                observed_at=T0 - dt.timedelta(days=30),
            )
        )
    session.flush()  # type: ignore[attr-defined]
    ingest_sweep(session, sweep.id)  # type: ignore[arg-type]
    cases = session.scalars(select(Case).where(Case.status == "open", Case.rule_id == rule_id)).all()  # type: ignore[attr-defined]
    for n, case in enumerate(cases):
        transition(session, case, CaseStatus.IN_REVIEW, actor="inspector:test")  # type: ignore[arg-type]
        if n < confirmed:
            transition(session, case, CaseStatus.CONFIRMED, actor="inspector:test", reason="确认")  # type: ignore[arg-type]
        else:
            transition(
                session,  # type: ignore[arg-type]
                case,
                CaseStatus.DISMISSED,
                actor="inspector:test",
                reason="新闻报道，不是使用",
                dismissal_kind=DismissalKind.NOT_A_CLAIM,
            )


def test_precision_floor_sends_a_rules_new_findings_to_review(registry_db: str) -> None:
    floor = PrecisionPolicy(floor=0.5, last_n=50, min_judged=10)
    registry = registry_of(registry_db)
    with db.session_scope(registry_db) as session:
        _decide(session, "SHS009", confirmed=2, not_a_claim=8)
        _decide(session, "SHS008", confirmed=9, not_a_claim=1)
        policy = review_policy(session, floor)
        assert set(policy.rules) == {"SHS009"} and policy.rules["SHS009"].startswith("0.20 < 0.50")
        # The pattern tally sees the same decisions through the stored findings.
        assert ("SHS009", "words-zh") in policy.patterns and ("SHS008", "words-zh") not in policy.patterns

        # A new sweep: the checker knows nothing of decisions; ingest applies them to the new cases.
        outcome = RegistryChecker(Checker(), registry).check(
            title_page("T/DEMO 001-2022 通过上海标准认证", product="智能水杯"),
            url="https://shop.example/new",
            declared_charset=None,
            observed_at=T0,
        )
        sweep = _sweep(session)
        _store(session, sweep, outcome.findings, "https://shop.example/new")
        ingest_sweep(session, sweep.id, precision=floor)
        case = session.scalars(select(Case).where(Case.page_url == "https://shop.example/new")).one()
        assert case.rule_id == "SHS009" and case.confidence == "review"
        assert any(r.startswith("rule-precision-low: 0.20 < 0.50") for r in case.confidence_reasons)

    # The checker applies the same policy itself when its caller has the decisions (`markwatch check`).
    with db.session_scope(registry_db) as session:
        strict = review_policy(session, floor)
    findings = Checker().check_claims(_page(_claim("c1", pattern="words-zh")), registry, DAY, review=strict)
    shs009 = next(f for f in findings if f.rule_id == "SHS009")
    assert shs009.confidence == "review"
    assert {reason_code(r) for r in shs009.confidence_reasons} >= {
        "rule-precision-low",
        "pattern-precision-low",
    }
    # A rule inspectors mostly confirm stays high.
    assert next(f for f in findings if f.rule_id == "SHS008").confidence == "high"


def test_check_cli_uses_the_floor_from_the_environment(
    registry_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session_scope(registry_db) as session:
        _decide(session, "SHS009", confirmed=1, not_a_claim=3)
    page = tmp_path / "p.html"
    page.write_bytes(title_page("T/DEMO 001-2022 通过上海标准认证", product="智能水杯"))
    base = ["check", str(page), "--db", registry_db, "--format", "json", "--as-of", "2026-11-26"]
    monkeypatch.setenv("MARKWATCH_PRECISION_MIN_DECIDED", "10")
    (high,) = json.loads(CliRunner().invoke(cli, base).stdout)["results"][0]["findings"]
    assert high["confidence"] == "high"  # 4 decisions are too few to judge the rule
    monkeypatch.setenv("MARKWATCH_PRECISION_MIN_DECIDED", "4")
    (review,) = json.loads(CliRunner().invoke(cli, base).stdout)["results"][0]["findings"]
    assert review["confidence"] == "review"
    assert any(r.startswith("rule-precision-low: 0.25 < 0.50") for r in review["confidence_reasons"])
    monkeypatch.setenv("MARKWATCH_PRECISION_FLOOR", "1.5")
    bad = CliRunner().invoke(cli, base)
    assert bad.exit_code == 2 and "MARKWATCH_PRECISION_FLOOR" in bad.output and "Traceback" not in bad.output


def test_case_confidence_follows_new_evidence_and_every_change_is_audited(registry_db: str) -> None:
    registry = registry_of(registry_db)
    checker = Checker()
    url = "https://shop.example/moving"
    with db.session_scope(registry_db) as session:
        first = _sweep(session)
        review = RegistryChecker(checker, registry).check(
            title_page("《产品质量检测规范》"), url=url, declared_charset=None, observed_at=T0
        )
        _store(session, first, review.findings, url)
        ingest_sweep(session, first.id)
        case = session.scalars(select(Case)).one()
        assert case.confidence == "review"  # a review finding never silently opens a high case
        assert "title-similar" in {reason_code(r) for r in case.confidence_reasons}

        later = T0 + dt.timedelta(days=7)
        second = _sweep(session)
        # The registry now lists the title exactly as the page writes it (also expired): same page, same key.
        exact_title = record_from_case(
            {
                "code": "T/DEMO 004-2020",
                "title": "产品质量检测规范",
                "type": "group",
                "designated_on": "2020-06-01",
                "valid_until": "2024-01-01",
            },
            99,
        )
        grown = RegistryIndex.from_records([*registry.records, exact_title])
        exact = RegistryChecker(checker, grown).check(
            title_page("《产品质量检测规范》"), url=url, declared_charset=None, observed_at=later
        )
        assert [r.finding_key for r in exact.findings] == [case.case_key]
        assert exact.findings[0].evidence["confidence"] == "high"
        _store(session, second, exact.findings, url, at=later)
        ingest_sweep(session, second.id)
        assert case.confidence == "high"
        event = session.scalars(select(CaseEvent).where(CaseEvent.kind == "confidence_changed")).one()
        assert (event.payload["from"], event.payload["to"]) == ("review", "high")


def test_rules_stats_shows_confirmed_precision_per_rule_and_pattern(
    registry_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session_scope(registry_db) as session:
        _decide(session, "SHS009", confirmed=2, not_a_claim=8, pattern="words-zh")
        _decide(session, "SHS009", confirmed=3, not_a_claim=0, pattern="words-en")
    monkeypatch.setenv("MARKWATCH_PRECISION_MIN_DECIDED", "3")
    runner = CliRunner()
    out = runner.invoke(cli, ["rules", "stats", "--db", registry_db, "--by-pattern"])
    assert out.exit_code == 0, out.output
    lines = {line.split()[0] + " " + line.split()[1]: line for line in out.output.splitlines()[2:]}
    shs009 = lines["SHS009 certification-wording"]
    assert shs009.split()[2:8] == ["13", "5", "8", "0", "0", "0.38"] and "REVIEW" in shs009
    assert "0.20" in lines["pattern words-zh"] and "REVIEW" in lines["pattern words-zh"]
    assert "1.00" in lines["pattern words-en"] and lines["pattern words-en"].endswith("ok")
    assert "no decisions yet" in lines["SHS001 unregistered-standard"]
    doc = json.loads(
        runner.invoke(cli, ["rules", "stats", "--db", registry_db, "--format", "json", "--last", "5"]).stdout
    )
    (row,) = [r for r in doc["rules"] if r["rule_id"] == "SHS009"]
    assert row["stats"]["decided"] == 5 and doc["policy"]["last_n"] == 5


def test_api_dismissal_records_its_kind(registry_db: str) -> None:
    from cases_support import make_keys, make_settings

    from api.app import create_app

    with db.session_scope(registry_db) as session:
        sweep = _sweep(session)
        outcome = RegistryChecker(Checker(), registry_of(registry_db)).check(
            title_page("通过上海标准认证"),
            url="https://shop.example/d",
            declared_charset=None,
            observed_at=T0,
        )
        _store(session, sweep, outcome.findings, "https://shop.example/d")
        ingest_sweep(session, sweep.id)
        case_id = session.scalars(select(Case.id)).first()
    keys = make_keys(registry_db)
    with TestClient(create_app(make_settings(registry_db))) as client:
        h = {"X-API-Key": keys["inspector"]}
        assert (
            client.post(f"/v1/cases/{case_id}/transitions", json={"to": "in_review"}, headers=h).status_code
            == 200
        )
        bad = client.post(
            f"/v1/cases/{case_id}/transitions",
            json={"to": "dismissed", "reason": "x", "dismissal_kind": "because"},
            headers=h,
        )
        assert bad.status_code == 422
        ok = client.post(
            f"/v1/cases/{case_id}/transitions",
            json={"to": "dismissed", "reason": "新闻报道", "dismissal_kind": "not-a-claim"},
            headers=h,
        )
        assert ok.status_code == 200, ok.text
    with db.session_scope(registry_db) as session:
        assert session.get(Case, case_id).dismissal_kind == "not-a-claim"  # type: ignore[union-attr]


# ---- claims hidden from buyers ------------------------------------------------------------------------

_SHOWN_CLAIM = "<p>执行标准：T/DEMO 002-2019（上海标准）</p>"


def _item(body: str) -> bytes:
    return (
        f'<html><head><meta charset="utf-8"></head><body><h1>智能水杯</h1><p>价格：￥99</p>'
        f"<ul><li>生产企业：{MAKER}</li></ul>{body}</body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "how"),
    [
        (f'<div style="display: none">{_SHOWN_CLAIM}</div>', "display:none"),
        (f"<div hidden>{_SHOWN_CLAIM}</div>", "[hidden]"),
        (f'<div style="color:red;visibility:hidden">{_SHOWN_CLAIM}</div>', "visibility:hidden"),
        ('<p>执行标准：T/DEMO 002-2019（<span style="font-size:0px">上海标准</span>）</p>', "font-size:0"),
        ('<p>执行标准：T/DEMO 002-2019（<span style="font-size:0">上海</span>标准）</p>', "font-size:0"),
        # The page's own stylesheet (simple selectors: stylesheet.py).
        (
            f'<style>.k{{display:none}}</style><div class="k">{_SHOWN_CLAIM}</div>',
            "display:none (stylesheet .k)",
        ),
        (f'<style>#s{{font-size:0}}</style><div id="s">{_SHOWN_CLAIM}</div>', "font-size:0 (stylesheet #s)"),
        # A tab panel's name without the rest of a tab set, and Bootstrap's panel boxes, are no tabs.
        (f'<div class="tab-content" style="display:none">{_SHOWN_CLAIM}</div>', "display:none"),
        (f'<div role="tabpanel" hidden>{_SHOWN_CLAIM}</div>', "[hidden]"),
        (f'<div class="panel">说明</div><div class="panel" hidden>{_SHOWN_CLAIM}</div>', "[hidden]"),
        # Tabs that point at nothing, and a popup rule nothing on the page can bring about, open nothing.
        (
            '<ul role="tablist"><li role="tab">详情</li><li role="tab">参数</li></ul>'
            f'<div role="tabpanel" style="display:none">{_SHOWN_CLAIM}</div>',
            "display:none",
        ),
        (
            '<a data-toggle="tab" href="#a">详情</a><a data-toggle="tab" href="#b">参数</a>'
            f'<div class="tab-content" hidden>{_SHOWN_CLAIM}</div>',
            "[hidden]",
        ),
        (
            f'<style>.pop{{display:none}} .more:hover .pop{{display:block}}</style><div class="pop">{_SHOWN_CLAIM}</div>',
            "display:none (stylesheet .pop)",
        ),
        # Hiding beyond display:none (css_hiding.py).
        (f'<div style="opacity:0">{_SHOWN_CLAIM}</div>', "opacity:0"),
        (f'<div class="sr-only">{_SHOWN_CLAIM}</div>', "screen-reader-only class"),
    ],
)
def test_a_hidden_claim_is_kept_and_its_findings_go_to_review(
    registry_db: str, tmp_path: Path, body: str, how: str
) -> None:
    # Keyword stuffing a buyer never sees is still a use; an inspector signs it knowing it was hidden.
    page = tmp_path / "item.html"
    page.write_bytes(_item(body))
    result = CliRunner().invoke(
        cli, ["check", str(page), "--db", registry_db, "--as-of", "2026-11-26", "--format", "json"]
    )
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(V2_SCHEMA).validate(doc)
    (claim,) = doc["results"][0]["claims"]
    assert claim["hidden"] == how
    (finding,) = doc["results"][0]["findings"]
    assert finding["rule_id"] == "SHS004" and finding["confidence"] == "review"
    assert f"hidden-text: {how}" in finding["confidence_reasons"]
    assert describe(f"hidden-text: {how}", "zh").startswith("字样在页面上被隐藏")


@pytest.mark.parametrize(
    "body",
    [
        # Shown again below the hidden part, or never hidden by what we read.
        f'<div style="visibility:hidden"><div style="visibility:visible">{_SHOWN_CLAIM}</div></div>',
        f'<div hidden style="display:block">{_SHOWN_CLAIM}</div>',
        '<div style="font-size:0"><p style="font-size:14px">执行标准：T/DEMO 002-2019（上海标准）</p></div>',
        f'<div class="hide">{_SHOWN_CLAIM}</div>',  # an external stylesheet's class (JD's .hide): never fetched
        # Inactive tab panels of a tab set: a buyer opens them with a click (marketplaces' 规格参数 tabs): a shown
        # tab points at the panel, or a sibling panel is shown (tabs.py).
        '<ul role="tablist"><li role="tab" aria-controls="p2">详情</li><li role="tab">参数</li></ul>'
        f'<div role="tabpanel" id="p2" style="display:none">{_SHOWN_CLAIM}</div>',
        '<div data-widget="tab-content">详情</div>'
        f'<div data-widget="tab-content" style="display:none">{_SHOWN_CLAIM}</div>',
        '<ul><li data-tab="trigger">介绍</li><li data-tab="trigger">规格</li></ul>'
        f'<div><div data-tab="item">介绍</div><div data-tab="item" style="display:none">{_SHOWN_CLAIM}</div></div>',
        '<a data-toggle="tab" href="#a">详情</a><a data-toggle="tab" href="#b">参数</a>'
        f'<div class="tab-content" id="b" hidden>{_SHOWN_CLAIM}</div>',
        # A popup the page's stylesheet opens on hover over the element holding it.
        "<style>.pop{display:none} .more:hover .pop{display:block}</style>"
        f'<div class="more">更多<div class="pop">{_SHOWN_CLAIM}</div></div>',
    ],
)
def test_shown_claims_and_tab_panels_stay_high(checker: Checker, registry_db: str, body: str) -> None:
    result = check(checker, registry_of(registry_db), _item(body))
    assert [c.hidden for c in result.page.claims] == [None]
    assert [(f.rule_id, f.confidence) for f in result.findings] == [("SHS004", "high")]


def test_a_hidden_copy_beside_a_shown_one_is_one_high_finding(checker: Checker, registry_db: str) -> None:
    raw = _item(f'{_SHOWN_CLAIM}<div style="display:none">{_SHOWN_CLAIM}</div>')
    result = check(checker, registry_of(registry_db), raw)
    assert [c.hidden for c in result.page.claims] == [None, "display:none"]
    (finding,) = result.findings
    assert finding.confidence == "high" and len(finding.locations) == 2  # the surest location decides


def test_hidden_characters_inside_shown_words_keep_the_finding_high(
    checker: Checker, registry_db: str
) -> None:
    # 上海<span style="display:none">xx</span>标准 shows 上海标准: a finding an inspector signs, with the reason
    # telling why its quote holds characters the buyer did not see.
    raw = _item('<p>执行标准：T/DEMO 002-2019（上海<span style="display:none">热卖</span>标准）</p>')
    result = check(checker, registry_of(registry_db), raw)
    (claim,) = result.page.claims
    assert claim.verbatim == "上海热卖标准" and claim.hidden_inside == "display:none"
    (finding,) = result.findings
    assert (finding.rule_id, finding.confidence) == ("SHS004", "high")
    assert "hidden-inside: display:none" in finding.confidence_reasons
    assert finding.evidence.verbatim == "上海热卖标准"
    assert describe("hidden-inside: display:none", "zh").startswith("字样中夹有买家看不到的字符")


def test_words_an_override_draws_backwards_go_to_review(checker: Checker, registry_db: str) -> None:
    raw = _item("<p>执行标准：T/DEMO 002-2019（\u202e上海标准\u202c）</p>")
    result = check(checker, registry_of(registry_db), raw)
    (finding,) = result.findings
    assert finding.confidence == "review" and "shown-reversed" in finding.confidence_reasons
    assert describe("shown-reversed", "en").startswith("a right-to-left override draws the words backwards")
