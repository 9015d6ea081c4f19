"""Why a case is `high` or `review`, in the reader's language: confidence reasons, use signals, tie kinds.

The checker stores reasons as stable codes with details (checker/confidence.py: `use: product (page:price,
near:standard-label)`, `tie: annotation`, `other-locations: 1 of 3`…); the extractor's signal names come from
the tables in checker/extract/use_table.py. The console keeps their labels in messages.yaml (`signal.*`,
`tie.*`, `use.*`, `pattern.*`, `page_warning.*`, `reason.*`). A code the catalogue does not know yet (newer
extractor, newer checker) reads as a generic label in the UI language, never as the raw English code; the
raw text stays on the page in a `data-raw` attribute for whoever reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.console.i18n import Translator, catalogue
from checker.confidence import REASONS, reason_code

# `use: product (page:price, against near:in-link)`; "no signals" when none fired.
_USE_DETAIL = re.compile(r"^(?P<use>[a-z-]+)\s*\((?P<signals>.*)\)$")
_OTHER_LOCATIONS = re.compile(r"^(?P<n>\d+) of (?P<total>\d+)$")
# markwatch/cases/precision.py PrecisionPolicy.detail (a pattern name first for pattern-precision-low).
_PRECISION = re.compile(
    r"^(?:(?P<pattern>\S+) )?(?P<p>[\d.]+) < (?P<floor>[\d.]+) over the last (?P<n>\d+) decided cases "
    r"\((?P<c>\d+) confirmed, (?P<x>\d+) not a claim, (?P<w>\d+) wrong standard\)$"
)
# markwatch/cases/ingest.py marks the reasons of cases opened from an incomplete sweep.
_INCOMPLETE_SWEEP = re.compile(r"^from incomplete sweep (?P<id>\d+)$")
_CLOSE_CALL = re.compile(r"^close-call:(?P<a>[a-z-]+)~(?P<b>[a-z-]+)$")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Reason codes whose detail is data that needs no translation (scores and 《titles》, a standard code, an OCR
# score); the details of the others (signals, tie kinds, warning codes, counts) are translated in _detail.
_PLAIN_DETAIL = frozenset(
    {
        "tie-page",
        "tie-page-row",
        "code-unread",
        "code-without-year",
        "standard-elsewhere",
        "claimant-not-maker",
        "title-exact",
        "title-similar",
        "title-near-miss",
        "title-none-close",
        "ocr",
        "ocr-low",
    }
)


def _label(t: Translator, prefix: str, code: str, fallback: str) -> str:
    key = f"{prefix}.{code}"
    return t(key) if key in catalogue() else t(fallback)


def use_label(t: Translator, use: str) -> str:
    """product / organisation / discussion."""
    return _label(t, "use", use, "use.unknown")


def tie_label(t: Translator, kind: str) -> str:
    """How the standard was tied to the words (annotation, cell, title-only…)."""
    return _label(t, "tie", kind, "tie.unknown")


def pattern_label(t: Translator, pattern: str) -> str:
    """The extractor pattern that found the words (zh, en, logo-alt…, mark:<reference> for image marks)."""
    if pattern.startswith("mark:"):
        return t("pattern.mark")
    return _label(t, "pattern", pattern, "pattern.unknown")


def page_warning_label(t: Translator, code: str) -> str:
    """A page warning code (too-complex, cpu-budget, image-<reason>…)."""
    if code.startswith("image-") and f"page_warning.{code}" not in catalogue():
        return t("page_warning.image")
    return _label(t, "page_warning", code, "page_warning.unknown")


def signal_label(t: Translator, signal: str) -> str:
    """One use signal as the extractor records it: `page:price`, `near:standard-label`, `against page:byline`,
    `close-call:product~discussion`, `no-signal`."""
    if signal.startswith("against "):
        return t("signal.against", signal=signal_label(t, signal.removeprefix("against ")))
    close = _CLOSE_CALL.match(signal)
    if close:
        return t("signal.close_call", a=use_label(t, close["a"]), b=use_label(t, close["b"]))
    scope, _, name = signal.partition(":")
    if not name:
        return _label(t, "signal", scope, "signal.unknown")
    where = _label(t, "signal_scope", scope, "signal_scope.unknown")
    return t("signal.scoped", scope=where, name=_label(t, "signal", name, "signal.unknown"))


def signals_text(t: Translator, signals: list[str]) -> str:
    """Signals for the decided use, then those against it, each group joined in the UI language."""
    sep = t("list.separator")
    pro = [signal_label(t, s) for s in signals if not s.startswith("against ")]
    con = [signal_label(t, s.removeprefix("against ")) for s in signals if s.startswith("against ")]
    parts = []
    if pro:
        parts.append(t("signal.for_list", signals=sep.join(pro)))
    if con:
        parts.append(t("signal.against_list", signals=sep.join(con)))
    return t("list.group_separator").join(parts) if parts else t("signal.none")


def _split_signals(detail: str) -> list[str]:
    return [part.strip() for part in detail.split(",") if part.strip() and part.strip() != "no signals"]


@dataclass(frozen=True)
class ReasonText:
    """A confidence reason as shown, and the stored text it came from."""

    text: str
    raw: str


def _detail(t: Translator, code: str, detail: str) -> str | None:
    """The detail in the UI language, or None when it cannot be read (then the label stands alone)."""
    if code == "use":
        match = _USE_DETAIL.match(detail)
        if match is None:
            return None
        signals = _split_signals(match["signals"])
        return t("reason.use_detail", use=use_label(t, match["use"]), signals=signals_text(t, signals))
    if code == "use-close-call":
        return signals_text(t, _split_signals(detail))
    if code == "tie":
        return tie_label(t, detail)
    if code == "page-partly-read":
        return t("list.separator").join(
            page_warning_label(t, c.strip()) for c in detail.split(",") if c.strip()
        )
    if code == "other-locations":
        match = _OTHER_LOCATIONS.match(detail)
        return t("reason.other_locations_detail", **match.groupdict()) if match else None
    if code in ("rule-precision-low", "pattern-precision-low"):
        match = _PRECISION.match(detail)
        if match is None:
            return None
        values = match.groupdict()
        text = t("reason.precision_detail", **{k: v for k, v in values.items() if k != "pattern"})
        if values["pattern"]:
            text = t("reason.pattern_prefix", pattern=pattern_label(t, values["pattern"])) + text
        return text
    if code in _PLAIN_DETAIL:
        return detail
    return None


def reason_text(t: Translator, text: str) -> ReasonText:
    """One stored confidence reason in the UI language."""
    raw = str(text)
    incomplete = _INCOMPLETE_SWEEP.match(raw)
    if incomplete:
        return ReasonText(t("reason.incomplete_sweep", id=incomplete["id"]), raw)
    code = reason_code(raw)
    if code not in REASONS or f"reason.{code}" not in catalogue():
        return ReasonText(t("reason.unknown"), raw)
    label = t(f"reason.{code}")
    detail = raw.split(":", 1)[1].strip() if ":" in raw else ""
    if not detail:
        return ReasonText(label, raw)
    shown = _detail(t, code, detail)
    if shown is None or (t.lang == "zh" and code not in _PLAIN_DETAIL and _LATIN_WORD.search(shown)):
        return ReasonText(label, raw)
    return ReasonText(t("reason.with_detail", label=label, detail=shown), raw)


def reasons_text(t: Translator, reasons: list[str] | tuple[str, ...] | None) -> list[ReasonText]:
    """Every reason of a case or an audit entry, in order."""
    return [reason_text(t, r) for r in reasons or [] if r]
