"""Stored values in the reader's language: audit event kinds, details and actors, decoding notes, registry
types, sweep errors and form fields.

Audit payloads, actors and decoding notes are written in English (or as raw values) by the parts that make them;
the console shows them in the UI language, with times in the inspectors' zone rather than as UTC ISO strings.
What the catalogue does not know (a payload key, an actor or a reason from newer code) never reads as raw
English in the Chinese UI: it falls back to a generic label, and the stored value stays available (a
`data-raw` attribute, or the audit entry's raw record marked as English).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from api.console.explain import ReasonText, page_warning_label, reasons_text
from api.console.i18n import Translator, catalogue
from api.console.notice_time import BEIJING_TIME_ZONES

# Payload keys never shown as details: the issued document itself (it has its own page) and its copy.
HIDDEN_KEYS = frozenset({"html", "notice"})
TIME_KEYS = frozenset({"due_at", "observed_at", "expires_at"})
DATE_KEYS = frozenset({"deadline", "issued_on"})
STATUS_VALUE_KEYS = frozenset({"from_status", "to_status"})
REASON_LIST_KEYS = frozenset({"confidence_reasons", "reasons"})
CONFIDENCE_KEYS = frozenset({"confidence"})
# Keys whose meaning depends on the event: `from`/`to` are assignees on `assigned`, confidences on
# `confidence_changed`.
KIND_KEYS = {("confidence_changed", "from"), ("confidence_changed", "to")}
# pagetext/decode.py notes -> message keys with their values.
# Every note pagetext.decode writes, in the order tried (tests/test_console_units.py drives the decoder
# through each branch and checks that none reads as note.unknown).
_SRC = r"(?P<src>header|meta)"
_NOTES = (
    (re.compile(r"^byte-order mark$"), "note.bom"),
    (
        re.compile(
            r"^(?:declared|meta) charset '?(?P<a>.*?)'? is not an encoding label browsers know: ignored$"
        ),
        "note.unknown_charset",
    ),
    (re.compile(rf"^{_SRC} says (?P<a>\S+) but the bytes are (?:valid )?UTF-8$"), "note.valid_utf8"),
    (re.compile(rf"^{_SRC} says (?P<a>\S+): ignored, the non-ASCII bytes are GB18030 text$"), "note.weak"),
    (re.compile(rf"^{_SRC} says (?P<a>\S+): read as gb18030$"), "note.gb18030"),
    (
        re.compile(rf"^{_SRC} says (?P<a>\S+) but (?P<b>\d+) byte sequence\(s\) do not decode as it$"),
        "note.wrong",
    ),
    (
        re.compile(r"^read as UTF-8; (?P<a>\d+) sequence\(s\) that are not UTF-8 read as GB18030$"),
        "note.mixed",
    ),
    (
        re.compile(r"^detected Big5: it decodes as GB18030 too, but into rare characters$"),
        "note.detected_big5",
    ),
    (re.compile(r"^detected gb18030 \(strict decode\)$"), "note.detected_gb18030"),
    (re.compile(rf"^read as the {_SRC} charset (?P<a>\S+): all but a few bytes decode$"), "note.mostly"),
    (re.compile(r"^read as (?P<a>\S+): it leaves the fewest bytes undecoded$"), "note.fewest"),
    (re.compile(r"^(?P<a>\S+) without a byte-order mark \(header says so\)$"), "note.utf16_header"),
    (re.compile(r"^(?P<a>\S+) without a byte-order mark \(sniffed from zero bytes\)$"), "note.utf16_sniffed"),
    (re.compile(r"^detected (?P<a>\S+) by charset-normalizer$"), "note.detected"),
    (
        re.compile(r"^read as (?P<a>\S+), as when the finding was made \(read as (?P<b>\S+) now\)$"),
        "note.as_recorded",
    ),
    (
        re.compile(r"^the finding was made reading the page as (?P<a>\S+); shown as read now$"),
        "note.not_replayable",
    ),
)
# Actors as the audit chain records them: api/auth.py Principal.actor and markwatch/cases/ingest.py.
_PERSON = re.compile(r"^(?P<role>inspector|admin|enterprise):(?P<name>.+)#(?P<key>\d+)$")
_SWEEP = re.compile(r"^system:sweep#(?P<id>\d+)(?P<incomplete> \(incomplete\))?$")


def known(key: str) -> bool:
    """Whether the message catalogue has `key`."""
    return key in catalogue()


def event_kind(t: Translator, kind: str) -> str:
    """An audit event kind in the UI language (a kind from newer code reads as a generic label)."""
    return t(f"event.{kind}") if known(f"event.{kind}") else t("event.unknown")


@dataclass(frozen=True)
class Actor:
    """Who did something, as a reader names them; `sweep_id` links a sweep's system actor to its sweep."""

    label: str
    raw: str
    sweep_id: int | None = None


def actor(t: Translator, raw: str | None) -> Actor:
    """`inspector:alice#1` -> 检查员 alice; `system:sweep#3 (incomplete)` -> 系统（第 3 次巡查，未完成）."""
    text = str(raw or "")
    person = _PERSON.match(text)
    if person:
        return Actor(t("actor.person", role=t(f"role.{person['role']}"), name=person["name"]), text)
    sweep = _SWEEP.match(text)
    if sweep:
        key = "actor.sweep_incomplete" if sweep["incomplete"] else "actor.sweep"
        return Actor(t(key, id=sweep["id"]), text, int(sweep["id"]))
    if text == "system" or text.startswith("system:"):
        return Actor(t("actor.system"), text)
    if not text:
        return Actor("—", text)
    return Actor(t("actor.unknown"), text)


def _time(t: Translator, value: str, zone: ZoneInfo) -> str:
    try:
        local = dt.datetime.fromisoformat(value).astimezone(zone)
    except ValueError:
        return value
    name = "北京时间" if t.lang == "zh" and str(zone.key) in BEIJING_TIME_ZONES else "%Z"
    return local.strftime(f"%Y-%m-%d %H:%M {name}")


def _value(t: Translator, kind: str, key: str, value: Any, zone: ZoneInfo) -> str | list[ReasonText]:
    if value is None or value == "" or value == []:
        return "—"
    if key in TIME_KEYS and isinstance(value, str):
        return _time(t, value, zone)
    if key in REASON_LIST_KEYS and isinstance(value, list):
        return reasons_text(t, [str(v) for v in value])
    if (key in CONFIDENCE_KEYS or (kind, key) in KIND_KEYS) and known(f"confidence.{value}"):
        return t(f"confidence.{value}")
    if key == "dismissal_kind" and known(f"dismissal.{value}"):
        return t(f"dismissal.{value}")
    if key in STATUS_VALUE_KEYS and known(f"status.{value}"):
        return t(f"status.{value}")
    if key == "lang" and known(f"lang_name.{value}"):
        return t(f"lang_name.{value}")
    if key == "reason" and value == "rectified":
        return t("event.reason_rectified")
    if isinstance(value, list):
        return t("list.separator").join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class EventDetails:
    """An audit payload as shown: (label, value) pairs in the UI language, and what could not be labelled
    (kept as stored, shown as a raw record marked as English)."""

    items: list[tuple[str, str | list[ReasonText]]]
    raw: dict[str, Any] = field(default_factory=dict)


def _label(t: Translator, kind: str, key: str) -> str | None:
    for candidate in (f"detail.{kind}.{key}", f"detail.{key}"):
        if known(candidate):
            return t(candidate)
    return None


def event_details(
    t: Translator, payload: Mapping[str, Any] | None, zone: ZoneInfo, kind: str = ""
) -> EventDetails:
    """The payload of an audit entry of `kind`: labels and known values translated, times local."""
    items: list[tuple[str, str | list[ReasonText]]] = []
    raw: dict[str, Any] = {}
    for key, value in (payload or {}).items():
        if key in HIDDEN_KEYS:
            continue
        if key == "sent" and isinstance(value, dict):
            # The notice a move to notice_sent names (cases/sent.py): one detail per field, not a raw record.
            items.extend(_sent_items(t, value))
            continue
        label = _label(t, kind, key)
        if label is None or isinstance(value, dict):
            raw[key] = value
            continue
        items.append((label, _value(t, kind, key, value, zone)))
    return EventDetails(items, raw)


def _sent_items(t: Translator, sent: Mapping[str, Any]) -> list[tuple[str, str | list[ReasonText]]]:
    method = str(sent.get("method") or "")
    how = t(f"send_method.{method}") if known(f"send_method.{method}") else method or "—"
    return [
        (t("detail.number"), str(sent.get("number") or "—")),
        (t("detail.sent_on"), str(sent.get("sent_on") or "—")),
        (t("detail.send_method"), how),
    ]


def decode_note(t: Translator, note: str) -> str:
    """A decoding note from pagetext.decode in the UI language."""
    for pattern, key in _NOTES:
        match = pattern.match(note)
        if match:
            values = match.groupdict()
            if "src" in values:
                values["src"] = t(f"note.source_{values['src']}")
            return t(key, **values)
    return t("note.unknown")


def registry_type(t: Translator, value: str) -> str:
    """A designation type (local, group, enterprise, enterprise-joint) in the UI language."""
    return t(f"registry_type.{value}") if known(f"registry_type.{value}") else t("registry_type.unknown")


_HTTP_ERROR = re.compile(r"^http_?(\d{3})$")


def sweep_warning(t: Translator, warning: dict[str, Any]) -> str:
    """A sweep warning (summary["warnings"]: crawl_delay_capped…) in the UI language; a code the catalogue
    does not know yet reads as the generic label with its host."""
    code = str(warning.get("code"))
    if known(f"sweep_warning.{code}"):
        return t(f"sweep_warning.{code}", **{k: _plain(v) for k, v in warning.items() if k != "code"})
    return f"{t('sweep_error.unknown')}{t('detail.colon')}{warning.get('host')}"


def _plain(value: Any) -> Any:
    # 60.0 reads as 60 (seconds in a sentence)
    return f"{value:g}" if isinstance(value, float) else value


def sweep_error(t: Translator, name: str) -> str:
    """A sweep error kind, page result or page note (timeout, http_503, page-warning:too-complex…) in the UI
    language; one the catalogue does not know yet reads as a generic label."""
    if known(f"sweep_error.{name}"):
        return t(f"sweep_error.{name}")
    match = _HTTP_ERROR.match(name)
    if match:
        return t("sweep_error.http", code=match.group(1))
    if name.startswith("page-warning:"):
        return t("sweep_error.page_warning", code=page_warning_label(t, name.removeprefix("page-warning:")))
    return t("sweep_error.unknown")


def given_up_warning(t: Translator, warning: dict[str, Any]) -> str:
    """A page's warning of an item markwatch gave up on (its `given_up_after` attempts, MARKWATCH_MAX_ATTEMPTS):
    what failed and after how many attempts, not the label of an item still to be retried on resume."""
    code = str(warning.get("code"))
    reason = t(f"given_up_reason.{code}") if known(f"given_up_reason.{code}") else t("page_warning.unknown")
    attempts = warning.get("given_up_after")
    return t("page_warning.given_up", reason=reason, count=attempts if isinstance(attempts, int) else "?")


# Missing register numbers named in one sentence; the register page lists them all.
_NUMBERS_NAMED = 10


def register_numbers(t: Translator, numbers: list[tuple[int, int]]) -> str:
    """Notice numbers (year, seq) missing from the register, as a short list ("2026 no. 1, 2026 no. 4 …")."""
    named = [t("register.number", year=year, seq=seq) for year, seq in numbers[:_NUMBERS_NAMED]]
    more = t("register.more", count=len(numbers) - _NUMBERS_NAMED) if len(numbers) > _NUMBERS_NAMED else ""
    return t("register.separator").join(named) + more


def sweep_state(t: Translator, state: str) -> str:
    """A sweep's state (crawler/store/models.py SWEEP_STATES) in the UI language."""
    return t(f"sweep_state.{state}") if known(f"sweep_state.{state}") else t("sweep_state.unknown")


def field_label(t: Translator, name: str) -> str:
    """A form or query field named by an error, in the UI language."""
    return t(f"form_field.{name}") if known(f"form_field.{name}") else t("form_field.unknown")
