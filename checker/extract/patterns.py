"""What the extractor looks for, as versioned data: each pattern carries the reason it exists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import unquote

from pagetext import charsets, ignorables

# Bump on any change that can add, drop or re-tie a claim on an unchanged page (use_table.py included).
# 1.2.0: codes without a year in standard rows, new prefixes, OpenCC.
# 1.3.0: occurrences classified product/organisation/discussion (use_table.py 1); verbatim quotes; product
# names refused when they are a model, a brand, a certification word or a marketplace title.
# 1.4.0: invisible characters, ruby, deep pages, WHATWG charsets, page limits (issue 14).
# 1.5.0: use_table.py 2 (reports, enforcement, tenders, Q&A, reviews, denials, pool entries); a single product
# page's declared standard ties its bare claims (tie "page"); two label/value pairs per attribute row.
# 1.7.0: pages mixing character references and text for the words (上&#28023;标准) pass the gate; NUL and
# control characters inside the words are read through.
# 1.8.0: a seller row (店铺：…, 卖家：…) names the claimant where no maker row does (a listing's shops are
# separate claimants); a maker the claim's sentence names (…有限公司出品) answers for it; an item page's
# recommendation cards are not its shop's claims; a shop named 上海标准…专营店 is not the mark; words only in
# the page's head are a head-only warning.
# 1.8.1: JSON-LD anywhere in the page, and written with JSON escapes only (\u6d77…), counts for head-only.
# 1.9.0: words split by inline tags outside any paragraph, text after </html>, references without their
# semicolon, compatibility forms of 海 and the ideographic zero in codes are read; quotes past composed
# characters stay the page's text. 上海 + a noun starting with 标准 (标准间, 标准足球场…) and factory names are
# traps; certification denied in its clause is none; a product said to be rated or approved is SHS009 wording;
# one card's 执行标准 row no longer ties another card's words (use_table.py 6); <noscript> text is read and
# <template> never; locations skip shared ids; <xmp> text is quoted as shown; a page that shows nothing is a
# blank-page warning.
# 1.9.1: 7-bit pages are read in the encoding they declare: ISO-2022-JP as itself (its claims were lost as
# ASCII), HZ-GB-2312 and ISO-2022-KR/CN as unreadable with a warning (they were read as ASCII debris).
# 1.10.0: a table whose first row is all column names (th) reads each later row as name → cell, never the
# header as "label：value" (品名：规格); a claim in such a row takes its product from the row alone. A code in
# another clause or sentence does not tie words whose own clause names another kind of standard
# (…国家标准GB/T …，主导制定的团体标准获评“上海标准”).
# 1.11.0: pages in Big5 or UTF-16 that declare no charset are read (the gate reads Big5 bytes); the words
# broken over two lines by a <br> are one mention, unless the break parts two rows (产地：上海<br>标准：…); words
# only in script state (window.__INITIAL_STATE__, any escaped spelling) are a script-state warning; the
# documents of <iframe srcdoc> are read (locations pass through the iframe); claims hidden from buyers by the
# hidden attribute or an inline style say how (Claim.hidden; inactive tab panels are not hiding); words a
# right-to-left override shows from reversed characters are a bidi-override warning.
# 1.12.0: a table's first row of column names written in td (bold, plain or in a thead) is a header like a row of
# th (品名 | 规格 | 执行标准 | 单价 was read as 品名：规格); 展品/货物名称 name a row's product and 展商名称/参展企业 its
# claimant (not a maker); the block's only code in another sentence ties as "block" or, introduced by 执行标准,
# "block-declared" (was "sentence"); use_table.py 7 (an organisation's 公司简介 on a job board, a list of an
# organisation's own standards, 是一家… counts nothing).
# 1.13.0: words are read as a buyer sees them: characters hidden inside them (上海<span style="display:none">
# xx</span>标准) are read through, the quote keeping them (Claim.hidden_inside), and hidden characters beside
# them no longer make or unmake a trap; words an override draws backwards (\u202e上海标准\u202c) are a hidden
# claim (Claim.hidden "bidi-override", findings to review). Short label-less Big5 pages (執行標準：…（上海標準）)
# are read as Big5 when only that reading holds the words (they were GB18030 nonsense, claims lost unsaid);
# every <br> is a line wherever it stands, and a blank line (<br><br>) parts the words; table/tablet/stable
# classes and inline elements are no tab panels; script state beside an image-only mark is a script-state
# warning.
# 1.14.0: a seller row naming a private person (卖家：个人闲置) names no claimant (seller:private); use_table.py 8
# (English export prices and buy buttons are an offer, procurement results and public bodies' pages quote a
# product's 执行标准 form, a viewer's line in a livestream or comments is no claim).
# 1.15.0: English labels up to 30 letters are rows (Executive Standard, Implementation Standard, Product Standard
# No. were cut at 16 characters and never matched) and English column headers (Product Name, Model No., Executive
# Standard) make a header row; Product name/Standard rows name the product and standard as 产品名称/执行标准 do;
# on a person-to-person resale platform (RESALE_HOSTS) no shop header or site name becomes the claimant
# (seller:private); a claim naming no standard on a single-product page takes the one standard the page writes
# with the words (a headline repeating 上海标准 beside 本品执行T/…（上海标准）: one finding, not SHS008 as well),
# and an item title no longer counts as a second product beside the page's product-name row.
# 1.16.0: use_table.py 9: a service about the scheme (认证代办, 认证咨询, 申报辅导, an agency's 在我司辅导下) is no
# product's certification nor an organisation's announcement; a printer's or packager's sample, template or client
# label is not its claim (printed-sample); a short link in a nav or menu (上海标准专区) names a part of the site; a
# buyer's request (求购, 采购要求, Buying Request) demands and claims nothing; training and logo-usage pages explain
# the scheme; on a consultancy's site the organisations it names are its clients (other-organisation).
# 1.17.0: the page's own <style> blocks hide text (simple selectors only, bounded: stylesheet.py): characters
# they hide inside the words are read through and a claim they hide is a hidden claim (stuffing by a class was
# read as shown); a tab panel's name exempts it only in a real tab set (a shown sibling panel or tabs beside
# it: a lone class="tab-content" style="display:none" was exempt), a block the sheet opens on hover or an open
# class is no hiding.
# 1.18.0: use_table.py 10 (我司产品通过上海标准认证 is a product claim: it got no SHS009); a product nobody is named
# beside takes the site's owner from its footer, also written before 版权所有 (SHS010 to review); English
# Manufacturer/Supplier rows name the maker/seller; a code in a row naming another standard (通信接口标准) is
# disclosed on the page (SHS008 to review, was high); 公司简介/关于我们 headings name no product; 展示获评上海标准的
# 企业和产品 in an exhibition's news is no organisation's claim (designated-class).
# 1.19.0: an iframe srcdoc document is styled by its own <style> (never the page's); hiding written with CSS escapes
# or comments hides (display:n\6f ne); combining marks over the words leave the words; a code written with
# Cyrillic or Greek capitals, a combining mark or a dash-like sign (⁃ ー ⁻) is the code a buyer reads; dropping many
# elements from one block no longer runs out the CPU budget.
# 1.20.0: an inline <svg>'s drawn <text> is page text (svgtext.py; the whole <svg> was pruned, so a badge drawing
# 上海标准 gave no claim); what SVG hides (display/visibility attributes, a zero-sized <svg>) is a hidden claim,
# <title>/<desc>/<defs> are not drawn and not read.
# 1.21.0: opacity:0, transparent or background-coloured text, off-screen positioning, text-indent, clip, scale(0),
# zero height/width with overflow hidden, content-visibility and screen-reader-only classes hide (css_hiding.py);
# a tab panel needs a shown sibling panel or a shown tab pointing at it, a dropdown rule an element a buyer acts
# on; words drawn as CSS generated content are a css-content warning.
# 1.22.0: a bare product claim on a single-product page whose rows declare one standard without the words takes
# it with tie "page-row" (上海标准产品 + 执行标准：expired edition was SHS008 "not disclosed"; now SHS003 for review);
# the tie holds only for a code the registry knows as designated, now or once (checker/rules/facts.py).
# 1.23.0: inline <svg> text is read by checker/svglines.py, the one reading SVG images use too: opacity or
# fill-opacity below 0 hides (clamped to 0; only a written zero hid).
# 1.24.0: use_table.py 11 (probe s29): a competitor's claim a seller reports, an application in progress and an
# English denial are no claims (SHS009/SHS002/SHS008 high against the seller or for a pending standard); 上海标准证书
# (Shanghai Standard certificate) is certification wording (SHS009; it was none); a standard row's code written
# across its value cells (标准号 | T/DEMO | 001-2019) is read joined (it was no code: SHS008 high); a news box on a
# product page (行业新闻 in a sidebar) is no claim of the goods (SHS005 high about another company's standard); the
# words naming a table's column (是否上海标准 | 是/否) make a claim for review only (it was SHS008 high); the words
# defined on a product page (上海标准是对标准的评价, is an evaluation of standards) are no claim (SHS008 high).
# 1.25.0: the gate reads through elements nested inside a hidden one (上海<i class="h"><b>x</b>…</i>标准, a comment,
# a <br> or a reference inside), which it skipped unread; right/bottom or a margin far off the screen,
# translate(-9999px), filter:opacity(0), opacity below 0.05, a font size below 3px, text in its background's
# colour written as hsl() or a CSS colour name (css_colours.py) hide; a hidden <br> breaks no line.
# Stylesheet rules inside @media for every screen, @supports and @layer hide (print and size queries do not);
# an @import is a styles-imported warning, and the rule after it is read.
# A declarative shadow root (<template shadowrootmode>) is shown; <noscript> and a <dialog> without `open` are hidden.
# A shadow host's own children that no <slot> of its declarative shadow root draws are hidden.
# A stylesheet rule setting unicode-bidi:bidi-override; direction:rtl draws the words backwards: bidi-override;
# words written backwards that such an override (a class or inline) shows forwards are a bidi-override warning.
# 1.26.0: use_table.py 12 (probe s30): an application in progress written after the words, a closing bracket or the
# scheme's noun between (T/…（上海标准）（申报中）, 上海标准正在申报中), is no claim (SHS007 high for a pool standard).
# The mark's image ties the code its own alt or title text discloses whichever of its texts named the mark (a file
# name or caption naming it, alt="GB/T …": SHS008 "nothing disclosed", now SHS002).
# A product said to have passed the 上海标准 evaluation or been rated one (本产品已通过上海标准评价, 被评为上海标准产品,
# this product has passed the Shanghai Standard evaluation) is certification wording (SHS009; it was none).
# The seller's yes to 问：这款是上海标准吗？ (a shop's FAQ, 商家回复：是的 under 问大家) is its product claim (it was
# discussion), tied to a code the reply discloses as "block"; another buyer's yes is none.
# An English standard row (Executive Standard: T/…, Standard No.) is kept as context like 执行标准 (it was pruned: the
# page declared no standard, so "Certified by Shanghai Standard" beside it was SHS008 as well as SHS009 without a code).
# The words presented as an honour (获得荣誉 | 上海标准, 上海标准等荣誉, 获奖) are award wording, a row's label (产品认证 |
# 上海标准) counts for its value; an organisation's products holding them as an honour are a product claim; a code
# said to be replaced (由T/… 2019升级为T/… 2022) ties the words to the code replacing it.
# English: our products are certified to Shanghai Standard is own-products-certified, and About us names no product.
# A parameter row named by the words whose value says no (是否上海标准：否, 上海标准 | 无, Shanghai Standard: No) is a
# denial (row-denied, value-denied): it was SHS008 high against the seller.
# The words qualifying a drafter (店铺资质：上海标准起草单位) are an organisation presenting itself (drafter-of).
# A link whose words name the scheme (了解上海标准政策, 上海标准申报指南) is no claim beside an offer (in-link decisive).
# A seller's yes that says the standard is only applied for (是的，我们正在申报) affirms nothing; one repeating the words
# without the product as subject (对，是上海标准) answers for the question; 是否上海标准：否（申报中） is a denial.
# 1.27.0: the gate reads through every element without end tag inside a hidden one (<input>, <hr>, <meta>, <link>,
# <source>, <col>, <area>, <embed>, <param>, <track>, <base>, as <br>, <wbr> and <img> before): it stopped there.
# 1.28.0: certification, honour or award wording in a clause of the words' sentence that opens with the organisation
# as its own subject (…（上海标准），公司通过ISO9001认证; 公司获奖，本品（上海标准）…) is the organisation's, not the words
# presented as one: it was SHS009 high against a true claim.
# 1.29.0: use_table.py 13 (probe s31, s30's open questions): the words as an item of an organisation's own honours
# list (荣誉资质 | 2024年 上海标准) are presented as its award (certification word 列为荣誉, fact presented_as_honour:
# SHS009 for the organisation claim); an item disclosing the standard (Q/… 《…》（上海标准）) is not. An English
# footer's company (© 2024 X Co., Ltd.) is the site's owner when the page's title or host shares a distinctive word
# of its name (site:copyright-en, as a Chinese footer's: an organisation's claimant, a product's for review that a
# crawl's seller replaces; a marketplace's footer names the marketplace, so not otherwise). An
# English product said to have passed the Shanghai Standard evaluation or been rated one is certification wording
# anywhere in the words' sentence (it was within 24 characters), not when a standard or a code is the subject. The
# short element after a question block (问：这款是上海标准吗？ | 答：是的) is kept by the pre-pass: a seller's FAQ written
# as plain paragraphs lost its answer, so its bare yes was discussion (now SHS008, as in a .faq box). A dealer
# saying its goods are made by the company it deals for (本店为X授权经销商，所售座椅由该公司生产) names X as their maker
# (SHS010 was judged on the crawled shop); a livestream's transcript heading (直播文字实录, Live transcript) names no
# product (SHS011 against 直播文字实录). Over-reach found by probe batch s31b: an honours item crediting the organisation
# with drafting one (参与起草上海标准1项) is no award; an English honours heading (Honors) makes an about page; an English
# product that has not passed the evaluation is a denial (negated-en), no SHS009; a yes after an open question
# (什么是“上海标准”？) or a line that is itself a question (能开发票吗？) answers nothing; a category after what it did
# (…并多次获得行业协会表彰) names no organisation (it was the claimant: SHS010 high against a holder's own page); an
# English yes/no question opening the sentence (Is this flask a Shanghai Standard product?) is asked (yes-no-question-en:
# SHS008 high became review). A tender response's bidder row (投标人 | 杭州某某…) names the claimant as an exhibitor's
# does (not a maker: SHS010 for review); the response's claim was judged with nobody named.
# 1.30.0: the gate reads words parted by hidden markup nested to any depth (上海<span class="h">a<b>b<u>…</u></b></span>标准,
# between any two characters, in UTF-8, GB18030 and Big5 bytes): both searchers skipped such a page unread past
# one level (deep_split.py, a bounded look after each split trigger); the exact split rules are read from those
# triggers only (the same answer, no longer a regex tried after every 海 of the page).
# 1.30.1: the English "passed / was rated" wording is read within 400 characters before its verb, not the whole
# sentence (a block with no sentence break made a page of 2,000 mentions take 23 s, quadratic).
# 1.30.2: a combining mark the normaliser drops after a letter, digit or ideograph (上海\u0301) is passed over by the
# quote map; it pulled the next word's quote back over the text between them (hypothesis found it). A snippet holds
# its whole quote, and only characters a reader sees count towards its 300 (verbatim.centred): a quote with 400
# zero-width spaces or soft hyphens inside the words was cut to 300 of them, one 400 characters wide (上海 + 400 &nbsp;
# + 标准) inside itself, so the snippet, and the console, showed neither the words nor the code. A mark image's alt text
# (its quote) is held whole in its snippet: the first 300 characters left out the words of a longer one.
# 1.31.0: use_table.py 14 (probe s31's open pages, s32): a question about the words answered no, in English as in
# Chinese (Is this flask a Shanghai Standard product? No: …; 答：不是的), is no claim (it was SHS008 for review); so is a
# question followed by another question, not an answer (这款是上海标准吗？ 能开发票吗？; a yes after the next question
# answers that one): SHS008 for review before. A question whose answer was too long to keep is marked by the pre-pass
# (data-mw-answer-cut) and never read as unanswered. 亲，是的 answers yes (the code it discloses is the claim's: it
# was discussion). On a job advert, the employer's 公司简介 saying something of its products is its claim (SHS010 was
# lost: the advert kept it discussion); its designation announced there stays discussion (the company's page on the
# board is the one thing to act on). An English company profile on a job page names the company in its sentence.
# 1.32.0: the gate reads its split rules in linear time: their regexes, tried from every trigger, read markup left
# open to the page's end once per trigger (海<!-- c 4,000 times took 14 times what 1,000 did in the fallback
# searcher, a long unclosed tag 30 times). The deep look reads them (deep_split.py): markup never closed ends it;
# at its 16 KB bound inside one element opened since, it lets the page through (hidden text longer than the bound,
# nested two levels or more, hid the words from the extractor: the page was skipped); elsewhere at the bound the
# split regex is read once a page, from that trigger.
# 1.32.1: visibility and font-size set to inherit, unset, revert (or a visibility value a browser drops) inside a
# hidden parent keep it hidden: they were read as showing the text again (visibility:visible and initial still do).
# 1.32.2: so does color set to inherit, unset or revert under color:transparent (or a colour on its background).
# 1.32.3: entity debris is removed again once characters are folded, and a run of ampersands at once ('\x1f&, ＂＆,
# &&“ kept an ampersand a second normalisation removed: normalize_text was not idempotent).
# 1.32.4: the Hyperscan gate lost window-rule matches (GB18030 海标, five UTF-8 海, 准: skipped unread while the
# find searcher read it); a database of the window rules' literals backs it up (gate.window_literals).
# 1.33.0: use_table.py 15 (session 32's open gaps). The pre-pass writes on a question's block what follows it on the
# whole page (prune.ANSWER_ATTR: its first 200 characters), not only a short answer it keeps: a yes longer than 200
# characters was cut, so the question stayed discussion or SHS008 for review; now it is the seller's claim as a short
# yes is. A question the page ends with, nothing after it, is unanswered (prune.NO_ANSWER_ATTR): it was SHS008 for
# review. What follows is looked for a bounded number of levels and siblings (linear). An English job advert
# (job-advert-en: two of Responsibilities, Requirements, Salary:, …) keeps an employer's box that only announces a
# designation discussion, as a Chinese one does (it was an organisation claim, SHS004 on a revoked standard); an
# English maker's sentence (X makes seats to Q/…, made to) speaks of its products (product-verb).
# 1.33.1: use_table.py 16 (probe round s33). A designation reported as ended (“上海标准”资格已于…撤销, 称号已被收回,
# the designation was revoked) is no claim (designation-ended; the holder's notice was SHS004 for review). 认证依据 and
# 依据标准 introduce a standard as 执行标准 does (a fake 上海标准认证证书 naming its basis was SHS008 high, "nothing
# disclosed"; now SHS009 with the code). 什么是/何为 right before the words that end their sentence (a heading
# 什么是上海标准) asks as 什么是上海标准？ does: never a sure claim (it was SHS008 high beside an offer).
# 1.33.2: use_table.py 17. An English job advert is known by labels only adverts carry (Job Description, Key
# Responsibilities, Salary:): Requirements and Qualifications, which a supplier's profile lists too, made the profile a
# job advert. The English maker's verb (makes … to Q/…) is no product weight any more, only what tells an
# employer's box speaking of its products: as a weight it made a supplier's profile sentence a product claim with
# nobody named (its SHS010 was lost).
# 1.34.0 (evidence-s33): quotes keep the page's own white space where a browser shows it (<pre>, <xmp>/<listing>,
# <textarea>, an inline white-space: pre / pre-wrap / break-spaces / pre-line on the element or an ancestor;
# whitespace.py): `verbatim` and `snippet` held one space for each line break and run of spaces there. Matching
# reads the same normalised text as before (one space each), so the claims found are the same.
# 1.34.1 (evidence-s33): a run of more than 32 invisible characters (zero-width, soft hyphens, joiners, controls) in a
# quote is stored as one marker naming each kind and its count (⟦U+200B×100000⟧, pagetext/invisible.py), and
# Claim.invisible_condensed says how many it stands for: 200,000 of them inside the words were stored in full, twice
# per claim and occurrence (2,001,268 bytes of JSON for the page; now 1,457). Shorter runs stay as written.
EXTRACTOR_VERSION = "1.34.1"


class Pattern(NamedTuple):
    """A named, compiled pattern with the reason it is in the table."""

    name: str
    regex: re.Pattern[str]
    why: str


def _p(name: str, regex: str, why: str, flags: int = 0) -> Pattern:
    return Pattern(name, re.compile(regex, flags), why)


# --- Raw-bytes gate (gate.py). A window rule holds when one of its confirming sequences starts within its
# window (GATE_WINDOW bytes unless it says otherwise) after one of its anchors ends (or, backward, ends
# within the window before it starts), so tags, entities or spaces between the characters still pass.
# A split rule holds when its characters follow each other with only markup between them (SPLIT_GAP): the gate
# reads it on from the rule's triggers with a look that pairs tags (deep_split.py), a superset of SPLIT_GAP.
# Both kinds are searched either in one multi-pattern pass (Hyperscan) or with bytes.find and Python regexes;
# both searchers read these tables and decide alike (tests/test_extract_gate.py holds them to it).
GATE_WINDOW = 400


# Multi-byte encodings the gate reads on any page with a non-ASCII byte, declared or not. Big5 is there for the
# pages that declare nothing (no header, no meta): 上海標準 is A457 AEFC BCD0 B7C7 there, bytes no UTF-8 or
# GB18030 rule matches, and such a page was skipped without a word. Big5-HKSCS spells these characters alike.
MULTIBYTE_FAMILIES = ("utf-8", "gb18030", "big5")


class GateRule(NamedTuple):
    """Raw byte sequences that, close together, may spell a mention in one byte family."""

    name: str
    family: (
        str  # one of MULTIBYTE_FAMILIES: searched only on pages with non-ASCII bytes; "ascii": on every page
    )
    anchors: tuple[bytes, ...]
    confirms: tuple[bytes, ...]
    forward: bool  # the confirming sequence follows the anchor (True) or precedes it
    why: str
    caseless: bool = False  # ASCII letters in any case; the sequences are then written in lower case
    window: int = GATE_WINDOW


def _in_each_family(
    name: str,
    anchors: tuple[str, ...],
    confirms: tuple[str, ...],
    forward: bool,
    why: str,
    ascii_confirms: tuple[bytes, ...] = (),
) -> tuple[GateRule, ...]:
    """One rule per multi-byte family: the same characters are different bytes in UTF-8 and GB18030.

    `ascii_confirms` (character references) are the same bytes in both; they make the rule caseless, which
    leaves the multi-byte sequences as they are (bytes.lower and Hyperscan fold ASCII letters only)."""
    return tuple(
        GateRule(
            f"{name}-{family}",
            family,
            tuple(spelled for a in anchors if (spelled := _encoded(a, family))),
            tuple(spelled for c in confirms if (spelled := _encoded(c, family))) + ascii_confirms,
            forward,
            why,
            caseless=bool(ascii_confirms),
        )
        for family in MULTIBYTE_FAMILIES
    )


def _encoded(text: str, family: str) -> bytes:
    """The bytes of text in a family, or b"" when the family cannot spell it (Big5 has no 标)."""
    try:
        return text.encode(family)
    except UnicodeEncodeError:
        return b""


# Labels (WHATWG) of encodings whose bytes no rule here reads: a page declaring one is decoded and looked at.
_UNSEARCHED_LABELS = tuple(
    sorted(label.encode() for label, name in charsets.LABELS.items() if name in charsets.UNSEARCHED)
)

# 海 and 准/準 as decimal or hexadecimal character references (their "&#" / "&#x" left out, so both match).
_NCR_HAI = (b"28023;", b"6d77;")
_NCR_ZHUN = (b"20934;", b"28310;", b"51c6;", b"6e96;")
# Browsers also read a numeric reference without its semicolon (上&#28023标准 shows 上海标准): these keep "&#",
# so a bare number on the page (a price, an item id) is no hint.
_NCR_HAI_OPEN = (b"&#28023", b"&#x6d77")
_NCR_ZHUN_OPEN = (b"&#20934", b"&#28310", b"&#x51c6", b"&#x6e96")

GATE_RULES: tuple[GateRule, ...] = (
    *_in_each_family(
        "zh",
        ("海",),
        ("准", "準"),
        True,
        "上海标准 and 上海標準 share 海; 准/準 closes them (tags may split the words), also as a character "
        "reference (上海&#26631;&#20934;: a CMS or a paste turned a few characters into references)",
        ascii_confirms=_NCR_ZHUN + _NCR_ZHUN_OPEN,
    ),
    *_in_each_family(
        "en-fullwidth",
        ("ｔａｎｄａｒｄ", "ＴＡＮＤＡＲＤ"),
        ("ｈａｉ", "ＨＡＩ", "hai", "HAI"),
        False,
        "full-width Ｓｈａｎｇｈａｉ Ｓｔａｎｄａｒｄ, folded to ASCII by the normaliser",
    ),
    GateRule(
        "en",
        "ascii",
        (b"tandard",),
        (b"hanghai", "ｈａｉ".encode(), "ｈａｉ".encode("gb18030"), "ｈａｉ".encode("big5")),
        False,
        "Shanghai Standard in any case, and file names like shanghai-standard.png",
        caseless=True,
    ),
    GateRule(
        "ncr",
        "ascii",
        _NCR_HAI,
        _NCR_ZHUN + tuple(zhun.encode(family) for zhun in "准準" for family in ("utf-8", "gb18030")),
        True,
        "numeric character references: &#28023;/&#x6d77; = 海, &#20934;/&#x51c6; = 准, &#28310;/&#x6e96; = 準; "
        "准/準 may follow as text (&#19978;&#28023;标准)",
        caseless=True,
    ),
    GateRule(
        "ncr-open",
        "ascii",
        _NCR_HAI_OPEN,
        _NCR_ZHUN_OPEN + tuple(zhun.encode(family) for zhun in "准準" for family in ("utf-8", "gb18030")),
        True,
        "numeric character references without their semicolon, which browsers read all the same "
        "(&#19978&#28023&#26631&#20934 shows 上海标准)",
        caseless=True,
    ),
    GateRule(
        "json-escape",
        "ascii",
        (b"\\u6d77",),
        (b"\\u51c6", b"\\u6e96"),
        True,
        "JSON string escapes (\\u6d77 = 海, \\u51c6 = 准, \\u6e96 = 準): JSON-LD written with ASCII escapes, the "
        "only spelling on a page drawn by script (a head-only warning, never a silent pass)",
        caseless=True,
    ),
    GateRule(
        "css-escape",
        "ascii",
        (b"\\6d77", b"\\06d77", b"\\006d77"),
        (
            b"\\51c6",
            b"\\6e96",
            b"\\0051c6",
            b"\\006e96",
            *(zhun.encode(family) for zhun in "准準" for family in ("utf-8", "gb18030")),
        ),
        True,
        'CSS escapes (\\6d77 = 海, \\51c6 = 准) in a stylesheet\'s generated content (content:"\\4e0a\\6d77…"): '
        "a css-content warning, never a silent pass",
        caseless=True,
    ),
    GateRule(
        "js-escape-braced",
        "ascii",
        (b"\\u{6d77}",),
        (b"\\u{51c6}", b"\\u{6e96}"),
        True,
        "JavaScript code-point escapes (\\u{6d77} = 海) in a client-rendered page's script state: a script-state "
        "warning, never a silent pass",
        caseless=True,
    ),
    GateRule(
        "pinyin",
        "ascii",
        (b"iaozhun",),
        (b"hanghai",),
        False,
        "pinyin file names such as shanghai_biaozhun.png (上海标准 = shanghai biaozhun)",
        caseless=True,
    ),
    GateRule(
        "percent",
        "ascii",
        (b"%e6%b5%b7",),
        (b"%e5%87%86", b"%e6%ba%96"),
        True,
        "percent-encoded UTF-8 file names: %E6%B5%B7 = 海, %E5%87%86 = 准, %E6%BA%96 = 準",
        caseless=True,
    ),
    GateRule(
        "legacy-charset",
        "ascii",
        (b"charset",),
        _UNSEARCHED_LABELS,
        True,
        "a page that declares Big5, Shift_JIS, EUC-JP/KR, ISO-2022-JP, UTF-16 or a refused encoding: its "
        "bytes are none the rules read, so decode it and look (or say it cannot be read)",
        caseless=True,
        window=16,
    ),
)


def _utf8_sequences(first: int, last: int) -> list[list[tuple[int, int]]]:
    """Byte ranges, one list per UTF-8 length and alignment, that together encode exactly first..last."""
    for boundary in (0x7F, 0x7FF, 0xFFFF):
        if first <= boundary < last:
            return _utf8_sequences(first, boundary) + _utf8_sequences(boundary + 1, last)
    if last < 0x80:
        return [[(first, last)]]
    length = len(chr(first).encode())
    for shift in range(1, length):
        mask = (1 << (6 * shift)) - 1
        if first & ~mask != last & ~mask:
            if first & mask:
                return _utf8_sequences(first, first | mask) + _utf8_sequences((first | mask) + 1, last)
            if last & mask != mask:
                return _utf8_sequences(first, (last & ~mask) - 1) + _utf8_sequences(last & ~mask, last)
    low, high = chr(first).encode(), chr(last).encode()
    return [[(low[i], high[i]) for i in range(length)]]


def _byte_range(low: int, high: int) -> bytes:
    return b"\\x%02x" % low if low == high else b"[\\x%02x-\\x%02x]" % (low, high)


def complement(ranges: Iterable[tuple[int, int]], first: int, last: int) -> tuple[tuple[int, int], ...]:
    """The code points from `first` to `last` in none of the ranges (surrogates left out: UTF-8 has none)."""
    found: list[tuple[int, int]] = []
    low = first
    for start, end in sorted((*ranges, (0xD800, 0xDFFF))):
        if start > low:
            found.append((low, min(start - 1, last)))
        low = max(low, end + 1)
    if low <= last:
        found.append((low, last))
    return tuple((start, end) for start, end in found if start <= end)


def utf8_alternatives(ranges: Iterable[tuple[int, int]]) -> bytes:
    """A byte regex matching the UTF-8 encoding of any code point in the ranges."""
    pieces = [
        b"".join(_byte_range(low, high) for low, high in sequence)
        for first, last in ranges
        for sequence in _utf8_sequences(first, last)
    ]
    return b"(?:" + b"|".join(pieces) + b")"


def _literal(text: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in text)


# Characters NFKC reads as a space: the normaliser makes one space of them, which the mention tables allow.
_SPACES = (
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
# What may stand between two characters of the words and still be one mention for the extractor: tags,
# comments, ruby annotations with their text, whitespace, character references, invisible (default-ignorable)
# or space characters, and elements holding text (nested ones too) which the page may hide. No byte bound: the
# extractor joins a block's text across any amount of markup, so the gate must too. The gate reads these regexes
# from one trigger a page at most, where its deep look reached its bound undecided (deep_split.py): tried from
# every trigger, they read a stretch of markup left open to the page's end once per trigger (quadratic). Wherever
# SplitRule.expression holds, the gate holds (tests/test_extract_gate_deep.py).
# Every gap is read one way only, so a Python regex never backtracks exponentially on a page where the words do
# not follow (an element read both as an element and as two tags, 40 times over, is 2^40 tries); Hyperscan
# reads the same expression.
_TAG = (
    rb"<[A-Za-z/][^>\"']*>"  # a tag without quotes
    rb"|<[A-Za-z/][^>\"']*(?:\"[^\"]*\"|'[^']*')(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"  # quoted values read whole
)
_COMMENT = rb"<!--(?:[^-]|-[^-]|--+[^\->])*--+>"  # a comment, read to its first -->
# Elements without end tag (HTML's void elements): line breaks, images, form fields and the like inside a hidden
# element (上海<i hidden>热<br>卖<input type=hidden>x</i>标准). A start tag names any other element, spelled out
# letter by letter (no look-ahead in Hyperscan): read either way, each <img> in a list doubled the tries at
# every level.
VOID_NAMES = (
    b"area",
    b"base",
    b"br",
    b"col",
    b"embed",
    b"hr",
    b"img",
    b"input",
    b"link",
    b"meta",
    b"param",
    b"source",
    b"track",
    b"wbr",
)
_NAME_CHAR = rb"[^\s/>]"


def _letters(letters: Iterable[bytes]) -> bytes:
    return b"".join(letter.lower() + letter.upper() for letter in sorted(set(letters)))


def _other_names(names: Iterable[bytes]) -> bytes:
    """A tag name (its first character a letter) that is none of `names`, read one way only."""
    trie: dict[bytes, dict] = {}
    for name in names:
        node = trie
        for letter in name:
            node = node.setdefault(bytes([letter]), {})
        node[b""] = {}

    def after(node: dict[bytes, dict]) -> bytes:
        children = [letter for letter in node if letter]
        alternatives = [b"[^" + _letters(children) + rb"\s/>]" + _NAME_CHAR + b"*"]
        alternatives += [b"[" + _letters([c]) + b"]" + after(node[c]) for c in sorted(children)]
        body = b"(?:" + b"|".join(alternatives) + b")"
        return body if b"" in node else body + b"?"  # a void name must go on; any other may end here

    firsts = [letter for letter in trie if letter]
    others = bytes(c for c in b"abcdefghijklmnopqrstuvwxyz" if bytes([c]) not in firsts)
    alternatives = [b"[" + others + others.upper() + b"]" + _NAME_CHAR + b"*"]
    alternatives += [b"[" + _letters([c]) + b"]" + after(trie[c]) for c in sorted(firsts)]
    return b"(?:" + b"|".join(alternatives) + b")"


_VOID = (
    b"<(?:"
    + b"|".join(b"".join(b"[" + _letters([bytes([c])]) + b"]" for c in name) for name in VOID_NAMES)
    + rb")(?:[\s/][^>]*)?>"
)
# What the prefilter (SplitRule.prefilter) reads as an element without end tag: a superset of _VOID, letter by
# letter of the names of each length (br and hr; col, img and wbr; ...), some 20 NFA states against 60 for the
# names spelled out; the few other names it reads (<cog>) are none of HTML's.
_ANY_VOID = (
    b"<(?:"
    + b"|".join(
        b"".join(
            b"[" + _letters(bytes([name[i]]) for name in VOID_NAMES if len(name) == length) + b"]"
            for i in range(length)
        )
        for length in sorted({len(name) for name in VOID_NAMES})
    )
    + rb")(?:[\s/][^>]*)?>"
)
_START = b"<" + _other_names(VOID_NAMES) + rb"(?:[\s/][^>]*)?>"
_END = rb"</[A-Za-z][^>]*>"
# How deep elements inside a hidden one are read (上海<i class="h"><b><u>热</u>卖</b>x</i>标准): a regex cannot
# match tags to each other at any depth, and each level is another copy of the expression.
_NESTED_DEPTH = 1


def _element(depth: int) -> bytes:
    """Any element holding text, comments, line breaks and elements `depth` levels deep, read one way."""
    inner = rb"[^<]*(?:(?:" + _COMMENT + b"|" + _VOID
    if depth > 0:
        inner += b"|" + _element(depth - 1)
    return b"(?:" + _START + inner + rb")[^<]*)*" + _END + b")"


def _spaces(invisible: bytes) -> bytes:
    """What shows nothing between the words outside any element: white space, references, invisible characters."""
    return rb"(?:\s|&[#a-zA-Z0-9]{1,32};|" + invisible + b")*"


def _gap(invisible: bytes, visible: bytes) -> bytes:
    """What may part the words in one byte family, where `invisible` spells its default-ignorable and space
    characters and `visible` any other character but "<", "&" and white space.

    An element with text of its own is read through, as a buyer may not see it: its attributes or the page's
    stylesheet (a class, an id or its tag name: stylesheet.py) may hide it, and the extractor then reads the
    words as shown, without it (上海<i class="h">…</i>标准). Its first visible character (ruby annotations
    <rt>shàng</rt> too) is what tells it from the tags around it, so an element holding no visible text (only
    spaces, references or invisible characters) is read as tags only, and a gap is read one way."""
    spaces = _spaces(invisible)
    item = b"(?:" + _COMMENT + b"|" + _VOID + b"|" + _element(_NESTED_DEPTH - 1) + b")"
    text_element = (
        _START
        + spaces
        + b"(?:"
        + item
        + spaces
        + b")*(?:"
        + visible
        + rb")[^<]*(?:"
        + item
        + rb"[^<]*)*"
        + _END
    )
    return (
        b"(?:"
        + _TAG
        + b"|"
        + _COMMENT
        + b"|"
        + text_element
        + rb"|\s|&[#a-zA-Z0-9]{1,32};|"
        + invisible
        + b")*"
    )


_INVISIBLE = (*ignorables.RANGES, *_SPACES)
_ASCII_VISIBLE = rb"[^<\s&\x80-\xff]"
# Per family: (invisible, visible) as _gap reads them.
_GAP_CLASSES: dict[str, tuple[bytes, bytes]] = {
    "utf-8": (
        utf8_alternatives(_INVISIBLE),
        _ASCII_VISIBLE + b"|" + utf8_alternatives(complement(_INVISIBLE, 0x80, 0x10FFFF)),
    ),
    # GB18030 spells every default-ignorable and space character but U+3000 (A1A1) in four bytes.
    "gb18030": (
        rb"\xa1\xa1|[\x81-\xfe][\x30-\x39][\x81-\xfe][\x30-\x39]",
        _ASCII_VISIBLE + rb"|\xa1[\x40-\x7e\x80-\xa0\xa2-\xfe]|[\x81-\xa0\xa2-\xfe][\x40-\x7e\x80-\xfe]",
    ),
    # Big5 spells no default-ignorable character; U+3000 is A140.
    "big5": (
        rb"\xa1\x40",
        _ASCII_VISIBLE + rb"|\xa1[\x41-\x7e\xa1-\xfe]|[\x81-\xa0\xa2-\xfe][\x40-\x7e\xa1-\xfe]",
    ),
}
SPLIT_GAP: dict[str, bytes] = {family: _gap(*classes) for family, classes in _GAP_CLASSES.items()}
# A start tag of any name (br, wbr and img too).
_ANY_START = rb"<[A-Za-z][^>]*>"


def _prefilter_gap(invisible: bytes) -> bytes:
    """A superset of _gap for Hyperscan only: an element's content is any text, comments, line breaks and
    elements one level deeper, its start tag any name (a <br> read both as a line break and as an element's
    start, or an element read both as one and as tags, is two ways: fine for an automaton, exponential for a
    Python regex). Every gap _gap reads, this reads (the text of an element, its spaces, references and
    invisible characters, hold no "<")."""
    content = rb"(?:[^<]|" + _COMMENT + b"|" + _ANY_VOID + b")*"
    for _ in range(_NESTED_DEPTH):
        content = rb"(?:[^<]|" + _COMMENT + b"|" + _ANY_VOID + b"|" + _ANY_START + content + _END + b")*"
    element = _ANY_START + content + _END
    return (
        b"(?:" + _TAG + b"|" + _COMMENT + rb"|\s|&[#a-zA-Z0-9]{1,32};|" + invisible + b"|" + element + b")*"
    )


# After 上海 in a list of links (a province picker) a gap reads on for kilobytes, every item an element that
# may be hidden; Hyperscan runs SPLIT_GAP there as an NFA of some 300 states, and the gate cost 40% more on
# such a page than before elements nested in hidden ones were read. This gap has a third of the states and
# SplitRule.prefilter stops at the rule's second character: the gate reads the split regex (deep_split.py) only
# on a page where a prefilter held (gate.py), so it decides as before (the regex would not hold).
SPLIT_PREFILTER_GAP: dict[str, bytes] = {
    family: _prefilter_gap(invisible) for family, (invisible, _) in _GAP_CLASSES.items()
}
# Per family: the white space, references and invisible characters a gap may open with (SplitRule.trigger).
SPLIT_SPACES: dict[str, bytes] = {
    family: _spaces(invisible) for family, (invisible, _) in _GAP_CLASSES.items()
}


class SplitRule(NamedTuple):
    """Characters that spell the words when only markup (SPLIT_GAP) stands between them, in one family."""

    name: str
    family: str
    chars: tuple[tuple[bytes, ...], ...]  # the spellings of each character, in order
    why: str

    def first(self) -> tuple[bytes, ...]:
        """The spellings the rule starts with (searched as literals)."""
        return self.chars[0]

    def rest(self, gaps: dict[str, bytes] = SPLIT_GAP, characters: int | None = None, read: int = 1) -> bytes:
        """The regex that must follow the rule's first `read` characters (Hyperscan and Python syntax alike), up
        to its `characters`-th character (all of them by default)."""
        gap = gaps[self.family]
        return b"".join(
            gap + b"(?:" + b"|".join(map(_literal, spellings)) + b")"
            for spellings in self.chars[read:characters]
        )

    def expression(self) -> bytes:
        """The whole rule as one regex."""
        return b"(?:" + b"|".join(map(_literal, self.first())) + b")" + self.rest()

    def prefilter(self) -> bytes:
        """A Hyperscan expression that holds wherever `expression` does, and costs less on long runs of markup:
        the rule's first two characters, a SPLIT_PREFILTER_GAP between them."""
        return b"(?:" + b"|".join(map(_literal, self.first())) + b")" + self.rest(SPLIT_PREFILTER_GAP, 2)

    def trigger(self) -> bytes:
        """Where a split may start: a first character, then only what shows nothing outside an element, then
        a tag's "<" or the second character. Every match of `expression` (and every split of the words by
        hidden markup, nested to any depth) starts with one; each 海 ends at most one (none of the spaces is
        a "<" or a character of the words, in any alignment), so Hyperscan's match ends and Python's
        re.finditer ends are the same offsets (gate.py reads the words on from each)."""
        first = b"(?:" + b"|".join(map(_literal, self.first())) + b")"
        second = b"|".join(map(_literal, self.chars[1]))
        return first + SPLIT_SPACES[self.family] + b"(?:<|" + second + b")"

    def after_trigger(self) -> list[tuple[bytes, bytes]]:
        """(spelling, Hyperscan expression) for each spelling of the rule's characters after the first: the
        expression's first match ends where the spelling first starts after the end of the rule's first trigger
        (deep_split.py starts its searches there)."""
        return [
            (spelling, self.trigger() + rb"[\s\S]*" + _literal(spelling))
            for spellings in self.chars[1:]
            for spelling in spellings
        ]


# Every character the normaliser folds to 海, 标 or 准 (compatibility ideographs, traditional forms);
# tests/test_extract_gate.py derives the set from normalize_text and holds this table to it.
WORD_SPELLINGS = (("海", "\ufa45", "\U0002f901"), ("标", "標"), ("准", "準"))
SPLIT_RULES: tuple[SplitRule, ...] = tuple(
    SplitRule(
        f"zh-split-{family}",
        family,
        tuple(
            tuple(spelled for char in spellings if (spelled := _encoded(char, family)))
            for spellings in WORD_SPELLINGS
        ),
        "海…标…准 with any amount of markup, ruby annotations or invisible characters between the characters",
    )
    for family in MULTIBYTE_FAMILIES
) + tuple(
    SplitRule(
        f"zh-reversed-{family}",
        family,
        tuple(
            tuple(spelled for char in spellings if (spelled := _encoded(char, family)))
            for spellings in reversed(WORD_SPELLINGS)
        ),
        "准…标…海: the words written backwards, which a right-to-left override (U+202E, <bdo dir=rtl>) shows "
        "as 上海标准 (a bidi-override warning)",
    )
    for family in MULTIBYTE_FAMILIES
)

# Invisible characters inside English words (Stan&shy;dard, Shang\u200bhai): a run of them between two ASCII
# letters. When a page holds any (SQUEEZE_TRIGGERS: the characters in UTF-8, their named and numeric
# references), the gate searches it once more with such runs removed (gate.squeeze). Chinese words need no
# second look: SPLIT_GAP reads invisible characters between them.
IGNORABLE_ENTITIES = (
    "shy",
    "zwj",
    "zwnj",
    "lrm",
    "rlm",
    "nobreak",
    "zerowidthspace",
    "af",
    "applyfunction",
    "it",
    "invisibletimes",
    "ic",
    "invisiblecomma",
    "negativemediumspace",
    "negativethickspace",
    "negativethinspace",
    "negativeverythinspace",
)
# Only &shy may go without its semicolon (an HTML legacy reference); "&it" in a URL is no reference.
_ENTITY_FORMS = tuple(b"&" + name.encode() + (b"" if name == "shy" else b";") for name in IGNORABLE_ENTITIES)
_TAG_BLOCK = 0xE0000  # E0000-E0FFF: 4,096 code points, their references matched by a number pattern
_SMALL = [cp for first, last in ignorables.RANGES for cp in range(first, last + 1) if cp < _TAG_BLOCK]
# Grouped as the find searcher runs them (one Python regex per group); Hyperscan takes them one by one.
SQUEEZE_TRIGGERS: tuple[tuple[bytes, ...], ...] = (
    (utf8_alternatives(ignorables.RANGES),),
    tuple(_literal(form) for form in _ENTITY_FORMS),
    (
        *(_literal(b"&#%d;" % cp) for cp in _SMALL),
        *(_literal(b"&#x%x;" % cp) for cp in _SMALL),
        rb"&#xe0[0-9a-f]{3};",
        rb"&#9175(?:0[4-9]|[1-9][0-9]);|&#917[6-9][0-9][0-9];|&#91[89][0-9]{3};|&#920[0-9]{3};|&#921[0-5][0-9][0-9];",
    ),
)
SQUEEZE_RUN = (
    b"(?:"
    + utf8_alternatives(ignorables.RANGES)
    + b"|&(?:"
    + b"|".join(name.encode() for name in IGNORABLE_ENTITIES)
    + rb");?|&#[xX]?[0-9a-fA-F]{1,8};)+"
)


# --- Mentions, run over normalize_text output (full-width folded, 標準 -> 标准, debris removed).
# A <br> inside the words (上海<br>标准) is a line break in the block's text: the words still read as one across
# it, as a reader reads a title broken over two lines. Whether the break instead parts two rows
# (产地：上海<br>标准：GB/T…) is decided after the match (mentions.parts_two_rows).
_BREAK = r"(?: |\n)?"
MENTIONS: tuple[Pattern, ...] = (
    _p(
        "zh",
        rf"上{_BREAK}海{_BREAK}标{_BREAK}准",
        "the words; a single stray space or line break survives normalisation between characters",
    ),
    # Letters only as boundaries: \\b fails next to Chinese characters ("Shanghai Standard产品").
    _p(
        "en",
        r"(?<![a-z])shanghai(?: ?[-_]? ?| ?\n ?)standards?(?![a-z])",
        "English form of the words, any case, also broken over two lines",
        re.I,
    ),
)
# The label of a row that a line break starts: the rest of the words and a short label word (标准号, 标准代号).
ROW_LABEL_AFTER_BREAK = 4

# An exclusion matches the text right after (AFTER) or before (BEFORE) a mention.
EXCLUSIONS_AFTER: tuple[Pattern, ...] = (
    _p("fastener", r"^ ?件", "上海标准件(厂): standard fasteners, a product class, not the mark"),
    _p("standardisation", r"^ ?化", "上海标准化(研究院/协会): standardisation bodies and the activity"),
    _p("time", r"^ ?时间", "上海标准时间: Shanghai (China Standard) time"),
    _p("reference-material", r"^ ?物质", "上海标准物质: reference materials sold by labs"),
    # 上海 + a noun that starts with 标准 (standard room, standard pitch, standard Japanese…): the words are
    # there, the designation is not. Each of these gave SHS008 high on any page with a price.
    _p(
        "standard-compound",
        r"^ ?(?:间|間|房|大床房|双床房|雙床房|单人房|單人房|双人房|雙人房|足球场|足球場|篮球场|籃球場|游泳池|跑道"
        r"|日本语|日本語|日语|日語|韩语|韓語|英语|英語|普通话|普通話|地图|地圖|版|户型|戶型|尺寸|尺码|尺碼|普尔|普爾"
        r"|答案|动作|動作|层|層|厂房|廠房|体重|體重|套餐|集装箱|集裝箱|箱|杆|粉|差)",
        "上海 followed by a noun that starts with 标准 (上海标准间: a standard room in Shanghai; 标准足球场, 标准日本语, "
        "标准地图, 标准版, 标准普尔): not the designation",
    ),
    _p("chartered", r"^ ?chartered", "Shanghai Standard Chartered …: a bank, not the mark", re.I),
    _p("en-time", r"^ ?(?:time|cst)\b", "Shanghai Standard Time (CST): a time zone", re.I),
    _p(
        "en-parts",
        r"^ ?(?:parts?|fasteners?|components?|screws?|bolts?)\b",
        "Shanghai Standard Parts: 标准件, standard fasteners (a product class and company names), not the mark",
        re.I,
    ),
    # Capitalised words then a company suffix: "Shanghai Standard Technology Co., Ltd." names a company.
    # Lower-case words do not count ("Shanghai Standard certified by ABC Co." is a claim, not a name).
    _p(
        "en-company",
        r"^ ?(?:[A-Z][A-Za-z&'.-]*\s+){0,3}(?i:co\b|co\.|company|ltd|limited|inc\b|corp\b|corporation|group|factory|plant)",
        "a company named Shanghai Standard … Co., Ltd. (Shanghai Standard Technology Co.), not the mark",
    ),
    # 上海标准 opening a company's name: 上海标准电器有限公司. A particle (的, 是, 与…) ends a name, so
    # "获评上海标准的公司" stays a mention.
    _p(
        "zh-company",
        r"^ ?(?:(?![的之是为和与及或被获评认证执符合])[\u4e00-\u9fff]){0,8}?(?:股份有限公司|有限责任公司|有限公司|集团)",
        "a company whose name starts with 上海标准 (上海标准电器有限公司), not the mark",
    ),
    # A factory's name: 上海标准电机厂, 上海标准模型厂 (厂家/厂商 are the generic "manufacturer" and 产品/生产
    # make it a description: 上海标准产品生产厂 stays a mention).
    _p(
        "zh-factory",
        r"^ ?(?:(?![的之是为和与及或被获评认证執执符合产品生])[\u4e00-\u9fff]){1,6}?(?:厂|廠)(?![家商])",
        "a factory whose name starts with 上海标准 (上海标准电机厂), not the mark",
    ),
    # The same for a shop's name on a marketplace: 店铺：上海标准五金专营店.
    _p(
        "zh-shop",
        r"^ ?(?:(?![的之是为和与及或被获评认证執执符合])[\u4e00-\u9fff]){0,8}?"
        r"(?:旗舰店|旗艦店|专营店|專營店|专卖店|專賣店|官方店|企业店|企業店|工厂店|工廠店|自营店|自營店|直营店|直營店|商行|经营部|經營部|门市部|門市部|商城|五金城|超市|商店|批发部|批發部|卖场|賣場)",
        "a shop whose name starts with 上海标准 (上海标准五金专营店), not the mark",
    ),
)
EXCLUSIONS_BEFORE: tuple[Pattern, ...] = (
    _p("chartered-before", r"standard chartered[^.。]{0,40}$", "Standard Chartered … Shanghai …", re.I),
)

# --- Inactive tab panels (visibility.py): display:none or `hidden` on one of them is a tab not yet clicked, not
# text kept from buyers. Marketplaces mark them with ARIA's role (Tmall: role="tabpanel"), a widget name (JD:
# data-widget="tab-content", data-tab="item") or class and id names (tab-content, J_TabBar, ks-switchable-panel, slide-pannel).
# "tab" not followed by "l": table, tablet, stable and notable are no tabs (a class="table-wrap" that hides a
# 执行标准 row was read as shown). Inline formatting elements (INLINE_TAGS) are never a tab panel: a
# <span class="tab" hidden> inside the words hides characters, it opens nothing.
TAB_PANEL_ROLE = "tabpanel"
TAB_PANEL_ATTRS: dict[str, re.Pattern[str]] = {
    "data-widget": re.compile(r"tab(?!l)", re.I),
    "data-tab": re.compile(r"^(?!\s*trigger\s*$)"),  # JD: <div data-tab="item"> holds each tab's content
    "class": re.compile(r"tab(?!l)|switchable|pann?el", re.I),
    "id": re.compile(r"tab(?!l)|switchable|pann?el", re.I),
}
# A name matched above that says only "panel" (Bootstrap's panel boxes, slide-pannel): a tab panel only beside
# tab controls (tabs.py), never by a shown sibling of the same name.
TAB_PANEL_ONLY_NAMES = re.compile(r"pann?el", re.I)
# The rest of a tab set (tabs.py): tabs (ARIA role="tab", Bootstrap's data-toggle="tab"/"pill", JD's
# data-tab="trigger", KISSY's ks-switchable-trigger) and tab lists (role="tablist", Tmall's J_TabBar/tabbar,
# tab-nav, Bootstrap's nav-tabs, KISSY's ks-switchable-nav), a list counting one tab per item.
TAB_ROLE = "tab"
TAB_LIST_ROLE = "tablist"
TAB_CONTROL_ATTRS: dict[str, re.Pattern[str]] = {
    "data-toggle": re.compile(r"^\s*(?:tab|pill)\s*$", re.I),
    "data-bs-toggle": re.compile(r"^\s*(?:tab|pill)\s*$", re.I),
    "data-tab": re.compile(r"^\s*trigger\s*$", re.I),
    "class": re.compile(r"switchable-trigger|\btab-?(?:trigger|item|btn|link)\b", re.I),
}
TAB_LIST_ATTRS: dict[str, re.Pattern[str]] = {
    "class": re.compile(r"\btab-?(?:bar|nav|list|s|head|header)\b|nav-tabs|switchable-nav", re.I),
    "id": re.compile(r"tab-?(?:bar|nav|list|s|head|header)\b", re.I),
}
# Inline formatting: text inside it is part of the text around it (the pre-pass's units, tab panels).
INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "label",
        "mark",
        "nobr",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
    ]
)

# --- Logo claims: an <img> whose alt, title, caption or file name names the mark.
# The gate has rules for the English, pinyin and percent-encoded file names below (patterns.GATE_RULES).
# Attributes an <img> keeps its file name in (lazy loaders move src to data-*).
LOGO_FILE_ATTRS = ("src", "data-src", "data-ks-lazyload", "data-original")
LOGO_FILE: tuple[Pattern, ...] = (
    _p("file-en", r"shanghai[-_. ]?standard", "file names such as shanghai-standard-logo.png", re.I),
    _p("file-pinyin", r"shanghai[-_]?biaozhun", "pinyin file names (上海标准 = shanghai biaozhun)", re.I),
    _p("file-zh", r"上海标准", "file names in Chinese, after percent-decoding"),
)


def logo_file_name(url: str) -> str | None:
    """The file name in an image URL when it names the mark, else None."""
    name = unquote(url.rsplit("/", 1)[-1].split("?", 1)[0])
    return name if any(pattern.regex.search(name) for pattern in LOGO_FILE) else None


# --- Certification, award and approval wording bound to a claim (SHS009). Searched within
# CERT_WINDOW characters of the mention in its own sentence; label = what the claim reports.
CERT_WINDOW = 24
CERTIFICATION: tuple[Pattern, ...] = (
    _p(
        "通过…认证",
        r"通过.{0,16}认证",
        "presents the evaluation of a standard as a passed product certification",
    ),
    _p("政府认证", r"政府.{0,4}认证", "claims a government certification"),
    _p("官方认证", r"官方.{0,4}认证", "claims an official certification"),
    _p("认证", r"认证", "certification wording of any form (上海标准认证, 认证产品)"),
    _p("获证", r"获证", "'obtained a certificate'"),
    # Only a certificate of the words themselves (上海标准证书, “上海标准”评价证书): a test report's or another
    # scheme's certificate beside the words (另附检测证书) certifies something else.
    _p(
        "证书",
        r"上海标准[”\"」』]?\s?(?:认证|评价)?(?:证书|证明)|Shanghai Standard[”\"']?\s(?:certificate|certification)",
        "presents the designation as a certificate issued for the product (获得上海标准证书, Shanghai Standard certificate)",
        re.I,
    ),
    _p("荣获", r"荣获|荣膺", "presents the mark as an award"),
    # An honour or award beside the words (获得荣誉：上海标准, 上海标准等荣誉, 获奖): the mark presented as one.
    _p("荣誉", r"荣誉|榮譽|殊荣|殊榮|获奖|獲獎|奖项|獎項", "presents the mark as an honour or award"),
    # The product itself said to be rated, recognised or approved (本产品获评上海标准, 本产品经市场监管局认定为
    # “上海标准”产品): a standard is designated, a product is not. With 标准 between them the subject is the
    # standard (本品执行的标准获评“上海标准”: true, and no certification).
    _p(
        "产品获评或认定",
        r"(?:本产品|本品|该产品|此产品|本商品|该商品|这款产品|我司产品|产品)(?:(?!标准)[^，,；;。]){0,20}"
        r"(?:获评|认定|评定|授予|批准|通过(?:(?!标准)[^，,；;。]){0,12}评审)",
        "presents the product itself as rated, recognised or approved as 上海标准 (a government approval, §5 SHS009)",
    ),
    # The product said to have passed the evaluation itself (本产品已通过上海标准评价, 本品通过“上海标准”评审, 被评为
    # 上海标准产品, this product has passed the Shanghai Standard evaluation): the evaluation is of a standard
    # (domain.md §1). With 标准 between the product and the verb the subject is the standard (本品执行的标准通过…).
    _p(
        "产品通过评价",
        r"(?:本产品|本品|该产品|此产品|本商品|该商品|这款产品|我司产品|产品)(?:(?!标准)[^，,；;。]){0,20}"
        r"(?:(?:通过|经过)[“\"「『]?上海标准[”\"」』]?的?(?:评价|评审|审核|认定|评定)|被?评为[“\"「『]?上海标准)"
        r"|\b(?:product|item|goods|it)\s+(?:has\s+|have\s+)?passed\s+(?:the\s+)?[“\"']?Shanghai Standard"
        r"[”\"']?\s+(?:evaluation|assessment|review)",
        "presents the product itself as having passed the 上海标准 evaluation or been rated one (a product approval,"
        " §5 SHS009)",
        re.I,
    ),
    _p(
        "授权",
        r"上海标准[”\"」』]? ?授权",
        "上海标准授权产品: presents the mark as a licence granted to the product",
    ),
    _p("授予", r"授予", "presents the mark as granted to the product"),
    _p("颁发", r"颁发", "presents the mark as issued like a certificate"),
    _p("批准", r"(?:政府|官方|国家)批准", "claims a government approval"),
    _p("certified", r"certifi(?:ed|cation)", "English certification wording", re.I),
    _p("awarded", r"\baward(?:ed)?\b|\bapproved\b", "English award/approval wording", re.I),
)

# What a claim listed among an organisation's honours reports (荣誉资质 | 上海标准: SHS009's certification_text, the
# rules' presented_as_honour fact): the words presented as its award (extractor._an_honour_listed).
HONOURS_LISTED = "列为荣誉"

# English: something in the words' sentence said to have passed the evaluation or been rated, recognised or
# approved as one (This product, which we export to Europe, passed the Shanghai Standard evaluation; our cup was
# rated a Shanghai Standard product), however far from the words in their sentence (mentions.certification_words;
# CERT_WINDOW alone missed it). The words must be the ones the verb is about (group `words`), and what comes before
# the verb in the sentence must not make a standard its subject (STANDARD_SUBJECT_EN).
PASSED_IN_SENTENCE_EN = _p(
    "product-passed-en",
    r"\b(?:passed|(?:was|were|been|is|are|got|get|gets)\s+(?:officially\s+)?(?:rated|recogni[sz]ed|approved|certified"
    r"|awarded|named|listed)(?:\s+as)?|rated\s+as|recogni[sz]ed\s+as)\s+(?:the\s+|an?\s+)?[“\"']?"
    r"(?P<words>Shanghai\s+Standard)",
    "presents a product as having passed the Shanghai Standard evaluation or been rated one (§5 SHS009)",
    re.I,
)
# A standard (the word, a code, or a relative pronoun after one) as the subject of the sentence's verb: the standard
# passed the evaluation, which is true (The group standard this product implements passed …; …T/DEMO 001-2022,
# which passed …).
# The verb denied just before it (has not passed, was never rated, hasn't been): no claim of passing.
NEGATED_EN = re.compile(r"(?:\bnot|\bnever|\bno longer|n't)\s+(?:[a-z]+\s+){0,2}$", re.I)
STANDARD_SUBJECT_EN = re.compile(r"(?i:\bstandards?\b)|\b[TQ]\s?/\s?[A-Z]{2,}|\bDB\s?\d{2}|\bGB(?:/T)?\s?\d")

# Certification wording denied in its own clause is no certification claim: 上海标准不是认证, 本品未通过任何上海标准认证,
# 我们从不宣传上海标准认证 (a seller correcting the misconception, or denying it). Bare 非 and 未 are too common
# inside other words (非常, 未来) to count alone.
CERT_DENIED = re.compile(
    r"(?:不是|并非|並非|并不是|並不是|不属于|不屬於|不等于|不等於|不代表|绝非|絕非|而非|没有|沒有|从未|從未|从不|從不"
    r"|并未|並未|不曾|未曾|尚未|暂未|暫未|未(?!来|來|必))[^，,；;。！？!?]*$"
)

# Where a clause of the words' sentence begins (after ，；, as normalised) and whether it names a subject of its own
# that is the organisation (…（上海标准），公司通过ISO9001认证；公司获奖，本品（上海标准）…): its certificate, honour or
# award is the organisation's, and the words are not presented as one (mentions.certification_words).
CLAUSE_BREAK = re.compile(r"[,;，；]")
ORGANISATION_SUBJECT = re.compile(
    r"\s*(?:并且?|且|同时|另外|此外|另|还)?\s*(?:本公司|我公司|我司|公司|本企业|我企业|企业|本集团|集团|本厂|工厂|厂家|我们|本店|店铺)"
    r"|\s*(?:also\s+|and\s+)?(?:the company|our company|we)\s",
    re.I,
)

# The words between two codes saying the first was replaced by the second (T/… 2019升级为T/… 2022, 已由…更新为…):
# the standard implemented now is the second (tie.py), whichever is nearer the words.
SUPERSEDED_BY = re.compile(
    r"\s*(?:[(（][^()（）]{0,8}[)）])?\s*(?:已|已经|已經)?\s*(?:升级|升級|更新|修订|修訂|变更|變更|替换|替換|换版|換版|调整|調整"
    r"|过渡|過渡|改)(?:为|為|成|至|到)\s*[“\"「『]?\s*"
    r"|\s*(?:was\s+|has\s+been\s+)?(?:upgraded|updated|revised|replaced|superseded)\s+(?:to|by|with)\s+",
    re.I,
)

# --- Labels of parameter rows (normalised, spaces removed). Order = priority.
STANDARD_LABELS = (
    "产品执行标准",
    "执行标准号",
    "执行标准",
    "产品标准代号",
    "产品标准号",
    "标准代号",
    "标准号",
    "产品标准",
    # The standard a certificate or test report names as its basis (认证依据：Q/…): the standard the product is
    # said to meet, disclosed on the page (a fake 上海标准认证证书 was "nothing disclosed", SHS008 high, beside it).
    "认证依据",
    "依据标准",
)
# Other rows that name a standard the product follows (通信接口标准, 安全标准, 接口标准号): not the product's 执行标准,
# but a code there is disclosed on the page, so a bare 上海标准 beside them (标准类型：上海标准) is no sure SHS008.
OTHER_STANDARD_ROW = re.compile(r"(?:标准|標準)(?:号|號|编号|編號|代号|代號)?$")
CLAIMANT_LABELS = (
    # Manufacturer labels first: the holder check (SHS010) is about who implements the standard.
    "生产企业",
    "生产商",
    "制造商",
    "生产厂家",
    "生产厂商",
    "制造企业",
    "生产单位",
    "厂名",
    "厂家",
    "委托方",
    "委托企业",
    "委托单位",
    "公司名称",
    "企业名称",
    # An exhibitor (展商名称, 参展企业, 参展商, 参展单位) shows the products of its row; it may be their maker or
    # a dealer, so it is a claimant but not a maker (after 公司名称: SHS010 about it goes to review).
    "展商",
    "参展企业",
    "参展商",
    "参展单位",
    # A bidder (投标人, 投标单位) offers the goods of its tender response; it may be their maker or a dealer, as an
    # exhibitor: a claimant, not a maker (SHS010 about it goes to review).
    "投标人",
    "投标单位",
    "投标企业",
    "投标供应商",
)
# CLAIMANT_LABELS that name who makes the product or answers for it as maker (委托方: the commissioning party):
# "the claimant is no holder of the standard" (SHS010) is sure only for them. 公司名称/企业名称 may be a shop's.
MAKER_LABELS = CLAIMANT_LABELS[: CLAIMANT_LABELS.index("公司名称")]
# Labels that name who sells (a listing card's 店铺：…): the claimant where no CLAIMANT_LABELS row names one, so
# two shops' cards are two things to act on, never one finding with nobody named.
SELLER_LABELS = (
    "店铺",
    "网店",
    "商家",
    "卖家",
    "经销商",
    "销售商",
    "经销单位",
    "销售单位",
    "供应商",
    "供货商",
)
# 展品 (an exhibitor list's exhibit) and 货物名称 (a tender's or procurement result's goods) name the product of
# their row: an exhibit is shown to sell it, and goods are what the supplier delivers. 展品范围 (a fair's scope)
# is no label: only LABEL_SUFFIXES may follow an entry.
PRODUCT_LABELS = ("商品名称", "产品名称", "产品名", "品名", "货物名称", "展品")
# A standard's own detail table (an association's or a platform's page about one standard): its number and name.
STANDARD_NUMBER_LABELS = frozenset(["标准编号", "标准号", "标准代号"])
STANDARD_NAME_LABELS = frozenset(["标准名称"])
# --- A table's first row of column names written in td cells (1688 price lists, tender attachments, exhibitor
# lists: 品名 | 规格 | 执行标准 | 单价 in plain or bold td, or a thead of td) is read like a row of th: each later
# row is one record, never "品名：规格". The names below (normalised, spaces and "/" removed, a bracketed unit
# such as （元） dropped) are what such headers are made of. A first row counts only when every cell is a short
# name and most of them are known here (COLUMN_HEADER_SHARE; COLUMN_HEADER_MIN_KNOWN when all are bold): an
# attribute table's first row (品牌 | 演示 | 产品名称 | 智能水杯) holds values between its labels and never does.
COLUMN_NAMES = frozenset(
    [
        "序号",
        "编号",
        "品名",
        "产品名称",
        "商品名称",
        "产品名",
        "名称",
        "货物名称",
        "产品",
        "商品",
        "展品",
        "图片",
        "产品图片",
        "规格",
        "型号",
        "规格型号",
        "型号规格",
        "货号",
        "材质",
        "颜色",
        "容量",
        "包装",
        "包装规格",
        "执行标准",
        "产品执行标准",
        "产品标准",
        "标准",
        "标准号",
        "标准编号",
        "标准名称",
        "单价",
        "价格",
        "出厂价",
        "出厂单价",
        "零售价",
        "批发价",
        "报价",
        "总价",
        "金额",
        "合计",
        "数量",
        "单位",
        "起订量",
        "库存",
        "品牌",
        "产地",
        "生产企业",
        "生产厂家",
        "生产商",
        "制造商",
        "厂家",
        "供应商",
        "中标供应商",
        "成交供应商",
        "展位号",
        "展位",
        "展商",
        "展商名称",
        "参展企业",
        "参展商",
        "参展单位",
        "备注",
        "说明",
        "用途",
        "适用范围",
        "交货期",
        "质保期",
        "no.",
        "item",
        "product",
        "productname",
        "description",
        "model",
        "specification",
        "size",
        "standard",
        "price",
        "unitprice",
        "moq",
        "quantity",
        "qty",
        "brand",
        "manufacturer",
        "remarks",
        # English export price lists and exhibitor lists (spaces removed, lower case).
        "productname",
        "itemname",
        "itemno.",
        "modelno.",
        "executivestandard",
        "executionstandard",
        "implementationstandard",
        "productstandard",
        "productstandardno.",
        "standardno.",
        "fobprice",
        "material",
        "color",
        "capacity",
        "packing",
        "supplier",
        "origin",
        "leadtime",
    ]
)
# A header cell's name: short, letters only (no digit, code or colon: a value is none of these). English names
# run longer (productname, specification, executivestandard: spaces removed).
COLUMN_NAME_SHAPE = re.compile(r"[\u4e00-\u9fffA-Za-z.]{1,10}|[A-Za-z.]{11,24}")
# A unit or note after a column name: 单价（元）, 金额(万元), Price (USD).
COLUMN_NAME_NOTE = re.compile(r"\s*[(（][^()（）]{1,8}[)）]\s*$")
COLUMN_HEADER_MIN_CELLS = 3
COLUMN_HEADER_SHARE = 2 / 3
COLUMN_HEADER_MIN_KNOWN = 2

# English labels (spaces removed, lower case) that stand for an entry of the label tables above, so an export
# page's "Product name: Smart cup" and "Executive Standard: …" rows name its product and standard as 产品名称 and
# 执行标准 do (document.label_in). Only labels that mean nothing else: "Name" or "Item" alone may name a company
# or a line number. "Standard: Q/… (Shanghai Standard)" is the same row as 执行标准 (signal near:standard-row).
ENGLISH_PRODUCT_LABELS = frozenset(["product", "productname", "itemname", "commodity", "commodityname"])
ENGLISH_STANDARD_LABELS = frozenset(
    [
        "standard",
        "standardno.",
        "standardno",
        "standardnumber",
        "executivestandard",
        "executionstandard",
        "implementationstandard",
        "implementedstandard",
        "productstandard",
        "productstandardno.",
    ]
)
# Export pages' rows naming who makes the product (Manufacturer: …) and who sells it (Supplier: …): the maker
# answers for the standard as 生产商 does; a supplier or seller may trade the holder's goods (SHS010 to review).
ENGLISH_MAKER_LABELS = frozenset(["manufacturer", "manufacturername", "maker", "producer", "factoryname"])
ENGLISH_SELLER_LABELS = frozenset(
    ["supplier", "suppliername", "seller", "sellername", "vendor", "distributor"]
)
ENGLISH_LABELS: dict[str, str] = {
    **{label: "产品名称" for label in ENGLISH_PRODUCT_LABELS},
    **{label: "执行标准" for label in ENGLISH_STANDARD_LABELS},
    **{label: "生产商" for label in ENGLISH_MAKER_LABELS},
    **{label: "供应商" for label in ENGLISH_SELLER_LABELS},
    "companyname": "公司名称",
}
# Hosts of person-to-person resale platforms (闲鱼, 转转): a listing's "shop" there is a private person's nickname,
# and the platform's name (og:site_name) sells nothing. Claims on their pages that no maker or seller row names
# get no claimant (seller:private), so neither a crawl's shop header nor the site's name becomes one and SHS010
# is never judged against a nickname. A host ends with one of these (m.goofish.com). Data: extend as seen.
RESALE_HOSTS = ("goofish.com", "2.taobao.com", "zhuanzhuan.com")
CATEGORY_LABELS = ("产品类别", "商品类别", "产品类型", "产品分类", "商品分类", "类别", "品类")
# Suffixes a label may carry (生产企业名称, 厂名厂址); any other suffix makes another field (厂家服务).
LABEL_SUFFIXES = ("", "名称", "全称", "名字", "厂址", "地址")
# Longer values are prose that happens to follow a label, not a name.
MAX_NAME_VALUE = 80

_COLON = r"[:：]"
# A row's label: up to MAX_LABEL characters (执行标准, 生产企业名称), or an English label of Latin words up to
# MAX_LABEL_LATIN letters: "Executive Standard", "Implementation Standard" and "Product Standard No." are the
# 执行标准 row of export pages and were cut at 16 characters, so the English standard labels could never match them.
MAX_LABEL = 16
MAX_LABEL_LATIN = 30
LATIN_LABEL = re.compile(r"[A-Za-z][A-Za-z.]*")
ROW_TEXT = re.compile(
    r"^\s*(?P<label>[^:：]{1,16}?|[A-Za-z][A-Za-z. ]{15,"
    + str(MAX_LABEL_LATIN - 1)
    + r"}?)\s*"
    + _COLON
    + r"\s*(?P<value>.+?)\s*$",
    re.S,
)


def label_fits(label: str) -> bool:
    """Whether a label (spaces removed) is short enough to be one: MAX_LABEL characters, or MAX_LABEL_LATIN
    for English words."""
    return len(label) <= MAX_LABEL or (len(label) <= MAX_LABEL_LATIN and bool(LATIN_LABEL.fullmatch(label)))


# Headings that name a page section, not a product: a listing block heading must not be one.
GENERIC_HEADING = re.compile(
    # Section words in a short heading (商品详情, 规格参数, 包装清单, 热销推荐): a product title that holds one of
    # them in a longer name (大容量不锈钢分格饭盒 规格齐全) is still a product.
    r"^.{0,8}(?:详情|介绍|简介|簡介|概况|概況|关于我们|關於我們|参数|规格|包装|售后|评价|评论|说明|相关|推荐|资质|证书|新闻|公告|联系|导航|客服|热销|猜你喜欢|店铺"
    r"|基本信息|问答|问题|咨询|FAQ|属性|描述).{0,8}$|^主体$"
    # A marketplace's recommendation strips (看了又看, 大家都在看, 为你推荐 is caught by 推荐 above).
    r"|^.{0,4}(?:看了又看|看了还看|大家都在看|买了又买|还买了|还看了|同类|同款|热卖|热门商品|人气|排行榜).{0,4}$"
    # A news or reading list's heading (行业资讯, 热点新闻, 推荐阅读: a sidebar of headlines), whole heading only:
    # 动态血压计, 阅读灯 and 热点 routers are products.
    r"|^[\u4e00-\u9fff]{0,4}(?:资讯|資訊|动态|動態|新闻|新聞|阅读|閱讀|热点|熱點|专题|專題|快讯|快訊|头条|頭條|公告)"
    r"(?:中心|列表|推荐|推薦|排行|更多)?$"
    r"|^\s*(?:latest |related |industry |more )?(?:news|articles|reading)\s*$"
    # English section headings of international marketplaces (Key attributes, Product description).
    r"|^\s*(?:key |main |product |other )?(?:attributes|specifications?|specs|details|description|overview|features"
    r"|reviews|packaging(?: and delivery| & delivery)?|supplier|company profile)\s*$"
    # An organisation's own section headings, as 关于我们/公司简介 above.
    r"|^\s*(?:about us|about the company|who we are|company (?:introduction|overview))\s*$"
    # A livestream's or video's transcript or subtitles (直播文字实录, 直播回放字幕, Live transcript): what the host said.
    r"|^.{0,6}(?:文字实录|文字實錄|实录|實錄|字幕|逐字稿|口播稿)$|^\s*(?:live |video )?(?:transcript|subtitles|captions)\s*$",
    re.I,
)

# --- What a product name is never (issue 13 §4). The product is named from 商品名称/产品名称/品名 rows,
# JSON-LD Product name, the h1 of an item page or a listing entry's title; a candidate matching any of these
# is refused, and the product stays unknown rather than guessed.
# 品牌/型号 rows (read over the whole page in the pre-pass): a name equal to one of their values is refused.
BRAND_OR_MODEL = re.compile(
    r"^\s*(?P<label>品牌|型号|型號|规格型号|產品型號|产品型号)\s*(?:[:：]\s*(?P<value>.{1,60}?))?\s*$"
)
NOT_A_PRODUCT_NAME: tuple[Pattern, ...] = (
    _p(
        "model-number",
        r"^(?=[^ ]*\d)[A-Za-z0-9][A-Za-z0-9\-_/.]{1,24}$",
        "a model or part number alone (XK-2000A, HRB400): one token of letters and digits, no name",
    ),
    _p(
        "labelled-model",
        r"^(?:型号|型號|牌号|牌號|货号|貨號|款号|款號|编号|編號|规格|規格|型号规格)\s*[:：]",
        "a 型号/牌号/货号 line is a model, grade or article number, not the product's name",
    ),
    _p(
        "certification-word",
        r"认证|認證|证书|證書|资质|資質|合格证|合格證|检测报告|檢測報告|荣誉|榮譽|上海标准|上海標準|^.{0,6}标准$",
        "a certification, award or standard word names no product (上海标准认证, 荣誉证书)",
    ),
    _p(
        "standards-list",
        r"(?:团体|團體|企业|企業|地方|国家|國家|行业|行業)?(?:标准|標準)(?:目录|目錄|清单|清單|列表|一览|一覽|汇总|匯總)?$",
        "a heading that names standards (本会已发布团体标准, 企业标准目录) heads a list of standards, not a product",
    ),
    _p(
        "organisation-name",
        r"(?:有限公司|有限責任公司|有限责任公司|股份公司|集团|集團|协会|協會|研究院|研究所|委员会|委員會|(?<!工)厂|廠)\s*$",
        "a company or association's name (a member list's heading 演示杯业有限公司) names who, not what",
    ),
    _p(
        "marketplace-title",
        r"批发.{0,12}价格|阿里巴巴|1688|tmall\.com|天猫|天貓|京东|京東|淘宝网|淘寶網|【[^】]*】.{0,20}-|-\s*(?:tmall|jd|taobao)",
        "a page <title> with marketplace suffixes (…批发_…价格-阿里巴巴, -tmall.com天猫, 【…】-京东)",
        re.I,
    ),
)

# Sentences end here; a claim's certification wording and sentence tie stay inside one sentence.
SENTENCE_END = re.compile(r"[。！？!?；;\n]")
STANDARD_TITLE = re.compile(r"《([^《》]{2,80})》")

# --- A 《title》 ties to a claim only when it names a standard (issue 13 §3). Titles of laws, regulations,
# opinions, plans and programmes never do. Matched on the normalised title with any trailing bracketed
# edition note removed (《上海市标准化条例（2019修订）》); traditional forms listed beside simplified ones.
NOT_A_STANDARD_TITLE: tuple[Pattern, ...] = (
    _p("regulation", r"(?:条例|條例)$", "《…条例》 regulations (上海市标准化条例)"),
    _p("measures", r"(?:办法|辦法)$", "《…办法》 administrative measures"),
    _p("opinions", r"(?:意见|意見)$", "《…意见》 opinions (the 2023 Opinions that govern the mark)"),
    _p("programme", r"(?:方案)$", "《…方案》 programmes and work plans"),
    _p("plan", r"(?:规划|規劃|计划|計劃|行动计划|行動計劃)$", "《…规划》《…计划》 plans"),
    _p("outline", r"(?:纲要|綱要)$", "《…纲要》 outlines (国家标准化发展纲要)"),
    _p("notice", r"(?:通知|通告|公告|公示|函|批复|批覆)$", "《…通知》 notices, announcements and replies"),
    _p(
        "law",
        r"(?<![方做算说用])法$",
        "《…法》 laws (标准化法, 产品质量法); not 方法, a test method standard's title",
    ),
    _p(
        "rules",
        r"(?:规定|規定|决定|決定|细则|細則|决议|決議|章程)$",
        "《…规定》《…决定》《…细则》 rules and decisions",
    ),
    _p(
        "regarding",
        r"^(?:关于|關於)",
        "《关于…》 titles are documents about something (关于…的意见), never standards",
    ),
    _p(
        "document-number",
        r"〔\d{4}〕|\[\d{4}\]\s*\d+\s*[号號]",
        "a document number (沪市监规范〔2023〕12号) names a policy document",
    ),
    _p("report", r"(?:报告|報告|白皮书|白皮書|年鉴|年鑑)$", "reports, white papers and yearbooks"),
)
# An edition or revision note after a title: 《…条例（2019修订）》, 《…（2023年版）》.
TITLE_EDITION_NOTE = re.compile(r"\s*[(（][^()（）]{1,16}[)）]\s*$")
# Clauses end here (a sentence end or a comma). The words' own clause naming a kind of standard (主导制定的团体标准
# 获评“上海标准”) names the standard that was designated: a code of another kind in another clause or sentence
# (公司参与制定国家标准GB/T …，…) is a different standard, not the one the words are about.
CLAUSE_END = re.compile(r"[。！？!?；;\n，,]")
STANDARD_KIND_WORD = re.compile(r"(国家|國家|行业|行業|地方|团体|團體|企业|企業)(?:标准|標準)")
STANDARD_KIND_OF_WORD = {
    "国家": "national",
    "國家": "national",
    "行业": "industry",
    "行業": "industry",
    "地方": "local",
    "团体": "group",
    "團體": "group",
    "企业": "enterprise",
    "企業": "enterprise",
}
# A code that a standard label introduces (执行标准：T/…, 产品标准号 GB …): the product's declared standard, which
# the words elsewhere in its block may be tied to (tie "block-declared"); a code in prose (符合GB 4806.9-2016) may
# be any standard the product meets (a material's, a package's), not the one the words are about.
STANDARD_LABEL_BEFORE_CODE = re.compile("(?:" + "|".join(map(re.escape, STANDARD_LABELS)) + r")\s*[:：]?\s*$")
STANDARD_LABEL_WINDOW = 12
# A code and a mention are one annotation when only brackets, quotes, colons or spaces separate them.
ANNOTATION_GAP = re.compile(r"^[\s(（\[【\"'“”「」:：-]{0,4}$")
