"""Stored values in the reader's language: audit event kinds and details, decoding notes, registry types.

Audit payloads and decoding notes are written in English (or as raw values) by the parts that make them; the
console shows them in the UI language, with times in the inspectors' zone rather than as UTC ISO strings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from api.console.i18n import Translator, catalogue
from api.console.notice_time import BEIJING_TIME_ZONES

# Payload keys never shown as details: the issued document itself (it has its own page) and its copy.
HIDDEN_KEYS = frozenset({"html", "notice"})
TIME_KEYS = frozenset({"due_at", "observed_at", "expires_at"})
DATE_KEYS = frozenset({"deadline", "issued_on"})
STATUS_VALUE_KEYS = frozenset({"from_status", "to_status"})
# checker/extract/decode.py notes -> message keys with their values.
_NOTES = (
    (re.compile(r"^byte-order mark$"), "note.bom"),
    (re.compile(r"^declared charset '?(?P<a>[^']*)'? unknown$"), "note.unknown_charset"),
    (re.compile(r"^(?P<src>header|meta) says (?P<a>\S+) but the bytes are valid UTF-8$"), "note.valid_utf8"),
    (re.compile(r"^(?P<src>header|meta) says (?P<a>\S+): ignored over non-UTF-8 high bytes$"), "note.weak"),
    (re.compile(r"^meta says (?P<a>\S+): read as gb18030$"), "note.gb18030"),
    (re.compile(r"^(?P<src>header|meta) says (?P<a>\S+) but the bytes do not decode as it$"), "note.wrong"),
    (re.compile(r"^detected gb18030 \(strict decode\)$"), "note.detected_gb18030"),
    (re.compile(r"^detected (?P<a>\S+) by charset-normalizer; undecodable bytes replaced$"), "note.detected"),
)


def known(key: str) -> bool:
    """Whether the message catalogue has `key`."""
    return key in catalogue()


def event_kind(t: Translator, kind: str) -> str:
    """An audit event kind in the UI language (unknown kinds, from newer code, as stored)."""
    return t(f"event.{kind}") if known(f"event.{kind}") else kind


def _value(t: Translator, key: str, value: Any, zone: ZoneInfo) -> str:
    if value is None or value == "":
        return "—"
    if key in TIME_KEYS and isinstance(value, str):
        try:
            local = dt.datetime.fromisoformat(value).astimezone(zone)
        except ValueError:
            return value
        name = "北京时间" if t.lang == "zh" and str(zone.key) in BEIJING_TIME_ZONES else "%Z"
        return local.strftime(f"%Y-%m-%d %H:%M {name}")
    if key == "dismissal_kind" and known(f"dismissal.{value}"):
        return t(f"dismissal.{value}")
    if key in STATUS_VALUE_KEYS and known(f"status.{value}"):
        return t(f"status.{value}")
    if key == "lang" and known(f"lang_name.{value}"):
        return t(f"lang_name.{value}")
    if key == "reason" and value == "rectified":
        return t("event.reason_rectified")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def event_details(t: Translator, payload: Mapping[str, Any] | None, zone: ZoneInfo) -> list[tuple[str, str]]:
    """(label, value) pairs of an audit payload, labels and known values translated, times local."""
    details = []
    for key, value in (payload or {}).items():
        if key in HIDDEN_KEYS:
            continue
        label = t(f"detail.{key}") if known(f"detail.{key}") else key
        details.append((label, _value(t, key, value, zone)))
    return details


def decode_note(t: Translator, note: str) -> str:
    """A decoding note from checker.extract.decode in the UI language."""
    for pattern, key in _NOTES:
        match = pattern.match(note)
        if match:
            values = match.groupdict()
            if "src" in values:
                values["src"] = t(f"note.source_{values['src']}")
            return t(key, **values)
    return note


def registry_type(t: Translator, value: str) -> str:
    """A designation type (local, group, enterprise, enterprise-joint) in the UI language."""
    return t(f"registry_type.{value}") if known(f"registry_type.{value}") else value


_HTTP_ERROR = re.compile(r"^http_?(\d{3})$")


def sweep_error(t: Translator, name: str) -> str:
    """A sweep error kind or page result (timeout, http_503, …) in the UI language."""
    if known(f"sweep_error.{name}"):
        return t(f"sweep_error.{name}")
    match = _HTTP_ERROR.match(name)
    if match:
        return t("sweep_error.http", code=match.group(1))
    if name.startswith("page-warning:"):
        return t("sweep_error.page_warning", code=name.removeprefix("page-warning:"))
    return name
