"""Registry sync: the regulator's published list page (an HTML table) becomes a registry import file."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup, Tag

from checker.codes import CodeKind, parse_code
from markwatch.config import USER_AGENT
from markwatch.errors import CodeParseError, FetchError, RegistryImportError

# Header words on the published page, Chinese first; matched by substring after removing spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("标准编号", "标准号", "code"),
    "title": ("标准名称", "名称", "title"),
    "organisation": ("起草单位", "主要起草单位", "牵头单位", "drafting", "organisation", "organization"),
    "date": ("日期", "发布日期", "认定日期", "公告日期", "date"),
}
_KIND_TO_TYPE = {CodeKind.LOCAL: "local", CodeKind.GROUP: "group", CodeKind.ENTERPRISE: "enterprise"}
_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
MAX_PAGE_BYTES = 5 * 1024 * 1024


def read_source(source: str) -> tuple[bytes, str]:
    """The page bytes and a name for messages, from an http(s) URL or a local file."""
    if source.startswith(("http://", "https://")):
        import httpx

        try:
            response = httpx.get(
                source, headers={"User-Agent": USER_AGENT}, timeout=30, follow_redirects=True
            )
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {source}: {exc}") from exc
        if len(response.content) > MAX_PAGE_BYTES:
            raise FetchError(f"{source}: page larger than {MAX_PAGE_BYTES} bytes")
        return response.content, source
    path = Path(source)
    try:
        return path.read_bytes(), path.name
    except OSError as exc:
        raise RegistryImportError(f"cannot read: {exc.strerror}", source=source) from exc


def parse_list_page(raw: bytes, source: str) -> list[dict[str, Any]]:
    """Designation records from the page's table; RegistryImportError names the row and column."""
    soup = BeautifulSoup(raw, "lxml")
    table, columns = _find_table(soup, source)
    records = []
    for number, row in enumerate(table.find_all("tr")[1:], start=1):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        if not any(cells):
            continue
        records.append(_record(cells, columns, source, number))
    if not records:
        raise RegistryImportError("the designation table has no rows", source=source)
    return records


def _find_table(soup: BeautifulSoup, source: str) -> tuple[Tag, dict[str, int]]:
    for table in soup.find_all("table"):
        header = table.find("tr")
        if header is None:
            continue
        names = [re.sub(r"\s+", "", cell.get_text()).lower() for cell in header.find_all(["th", "td"])]
        columns = {key: _column(names, words) for key, words in COLUMNS.items()}
        if all(index is not None for index in columns.values()):
            return table, {key: int(index) for key, index in columns.items() if index is not None}
    raise RegistryImportError(
        "no table with code, title, drafting organisation and date columns", source=source
    )


def _column(names: list[str], words: tuple[str, ...]) -> int | None:
    for word in words:
        for index, name in enumerate(names):
            if word.lower() in name:
                return index
    return None


def _record(cells: list[str], columns: dict[str, int], source: str, number: int) -> dict[str, Any]:
    def cell(key: str) -> str:
        index = columns[key]
        if index >= len(cells) or not cells[index]:
            raise RegistryImportError(
                f"empty {key}", source=source, where=f"table row {number}, column {key}"
            )
        return cells[index]

    code = cell("code")
    try:
        kind = parse_code(code).kind
    except CodeParseError as exc:
        raise RegistryImportError(
            str(exc.detail), source=source, where=f"table row {number}, column code"
        ) from exc
    if kind not in _KIND_TO_TYPE:
        raise RegistryImportError(
            f"{code} is not a local, group or enterprise standard",
            source=source,
            where=f"table row {number}, column code",
        )
    return {
        "code": code,
        "title": cell("title"),
        "type": _KIND_TO_TYPE[kind],
        "holders": [{"name": name} for name in re.split(r"[、;；,，]\s*", cell("organisation")) if name],
        "designated_on": _date(cell("date"), source, number).isoformat(),
        "source": source,
    }


def _date(text: str, source: str, number: int) -> dt.date:
    match = _DATE.search(text)
    if match is None:
        raise RegistryImportError(
            f"unreadable date {text!r}", source=source, where=f"table row {number}, column date"
        )
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise RegistryImportError(str(exc), source=source, where=f"table row {number}, column date") from exc


def write_import_file(records: list[dict[str, Any]], path: Path) -> Path:
    """The records as a registry import YAML file."""
    path.write_text(
        yaml.safe_dump({"designations": records}, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path


def sync(source: str, *, db_url: str | None, dry_run: bool, save: Path | None = None) -> str:
    """Import (or on --dry-run only diff) the published list; returns the report as text."""
    from checker.registry import import_registry_file
    from markwatch.db import session_scope

    raw, name = read_source(source)
    records = parse_list_page(raw, name)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_import_file(records, save or Path(tmp) / "registry-sync.yaml")
        with session_scope(db_url) as session:
            report = import_registry_file(session, path, dry_run=dry_run)
    return format_report(report, len(records))


def format_report(report: Any, rows: int) -> str:
    """Counts, then one line per change."""
    head = "dry run: would import" if report.dry_run else "imported"
    lines = [
        f"{head} {rows} rows: {report.added} added, {report.updated} updated, {report.unchanged} unchanged"
    ]
    for change in report.changes:
        action = str(getattr(change.action, "value", change.action))
        if change.field is None:
            lines.append(f"  {action} {change.code}")
        else:
            lines.append(f"  {action} {change.code} {change.field}: {change.old} -> {change.new}")
    return "\n".join(lines)
