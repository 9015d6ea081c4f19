"""The page's own <style> blocks, read for the few declarations that hide text from buyers.

`<style>.h{display:none}</style>上海<i class="h">xx</i>标准` shows 上海标准, and `.k{display:none}` on a
执行标准 row is keyword stuffing: both were read as if nothing hid them. Only what a page ships inline is read
(external stylesheets are never fetched), and only rules a cheap matcher answers exactly: simple selectors
(`tag`, `.class`, `#id`, `tag.class`, compounds of these, comma lists) setting display, visibility,
font-size or a property css_hiding.py reads (opacity, colours, position, clip, transform, sizes, overflow…),
with `!important`. Rules inside `@media` for every screen (`screen`, `all`, `not print`; not `print`, and not a
query on the screen's size, which holds for some buyers only), `@supports` and `@layer` are read like the rest.
Combinators, pseudo-classes, attribute selectors and other at-rules are not evaluated: such a rule neither hides
nor shows, except that one showing its subject in a state a buyer brings about (.nav:hover .sub) is kept as an
Opener (visibility.py says when it counts). A sheet the page `@import`s is never fetched: the sheet says so
(`imports`), and the page is said to be read without it.

A page may ship megabytes of CSS: the text read and the rules kept are bounded, and a page cut short says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from checker.extract import css_hiding

# Bounds: Tmall's rendered item page ships 196,000 characters of inline CSS and about 6,000 rules.
MAX_CSS_CHARS = 400_000
MAX_RULES = 20_000
# Rules indexed under one class, id or tag (real sheets: a few per name).
MAX_RULES_PER_NAME = 200
# Distinct states that show one class or id (real sheets: a few; more are not looked for).
MAX_OPENERS_PER_NAME = 16
# Longer selectors are not evaluated (no real one comes close): the subject search below would be quadratic.
_MAX_SELECTOR = 500
# The selector named in Claim.hidden (stylesheet .k), cut to this length.
_SELECTOR_SHOWN = 40

# direction and unicode-bidi: a class may draw the words backwards (overrides.py).
PROPERTIES = ("display", "visibility", "font-size", "direction", "unicode-bidi", *css_hiding.PROPERTIES)
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
# Quoted strings may hold braces (content:"}"): emptied first so they cannot shift a rule's end.
_STRING = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.S)
_BRACE = re.compile(r"[{}]")
# A CSS escape: up to six hex digits and one optional whitespace after them, or any other character.
_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(.))", re.S)
_PROPERTY_NAMES = frozenset(PROPERTIES)
# Longest names first: "background" must not stop short of "background-color".
DECLARATION = re.compile(
    r"(?:^|;)\s*(" + "|".join(sorted(PROPERTIES, key=len, reverse=True)) + r")\s*:\s*([^;]*)", re.I
)
_IMPORTANT = re.compile(r"!\s*important\s*$", re.I)
# One compound: an optional type, then classes and ids (CSS identifiers, non-ASCII letters included).
_NAME = r"-?[_a-zA-Z\u00a0-\uffff][-_a-zA-Z0-9\u00a0-\uffff]*"
_SIMPLE = re.compile(rf"(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)?(?P<rest>(?:[.#]{_NAME})*)")
_PART = re.compile(rf"([.#])({_NAME})")
# The last compound of a selector we do not evaluate (.menu:hover .sub, .open > .list): the element it styles.
_SUBJECT = re.compile(rf"((?:[.#]{_NAME})+)(?::[-a-z()]+)*\s*$")
# A selector that shows its subject in a state a buyer brings about: a pseudo-class of interaction, or a state
# class on it or an ancestor (Bootstrap's .open/.show/.in/.active, marketplaces' .on/.cur/.current/.hover).
_STATE = re.compile(
    r":(?:hover|focus-within|focus|target|checked|active)(?![-_a-zA-Z0-9])"
    r"|[.](?:active|show|shown|open|opened|on|cur|current|selected|expand|expanded|in|hover|visible)"
    r"(?![-_a-zA-Z0-9])",
    re.I,
)

# Compounds and the combinators between them (None: a space).
_COMBINATOR = re.compile(r"\s*([>+~])\s*|\s+")
_PSEUDO_STATE = re.compile(r":(?:hover|focus-within|focus|target|checked|active)(?![-_a-zA-Z0-9])", re.I)
# The state parts of a compound, taken off to find the element that carries them.
_STATE_PART = _STATE


@dataclass(frozen=True)
class Opener:
    """Where the element a rule shows on a buyer's action stands: under (or, `sibling`, after) an element that
    matches `tag`, `ids` and `classes` (the state taken off: any element when all are empty), its parent
    only when `parent_only`. `control`: the state is only a class a script sets (.open), so that element must
    hold a control that sets it (data-toggle, aria-expanded, a button), not any text."""

    tag: str | None
    ids: frozenset[str]
    classes: frozenset[str]
    sibling: bool
    parent_only: bool
    control: bool


@dataclass(frozen=True)
class Declared:
    """One declaration a rule makes: its value (lower case), whether it is !important, and where it is from."""

    value: str
    important: bool
    selector: str  # the rule's selector, as Claim.hidden names it
    rank: tuple[int, int, int, int] = (0, 0, 0, 0)  # specificity (ids, classes, types), then order


@dataclass(frozen=True)
class _Rule:
    tag: str | None
    ids: frozenset[str]
    classes: frozenset[str]
    declared: dict[str, Declared]

    def matches(self, tag: str, ident: str | None, classes: frozenset[str]) -> bool:
        return (
            (self.tag is None or self.tag == tag)
            and (not self.ids or (ident is not None and self.ids == {ident}))
            and self.classes <= classes
        )


@dataclass
class Sheet:
    """The rules of a page's <style> blocks that a simple matcher answers, indexed by id, class and type."""

    by_id: dict[str, list[_Rule]] = field(default_factory=dict)
    by_class: dict[str, list[_Rule]] = field(default_factory=dict)
    by_tag: dict[str, list[_Rule]] = field(default_factory=dict)
    # Per class or id (#id), how a rule we do not evaluate shows it in a state a buyer brings about
    # (.nav:hover .sub, .dropdown.open > .menu): a dropdown or popup the buyer opens, not text kept from buyers,
    # once the page holds what the buyer acts on (prune.py checks: Opener).
    opened: dict[str, list[Opener]] = field(default_factory=dict)
    cut: str | None = None  # what was not read, when a bound was hit
    imports: bool = False  # whether the page imports a stylesheet (@import), which is never fetched
    hides: bool = False  # whether any rule may hide anything (most pages: no, and nothing is matched)
    inks: bool = False  # whether any rule sets a text colour
    papers: bool = False  # whether any rule sets a background colour (text in it may be hidden)
    # The pre-pass's memo of the background colour each element is drawn on (prune.py).
    backgrounds: dict[Any, Any] = field(default_factory=dict, repr=False)

    def declared(self, tag: str, ident: str | None, class_attr: str | None) -> dict[str, Declared]:
        """The winning declaration per property for an element (highest !important, specificity, order)."""
        if not (self.by_id or self.by_class or self.by_tag):
            return {}
        classes = frozenset(class_attr.split()) if class_attr else frozenset()
        candidates: list[_Rule] = list(self.by_tag.get(tag, ()))
        if ident is not None:
            candidates.extend(self.by_id.get(ident, ()))
        for name in classes:
            candidates.extend(self.by_class.get(name, ()))
        won: dict[str, Declared] = {}
        for rule in candidates:
            if not rule.matches(tag, ident, classes):
                continue
            for prop, declared in rule.declared.items():
                current = won.get(prop)
                if current is None or (declared.important, declared.rank) > (current.important, current.rank):
                    won[prop] = declared
        return won

    def openers(self, ident: str | None, class_attr: str | None) -> list[Opener]:
        """The states in which the page shows this element (hover on an ancestor, an open class on it)."""
        if not self.opened:
            return []
        names = class_attr.split() if class_attr else []
        if ident is not None:
            names.append("#" + ident)
        return [opener for name in names for opener in self.opened.get(name, ())]


def _unescaped(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def css_text(text: str) -> str:
    """Declarations as a browser reads them: comments gone, escapes decoded (display:/**/none and
    display:n\\6f ne hide like display:none; read as written, they hid the words' inside unseen)."""
    if "/*" in text:
        text = _COMMENT.sub(" ", text)
    return _ESCAPE.sub(_unescaped, text) if "\\" in text else text


def _declarations(body: str) -> dict[str, tuple[str, bool]]:
    found: dict[str, tuple[str, bool]] = {}
    # Split by hand: one regex naming every property costs more than the rest of the reading (Tmall's sheet).
    for declaration in css_text(body).split(";"):
        name, colon, raw = declaration.partition(":")
        prop = name.strip().lower()
        if not colon or prop not in _PROPERTY_NAMES:
            continue
        value = raw.strip().lower()
        important = "!" in value and bool(_IMPORTANT.search(value))
        if "!" in value:
            value = _IMPORTANT.sub("", value).replace("!", "").strip()
        if important or not found.get(prop, ("", False))[1]:  # a later !important-less one does not win
            found[prop] = (value, important)
    return found


def _compound(selector: str) -> tuple[str | None, frozenset[str], frozenset[str]] | None:
    match = _SIMPLE.fullmatch(selector)
    if match is None or not selector:
        return None
    ids = {name for kind, name in _PART.findall(match.group("rest")) if kind == "#"}
    classes = {name for kind, name in _PART.findall(match.group("rest")) if kind == "."}
    if len(ids) > 1:
        return None  # #a#b matches nothing
    tag = match.group("tag")
    return (tag.lower() if tag else None), frozenset(ids), frozenset(classes)


# At-rules whose rules a buyer's browser applies, read as if they stood at the top (nested a few deep at most).
_MAX_AT_DEPTH = 4
_SCREENS = frozenset(["screen", "all"])


def _media_applies(queries: str) -> bool:
    """Whether a media query list holds on every buyer's screen: one query naming screen or all (or no type),
    or negating another type, with no condition on the screen's size or kind (features hold for some only)."""
    for query in queries.lower().split(","):
        words = query.split()
        if "(" in query or "and" in words:
            continue
        negated = bool(words) and words[0] == "not"
        kind = [word for word in words if word not in ("not", "only")]
        media = kind[0] if kind else "all"
        if (media in _SCREENS) != negated:
            return True
    return False


def _at_rule_applies(prelude: str) -> bool:
    name, _, rest = prelude.strip()[1:].partition(" ")
    name = name.lower()
    if name.startswith("media"):
        return _media_applies(prelude.strip()[6:])
    if name.startswith("supports"):
        return (
            not rest.strip().lower().startswith("not")
        )  # the conditions are taken to hold (a modern browser)
    return name.startswith("layer")


def _blocks(css: str, nesting: int = 0) -> Iterable[tuple[str, str]]:
    """(prelude, body) of each rule at the top or inside an at-rule a buyer's browser applies (@media screen,
    @supports, @layer); other at-rules and what they hold are skipped whole."""
    # Brace by brace: a regex for "text, then a brace" retries from every offset of a long braceless text
    # (quadratic on a hostile sheet).
    depth = 0
    start = 0
    prelude = ""
    for match in _BRACE.finditer(css):
        if match.group() == "{":
            if depth == 0:
                prelude = css[start : match.start()]
                start = match.end()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                # Statements (@import url(a.css); @charset "…";) end at ";": the rule's selector follows them.
                prelude = prelude.rpartition(";")[2]
                if not prelude.lstrip().startswith("@"):
                    yield prelude, css[start : match.start()]
                elif nesting < _MAX_AT_DEPTH and _at_rule_applies(prelude):
                    yield from _blocks(css[start : match.start()], nesting + 1)
                start = match.end()
        else:
            start = match.end()  # a stray "}" at the top ends nothing: start again after it


def read_sheet(styles: Iterable[str]) -> Sheet:
    """The simple rules of a page's <style> texts, in order, within MAX_CSS_CHARS and MAX_RULES."""
    sheet = Sheet()
    texts: list[str] = []
    size = 0
    for text in styles:
        if size + len(text) > MAX_CSS_CHARS:
            texts.append(text[: MAX_CSS_CHARS - size])
            sheet.cut = f"the page's inline stylesheets hold more than {MAX_CSS_CHARS:,} characters"
            break
        texts.append(text)
        size += len(text)
    css = _STRING.sub('""', _COMMENT.sub(" ", "\n".join(texts)))
    sheet.imports = "@import" in css.lower()
    order = 0
    for prelude, body in _blocks(css):
        declared = _declarations(body)
        if not declared:
            continue
        for selector in (part.strip() for part in prelude.split(",")):
            order += 1
            if order > MAX_RULES:
                sheet.cut = f"the page's inline stylesheets hold more than {MAX_RULES:,} rules"
                return sheet
            _add(sheet, selector, declared, order)
    return sheet


def _add(sheet: Sheet, selector: str, declared: dict[str, tuple[str, bool]], order: int) -> None:
    if len(selector) > _MAX_SELECTOR:
        return
    compound = _compound(selector)
    if compound is None:
        _note_opened(sheet, selector, declared)
        return
    tag, ids, classes = compound
    rank = (len(ids), len(classes), 1 if tag else 0, order)
    shown = selector[:_SELECTOR_SHOWN]
    rule = _Rule(
        tag,
        ids,
        classes,
        {prop: Declared(value, important, shown, rank) for prop, (value, important) in declared.items()},
    )
    if ids:
        bucket = sheet.by_id.setdefault(next(iter(ids)), [])
    elif classes:
        bucket = sheet.by_class.setdefault(min(classes), [])
    else:
        bucket = sheet.by_tag.setdefault(tag or "", [])
    if len(bucket) >= MAX_RULES_PER_NAME:
        # Every element with that name would be matched against all of them (div{…} 20,000 times).
        sheet.cut = f"the page's inline stylesheets hold more than {MAX_RULES_PER_NAME} rules for {shown}"
        return
    bucket.append(rule)
    if sheet.hides and sheet.papers:
        return  # nothing left to learn (most real sheets, early on: the test below parses colours)
    sheet.hides = sheet.hides or any(
        hides(prop, value) or css_hiding.suggests_hiding(prop, value) for prop, (value, _) in declared.items()
    )
    for prop, (value, _) in declared.items():
        if css_hiding.paints(prop, value):
            if prop == "color":
                sheet.inks = True
            else:
                sheet.papers = True
    if sheet.inks and sheet.papers:
        sheet.hides = True


def _note_opened(sheet: Sheet, selector: str, declared: dict[str, tuple[str, bool]]) -> None:
    """Record a rule that shows its subject in a state a buyer brings about. The state must sit on another
    element than the subject (.k:hover, .k.open: the hidden element itself is never hovered or clicked), and
    that element must be one the matcher can look for (a compound of tag, classes and ids once the state is
    taken off); anything else opens nothing."""
    display = declared.get("display")
    visibility = declared.get("visibility")
    opacity = declared.get("opacity")
    if not (
        (display is not None and display[0] not in ("none", ""))
        or (visibility is not None and visibility[0] == "visible")
        or (
            opacity is not None and opacity[0] != "" and not css_hiding.suggests_hiding("opacity", opacity[0])
        )
    ):
        return
    parts = _COMBINATOR.split(selector.strip())
    compounds, combinators = parts[0::2], parts[1::2]
    subject = _SUBJECT.search(compounds[-1])
    if subject is None or len(compounds) < 2 or _STATE.search(compounds[-1]):
        return
    stated = [index for index, compound in enumerate(compounds[:-1]) if _STATE.search(compound)]
    if not stated:
        return
    index = stated[-1]
    bare = _STATE_PART.sub("", compounds[index])
    compound = _compound(bare) if bare else (None, frozenset(), frozenset())
    if compound is None:
        return
    joined = (combinators[index] or " ").strip()
    last = index == len(compounds) - 2
    if joined in ("+", "~") and not last:
        return  # a sibling of an ancestor: not looked for
    tag, ids, classes = compound
    opener = Opener(
        tag=tag,
        ids=ids,
        classes=classes,
        sibling=joined in ("+", "~"),
        parent_only=joined == ">" and last,
        control=not bare and not _PSEUDO_STATE.search(compounds[index]),
    )
    for kind, name in _PART.findall(subject.group(1)):
        known = sheet.opened.setdefault(("#" + name) if kind == "#" else name, [])
        # Each opener is looked for around every hidden element of that name: bounded like the rules.
        if opener not in known and len(known) < MAX_OPENERS_PER_NAME:
            known.append(opener)


_ZERO = re.compile(r"^[+-]?(?:0+\.?0*|\.0+)(?:px|pt|pc|em|rem|ex|ch|vw|vh|%|cm|mm|in|q)?$", re.I)


def hides(prop: str, value: str) -> bool:
    """Whether one declaration hides text (display:none, visibility:hidden/collapse, a font size of 0 or below
    3px)."""
    if prop == "display":
        return value == "none"
    if prop == "visibility":
        return value in ("hidden", "collapse")
    return prop == "font-size" and (bool(_ZERO.match(value)) or css_hiding.tiny_font(value))


def carried(declared: dict[str, Declared]) -> str:
    """The winning declarations as an attribute value the pruned page carries to BeautifulSoup."""
    return ";".join(
        f"{prop}:{d.value}{'!' if d.important else ''}@{d.selector}" for prop, d in declared.items()
    )


def uncarried(text: object) -> dict[str, Declared]:
    """The declarations `carried` wrote (selectors hold no ";" or "@", values no "!")."""
    if not isinstance(text, str) or not text:
        return {}
    found: dict[str, Declared] = {}
    for part in text.split(";"):
        head, _, selector = part.rpartition("@")
        prop, _, value = head.partition(":")
        found[prop] = Declared(value.rstrip("!"), value.endswith("!"), selector)
    return found
