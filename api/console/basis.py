"""A rule's legal basis cited the way a Chinese notice cites it: 《文件名》（文号）第四部分, 《法律》第二十七条.

Rule files name the provision in a short English form ("part 4", "Art. 27") beside the Chinese document
title; a Chinese notice must carry no English, so the provision is rewritten here. A form this module does not
know is dropped from the Chinese citation rather than printed in English (the document is still cited).
"""

from __future__ import annotations

import re

from checker.rules.schema import Basis

_DIGITS = "零一二三四五六七八九"
# "part 4" / "Part IV" style parts of a policy document, and articles of a law.
_PART = re.compile(r"^\s*part\s+(\d{1,3})\s*$", re.IGNORECASE)
_ARTICLE = re.compile(r"^\s*(?:art\.?|article)\s*(\d{1,3})\s*$", re.IGNORECASE)
_ALREADY_CHINESE = re.compile(r"^第[零一二三四五六七八九十百\d]+[部分条款项章节]+")
# 关于……的意见（沪市监规范〔2023〕12号）: the title goes in 《》, the document number stays after it.
_TITLE_AND_NUMBER = re.compile(r"^(?P<title>.+?)(?P<number>（[^（）]*号）)$")


def chinese_number(value: int) -> str:
    """1-999 in Chinese numerals as used in article numbers (二十七, 一百零五)."""
    if not 0 < value < 1000:
        raise ValueError(f"{value} is outside 1-999")
    hundreds, rest = divmod(value, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if rest and tens == 0:
            out += "零"
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def provision_zh(part: str) -> str | None:
    """The provision in Chinese (第四部分, 第二十七条), or None when the form is unknown."""
    if _ALREADY_CHINESE.match(part.strip()):
        return part.strip()
    if match := _PART.match(part):
        return f"第{chinese_number(int(match.group(1)))}部分"
    if match := _ARTICLE.match(part):
        return f"第{chinese_number(int(match.group(1)))}条"
    return None


def document_zh(document: str) -> str:
    """The document title in 《》, keeping a trailing document number outside them."""
    text = document.strip()
    if text.startswith("《"):
        return text
    match = _TITLE_AND_NUMBER.match(text)
    if match:
        return f"《{match.group('title')}》{match.group('number')}"
    return f"《{text}》"


def cite(basis: Basis, lang: str) -> str:
    """One basis as a citation in `lang` ("zh": no English at all)."""
    if lang != "zh":
        return f"{basis.document}, {basis.part}"
    provision = provision_zh(basis.part)
    return document_zh(basis.document) + (provision or "")
