"""How sure a finding is: `high` (it can go straight to the queue) or `review` (an inspector looks first), and why.

Reasons are strings `code: detail` with a code from REASONS (stable, translated by readers such as the console)
and a detail that needs no translation (signals, scores, titles, codes)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.codes import CodeKind, find_codes, parse_code, unread_codes
from checker.extract.context import OTHER_PRODUCT_CARD, names_maker
from checker.extract.models import Claim, Confidence, PageClaims
from checker.extract.overrides import SHOWN_REVERSED
from checker.rules.facts import ClaimFacts
from crawler.images.settings import ocr_review_below
from markwatch.errors import CodeParseError

# code -> (zh, en, sends the finding to review)
REASONS: dict[str, tuple[str, str, bool]] = {
    "use": ("用途判定", "classified as", False),
    "use-close-call": ("用途判定接近边界", "use was a close call", True),
    "tie": ("关联方式", "tied by", False),
    "tie-page": (
        "标准取自页面的执行标准栏，而非字样旁",
        "the standard is the one the page's 执行标准 row declares, not one written beside the words",
        True,
    ),
    "tie-block": (
        "标准编号写在同段的另一句中，且非执行标准栏：字样所指未必是该标准",
        "the standard number is in another sentence of the block, not introduced as the product's 执行标准: the"
        " words may be about something else",
        True,
    ),
    "tie-block-declared": (
        "标准取自同段另一句的执行标准",
        "the standard is the one the block's 执行标准 declares, in another sentence than the words",
        False,
    ),
    "code-without-year": (
        "页面所写标准编号未注明年代号：所执行的可能正是获评价的版本",
        "the standard number on the page has no year: the edition implemented may be the designated one",
        True,
    ),
    "code-unread": (
        "字样旁有未能识别的标准编号",
        "a standard number beside the words could not be read",
        True,
    ),
    "tie-page-row": (
        "标准取自页面的执行标准栏（该栏未写字样），为曾获评的上海标准",
        "the standard is the one the page's 执行标准 row declares without the words, a designated 上海标准 now or"
        " once",
        True,
    ),
    "standard-elsewhere": (
        "字样旁未写标准，但页面的执行标准栏另列有标准",
        "nothing is disclosed beside the words, but the page's 执行标准 row declares a standard",
        True,
    ),
    "drafting-participant": (
        "组织称参与起草该标准：参与者未必是标准持有单位，但也未必冒用",
        "the organisation says it took part in drafting the standard: not its holder, but not necessarily a misuse",
        True,
    ),
    "dated-announcement": (
        "组织按日期陈述当时的评价结果，当时可能属实",
        "the organisation reports the designation with its date: it may have been true then",
        True,
    ),
    "past-designation": (
        "商品描述称其当时属于上海标准（过去时，如转卖时说明购买时的情况），当时可能属实",
        "the listing says the product was 上海标准 at the time (past tense, as a resale says what was bought): it"
        " may have been true then",
        True,
    ),
    "code-other-clause": (
        "组织所称的标准编号与字样不在同一分句：所获评价未必指该标准",
        "the organisation's standard number is in another clause than the words: the designation may be about "
        "another standard",
        True,
    ),
    "other-product-card": (
        "字样在商品页上另一商品的卡片中（如“看了又看”），卡片未显示经营者",
        "the words are in a card for another product on an item page (a recommendation) that names no seller",
        True,
    ),
    "claimant-not-maker": (
        "页面所列经营者是销售方（店铺、卖家等），不是生产方：销售方可能销售持有单位的产品",
        "the party named is a seller (a shop, a seller row, a brand or the site), not the maker: it may sell a "
        "holder's product",
        True,
    ),
    "claimant-english-name": (
        "页面以英文列出经营者，与持有单位登记的英文名称均不一致：同一企业的英文译名可能不同",
        "the party is named in English and matches none of the holders' registered English names: one company's"
        " English name may be spelt in more than one way",
        True,
    ),
    "holder-former-name": (
        "页面所列经营者是持有单位更名前的名称（不是非持有单位）",
        "the party named is a holder's former name (the holder was renamed; not a non-holder)",
        False,
    ),
    "title-exact": ("标准名称与名录一致", "title matches the registry exactly", False),
    "title-similar": ("标准名称与名录近似（非完全一致）", "title matched by similarity, not exactly", True),
    "title-near-miss": ("名录中有相近的标准名称", "a registered title is close", True),
    "title-none-close": ("名录中没有相近的标准名称", "no registered title is close", False),
    "ocr": ("图片文字识别置信度", "OCR confidence", False),
    "ocr-low": ("图片文字识别置信度低", "OCR confidence is low", True),
    "page-partly-read": ("页面有部分内容未能读取", "part of the page could not be read", True),
    "hidden-text": (
        "字样在页面上被隐藏（买家看不到），属隐藏使用",
        "the words are hidden from buyers on the page (hidden keyword use)",
        True,
    ),
    "shown-reversed": (
        "字样被从右到左覆盖控制符倒序显示（买家看到“准标海上”），不是买家读到的字样",
        "a right-to-left override draws the words backwards (buyers see 准标海上, not the words)",
        True,
    ),
    "hidden-inside": (
        "字样中夹有买家看不到的字符，按买家看到的字样读取；引文保留页面原有字符",
        "characters buyers do not see sit inside the words: read as buyers see them; the quote keeps the page's "
        "characters",
        False,
    ),
    "other-locations": ("其他位置单独看需复核", "other locations alone would need review", False),
    "rule-precision-low": (
        "该规则近期确认率低于下限",
        "the rule's confirmed precision is below the floor",
        True,
    ),
    "pattern-precision-low": (
        "该识别模式近期确认率低于下限",
        "the extractor pattern's confirmed precision is below the floor",
        True,
    ),
}
# Facts that say whether a standard was disclosed: a rule testing them judges that nothing was.
DISCLOSURE_FACTS = frozenset({"has_code", "has_title"})
# Facts about the code tied to the claim (its kind): a rule testing them judges which standard the words name.
CODE_FACTS = frozenset({"code_kind", "code_eligible"})
# Facts that come from the registry: a rule testing any of them judges the record a claim was tied to.
REGISTRY_FACTS = frozenset(
    {
        "registry_match",
        "record_type",
        "status",
        "days_since_expiry",
        "claimant_is_holder",
        "claimant_holder_match",
        "record_has_holders",
        "record_has_scope",
        "product_in_scope",
        "product_scope_score",
        "title_score",
    }
)


# The claim's line opens with its date (an honours list: "2021年12月 …获评“上海标准”"); a year inside the
# sentence (公司成立于2010年，…是“上海标准”) dates something else.
_DATED = re.compile(r"^\W{0,3}(?:19|20)\d{2}\s*(?:年|[-./]\s*\d{1,2}\b)")
STATUS_FACTS = frozenset({"status", "days_since_expiry"})
_PARTICIPATED = re.compile(
    r"参与(?:了)?(?:起草|制定|编制|修订)|参编|参加(?:了)?(?:起草|制定)|协助(?:起草|制定)"
)
# Designations that once held (a dated statement may have been true then); a pool entry never did.
LAPSED = frozenset({"expired", "revoked", "abolished"})


# A product said to have been 上海标准 back then, in the words' own clause (2021年买的，当时是上海标准产品; 曾经是…):
# a past statement, as a private resale describes what was bought.
_PAST = re.compile(
    r"(?:当时|當時|那时|那時|那会|那會|购买时|購買時|买的时候|買的時候|买时|買時|曾经|曾經|曾是|曾为|曾為|原先|以前|之前)"
    r"[^。！？!?；;，,\n]{0,8}$"
)
# Clauses end here (checker.extract.patterns.CLAUSE_END).
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,]")


def _code_in_clause(claim: Claim) -> bool:
    """Whether the claim's code is written in the same clause as the words (T/… 获评“上海标准”), as far as its
    snippet shows; an annotation (GB/T …（上海标准）) always is."""
    if claim.tie == "annotation":
        return True
    text = claim.snippet_normalized or ""
    words = [i for i in range(len(text)) if text.startswith(claim.text, i)] if claim.text else []
    for code in find_codes(text):
        if code.code.key != claim.standard_key:
            continue
        for start in words:
            end = start + len(claim.text)
            between = text[code.end : start] if code.end <= start else text[end : code.start]
            if not _CLAUSE_END.search(between):
                return True
    return False


def _past(claim: Claim) -> bool:
    """Whether the claim's snippet puts the words in the past (当时是“上海标准”产品) in their own clause."""
    text = claim.snippet_normalized or ""
    if not claim.text:
        return False
    start = text.find(claim.text)
    while start >= 0:
        if _PAST.search(text, 0, start):
            return True
        start = text.find(claim.text, start + 1)
    return False


def _dated(claim: Claim) -> bool:
    text = claim.snippet_normalized or claim.snippet
    return bool(_DATED.search(text))


def _without_year(code: str | None) -> bool:
    """Whether a claim's code is written without its year (edition)."""
    if not code:
        return False
    try:
        return parse_code(code).year is None
    except CodeParseError:
        return False


def _may_be_designated(code: str) -> bool:
    try:
        kind = parse_code(code).kind
    except CodeParseError:
        return True
    return kind not in (CodeKind.NATIONAL, CodeKind.INDUSTRY)


def reason(code: str, detail: str | None = None) -> str:
    """One reason string; `code` must be one of REASONS."""
    if code not in REASONS:
        raise ValueError(f"unknown confidence reason {code!r}")
    return f"{code}: {detail}" if detail else code


def reason_code(text: str) -> str:
    """The code of a reason string."""
    return text.split(":", 1)[0].strip()


def sends_to_review(text: str) -> bool:
    """Whether a reason is one that makes a finding `review`."""
    entry = REASONS.get(reason_code(text))
    return bool(entry and entry[2])


def describe(text: str, lang: str = "en") -> str:
    """A reason as a reader sees it: the code's label in `lang`, then the detail."""
    code = reason_code(text)
    entry = REASONS.get(code)
    if entry is None:
        return text
    detail = text.split(":", 1)[1].strip() if ":" in text else ""
    label = entry[0] if lang == "zh" else entry[1]
    return f"{label}: {detail}" if detail else label


@dataclass(frozen=True)
class ReviewPolicy:
    """Rules and (rule, extractor pattern) pairs whose new findings go to review, each with its reason detail.

    Built from inspectors' decisions (markwatch.cases.precision.review_policy); the checker only applies it."""

    rules: Mapping[str, str] = field(default_factory=dict)
    patterns: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assessment:
    """A confidence and the reasons behind it."""

    confidence: Confidence
    reasons: tuple[str, ...]


def condition_facts(node: Mapping[str, Any]) -> set[str]:
    """Every fact a checked `when` condition tests."""
    if "all" in node or "any" in node:
        return set().union(*(condition_facts(c) for c in node.get("all", node.get("any", []))))
    if "not" in node:
        return condition_facts(node["not"])
    return {node["fact"]}


def _title_reasons(facts: ClaimFacts, near_miss: float) -> list[str]:
    if facts.has_code or not facts.has_title:
        return []
    score = facts.title_score
    if facts.registry_match == "title":
        detail = f"{score} 《{facts.standard_title}》 → 《{facts.record_title}》 {facts.record_code}"
        return [reason("title-exact" if score == 100 else "title-similar", detail)]
    if facts.nearest_title is None:
        return [reason("title-none-close", f"{score or 0}")]
    detail = f"{score} 《{facts.nearest_title}》 {facts.nearest_code}"
    return [reason("title-near-miss" if (score or 0) >= near_miss else "title-none-close", detail)]


def assess_claim(
    claim: Claim,
    facts: ClaimFacts,
    page: PageClaims,
    *,
    rule_id: str,
    tested: frozenset[str],
    near_miss: float,
    policy: ReviewPolicy,
) -> Assessment:
    """How sure one claim's part of a finding is, and why; `tested` holds the facts the rule's condition tests."""
    reasons = [reason("use", f"{claim.use} ({', '.join(claim.use_signals) or 'no signals'})")]
    if claim.use_confidence == "review":
        reasons.append(reason("use-close-call", ", ".join(claim.use_signals) or None))
    reasons.append(reason("tie", claim.tie))
    if tested & DISCLOSURE_FACTS and not (facts.has_code or facts.has_title):
        # "Nothing disclosed" is only sure when nothing beside the words looks like a standard number.
        unread = unread_codes(claim.snippet_normalized or claim.snippet)
        if unread:
            reasons.append(reason("code-unread", "、".join(unread[:3])))
        eligible = [code for code in page.declared_standards if _may_be_designated(code)]
        if eligible:
            # A badge or slogan on an item page whose parameter row declares the standard without the words:
            # "disclosed with the claim" is then a judgement about the page, an inspector's to make. (A
            # national or industry standard is never designated: the claim is wrong either way.)
            reasons.append(reason("standard-elsewhere", "、".join(eligible[:3])))
    if claim.claimant_source == OTHER_PRODUCT_CARD:
        # Whose claim it is, and which page it belongs to, is for an inspector to establish.
        reasons.append(reason("other-product-card"))
    if (
        "claimant_is_holder" in tested
        and facts.claimant_is_holder is False
        and claim.use == "product"
        and not names_maker(claim.claimant_source)
    ):
        # An organisation announcing a designation speaks for itself; a product's seller may not be its maker.
        reasons.append(reason("claimant-not-maker", claim.claimant_source))
    if (
        "claimant_is_holder" in tested
        and facts.claimant_is_holder is False
        and facts.claimant_holder_match == "english-no-match"
    ):
        # "Ningbo Demo Baby Products Co., Ltd." against a registered "Demo Technology Co., Ltd.": names are
        # compared exactly (checker/holder_names.py) and English spellings of one company vary, so an
        # inspector confirms it is another company before this is signed.
        detail = facts.claimant or ""
        if facts.holders_not_compared:
            # A holder without a registered English name may be the one the page names.
            detail += f"; {facts.holders_not_compared} holder(s) without a registered English name"
        reasons.append(reason("claimant-english-name", detail or None))
    if tested & REGISTRY_FACTS and facts.claimant_holder_match == "former-name":
        # The page names a holder by the name it had before a rename: it is that holder (no SHS010), and a
        # finding about the claim says so, so the inspector reads the page's name as the holder's.
        reasons.append(reason("holder-former-name", f"{facts.claimant_matched_name} → {facts.holder_name}"))
    if (
        claim.use == "organisation"
        and "claimant_is_holder" in tested
        and facts.claimant_is_holder is False
        and _PARTICIPATED.search(claim.snippet_normalized or claim.snippet)
    ):
        # 我司参与起草的企业标准…获评“上海标准”: a co-drafter reporting the designation is not its holder, and
        # may still be telling the truth.
        reasons.append(reason("drafting-participant"))
    if (
        claim.use == "organisation"
        and "code_eligible" in tested
        and facts.code_eligible is False
        and not _code_in_clause(claim)
    ):
        # 公司参与制定国家标准GB/T …，并获评“上海标准”: the number may be a drafting credit, not the standard the
        # designation is about; which one was rated is for an inspector to read.
        reasons.append(reason("code-other-clause", claim.standard_code))
    if claim.use == "organisation" and tested & STATUS_FACTS and facts.status in LAPSED and _dated(claim):
        # 2021年12月 企业标准…获评“上海标准”: a list of honours states what happened when; whether keeping it
        # up after the designation ended misleads is an inspector's call.
        reasons.append(reason("dated-announcement"))
    if claim.use == "product" and tested & STATUS_FACTS and facts.status in LAPSED and _past(claim):
        # 2021年买的，当时是上海标准产品: a resale says what the product was when bought; the edition may have been
        # designated then. Whether saying so now misleads is an inspector's call, as for a dated announcement.
        reasons.append(reason("past-designation"))
    if (
        tested & REGISTRY_FACTS
        and facts.registry_match == "other-edition"
        and _without_year(claim.standard_code)
    ):
        # T/DEMO 001 beside the words names the number, not an edition: "another edition than the registry's" is
        # then a guess, for an inspector to establish from the product.
        reasons.append(reason("code-without-year", claim.standard_code))
    if tested & REGISTRY_FACTS:
        reasons.extend(_title_reasons(facts, near_miss))
        if claim.tie == "page":
            # The words name no standard themselves: judging the page's declared one is an inference.
            reasons.append(reason("tie-page", claim.standard_code))
        elif claim.tie == "page-row" and facts.has_code:
            # The words name no standard and the row naming it does not carry them: that the claim is about
            # the page's one designated standard is an inference an inspector checks.
            reasons.append(reason("tie-page-row", claim.standard_code))
    if tested & (REGISTRY_FACTS | CODE_FACTS) and claim.use == "product":
        if claim.tie == "block":
            # 符合GB 4806.9-2016。品牌荣获“上海标准”称号: the block's only code may be a material's or a package's
            # standard; that the words are about it is an inference an inspector checks.
            reasons.append(reason("tie-block", claim.standard_code))
        elif claim.tie == "block-declared":
            # 本品为“上海标准”产品。执行标准：T/…: the product's own declared standard, in the next sentence.
            reasons.append(reason("tie-block-declared", claim.standard_code))
    if claim.image is not None and claim.image.ocr_confidence is not None:
        # An OCR line read with less confidence than this may not say what the finding says it does
        # (MARKWATCH_IMAGE_LOW_CONFIDENCE, the one threshold).
        below = ocr_review_below()
        score = claim.image.ocr_confidence
        code = "ocr-low" if score < below else "ocr"
        reasons.append(reason(code, f"{score:.2f}" + (f" < {below:.2f}" if code == "ocr-low" else "")))
    if claim.hidden == SHOWN_REVERSED:
        # \u202e上海标准\u202c: the page's text holds the words, a buyer sees 准标海上 (text for search engines).
        reasons.append(reason("shown-reversed"))
    elif claim.hidden:
        # Hidden keyword stuffing is still a use, but a buyer never saw it: an inspector signs knowing that.
        reasons.append(reason("hidden-text", claim.hidden))
    if claim.hidden_inside:
        # 上海<span style="display:none">xx</span>标准: the buyer saw the words; the quote shows what was hidden.
        reasons.append(reason("hidden-inside", claim.hidden_inside))
    if page.warnings:
        reasons.append(reason("page-partly-read", ", ".join(sorted({w.code for w in page.warnings}))))
    if claim.pattern is not None and (rule_id, claim.pattern) in policy.patterns:
        reasons.append(reason("pattern-precision-low", policy.patterns[(rule_id, claim.pattern)]))
    confidence: Confidence = "review" if any(sends_to_review(r) for r in reasons) else "high"
    return Assessment(confidence, tuple(reasons))


def combine(rule_id: str, parts: Iterable[Assessment], policy: ReviewPolicy) -> Assessment:
    """A finding's confidence: its surest occurrence decides (one certain location is enough), then the
    rule-wide demotion from inspectors' decisions applies to all of it."""
    ordered = list(parts)
    best = next((a for a in ordered if a.confidence == "high"), ordered[0])
    reasons = list(best.reasons)
    if len(ordered) > 1:
        # Say how the other occurrences stood, so "high" with a close-call location is not hidden.
        review = sum(a.confidence == "review" for a in ordered)
        if review and best.confidence == "high":
            reasons.append(reason("other-locations", f"{review} of {len(ordered)}"))
    if rule_id in policy.rules:
        reasons.append(reason("rule-precision-low", policy.rules[rule_id]))
    confidence: Confidence = "review" if any(sends_to_review(r) for r in reasons) else "high"
    return Assessment(confidence, tuple(reasons))
