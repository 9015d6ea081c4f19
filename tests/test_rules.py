"""Every rule file is valid and carries violation and ok cases that behave as declared."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from checker.rules.cases import load_cases, run_cases
from checker.rules.loader import DEFAULT_RULES_DIR, load_rules, rule_files
from markwatch.errors import RuleFileError

RULES = load_rules()
CATALOGUE = {
    "SHS001": ("unregistered-standard", "high"),
    "SHS002": ("ineligible-standard-type", "high"),
    "SHS003": ("designation-expired", "high"),
    "SHS004": ("designation-revoked", "high"),
    "SHS005": ("standard-abolished", "high"),
    "SHS006": ("edition-mismatch", "medium"),
    "SHS007": ("not-designated", "high"),
    "SHS008": ("standard-not-disclosed", "medium"),
    "SHS009": ("certification-wording", "medium"),
    "SHS010": ("not-standard-holder", "medium"),
    "SHS011": ("outside-scope", "low"),
}


def test_catalogue_is_exactly_domain_section_5() -> None:
    assert {r.rule.id: (r.rule.slug, r.rule.severity) for r in RULES.rules} == CATALOGUE


@pytest.mark.parametrize("path", rule_files(DEFAULT_RULES_DIR), ids=lambda p: p.stem)
def test_rule_has_cases_and_they_pass(path: Path) -> None:
    loaded = RULES.by_id(path.name[:6])
    cases = load_cases(loaded)
    assert cases["violation"] and cases["ok"]
    assert any("html" in c for c in cases["violation"]), "each rule needs an HTML violation case"
    failing = [c for c in run_cases(loaded) if not c.passed]
    assert not failing, failing


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    for path in DEFAULT_RULES_DIR.glob("SHS*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit(directory: Path, name: str, change: dict[str, object]) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "where", "text"),
    [
        ({"filters": 1}, "filters", "Extra inputs"),
        ({"when": {"fact": "statuz", "eq": "revoked"}}, "when.fact", "unknown fact 'statuz'"),
        ({"when": {"fact": "status", "matches": "revoked"}}, "when.matches", "unknown operator"),
        ({"when": {"fact": "status", "eq": 3}}, "when.eq", "expected str"),
        ({"when": {"fact": "has_code", "eq": "true"}}, "when.eq", "expected bool"),
        ({"when": {"fact": "status", "gt": "a"}}, "when.gt", "ordering needs a number"),
        ({"when": {"all": []}}, "when.all", "non-empty list"),
        ({"when": {"fact": "days_since_expiry", "gt": "$params.nope"}}, "when.gt", "unknown parameter"),
        (
            {
                "when": {"fact": "days_since_expiry", "gt": "$params.grace_days"},
                "params": {"grace_days": "7"},
            },
            "when.gt",
            "expected int",
        ),
        ({"severity": "critical"}, "severity", "Input should be"),
        ({"applies_to": ["discussion"]}, "applies_to.0", "Input should be"),
        ({"applies_to": []}, "applies_to", "at least 1 item"),
        ({"applies_to": ["product", "product"]}, "applies_to", "listed twice"),
        ({"message": {"zh": "{nope}", "en": "x"}}, "message.zh", "unknown placeholder"),
    ],
)
def test_invalid_rule_refuses_the_ruleset_naming_file_and_path(
    rules_copy: Path, change: dict[str, object], where: str, text: str
) -> None:
    _edit(rules_copy, "SHS003-designation-expired.yaml", change)
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.source is not None and info.value.source.endswith("SHS003-designation-expired.yaml")
    assert info.value.where == where
    assert text in str(info.value)


def test_file_name_must_match_id(rules_copy: Path) -> None:
    (rules_copy / "SHS004-designation-revoked.yaml").rename(rules_copy / "SHS004-revoked.yaml")
    with pytest.raises(RuleFileError, match=r"SHS004-designation-revoked\.yaml"):
        load_rules(rules_copy)


def test_rule_without_cases_fails(rules_copy: Path) -> None:
    (rules_copy / "SHS005-standard-abolished.test.yaml").unlink()
    with pytest.raises(RuleFileError, match="no test file"):
        run_cases(load_rules(rules_copy).by_id("SHS005"))


def test_rules_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A deployment's own reviewed copy of the rules replaces the bundled one.
    for path in rule_files(DEFAULT_RULES_DIR)[:3]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setenv("MARKWATCH_RULES_DIR", str(tmp_path))
    assert [item.rule.id for item in load_rules().rules] == ["SHS001", "SHS002", "SHS003"]
    monkeypatch.setenv("MARKWATCH_RULES_DIR", str(tmp_path / "missing"))
    with pytest.raises(RuleFileError, match="no rule files"):
        load_rules()


def test_applies_to_is_required(rules_copy: Path) -> None:
    path = rules_copy / "SHS004-designation-revoked.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["applies_to"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rules(rules_copy)
    assert info.value.where == "applies_to"


def test_organisation_claims_are_judged_only_on_what_they_can_break() -> None:
    # issue 13 §1: an announcement can break the designation's status and holder, nothing about a product;
    # and naming a standard whose type can never be designated (SHS002) is false whoever says it.
    # SHS009 judges an organisation only on the words listed among its own honours (presented_as_honour:
    # domain.md §5, 上海标准 presented as an award); its rule file and test cases say so.
    judged = {r.rule.id for r in RULES.rules if "organisation" in r.rule.applies_to}
    assert judged == {"SHS001", "SHS002", "SHS003", "SHS004", "SHS005", "SHS007", "SHS009", "SHS010"}
    assert all("product" in r.rule.applies_to for r in RULES.rules)
