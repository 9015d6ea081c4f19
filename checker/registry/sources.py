"""Read a registry file (YAML, JSON or CSV) into raw records that remember their line numbers."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from checker.registry.problems import Problem, raise_problems, record_where
from markwatch.errors import RegistryImportError

# The official list is a few dozen records; a file above this is a mistake or an attack.
MAX_FILE_BYTES = 20 * 1024 * 1024
TOP_KEY = "designations"
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv"}
CSV_LIST_SEPARATOR = ";"
CSV_HOLDER_SEPARATOR = "|"


@dataclass(frozen=True)
class RawRecord:
    """One record as read from the file, before validation."""

    number: int
    line: int | None
    fields: Any
    field_lines: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceFile:
    """A registry file read into records, with its checksum."""

    name: str
    sha256: str
    records: tuple[RawRecord, ...]


def read_registry_file(path: Path) -> SourceFile:
    """Read and parse a registry file; file-level problems raise RegistryImportError."""
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
    if fmt == "yaml":
        records = _yaml_records(text, name)
    elif fmt == "json":
        records = _json_records(text, name)
    else:
        records = _csv_records(text, name)
    if not records:
        raise RegistryImportError("no designations in file", source=name)
    return SourceFile(name=name, sha256=hashlib.sha256(raw).hexdigest(), records=tuple(records))


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


class _RegistryYamlLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and refuses aliases."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        # Aliases let a tiny file expand into billions of values (the "billion laughs" file).
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a registry file", event.start_mark
            )
        return super().compose_node(parent, index)


# Dates stay strings so that the schema reports 2020-13-45 against its field; PyYAML would crash on it.
_RegistryYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _yaml_records(text: str, name: str) -> list[RawRecord]:
    loader = _RegistryYamlLoader(text)
    try:
        root = loader.get_single_node()
        data: Any = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else None
        raise RegistryImportError(f"malformed YAML: {exc.problem or exc}", source=name, where=where) from exc
    except yaml.YAMLError as exc:
        raise RegistryImportError(f"malformed YAML: {exc}", source=name) from exc
    finally:
        loader.dispose()
    if root is None:
        raise RegistryImportError("file is empty: expected a list of designations", source=name)
    items_node = _designations_node(root, name)
    items = data[TOP_KEY]
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for number, (node, item) in enumerate(zip(items_node.value, items, strict=True), start=1):
        field_lines: dict[str, int] = {}
        if isinstance(node, MappingNode):
            for key_node, _ in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in field_lines:
                    where = record_where(number, node.start_mark.line + 1, key)
                    problems.append(Problem(where, f"given twice (lines {field_lines[key]} and {line})"))
                field_lines[key] = line
        records.append(RawRecord(number, node.start_mark.line + 1, item, field_lines))
    if problems:
        raise_problems(name, problems)
    return records


def _designations_node(root: Node, name: str) -> SequenceNode:
    line = root.start_mark.line + 1
    if not isinstance(root, MappingNode):
        raise RegistryImportError(
            f"expected a mapping with the key {TOP_KEY!r} at the top", source=name, where=f"line {line}"
        )
    found: SequenceNode | None = None
    for key_node, value_node in root.value:
        if key_node.value != TOP_KEY:
            raise RegistryImportError(
                f"unknown top-level key {key_node.value!r}: only {TOP_KEY!r} is allowed",
                source=name,
                where=f"line {key_node.start_mark.line + 1}",
            )
        if not isinstance(value_node, SequenceNode):
            raise RegistryImportError(
                f"{TOP_KEY!r} must be a list of records",
                source=name,
                where=f"line {value_node.start_mark.line + 1}",
            )
        found = value_node
    if found is None:
        raise RegistryImportError(f"missing the top-level key {TOP_KEY!r}", source=name, where=f"line {line}")
    return found


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


def _json_records(text: str, name: str) -> list[RawRecord]:
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise RegistryImportError(
            f"malformed JSON: {exc.msg}", source=name, where=f"line {exc.lineno}, column {exc.colno}"
        ) from exc
    except _DuplicateKeyError as exc:
        raise RegistryImportError(f"malformed JSON: {exc}", source=name) from exc
    if not isinstance(data, dict):
        raise RegistryImportError(f"expected an object with the key {TOP_KEY!r} at the top", source=name)
    unknown = sorted(set(data) - {TOP_KEY})
    if unknown:
        raise RegistryImportError(
            f"unknown top-level key(s) {unknown}: only {TOP_KEY!r} is allowed", source=name
        )
    if TOP_KEY not in data:
        raise RegistryImportError(f"missing the top-level key {TOP_KEY!r}", source=name)
    items = data[TOP_KEY]
    if not isinstance(items, list):
        raise RegistryImportError(f"{TOP_KEY!r} must be a list of records", source=name)
    lines = _json_item_lines(text)
    return [
        RawRecord(number, lines[number - 1] if len(lines) == len(items) else None, item)
        for number, item in enumerate(items, start=1)
    ]


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_item_lines(text: str) -> list[int]:
    """Line of each element of the top-level `designations` array (text already validated)."""
    decoder = json.JSONDecoder()

    def skip(pos: int) -> int:
        match = _JSON_SPACE.match(text, pos)
        return match.end() if match else pos

    pos = skip(0) + 1  # past "{"
    while True:
        pos = skip(pos)
        if text[pos] == "}":
            return []
        key, pos = decoder.raw_decode(text, pos)
        pos = skip(skip(pos) + 1)  # past ":"
        if key == TOP_KEY and text[pos] == "[":
            break
        _, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] == ",":
            pos += 1
    lines: list[int] = []
    pos += 1
    while True:
        pos = skip(pos)
        if text[pos] == "]":
            return lines
        lines.append(text.count("\n", 0, pos) + 1)
        _, pos = decoder.raw_decode(text, pos)
        pos = skip(pos)
        if text[pos] == ",":
            pos += 1


# --- CSV ---

CSV_REQUIRED = ("code", "title", "type")


def _csv_records(text: str, name: str) -> list[RawRecord]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        end_line = 0
        for row in reader:
            # A quoted cell may span lines: the record starts on the line after the previous one ended.
            rows.append((end_line + 1, row))
            end_line = reader.line_num
    except csv.Error as exc:
        raise RegistryImportError(
            f"malformed CSV: {exc}", source=name, where=f"line {reader.line_num}"
        ) from exc
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise RegistryImportError("file is empty: expected a header row and records", source=name)
    header_line, header = rows[0]
    columns = [cell.strip() for cell in header]
    missing = [c for c in CSV_REQUIRED if c not in columns]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if missing or duplicated:
        message = (
            f"header is missing column(s) {missing}" if missing else f"header repeats column(s) {duplicated}"
        )
        raise RegistryImportError(message, source=name, where=f"line {header_line}")
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for number, (line, row) in enumerate(rows[1:], start=1):
        if len(row) != len(columns):
            problems.append(
                Problem(
                    record_where(number, line),
                    f"expected {len(columns)} columns (as in the header), found {len(row)}",
                )
            )
            continue
        fields = {
            column: _csv_cell(column, cell) for column, cell in zip(columns, row, strict=True) if cell.strip()
        }
        records.append(RawRecord(number, line, fields, dict.fromkeys(fields, line)))
    if problems:
        raise_problems(name, problems)
    return records


def _csv_cell(column: str, cell: str) -> Any:
    value = cell.strip()
    if column == "scope":
        return [part.strip() for part in value.split(CSV_LIST_SEPARATOR) if part.strip()]
    if column == "holders":
        holders: list[dict[str, str]] = []
        for part in value.split(CSV_LIST_SEPARATOR):
            if not part.strip():
                continue
            name, _, uscc = (piece.strip() for piece in part.partition(CSV_HOLDER_SEPARATOR))
            holders.append({"name": name, "uscc": uscc} if uscc else {"name": name})
        return holders
    return value
