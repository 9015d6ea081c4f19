"""Fill rule messages from facts in Chinese or English: an unknown value reads as words, never as "?"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from checker.rules.facts import ClaimFacts

Lang = Literal["zh", "en"]

# What an absent fact reads as inside a sentence, per language.
_UNKNOWN: dict[str, tuple[str, str]] = {
    "standard_code": ("未注明编号", "no code stated"),
    "standard_title": ("未注明名称", "no title stated"),
    "product_name": ("未能确定的产品", "an unidentified product"),
    "claimant": ("未具名的经营者", "an unnamed business"),
    "record_scope": ("未列明", "none listed"),
    "valid_until": ("未知日期", "an unknown date"),
    "revoked_on": ("未知日期", "an unknown date"),
    "abolished_on": ("未知日期", "an unknown date"),
    "designated_on": ("未知日期", "an unknown date"),
}
_DEFAULT_UNKNOWN = ("未知", "unknown")


def standard_label(facts: ClaimFacts, lang: Lang) -> str:
    """The standard as the page disclosed it: its code, else its 《title》, else words saying neither was."""
    if facts.standard_code:
        return facts.standard_code
    if facts.standard_title:
        return f"《{facts.standard_title}》"
    return "未注明的标准" if lang == "zh" else "an undisclosed standard"


def _nearest_note(facts: ClaimFacts, lang: Lang) -> str:
    # Only a title claim that matched nothing has a "nearest" worth naming (SHS001 on a title).
    if facts.registry_match != "none" or facts.nearest_title is None or facts.has_code:
        return ""
    score = facts.title_score if facts.title_score is not None else 0
    if lang == "zh":
        return (
            f"；名录中最相近的标准名称为《{facts.nearest_title}》（{facts.nearest_code}，相似度 {score}/100）"
        )
    return f"; the nearest registered title is 《{facts.nearest_title}》 ({facts.nearest_code}, similarity {score}/100)"


def _record_label(facts: ClaimFacts, lang: Lang) -> str:
    # A title-only claim is judged on the record its title matched: say which, so the message and the
    # registry card name the same record.
    if facts.registry_match == "title" and facts.record_code:
        return (
            f"{standard_label(facts, lang)}（按名称对应 {facts.record_code}）"
            if lang == "zh"
            else f"{standard_label(facts, lang)} (matched by title to {facts.record_code})"
        )
    return standard_label(facts, lang)


# Placeholders computed from several facts, in the reader's language; rule files may use them like facts.
DERIVED: dict[str, Callable[[ClaimFacts, Lang], str]] = {
    "standard": _record_label,
    "nearest_note": _nearest_note,
}


class _Values(dict[str, Any]):
    def __init__(self, facts: ClaimFacts, lang: Lang) -> None:
        super().__init__(facts.as_fact())
        self._facts, self._lang = facts, lang

    def __missing__(self, key: str) -> str:
        derive = DERIVED.get(key)
        if derive is not None:
            return derive(self._facts, self._lang)
        zh, en = _UNKNOWN.get(key, _DEFAULT_UNKNOWN)
        return zh if self._lang == "zh" else en


def render(template: str, facts: ClaimFacts, lang: Lang) -> str:
    """A message with {placeholders} filled from facts (and DERIVED) in `lang`."""
    return template.format_map(_Values(facts, lang))
