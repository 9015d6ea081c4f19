"""Findings store their message as "中文 / English" in one string; the console shows one language at a time.

The split is found by matching the stored text against the rule's own two templates (placeholders match any
text), so a " / " inside a filled-in value (a standard title, a claimant) never cuts the message in the wrong
place. Without a rule, or when the templates no longer match (the rule changed since), the last " / " that
leaves Chinese on the left and no Chinese on the right is used; failing that the whole text is shown.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from checker.rules.schema import Rule

SEPARATOR = " / "
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


# What the checker printed for a value it did not have (checker/check.py renders unknown facts as "?").
UNKNOWN = "?"
# Placeholders that name the claim's standard: a title-only claim has no code, so older findings say "?".
STANDARD_FIELDS = frozenset({"standard_code", "standard", "record_code"})


@lru_cache(maxsize=256)
def _template_pattern(zh: str, en: str) -> tuple[re.Pattern[str], tuple[tuple[str, str], ...]]:
    fields: list[tuple[str, str]] = []

    def part(template: str, lang: str) -> str:
        pieces = []
        for literal, field, _spec, _conv in string.Formatter().parse(template):
            pieces.append(re.escape(literal))
            if field is not None:
                group = f"f{len(fields)}"
                fields.append((group, field))
                pieces.append(f"(?P<{group}>.*?)")
        return f"(?P<{lang}>{''.join(pieces)})"

    pattern = re.compile(part(zh, "zh") + re.escape(SEPARATOR) + part(en, "en"), re.DOTALL)
    return pattern, tuple(fields)


def _refill(
    match: re.Match[str], lang: str, fields: tuple[tuple[str, str], ...], fills: dict[str, str]
) -> str:
    # Rebuild one language's text with each "?" value replaced by what the console knows (or "unknown").
    text, start = [], match.start(lang)
    for group, field in fields:
        if match.start(group) < match.start(lang) or match.end(group) > match.end(lang):
            continue
        text.append(message_slice(match, start, match.start(group)))
        value = match.group(group)
        if value.strip() == UNKNOWN:
            value = fills.get("standard" if field in STANDARD_FIELDS else "unknown", value)
        text.append(value)
        start = match.end(group)
    text.append(message_slice(match, start, match.end(lang)))
    return "".join(text)


def message_slice(match: re.Match[str], start: int, end: int) -> str:
    """The matched string between two offsets."""
    return match.string[start:end]


def split_message(
    message: str, rule: Rule | None, fills: dict[str, dict[str, str]] | None = None
) -> dict[str, str]:
    """{"zh": ..., "en": ...} for a stored bilingual message (both the whole text when it cannot be split).

    `fills` gives, per language, what to print instead of "?" for the standard and for other unknowns."""
    if rule is not None:
        pattern, fields = _template_pattern(rule.message.zh, rule.message.en)
        match = pattern.fullmatch(message)
        if match:
            fills = fills or {}
            return {lang: _refill(match, lang, fields, fills.get(lang, {})) for lang in ("zh", "en")}
    cut = message.rfind(SEPARATOR)
    while cut > 0:
        left, right = message[:cut], message[cut + len(SEPARATOR) :]
        if _CJK.search(left) and not _CJK.search(right.replace("上海标准", "")):
            return {"zh": left, "en": right}
        cut = message.rfind(SEPARATOR, 0, cut)
    return {"zh": message, "en": message}
