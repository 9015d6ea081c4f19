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


@lru_cache(maxsize=256)
def _template_pattern(zh: str, en: str) -> re.Pattern[str]:
    def part(template: str, group: str) -> str:
        pieces = []
        for literal, field, _spec, _conv in string.Formatter().parse(template):
            pieces.append(re.escape(literal))
            if field is not None:
                pieces.append(".*?")
        return f"(?P<{group}>{''.join(pieces)})"

    return re.compile(part(zh, "zh") + re.escape(SEPARATOR) + part(en, "en"), re.DOTALL)


def split_message(message: str, rule: Rule | None) -> dict[str, str]:
    """{"zh": ..., "en": ...} for a stored bilingual message (both the whole text when it cannot be split)."""
    if rule is not None:
        match = _template_pattern(rule.message.zh, rule.message.en).fullmatch(message)
        if match:
            return {"zh": match.group("zh"), "en": match.group("en")}
    cut = message.rfind(SEPARATOR)
    while cut > 0:
        left, right = message[:cut], message[cut + len(SEPARATOR) :]
        if _CJK.search(left) and not _CJK.search(right.replace("上海标准", "")):
            return {"zh": left, "en": right}
        cut = message.rfind(SEPARATOR, 0, cut)
    return {"zh": message, "en": message}
