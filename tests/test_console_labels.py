"""Every code the checker, the extractor, the case chain and the crawler store has a label in both UI languages.

The codes are read from their source (tables, Literal types, constants, string literals), not listed here, so
a code added there without a label in messages.yaml fails this file instead of showing up as raw English in
the Chinese console (QA #14).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import get_args

import pytest

from api.console import explain, wording
from api.console.i18n import Translator, catalogue
from checker.confidence import REASONS
from checker.extract import use_table
from checker.extract.mentions import _logo_text
from checker.extract.models import OccurrenceUse, TieKind
from checker.extract.patterns import MENTIONS
from markwatch.cases.models import Role

ROOT = Path(__file__).resolve().parent.parent
ZH, EN = Translator("zh"), Translator("en")
# Latin words a Chinese label may hold: technical names only (as QA's English sweep allows them). Codes like
# SHS001 and URLs are data, never labels.
LATIN_WORD = re.compile(r"\b(?!(?:SHA|API|URL|HTTP)\b)[A-Za-z]{2,}")


def _source(*globs: str) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for pattern in globs for path in sorted(ROOT.glob(pattern))
    )


def _labelled(prefix: str, codes: set[str]) -> None:
    assert codes, f"no {prefix} codes found in the source: the reader of the source is out of date"
    missing = sorted(code for code in codes if f"{prefix}.{code}" not in catalogue())
    assert missing == [], f"messages.yaml has no {prefix}.* label for {missing}"
    for code in codes:
        zh = ZH(f"{prefix}.{code}")
        assert not LATIN_WORD.search(zh.replace("“", "").replace("”", "")), f"{prefix}.{code}: {zh!r}"
        assert EN(f"{prefix}.{code}")


def _use_signal_names() -> set[str]:
    tables = (
        use_table.PREPASS_SIGNALS,
        use_table.HEAD_SIGNALS,
        use_table.SENTENCE_SIGNALS,
        use_table.AFTER_SIGNALS,
        use_table.BEFORE_SIGNALS,
    )
    names = {signal.name for table in tables for signal in table}
    names |= set(use_table.STRUCTURE) | set(use_table.NEAR_STRUCTURE)
    # Signals classify.py writes itself ("no-signal", "near:user-content"…).
    classify = _source("checker/extract/classify.py")
    names |= set(re.findall(r'"(?:[a-z]+:)?(no-[a-z-]+)"', classify))
    names |= set(re.findall(r'"(?:page|near):([a-z-]+)"', classify))
    return names


def _signal_scopes() -> set[str]:
    return set(re.findall(r'Fired\(\s*"([a-z]+)"', _source("checker/extract/classify.py")))


def _page_warning_codes() -> set[str]:
    source = _source("checker/extract/*.py", "pagetext/*.py")  # decoding warns too
    constants = dict(re.findall(r'^([A-Z_]+) = "([a-z-]+)"$', source, flags=re.M))
    used = set(re.findall(r"code=([A-Z_]+)", source)) | set(re.findall(r"\.warn\(\s*([A-Z_]+)", source))
    assert used <= set(constants), f"warning codes not read as constants: {used - set(constants)}"
    return {constants[name] for name in used}


def _event_kinds() -> set[str]:
    source = _source("markwatch/**/*.py", "api/**/*.py")
    kinds = set(re.findall(r'\bkind="([a-z_]+)"', source))
    kinds |= set(re.findall(r'^[A-Z_]*EVENT = "([a-z_]+)"$', source, flags=re.M))
    return kinds


def _payload_keys() -> set[str]:
    # Keys of the dicts handed to append_event: `payload={…}`, `payload = {…}`, `evidence… = {…}` and
    # `payload["…"] = …`.
    source = _source("markwatch/cases/*.py", "api/console/*.py", "api/routes/*.py")
    keys: set[str] = set()
    for block in re.findall(r"(?:payload|evidence)[^=\n]*=\s*\{(.*?)\}", source, flags=re.S):
        keys |= set(re.findall(r'"([a-z_0-9]+)":', block))
    keys |= set(re.findall(r'payload\["([a-z_]+)"\]', source))
    return keys


def test_every_confidence_reason_code_has_a_label() -> None:
    _labelled("reason", set(REASONS))


def test_every_use_and_tie_kind_has_a_label() -> None:
    _labelled("use", set(get_args(OccurrenceUse)))
    _labelled("tie", set(get_args(TieKind)))


def test_every_use_signal_and_scope_has_a_label() -> None:
    names = _use_signal_names()
    assert {"price", "standard-label", "byline", "no-signal", "user-content"} <= names
    _labelled("signal", names)
    _labelled("signal_scope", _signal_scopes())


def test_every_mention_pattern_and_page_warning_has_a_label() -> None:
    logo_sources = set(re.findall(r'"([a-z]+)"', inspect.getsource(_logo_text)))
    assert {"alt", "caption", "file"} <= logo_sources
    _labelled("pattern", {p.name for p in MENTIONS} | {f"logo-{where}" for where in logo_sources})
    warnings = _page_warning_codes()
    assert {"too-complex", "cpu-budget", "undecodable-bytes"} <= warnings
    _labelled("page_warning", warnings)


def test_every_audit_event_kind_payload_key_and_role_has_a_label() -> None:
    kinds = _event_kinds()
    assert {"opened", "confidence_changed", "notice_issued", "session_revoked"} <= kinds
    _labelled("event", kinds)
    keys = _payload_keys() - wording.HIDDEN_KEYS
    assert {"confidence", "confidence_reasons", "reasons", "finding_ids", "page_url"} <= keys
    _labelled("detail", keys)
    _labelled("role", {role.value for role in Role})


@pytest.mark.parametrize("scope", sorted(_signal_scopes()))
def test_every_signal_reads_in_chinese_in_every_form_it_is_stored(scope: str) -> None:
    for name in sorted(_use_signal_names()):
        for stored in (f"{scope}:{name}", f"against {scope}:{name}"):
            label = explain.signal_label(ZH, stored)
            assert not LATIN_WORD.search(label), f"{stored} -> {label}"
            assert label != explain.signal_label(ZH, f"{scope}:a-signal-from-newer-code")


def test_reasons_as_the_checker_writes_them_read_in_chinese() -> None:
    stored = [
        "use: product (page:price, near:standard-label, against page:byline)",
        "use: discussion (no signals)",
        "use-close-call: close-call:product~discussion, near:tied-code",
        "tie: annotation",
        "tie: title-only",
        "tie-page: T/SHDEMO 001-2023",
        "other-locations: 1 of 3",
        "page-partly-read: cpu-budget, too-complex",
        "rule-precision-low: 0.42 < 0.70 over the last 12 decided cases (5 confirmed, 6 not a claim, 1 wrong standard)",
        "pattern-precision-low: logo-file 0.42 < 0.70 over the last 12 decided cases (5 confirmed, 6 not a claim, "
        "1 wrong standard)",
        "from incomplete sweep 7",
    ]
    for reason in explain.reasons_text(ZH, stored):
        shown = reason.text.replace("T/SHDEMO", "")
        assert not LATIN_WORD.search(shown), f"{reason.raw} -> {reason.text}"
        assert reason.text != ZH("reason.unknown"), reason.raw
    use = explain.reason_text(ZH, stored[0]).text
    assert (
        use
        == "用途判定：产品声称（依据：页面·标有价格、字样附近·紧接“执行标准：…”栏目；不利因素：页面·署名栏（作者、来源、发布时间））"
    )
    assert explain.reason_text(ZH, "tie: annotation").text == "关联方式：括注（编号紧接字样）"
    english = explain.reason_text(EN, stored[0]).text
    assert english.startswith("classified as: product claim (by page:price") and "near:" in english


def test_a_code_from_newer_code_reads_as_a_generic_chinese_label_not_as_raw_english() -> None:
    assert explain.reason_text(ZH, "brand-new-reason: something").text == "其他原因"
    assert explain.reason_text(ZH, "tie: glued-by-magic").text == "关联方式：其他关联方式"
    assert wording.event_kind(ZH, "merged") == "其他事件"
    assert wording.actor(ZH, "robot:r2d2").label == "其他操作方"


def test_actors_read_as_people_and_sweeps() -> None:
    assert wording.actor(ZH, "inspector:张三#4").label == "检查员 张三"
    assert wording.actor(EN, "inspector:张三#4").label == "inspector 张三"
    assert wording.actor(ZH, "admin:li#1").label == "管理员 li"
    sweep = wording.actor(ZH, "system:sweep#12 (incomplete)")
    assert sweep.label == "系统（第 12 次巡查，未完成）" and sweep.sweep_id == 12
    assert wording.actor(ZH, "system:sweep#3").label == "系统（第 3 次巡查）"
