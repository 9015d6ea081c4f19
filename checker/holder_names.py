"""Whether a name on a page is a holder's registered name: Chinese names with Chinese ones, English with English.

A holder's English name is the one registered for it (its registration/USCC record, the registry's
`english_names`); markwatch never translates a Chinese name. Names are compared only within a script:
"Shanghai Demo Smart Home Co., Ltd." is a translation of 上海演示智能家居股份有限公司, which characters cannot
show. English names are compared conservatively: equal once case, punctuation and the spelling of the legal
form 有限公司 (Co., Ltd. / Co Ltd / Company Limited) are set aside, nothing looser. Reordering the place
("Demo (Shanghai) Co., Ltd." against "Shanghai Demo Co., Ltd.") or dropping a word is not set aside: such
names often belong to different companies, and an English name that matches none only ever sends SHS010 to
review (transliterations vary), so being strict costs an inspector a look, never a wrong finding.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from pagetext.normalize import compact

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+")
# The English spellings of 有限公司 an inspector reads as one: "Co., Ltd.", "Co. Ltd", "Company Limited",
# "Co., Limited", "Company Ltd". Only at the end of the name, and only these: "Corporation", "Inc." or a
# bare "Limited" may be another legal form.
_LIMITED_COMPANY = re.compile(r"\b(?:co|company)\s+(?:ltd|limited)$")
LIMITED_COMPANY_KEY = "co ltd"

# How a claimant's name stands against a record's holders (the fact claimant_holder_match):
#   name            it is a holder's registered name (Chinese, or a registered English name)
#   former-name     it is a name a holder was registered under before a rename (not a non-holder)
#   no-match        a Chinese name that is none of the holders' Chinese names
#   english-no-match  an English name that is none of the holders' registered English names (review:
#                   transliterations of one company vary)
#   not-compared    no holder has a registered name in the claimant's script: nothing can be said
HolderMatch = Literal["name", "former-name", "no-match", "english-no-match", "not-compared"]


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese character (a name in Chinese script)."""
    return bool(_CJK.search(text))


def english_name_key(name: str) -> str:
    """An English company name for comparison: lower case, words only (punctuation and "&"/"and" set aside),
    the 有限公司 spellings as one. Empty when nothing but a legal form (or nothing) is left."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    words = [word for word in _WORD.findall(text) if word != "and"]
    key = _LIMITED_COMPANY.sub(LIMITED_COMPANY_KEY, " ".join(words))
    if key in (LIMITED_COMPANY_KEY, "co", "company", "ltd", "limited"):
        return ""
    return key


class HolderNames(Protocol):
    """A holder's registered names: its name, its registered English names, its former names."""

    @property
    def name(self) -> str: ...

    @property
    def english_names(self) -> tuple[str, ...]: ...

    @property
    def former_names(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class NameMatch:
    """The outcome of comparing a claimant with a record's holders; `matched` is the registered name it
    equals (for a former name: that name), `current` the holder's name today."""

    outcome: HolderMatch
    matched: str | None = None
    current: str | None = None
    # Holders with no registered name in the claimant's script (they could not be compared): an English
    # name matching none of the others may still be theirs.
    uncompared: int = 0

    @property
    def is_holder(self) -> bool | None:
        """The fact claimant_is_holder: None when nothing could be compared."""
        if self.outcome == "not-compared":
            return None
        return self.outcome in ("name", "former-name")


def _chinese_equal(claimant: str, name: str) -> bool:
    # A page may shorten or extend the registered name (上海演示科技 / 上海演示科技有限公司（虚构）).
    a, b = compact(claimant), compact(name)
    return bool(a and b) and (a in b or b in a)


def match_claimant(claimant: str, holders: Iterable[HolderNames]) -> NameMatch:
    """How `claimant` stands against `holders`, comparing only names in the claimant's script."""
    holders = tuple(holders)
    chinese = has_cjk(claimant)
    key = "" if chinese else english_name_key(claimant)

    def equal(name: str) -> bool:
        return _chinese_equal(claimant, name) if chinese else bool(key) and english_name_key(name) == key

    if chinese:
        current = [(h, h.name) for h in holders if h.name and has_cjk(h.name)]
        unmatched: HolderMatch = "no-match"
    else:
        current = [(h, n) for h in holders for n in h.english_names]
        unmatched = "english-no-match"
    former = [(h, n) for h in holders for n in h.former_names if has_cjk(n) == chinese]
    for holder, name in current:
        if equal(name):
            return NameMatch("name", name, holder.name)
    for holder, name in former:
        if equal(name):
            return NameMatch("former-name", name, holder.name)
    if not current:
        # Former names alone do not say who holds the standard today.
        return NameMatch("not-compared", uncompared=len(holders))
    named = {id(holder) for holder, _ in current}
    return NameMatch(unmatched, uncompared=sum(id(holder) not in named for holder in holders))
