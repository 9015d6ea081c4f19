"""What `markwatch check` (and every command taking --db) does with inputs it cannot use (QA #6, #10, #20).

Each refusal is one line on stderr starting with "error:", exit 2 (check's "error", never 1 = findings), and
no traceback. Real databases (SQLite files, the suite's PostgreSQL) and a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from servers import free_port

from markwatch import db
from markwatch.cli import cli
from markwatch.cli.page_files import looks_like_html, scan_directory

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
CLAIM = "执行标准：T/DEMO 001-2022（上海标准）"
REGISTRY_YAML = (
    "designations:\n"
    '  - {code: "T/DEMO 001-2022", title: "演示用智能水杯（虚构）", type: group,'
    ' designated_on: 2022-06-01, holders: [{name: "演示标准化协会（虚构）"}], source: test}\n'
)


def page(body: str) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>智能水杯</title></head><body>"
        f"<h1>演示用智能水杯</h1><div class='price'>¥89.00</div><p>{body}</p></body></html>"
    ).encode()


def one_line_error(result: Result) -> str:
    """The single 'error:' line of a refused command (exit 2, no traceback)."""
    output = result.output.strip()
    assert result.exit_code == 2, result.output
    assert "Traceback" not in output, output
    assert len(output.splitlines()) == 1 and output.startswith("error:"), output
    return output


@pytest.fixture(autouse=True)
def _own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The default database (./.markwatch) and MARKWATCH_DB of the shell running the suite stay out of it.
    monkeypatch.setenv("MARKWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("MARKWATCH_DB", raising=False)
    yield
    db.reset_caches()


@pytest.fixture
def filled_db(db_url: str, tmp_path: Path) -> str:
    """A SQLite or PostgreSQL database holding one designation."""
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY_YAML, encoding="utf-8")
    result = CliRunner().invoke(cli, ["registry", "import", str(registry), "--db", db_url])
    assert result.exit_code == 0, result.output
    return db_url


# --- QA #6: an empty registry makes every claimed standard "unregistered" ---


def test_an_empty_registry_is_refused_naming_the_database_and_the_import(db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    line = one_line_error(CliRunner().invoke(cli, ["check", str(target), "--db", db_url]))
    shown = db.get_engine(db_url).url.render_as_string(hide_password=True)
    assert shown in line and "no designations" in line
    assert "markwatch registry import" in line and "--allow-empty-registry" in line
    assert "SHS001" not in line.split("(SHS001)")[0]  # named as the consequence, not reported as a finding


def test_the_default_database_is_named_when_no_db_is_given(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    line = one_line_error(CliRunner().invoke(cli, ["check", str(target)]))
    assert str(tmp_path / "home" / "markwatch.db") in line


def test_allow_empty_registry_checks_anyway_with_a_warning(db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    result = CliRunner().invoke(
        cli, ["check", str(target), "--db", db_url, "--allow-empty-registry", "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    assert "warning:" in result.stderr and "no designations" in result.stderr
    assert '"SHS001"' in result.stdout


def test_a_filled_registry_checks_as_before(filled_db: str, tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    result = CliRunner().invoke(cli, ["check", str(target), "--db", filled_db, "--as-of", "2026-11-26"])
    assert result.exit_code == 0, result.output
    assert "1 claim(s), 0 finding(s)" in result.stdout and result.stderr == ""


# --- QA #10: a database URL markwatch cannot use ---

BAD_URLS = [
    ("notaurl", "not a database URL"),
    ("mysql://x@127.0.0.1/x", "unsupported database 'mysql'"),
    ("postgresql+psycopg2://x@127.0.0.1/x", "No module named 'psycopg2'"),
]


@pytest.mark.parametrize(("url", "problem"), BAD_URLS)
def test_a_bad_database_url_is_a_one_line_error_naming_the_option(
    url: str, problem: str, tmp_path: Path
) -> None:
    """QA #10: `markwatch check --db notaurl page.html` printed a SQLAlchemy traceback and exited 1, which
    `check` documents as 'findings'."""
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    line = one_line_error(CliRunner().invoke(cli, ["check", "--db", url, str(target)]))
    assert line.startswith("error: --db:") and problem in line


@pytest.mark.parametrize(("url", "problem"), BAD_URLS)
def test_a_bad_markwatch_db_is_named_as_the_variable(
    url: str, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARKWATCH_DB", url)
    line = one_line_error(CliRunner().invoke(cli, ["registry", "list"]))
    assert line.startswith("error: MARKWATCH_DB:") and problem in line


def _commands_taking_db(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands_taking_db(command, (*path, name))
        elif command is not None and any(param.name == "db_url" for param in command.params):
            yield (*path, name)


def test_every_command_taking_db_refuses_a_bad_url_in_one_line() -> None:
    assert isinstance(cli, click.Group)
    commands = list(_commands_taking_db(cli))
    assert ("check",) in commands and ("registry", "list") in commands and ("serve",) in commands
    for command in commands:
        # --db first: it is checked as it is parsed, before arguments the command would also want.
        result = CliRunner().invoke(cli, [*command, "--db", "mysql://x@127.0.0.1/x"])
        line = one_line_error(result)
        assert line.startswith("error: --db: unsupported database 'mysql'"), (command, line)


def test_an_unreachable_postgresql_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/markwatch"
    target = tmp_path / "page.html"
    target.write_bytes(page(CLAIM))
    line = one_line_error(CliRunner().invoke(cli, ["check", str(target), "--db", url]))
    assert line.startswith("error: --db: cannot open database") and "127.0.0.1" in line


def test_an_unreachable_markwatch_db_is_named_as_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARKWATCH_DB", f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/markwatch")
    line = one_line_error(CliRunner().invoke(cli, ["registry", "list"]))
    assert line.startswith("error: MARKWATCH_DB: cannot open database"), line


def test_a_missing_postgresql_database_is_one_line(postgres_url: str) -> None:
    url = db.get_engine(postgres_url).url.set(database="markwatch_no_such_db")
    line = one_line_error(
        CliRunner().invoke(cli, ["registry", "list", "--db", url.render_as_string(hide_password=False)])
    )
    assert "markwatch_no_such_db" in line and "does not exist" in line


def test_a_file_that_is_not_a_sqlite_database_is_one_line(tmp_path: Path) -> None:
    not_a_database = tmp_path / "page.html"
    not_a_database.write_bytes(page(CLAIM) * 20)
    line = one_line_error(
        CliRunner().invoke(cli, ["check", str(not_a_database), "--db", f"sqlite:///{not_a_database}"])
    )
    assert "file is not a database" in line and line.startswith("error: --db:")


# --- QA #20: URLs that fail, files that are not pages, directories of server-named pages ---


SITE_PAGES = {
    "/page.php": ("text/html; charset=utf-8", page(CLAIM)),
    "/logo.png": ("image/png", PNG),
    "/manual.pdf": ("application/pdf", PDF),
}


class _Site(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        found = SITE_PAGES.get(self.path)
        if found is None:
            self.send_error(404)
            return
        content_type, body = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_answering_404_is_one_line_with_the_status(filled_db: str, site: str) -> None:
    line = one_line_error(CliRunner().invoke(cli, ["check", f"{site}/404", "--db", filled_db]))
    assert line == f"error: {site}/404: HTTP 404 Not Found"


def test_a_url_nobody_answers_is_one_line(filled_db: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/page.html"
    line = one_line_error(CliRunner().invoke(cli, ["check", url, "--db", filled_db]))
    assert line.startswith(f"error: {url}: "), line


def test_a_url_serving_a_page_is_checked(filled_db: str, site: str) -> None:
    result = CliRunner().invoke(
        cli, ["check", f"{site}/page.php", "--db", filled_db, "--as-of", "2026-11-26"]
    )
    assert result.exit_code == 0 and "1 claim(s)" in result.stdout, result.output


def test_a_document_is_refused_as_not_a_page_not_reported_as_no_claims(
    filled_db: str, site: str, tmp_path: Path
) -> None:
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(PDF)
    runner = CliRunner()
    for target, stdin in ((str(manual), None), (f"{site}/manual.pdf", None), ("-", PDF)):
        line = one_line_error(runner.invoke(cli, ["check", target, "--db", filled_db], input=stdin))
        assert "a PDF document, not an HTML page or an image" in line and "0 claim" not in line, line


def test_an_image_is_refused_with_no_images_not_reported_as_no_claims(
    filled_db: str, site: str, tmp_path: Path
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    runner = CliRunner()
    for target, stdin in ((str(image), None), (f"{site}/logo.png", None), ("-", PNG)):
        result = runner.invoke(cli, ["check", target, "--no-images", "--db", filled_db], input=stdin)
        line = one_line_error(result)
        assert "a PNG image, and images are not read with --no-images" in line, line


def test_extract_refuses_a_document_too(tmp_path: Path) -> None:
    manual = tmp_path / "manual.pdf"
    manual.write_bytes(PDF)
    line = one_line_error(CliRunner().invoke(cli, ["extract", str(manual)]))
    assert line.startswith(f"error: {manual}: a PDF document, not an HTML page or an image"), line


def test_a_directory_scan_reads_server_named_pages_and_says_what_it_skipped(
    filled_db: str, tmp_path: Path
) -> None:
    pages = tmp_path / "saved"
    (pages / "shop" / ".git").mkdir(parents=True)
    (pages / "item.php").write_bytes(page(CLAIM))
    (pages / "shop" / "detail.jsp").write_bytes(
        b"\n  <html><body><p>" + CLAIM.encode() + b"</p></body></html>"
    )
    (pages / "shop" / "index").write_bytes(b"<!-- saved by wget -->" + page(CLAIM))
    (pages / "page.html").write_bytes(page(CLAIM))
    (pages / "logo.png").write_bytes(PNG)
    (pages / "notes.txt").write_text("上海标准 T/DEMO 001-2022 notes", encoding="utf-8")
    (pages / "shop" / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["check", str(pages), "--no-images", "--db", filled_db, "--format", "json", "--as-of", "2026-11-26"],
    )
    assert result.exit_code == 0, result.output
    checked = [Path(r["target"]).relative_to(pages).as_posix() for r in json.loads(result.stdout)["results"]]
    assert checked == ["item.php", "page.html", "shop/detail.jsp", "shop/index"]
    note = result.stderr.strip()
    assert len(note.splitlines()) == 1 and note.startswith(f"note: {pages}: skipped 3 file(s)"), note
    for skipped in (
        "logo.png (a PNG image)",
        "notes.txt (no HTML markup at its start)",
        ".git (hidden directory)",
    ):
        assert skipped in note


def test_a_directory_with_no_page_is_an_error_not_a_clean_result(filled_db: str, tmp_path: Path) -> None:
    empty = tmp_path / "images"
    empty.mkdir()
    (empty / "logo.png").write_bytes(PNG)
    result = CliRunner().invoke(cli, ["check", str(empty), "--no-images", "--db", filled_db])
    assert result.exit_code == 2, result.output
    assert "logo.png (a PNG image)" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"error: {empty}: no pages or images to check"


@pytest.mark.parametrize(
    ("head", "is_page"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\xef\xbb\xbf\r\n<HTML lang=zh>", True),
        ("<html><body>".encode("utf-16"), True),
        (b"<div class=x>", True),
        (b"<!--saved from url=(0031)https://shop.example/-->", True),
        (b"<?php echo 1; ?>", False),
        (b"<htmlx>", False),
        (b"plain text", False),
        (PNG, False),
    ],
)
def test_html_is_recognised_by_its_first_bytes(head: bytes, is_page: bool) -> None:
    assert looks_like_html(head) is is_page


def test_scan_is_in_name_order_and_does_not_enter_hidden_directories(tmp_path: Path) -> None:
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "a.html").write_bytes(page(CLAIM))
    (tmp_path / "b.html").write_bytes(b"")
    (tmp_path / "a.asp").write_bytes(page(CLAIM))
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    scan = scan_directory(tmp_path)
    assert [p.name for p in scan.pages] == ["a.asp", "b.html"]
    assert [(p.name, why) for p, why in scan.skipped] == [
        (".cache", "hidden directory"),
        ("loop", "link to a directory, not followed"),
    ]
