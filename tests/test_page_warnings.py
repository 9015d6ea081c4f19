"""Page warnings reach every output (check text/JSON/SARIF, extract text/JSON), and `check` survives hostile charsets."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from checker.extract.limits import default_limits
from markwatch.cli import cli

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-2.1.0.json"
CLAIM = "执行标准：T/DEMO 001-2022（上海标准）"
REGISTRY = (
    "designations:\n"
    '  - {code: "T/DEMO 001-2022", title: "演示用智能水杯（虚构）", type: group,'
    ' designated_on: 2022-06-01, holders: [{name: "演示标准化协会（虚构）"}], source: test}\n'
)


def page(body: str, charset: str = "utf-8") -> bytes:
    return f"<html><head><meta charset='{charset}'></head><body><p>{body}</p></body></html>".encode()


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MARKWATCH_HOME", str(tmp_path / "home"))
    url = f"sqlite:///{tmp_path / 'mw.db'}"
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    result = CliRunner().invoke(cli, ["registry", "import", str(registry), "--db", url])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def few_attributes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MARKWATCH_EXTRACT_MAX_ATTRIBUTES", "4")
    default_limits.cache_clear()
    yield
    monkeypatch.delenv("MARKWATCH_EXTRACT_MAX_ATTRIBUTES")
    default_limits.cache_clear()


def _unread_page(tmp_path: Path) -> Path:
    target = tmp_path / "unread.html"
    target.write_bytes(page("<span a=1 b=2 c=3 d=4 e=5 f=6>x</span>" + CLAIM))
    return target


def test_check_shows_page_warnings_in_every_format(cli_db: str, tmp_path: Path, few_attributes: None) -> None:
    target = _unread_page(tmp_path)
    runner = CliRunner()
    text = runner.invoke(cli, ["check", str(target), "--db", cli_db, "--as-of", "2026-11-26"])
    assert text.exit_code == 0, text.output
    assert f"warning: {target}: [too-complex] an element has 6 attributes" in text.output
    assert "1 page(s) not read whole" in text.output
    as_json = runner.invoke(cli, ["check", str(target), "--db", cli_db, "--format", "json"])
    warnings = json.loads(as_json.output)["results"][0]["warnings"]
    assert [w["code"] for w in warnings] == ["too-complex"]
    sarif = runner.invoke(cli, ["check", str(target), "--db", cli_db, "--format", "sarif"])
    doc = json.loads(sarif.output)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(doc)
    (notification,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["descriptor"]["id"] == "too-complex"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(target)


def test_a_page_read_whole_has_no_warning_line(cli_db: str, tmp_path: Path) -> None:
    target = tmp_path / "clean.html"
    target.write_bytes(page(CLAIM))
    result = CliRunner().invoke(cli, ["check", str(target), "--db", cli_db, "--as-of", "2026-11-26"])
    assert result.exit_code == 0 and "warning" not in result.output and "not read whole" not in result.output


def test_extract_shows_page_warnings(tmp_path: Path, few_attributes: None) -> None:
    target = _unread_page(tmp_path)
    runner = CliRunner()
    text = runner.invoke(cli, ["extract", str(target)])
    assert "  warning [too-complex]: an element has 6 attributes" in text.output
    as_json = json.loads(runner.invoke(cli, ["extract", str(target), "--format", "json"]).output)
    assert [w["code"] for w in as_json["warnings"]] == ["too-complex"]


class _Pages(http.server.BaseHTTPRequestHandler):
    """Serves /<label> as a page whose header and meta both declare that charset label."""

    def do_GET(self) -> None:
        label = self.path.strip("/")
        body = page(CLAIM, charset=label) + b"\xff"  # one stray byte: the declared label is tried in earnest
        self.send_response(200)
        self.send_header("Content-Type", f"text/html; charset={label}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_check_survives_charset_labels_that_are_no_encodings(cli_db: str, server: str) -> None:
    # A real `markwatch check` process, a real HTTP server: header and meta both carry the label.
    labels = ["undefined", "base64", "uu", "rot13", "zlib", "hex", "bz2", "quopri", "idna", "punycode"]
    urls = [f"{server}/{label}" for label in labels]
    env = {**os.environ, "MARKWATCH_DB": cli_db}
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("markwatch")),
            "check",
            *urls,
            "--format",
            "json",
            "--as-of",
            "2026-11-26",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [len(r["claims"]) for r in results] == [1] * len(labels)
    assert all(w["code"] == "undecodable-bytes" for r in results for w in r["warnings"])
