"""Read a registry file (YAML, JSON or CSV) record by record; each record remembers its line numbers.

Files are read whole (they are capped at MAX_FILE_BYTES) but parsed one record at a time: a 100,000-record
file never becomes one document tree in memory. Nesting is bounded (MAX_NESTING): a file nested 50,000
levels deep is refused with one line, not a RecursionError.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from checker.registry.problems import Problem, record_where
from markwatch.errors import RegistryImportError

# The official list is a few dozen records; a file above this is a mistake or an attack.
MAX_FILE_BYTES = 20 * 1024 * 1024
# A record is at most four levels deep (record > holders > holder > its names); anything far deeper is an attack.
MAX_NESTING = 32
TOP_KEY = "designations"
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
CSV_LIST_SEPARATOR = ";"
CSV_HOLDER_SEPARATOR = "|"
# Labelled pieces of a CSV holder after its name and USCC: `en:Demo Co., Ltd.`, `former:旧名有限公司`.
CSV_HOLDER_TAGS = {"en": "english_names", "former": "former_names"}


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the file, before validation (with problems the reader already saw)."""

    number: int
    line: int | None
    fields: Any
    field_lines: Mapping[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """A registry file read into memory, with its checksum; `records()` parses it one record at a time."""

    name: str
    sha256: str
    fmt: str
    text: str

    def records(self) -> Iterator[RawRecord]:
        """The file's records in order; file-level problems raise RegistryImportError when reached."""
        reader = {"yaml": _yaml_records, "json": _json_records, "csv": _csv_records}[self.fmt]
        count = 0
        for record in reader(self.text, self.name):
            count += 1
            yield record
        if not count:
            raise RegistryImportError("no designations in file", source=self.name)


def read_registry_file(path: Path) -> SourceFile:
    """Read and decode a registry file; file-level problems raise RegistryImportError."""
    name = path.name
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise RegistryImportError(
            f"unknown file type {path.suffix or '(none)'!r}: use .yaml, .yml, .json or .csv", source=name
        )
    raw = _read_capped(path, name)
    text = _decode(raw, name)
    if not text.strip():
        raise RegistryImportError("file is empty: expected a list of designations", source=name)
    return SourceFile(name=name, sha256=hashlib.sha256(raw).hexdigest(), fmt=fmt, text=text)


def _too_deep(name: str, line: int | None) -> RegistryImportError:
    return RegistryImportError(
        f"nested more than {MAX_NESTING} levels deep: a registry record is a flat mapping with a list of holders",
        source=name,
        where=f"line {line}" if line else None,
    )


def _read_capped(path: Path, name: str) -> bytes:
    limit_mb = MAX_FILE_BYTES // (1024 * 1024)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RegistryImportError(
                f"file is {size / (1024 * 1024):.1f} MB, above the {limit_mb} MB limit for registry files",
                source=name,
            )
        with path.open("rb") as handle:
            # Read one byte past the cap: stat() lies for pipes and files that grow while we read.
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RegistryImportError(f"cannot read file: {exc.strerror or exc}", source=name) from exc
    if len(raw) > MAX_FILE_BYTES:
        raise RegistryImportError(f"file is above the {limit_mb} MB limit for registry files", source=name)
    return raw


def _decode(raw: bytes, name: str) -> str:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise RegistryImportError(
            "binary data (NUL byte): expected UTF-8 text", source=name, where=f"line {line}"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RegistryImportError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save the file as UTF-8",
            source=name,
            where=f"line {line}",
        ) from exc


# --- YAML ---

# PyYAML's C parser (libyaml) when it is there: events come from C, records are composed here.
_YAML_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _RegistryYamlLoader(_YAML_BASE):
    """A safe loader whose dates stay text; records are composed one at a time by _YamlRecords."""


# Dates stay strings so that the schema reports 2020-13-45 against its field; PyYAML would crash on it.
_RegistryYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)


def _line(mark: Any) -> int:
    return int(mark.line) + 1


def _column(mark: Any) -> int:
    return int(mark.column) + 1


def _malformed(exc: yaml.YAMLError, name: str) -> RegistryImportError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        return RegistryImportError(f"malformed YAML: {exc.problem or exc}", source=name, where=where)
    return RegistryImportError(f"malformed YAML: {exc}", source=name)


class _YamlRecords:
    """Walks the parser's events: the top-level mapping, then one composed node per record."""

    def __init__(self, text: str, name: str) -> None:
        self.loader = _RegistryYamlLoader(text)
        self.name = name

    def _event(self) -> Any:
        event = self.loader.get_event()
        if isinstance(event, AliasEvent):
            # Aliases let a tiny file expand into billions of values (the "billion laughs" file).
            raise RegistryImportError(
                "malformed YAML: aliases (*name) are not allowed in a registry file",
                source=self.name,
                where=f"line {_line(event.start_mark)}, column {_column(event.start_mark)}",
            )
        return event

    def _value(self, depth: int) -> Any:
        """The next value, built straight from the parser's events (no node tree, no generic constructor)."""
        event = self._event()
        if depth > MAX_NESTING:
            raise _too_deep(self.name, _line(event.start_mark))
        kind = type(event)
        if kind is ScalarEvent:
            return self._scalar(event)
        loader = self.loader
        if kind is SequenceStartEvent:
            self._collection_tag(event, _SEQ_TAG)
            items = []
            while not loader.check_event(SequenceEndEvent):
                items.append(self._value(depth + 1))
            loader.get_event()
            return items
        if kind is MappingStartEvent:
            self._collection_tag(event, _MAP_TAG)
            mapping: dict[Any, Any] = {}
            while not loader.check_event(MappingEndEvent):
                key = self._value(depth + 1)
                mapping[self._hashable(key, event)] = self._value(depth + 1)
            loader.get_event()
            return mapping
        raise RegistryImportError(f"malformed YAML: unexpected {kind.__name__}", source=self.name)

    def _scalar(self, event: ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            if event.implicit[1] and not event.implicit[0]:
                return event.value  # quoted: always text
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        if tag == _STR_TAG:
            return event.value
        if tag not in _SCALAR_TAGS:
            raise RegistryImportError(
                f"malformed YAML: tag {tag!r} is not allowed in a registry file",
                source=self.name,
                where=f"line {_line(event.start_mark)}",
            )
        # Numbers, booleans, nulls: PyYAML's own rules (0x10, 1_000, yes/no, ~).
        node = ScalarNode(tag, event.value, style=event.style)
        return self.loader.construct_object(node)

    def _collection_tag(self, event: Any, expected: str) -> None:
        if event.tag not in (None, "!", expected):
            raise RegistryImportError(
                f"malformed YAML: tag {event.tag!r} is not allowed in a registry file",
                source=self.name,
                where=f"line {_line(event.start_mark)}",
            )

    def _hashable(self, key: Any, event: Any) -> Any:
        if isinstance(key, list | dict):
            raise RegistryImportError(
                "malformed YAML: a mapping key must be text",
                source=self.name,
                where=f"line {_line(event.start_mark)}",
            )
        return key

    def __iter__(self) -> Iterator[RawRecord]:
        loader, name = self.loader, self.name
        try:
            yield from self._records()
            if not loader.check_event(StreamEndEvent):
                event = loader.peek_event()
                raise RegistryImportError(
                    "malformed YAML: expected a single document in the file",
                    source=name,
                    where=f"line {_line(event.start_mark)}",
                )
        except yaml.YAMLError as exc:
            raise _malformed(exc, name) from exc
        finally:
            loader.dispose()

    def _records(self) -> Iterator[RawRecord]:
        loader, name = self.loader, self.name
        self._expect(StreamStartEvent)
        if loader.check_event(StreamEndEvent):
            raise RegistryImportError("file is empty: expected a list of designations", source=name)
        self._expect(DocumentStartEvent)
        root = self._event()
        if not isinstance(root, MappingStartEvent):
            raise RegistryImportError(
                f"expected a mapping with the key {TOP_KEY!r} at the top",
                source=name,
                where=f"line {_line(root.start_mark)}",
            )
        seen = False
        number = 0
        while not loader.check_event(MappingEndEvent):
            key = self._event()
            if not isinstance(key, ScalarEvent) or key.value != TOP_KEY:
                shown = key.value if isinstance(key, ScalarEvent) else type(key).__name__
                raise RegistryImportError(
                    f"unknown top-level key {shown!r}: only {TOP_KEY!r} is allowed",
                    source=name,
                    where=f"line {_line(key.start_mark)}",
                )
            if seen:
                raise RegistryImportError(
                    f"{TOP_KEY!r} given twice", source=name, where=f"line {_line(key.start_mark)}"
                )
            seen = True
            items = self._event()
            if not isinstance(items, SequenceStartEvent):
                raise RegistryImportError(
                    f"{TOP_KEY!r} must be a list of records",
                    source=name,
                    where=f"line {_line(items.start_mark)}",
                )
            while not loader.check_event(SequenceEndEvent):
                number += 1
                yield self._record(number)
            loader.get_event()
        loader.get_event()
        self._expect(DocumentEndEvent)
        if not seen:
            raise RegistryImportError(
                f"missing the top-level key {TOP_KEY!r}", source=name, where=f"line {_line(root.start_mark)}"
            )

    def _expect(self, kind: type) -> None:
        event = self._event()
        if not isinstance(event, kind):
            raise RegistryImportError(
                f"malformed YAML: unexpected {type(event).__name__}",
                source=self.name,
                where=f"line {_line(event.start_mark)}",
            )

    def _record(self, number: int) -> RawRecord:
        loader = self.loader
        if not loader.check_event(MappingStartEvent):
            event = loader.peek_event()
            return RawRecord(number, _line(event.start_mark), self._value(3))
        start = self._event()
        self._collection_tag(start, _MAP_TAG)
        line = _line(start.start_mark)
        fields: dict[Any, Any] = {}
        field_lines: dict[str, int] = {}
        problems: list[Problem] = []
        while not loader.check_event(MappingEndEvent):
            key_line = _line(loader.peek_event().start_mark)
            key = self._hashable(self._value(3), start)
            name = str(key)
            if name in field_lines:
                where = record_where(number, line, name)
                problems.append(Problem(where, f"given twice (lines {field_lines[name]} and {key_line})"))
            field_lines[name] = key_line
            fields[key] = self._value(3)
        loader.get_event()
        return RawRecord(number, line, fields, field_lines, tuple(problems))


def _yaml_records(text: str, name: str) -> Iterator[RawRecord]:
    return iter(_YamlRecords(text, name))


# --- JSON ---


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(f"key {key!r} given twice in one object")
        result[key] = value
    return result


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_keys)


class _JsonRecords:
    """The top-level object read by hand, each element of `designations` decoded on its own."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name

    def _skip(self, pos: int) -> int:
        match = _JSON_SPACE.match(self.text, pos)
        return match.end() if match else pos

    def _expect(self, pos: int, char: str, what: str) -> int:
        pos = self._skip(pos)
        if self.text[pos : pos + 1] != char:
            raise json.JSONDecodeError(f"Expecting {what}", self.text, pos)
        return pos + 1

    def _value(self, pos: int) -> tuple[Any, int]:
        try:
            value, end = _DECODER.raw_decode(self.text, pos)
        except RecursionError:
            line = self.text.count("\n", 0, pos) + 1
            raise _too_deep(self.name, line) from None
        return value, end

    def __iter__(self) -> Iterator[RawRecord]:
        name = self.name
        try:
            yield from self._records()
        except json.JSONDecodeError as exc:
            raise RegistryImportError(
                f"malformed JSON: {exc.msg}", source=name, where=f"line {exc.lineno}, column {exc.colno}"
            ) from exc
        except _DuplicateKeyError as exc:
            raise RegistryImportError(f"malformed JSON: {exc}", source=name) from exc

    def _records(self) -> Iterator[RawRecord]:
        text, name = self.text, self.name
        pos = self._skip(0)
        if text[pos : pos + 1] != "{":
            self._value(pos)  # a malformed document reports where; a valid one is the wrong shape
            raise RegistryImportError(f"expected an object with the key {TOP_KEY!r} at the top", source=name)
        pos += 1
        seen = False
        number = 0
        first = True
        while True:
            pos = self._skip(pos)
            if text[pos : pos + 1] == "}":
                pos += 1
                break
            if not first:
                pos = self._expect(pos, ",", "',' delimiter")
                pos = self._skip(pos)
            first = False
            key, pos = self._value(pos)
            if not isinstance(key, str):
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
            if key != TOP_KEY:
                raise RegistryImportError(
                    f"unknown top-level key(s) [{key!r}]: only {TOP_KEY!r} is allowed", source=name
                )
            if seen:
                raise RegistryImportError(
                    f"malformed JSON: key {TOP_KEY!r} given twice in one object", source=name
                )
            seen = True
            pos = self._skip(self._expect(pos, ":", "':' delimiter"))
            if text[pos : pos + 1] != "[":
                self._value(pos)
                raise RegistryImportError(f"{TOP_KEY!r} must be a list of records", source=name)
            pos += 1
            item_first = True
            while True:
                pos = self._skip(pos)
                if text[pos : pos + 1] == "]":
                    pos += 1
                    break
                if not item_first:
                    pos = self._skip(self._expect(pos, ",", "',' delimiter"))
                item_first = False
                line = text.count("\n", 0, pos) + 1
                item, pos = self._value(pos)
                number += 1
                yield RawRecord(number, line, item)
        if self._skip(pos) != len(text):
            raise json.JSONDecodeError("Extra data", text, self._skip(pos))
        if not seen:
            raise RegistryImportError(f"missing the top-level key {TOP_KEY!r}", source=name)


def _json_records(text: str, name: str) -> Iterator[RawRecord]:
    return iter(_JsonRecords(text, name))


# --- CSV ---

CSV_REQUIRED = ("code", "title", "type")


def _csv_records(text: str, name: str) -> Iterator[RawRecord]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: list[str] | None = None
    number = 0
    end_line = 0
    try:
        for row in reader:
            # A quoted cell may span lines: the record starts on the line after the previous one ended.
            line, end_line = end_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if columns is None:
                columns = _csv_header(row, line, name)
                continue
            number += 1
            if len(row) != len(columns):
                problem = Problem(
                    record_where(number, line),
                    f"expected {len(columns)} columns (as in the header), found {len(row)}",
                )
                yield RawRecord(number, line, {}, {}, (problem,))
                continue
            try:
                fields = {
                    column: _csv_cell(column, cell)
                    for column, cell in zip(columns, row, strict=True)
                    if cell.strip()
                }
            except _CellError as exc:
                yield RawRecord(
                    number, line, {}, {}, (Problem(record_where(number, line, exc.column), exc.message),)
                )
                continue
            yield RawRecord(number, line, fields, dict.fromkeys(fields, line))
    except csv.Error as exc:
        raise RegistryImportError(
            f"malformed CSV: {exc}", source=name, where=f"line {reader.line_num}"
        ) from exc
    if columns is None:
        raise RegistryImportError("file is empty: expected a header row and records", source=name)


def _csv_header(row: list[str], line: int, name: str) -> list[str]:
    columns = [cell.strip() for cell in row]
    missing = [c for c in CSV_REQUIRED if c not in columns]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if missing or duplicated:
        message = (
            f"header is missing column(s) {missing}" if missing else f"header repeats column(s) {duplicated}"
        )
        raise RegistryImportError(message, source=name, where=f"line {line}")
    return columns


class _CellError(ValueError):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


def _csv_cell(column: str, cell: str) -> Any:
    value = cell.strip()
    if column == "scope":
        return [part.strip() for part in value.split(CSV_LIST_SEPARATOR) if part.strip()]
    if column == "holders":
        return [
            csv_holder(part, f"holders.{index}")
            for index, part in enumerate(p for p in value.split(CSV_LIST_SEPARATOR) if p.strip())
        ]
    return value


def csv_holder(text: str, column: str = "holders") -> dict[str, Any]:
    """One holder of a CSV holders cell: `name`, then `|USCC` if known, then any `|en:English name` and
    `|former:former name` pieces (as `registry list --format csv` writes them)."""
    name, *pieces = (piece.strip() for piece in text.split(CSV_HOLDER_SEPARATOR))
    holder: dict[str, Any] = {"name": name}
    for position, piece in enumerate(pieces):
        tag, colon, tagged = piece.partition(":")
        if colon and tag.strip() in CSV_HOLDER_TAGS:
            holder.setdefault(CSV_HOLDER_TAGS[tag.strip()], []).append(tagged.strip())
        elif position == 0:
            if piece:
                holder["uscc"] = piece
        else:
            raise _CellError(
                column,
                f"unlabelled piece {piece!r} after the holder's name and USCC: write en:NAME for an English "
                "name or former:NAME for a former name",
            )
    return holder


def csv_holder_text(holder: dict[str, Any]) -> str:
    """A holder as one piece of a CSV holders cell (read back by csv_holder)."""
    pieces = [holder["name"], holder.get("uscc") or ""]
    for key, tag in (("english_names", "en"), ("former_names", "former")):
        pieces += [f"{tag}:{name}" for name in holder.get(key) or ()]
    while len(pieces) > 1 and not pieces[-1]:
        pieces.pop()
    return CSV_HOLDER_SEPARATOR.join(pieces)
