"""A holder's other registered names (English, former): import, storage, matching and the SHS010 outcome.

SHS010 compares names only within a script. Before holders could carry registered English names, an
English claimant (an Alibaba.com `Manufacturer:` row) was never judged; now it is compared with them:
equal after normalisation is a holder, equal to none is SHS010 at review, no English name registered is
not compared at all. A former name is the renamed holder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from checker.check import Checker
from checker.confidence import REASONS
from checker.holder_names import english_name_key, match_claimant
from checker.registry import (
    DesignationChange,
    Holder,
    RegistryIndex,
    import_registry_file,
)
from checker.rules.cases import record_from_case
from checker.rules.facts import enrich
from markwatch.db import session_scope
from markwatch.errors import RegistryImportError

SEAT = "Q/DEMO 0002-2023"
HOLDER_EN = "Demo Technology Co., Ltd."
AS_OF = dt.date(2026, 11, 26)


def seat_record(**holder: Any) -> dict[str, Any]:
    return {
        "code": SEAT,
        "title": "演示用儿童座椅",
        "type": "enterprise",
        "holders": [{"name": "演示科技有限公司（虚构）", **holder}],
        "designated_on": "2023-12-15",
        "valid_until": "2028-12-14",
        "scope": ["儿童安全座椅"],
        "note": "demo record (invented)",
    }


def export_page(label: str, company: str) -> bytes:
    # The shape of the s27 probe page p21 (an Alibaba.com product detail with a Manufacturer row).
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Child Safety Seat ISOFIX - Buy Car Seat Product on Alibaba.com</title></head><body>
<h1 class="module-pdp-title">Child Safety Seat ISOFIX 0-12 Years Car Seat</h1>
<div class="price">US $38.00 - $45.00 / piece</div><a>Contact Supplier</a><a>Start Order</a>
<div class="do-entry"><dl><dt>Product Name:</dt><dd>Child Safety Seat 儿童安全座椅</dd></dl>
<dl><dt>Standard:</dt><dd>{SEAT} (Shanghai Standard 上海标准)</dd></dl>
<dl><dt>{label}:</dt><dd>{company}</dd></dl><dl><dt>Place of Origin:</dt><dd>Zhejiang, China</dd></dl></div>
</body></html>""".encode()


def check(page: bytes, *records: dict[str, Any]) -> Any:
    index = RegistryIndex.from_records(record_from_case(r, n) for n, r in enumerate(records, 1))
    return Checker().check_page(
        page,
        url="https://www.alibaba.example.com/product-detail/Child-Safety-Seat_1600021.html",
        declared_charset=None,
        observed_at=None,
        registry=index,
        as_of=AS_OF,
    )


def shs010(result: Any) -> list[Any]:
    return [f for f in result.findings if f.rule_id == "SHS010"]


# --- normalisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "Demo Technology Co., Ltd.",
        "DEMO TECHNOLOGY CO LTD",
        "Demo Technology Co. Ltd",
        "Demo Technology Company Limited",
        "Demo Technology Co., Limited",
        "  demo   technology,  company ltd. ",
        "Ｄｅｍｏ Technology Co., Ltd.",  # full-width letters, as pages sometimes write them
    ],
)
def test_the_spellings_of_the_legal_form_an_inspector_reads_as_one_are_one(spelling: str) -> None:
    assert english_name_key(spelling) == english_name_key(HOLDER_EN) == "demo technology co ltd"


@pytest.mark.parametrize(
    "other",
    [
        "Shanghai Demo Technology Co., Ltd.",  # a place added: often another company
        "Demo Technology (Shanghai) Co., Ltd.",  # the place moved: a subsidiary's form
        "Demo Technologies Co., Ltd.",
        "Demo Technology Corporation",  # another legal form
        "Demo Technology Limited",  # bare Limited is not set aside as Co., Ltd.
        "Demo Technology Trading Co., Ltd.",
    ],
)
def test_names_differing_by_more_than_form_and_punctuation_are_different(other: str) -> None:
    assert english_name_key(other) != english_name_key(HOLDER_EN)


def test_a_name_that_is_only_a_legal_form_has_no_key() -> None:
    assert (
        english_name_key("Co., Ltd.") == english_name_key("Company Limited") == english_name_key("  ") == ""
    )


# --- matching ----------------------------------------------------------------------------------------


def test_matching_compares_each_script_with_its_own_names() -> None:
    holder = Holder(
        "演示科技有限公司（虚构）",
        english_names=(HOLDER_EN,),
        former_names=("上海旧名实业有限公司（虚构）", "Old Name Industrial Co., Ltd."),
    )
    assert match_claimant("DEMO TECHNOLOGY COMPANY LIMITED", [holder]).outcome == "name"
    assert match_claimant("演示科技有限公司（虚构）", [holder]).outcome == "name"
    english_former = match_claimant("Old Name Industrial Company Limited", [holder])
    assert (english_former.outcome, english_former.is_holder) == ("former-name", True)
    assert english_former.matched == "Old Name Industrial Co., Ltd."
    assert english_former.current == "演示科技有限公司（虚构）"
    assert match_claimant("上海旧名实业有限公司（虚构）", [holder]).outcome == "former-name"
    other = match_claimant("Ningbo Demo Baby Products Co., Ltd.", [holder])
    assert (other.outcome, other.is_holder) == ("english-no-match", False)
    assert match_claimant("宁波演示婴童用品有限公司", [holder]).outcome == "no-match"


def test_without_a_registered_english_name_an_english_claimant_is_not_compared() -> None:
    # Former names alone do not say who holds the standard today: still not compared.
    holders = [Holder("演示科技有限公司（虚构）", former_names=("Old Name Industrial Co., Ltd.",))]
    found = match_claimant("Ningbo Demo Baby Products Co., Ltd.", holders)
    assert (found.outcome, found.is_holder) == ("not-compared", None)
    assert match_claimant("Old Name Industrial Co., Ltd.", holders).outcome == "former-name"
    # A Chinese claimant against holders named only in English is not compared either.
    assert (
        match_claimant("宁波演示婴童用品有限公司", [Holder("", english_names=(HOLDER_EN,))]).is_holder is None
    )


# --- the rule through the real checker ---------------------------------------------------------------


def test_no_english_name_registered_no_shs010_and_the_facts_say_why() -> None:
    record = seat_record()
    result = check(export_page("Manufacturer", "Ningbo Demo Baby Products Co., Ltd."), record)
    assert shs010(result) == []
    assert result.page.claims  # "Shanghai Standard" and 上海标准: one claim each, one maker
    index = RegistryIndex.from_records([record_from_case(record, 1)])
    for claim in result.page.claims:
        assert claim.claimant == "Ningbo Demo Baby Products Co., Ltd."
        facts = enrich(claim, result.page, index, AS_OF)
        assert (facts.claimant_is_holder, facts.claimant_holder_match) == (None, "not-compared")


def test_an_english_maker_matching_no_registered_name_is_shs010_at_review_never_high() -> None:
    result = check(
        export_page("Manufacturer", "Ningbo Demo Baby Products Co., Ltd."),
        seat_record(english_names=[HOLDER_EN]),
    )
    [finding] = shs010(result)
    assert finding.confidence == "review"
    codes = [r.split(":", 1)[0] for r in finding.confidence_reasons]
    assert "claimant-english-name" in codes
    # A maker row: the only reason for review is the English name.
    assert "claimant-not-maker" not in codes
    assert "claimant-english-name: Ningbo Demo Baby Products Co., Ltd." in finding.confidence_reasons


def test_a_holder_without_an_english_name_is_said_to_be_uncompared_in_the_review_reason() -> None:
    # An enterprise-joint standard: the lead has a registered English name, the co-holder none. The page's
    # English maker matches the lead's name not, and may be the co-holder's: the inspector is told.
    record = {
        **seat_record(english_names=[HOLDER_EN]),
        "code": "PDLH/DEMO 009-2024",
        "type": "enterprise-joint",
        "holders": [
            {"name": "演示科技有限公司（虚构）", "english_names": [HOLDER_EN]},
            {"name": "演示起草单位甲（虚构）"},
        ],
    }
    page = export_page("Manufacturer", "Ningbo Demo Baby Products Co., Ltd.").replace(
        SEAT.encode(), b"PDLH/DEMO 009-2024"
    )
    [finding] = shs010(check(page, record))
    assert finding.confidence == "review"
    assert (
        "claimant-english-name: Ningbo Demo Baby Products Co., Ltd.; 1 holder(s) without a registered English name"
        in finding.confidence_reasons
    )


def test_an_english_supplier_matching_no_registered_name_is_review_for_both_reasons() -> None:
    result = check(
        export_page("Supplier", "Yiwu Demo Trading Co., Ltd."), seat_record(english_names=[HOLDER_EN])
    )
    [finding] = shs010(result)
    codes = [r.split(":", 1)[0] for r in finding.confidence_reasons]
    assert finding.confidence == "review"
    assert {"claimant-english-name", "claimant-not-maker"} <= set(codes)


def test_the_holder_under_another_spelling_of_its_registered_english_name_is_a_holder() -> None:
    record = seat_record(english_names=[HOLDER_EN])
    result = check(export_page("Manufacturer", "DEMO TECHNOLOGY COMPANY LIMITED"), record)
    assert result.findings == []
    index = RegistryIndex.from_records([record_from_case(record, 1)])
    assert result.page.claims
    for claim in result.page.claims:
        facts = enrich(claim, result.page, index, AS_OF)
        assert (facts.claimant_is_holder, facts.claimant_holder_match) == (True, "name")
        assert (facts.claimant_matched_name, facts.holder_name) == (HOLDER_EN, "演示科技有限公司（虚构）")


def test_a_former_name_is_the_renamed_holder_and_other_findings_say_so() -> None:
    page = export_page("Manufacturer", "Old Name Industrial Co., Ltd.")
    holder = {"english_names": [HOLDER_EN], "former_names": ["Old Name Industrial Co., Ltd."]}
    assert check(page, seat_record(**holder)).findings == []
    # The same page once the designation has expired: SHS003, with the rename noted (not sent to review).
    expired = {**seat_record(**holder), "valid_until": "2025-12-14"}
    result = check(page, expired)
    assert shs010(result) == []
    [finding] = [f for f in result.findings if f.rule_id == "SHS003"]
    note = [r for r in finding.confidence_reasons if r.startswith("holder-former-name")]
    assert note == ["holder-former-name: Old Name Industrial Co., Ltd. → 演示科技有限公司（虚构）"]
    assert REASONS["holder-former-name"][2] is False


# --- registry import ---------------------------------------------------------------------------------


def registry_file(tmp_path: Path, *records: dict[str, Any]) -> Path:
    path = tmp_path / "names.json"
    path.write_text(json.dumps({"designations": list(records)}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("holder", "expected"),
    [
        (
            {"english_names": ["演示科技有限公司"]},
            "record 1 (line 1), field holders.0.english_names.0: an English name holds no Chinese characters",
        ),
        (
            {"english_names": ["Co., Ltd."]},
            "record 1 (line 1), field holders.0.english_names.0: 'Co., Ltd.' is only a legal form",
        ),
        ({"english_names": [""]}, "record 1 (line 1), field holders.0.english_names.0"),
        ({"english_names": "Demo Technology Co., Ltd."}, "record 1 (line 1), field holders.0.english_names"),
        ({"former_names": [42]}, "record 1 (line 1), field holders.0.former_names.0"),
        ({"aliases": ["x"]}, "record 1 (line 1), field holders.0.aliases: unknown key"),
    ],
)
def test_bad_other_names_are_refused_naming_file_record_and_field(
    db_url: str, tmp_path: Path, holder: dict[str, Any], expected: str
) -> None:
    path = registry_file(tmp_path, seat_record(**holder))
    with pytest.raises(RegistryImportError) as caught, session_scope(db_url) as session:
        import_registry_file(session, path)
    assert caught.value.source == "names.json"
    assert expected in str(caught.value)


def test_other_names_are_stored_loaded_and_their_changes_recorded(db_url: str, tmp_path: Path) -> None:
    first = registry_file(tmp_path, seat_record(english_names=[HOLDER_EN]))
    with session_scope(db_url) as session:
        assert import_registry_file(session, first).added == 1
    with session_scope(db_url) as session:
        assert import_registry_file(session, first).unchanged == 1  # stored as read: nothing changes
        [record] = RegistryIndex.load(session).records
    assert record.holders == (Holder("演示科技有限公司（虚构）", None, (HOLDER_EN,), ()),)
    assert record.to_dict()["holders"][0]["english_names"] == [HOLDER_EN]
    renamed = registry_file(
        tmp_path, seat_record(english_names=[HOLDER_EN], former_names=["Old Name Industrial Co., Ltd."])
    )
    with session_scope(db_url) as session:
        report = import_registry_file(session, renamed)
    assert report.updated == 1
    [change] = report.changes
    assert change.field == "holders"
    assert json.loads(change.new or "") == [
        {
            "name": "演示科技有限公司（虚构）",
            "uscc": None,
            "english_names": [HOLDER_EN],
            "former_names": ["Old Name Industrial Co., Ltd."],
        }
    ]
    with session_scope(db_url) as session:
        logged = session.scalars(select(DesignationChange).where(DesignationChange.field == "holders")).one()
        assert logged.new_value == change.new


def test_the_example_registry_gives_english_names_to_invented_holders_only(db_url: str) -> None:
    example = Path(__file__).resolve().parent.parent / "examples" / "registry.yaml"
    with session_scope(db_url) as session:
        import_registry_file(session, example)
        records = RegistryIndex.load(session).records
    named = [r for r in records if any(h.english_names for h in r.holders)]
    assert named
    # Real records carry no invented English name (their sources publish none).
    assert all((r.note or "").startswith("demo record (invented)") for r in named)


# --- the console's notice form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimant", "uscc"),
    [
        ("演示科技有限公司（虚构）", "91310000DEMO00002Y"),
        ("Demo Technology Company Limited", "91310000DEMO00002Y"),  # the registered English name, respelt
        ("Ningbo Demo Baby Products Co., Ltd.", None),  # another company: no holder's code is offered
    ],
)
def test_a_case_file_offers_the_holders_code_for_its_registered_names(
    claimant: str, uscc: str | None
) -> None:
    from api.console.casefile import CaseFile, RegistryView
    from checker.registry import DesignationStatus
    from markwatch.cases.models import Case

    record = record_from_case(seat_record(uscc="91310000DEMO00002Y", english_names=[HOLDER_EN]), 1)
    view = RegistryView(record, AS_OF, DesignationStatus.DESIGNATED, "code")
    case = Case(claimant=claimant)
    file = CaseFile(case=case, findings=[], events=[], rule=None, registry=view, allowed=[], waived=False)
    assert file.uscc == uscc
