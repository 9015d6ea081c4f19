"""Evidence probes end to end (test_evidence_probe_browser, test_evidence_probe_s33_browser): pages served from
127.0.0.1, a real sweep, the cases it opens, and the console in Debian's headless Chromium.

For each page: the finding quotes the page's text as a visitor's browser shows it (Chromium's innerText of the
live page, never the normalised form), the archived bytes come back identical and are read with the charset the
finding records, and the console shows the quote whole, marked and escaped (no element of the page's, no script
run), its words drawn in their stored order.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cases_support import LiveServer, import_example_registry, make_keys
from console_support import console_app, require_chromium, signed_in
from localsite import running, sweep_command
from sqlalchemy import select

from api.console.highlight import BIDI_CONTROLS
from crawler.store.models import Snapshot
from markwatch import db
from markwatch.cases.models import CaseFinding
from pagetext.invisible import INVISIBLE, MARKER, condense
from sweeps.models import Finding

REPO = Path(__file__).resolve().parent.parent
UTF8 = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Probe:
    """One page: its markup (given its number, for a code of its own), how it is served, the quote expected."""

    name: str
    markup: Callable[[int], str]
    verbatim: str
    encoding: str = "utf-8"
    content_type: str = UTF8
    decoded_as: str = "utf-8"
    # False where the server's header lies about the bytes: a browser obeying it shows mojibake, while
    # markwatch reads the bytes for what they are (stack-notes.md), records which codec it used, and the case
    # page says that buyers may not have seen the quote.
    visitor_reads_it: bool = True
    # False where a visitor's browser does not draw the text (<noscript>, a <textarea>'s value): innerText lacks it.
    in_live_text: bool = True
    # False where the archived page cannot hold a mark inside the text (<textarea>, <noscript>): the element is
    # flagged instead.
    marked_in_text: bool = True


def page_markup(
    quote: str, *, before: str = "", after: str = "", meta: str = "<meta charset='utf-8'>", code: str = ""
) -> Callable[[int], str]:
    def markup(n: int) -> str:
        written = code.format(n=n) if code else f"T/PROBE {n:03d}-2022"
        return (
            f"<html><head>{meta}<title>探针 {n}</title></head><body><h1>运动场地面层 {n}</h1>"
            f"<p>{before}执行标准：{written}（{quote}）{after}</p></body></html>"
        )

    return markup


def served(probes: tuple[Probe, ...]) -> dict[str, tuple[bytes, str]]:
    return {
        f"/p/{probe.name}.html": (probe.markup(n).encode(probe.encoding), probe.content_type)
        for n, probe in enumerate(probes, start=1)
    }


def pages_handler(pages: dict[str, tuple[bytes, str]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def do_GET(self) -> None:
            if self.path == "/robots.txt":
                body, content_type = b"User-agent: *\nAllow: /\n", "text/plain"
            elif self.path in pages:
                body, content_type = pages[self.path]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _sweep(base: str, paths: list[str], db_url: str, work: Path) -> None:
    seeds = "".join(f'      - {{url: "{base}{path}", kind: product}}\n' for path in paths)
    targets = work / "targets.yaml"
    targets.write_text(
        "targets:\n  - name: probe\n    seeds:\n" + seeds + "    allowed_domains: [127.0.0.1]\n"
        "    adapter: generic\n    max_depth: 0\n    max_pages: 100\n    delay: 0\n    timeout: 5\n    retries: 0\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env.pop("MARKWATCH_CHECKER", None)  # the real checker
    done = subprocess.run(
        sweep_command(targets, db_url, work / "jobs"),
        env=env, capture_output=True, text=True, timeout=300, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def findings_of(db_url: str) -> dict[str, list[dict[str, Any]]]:
    """Each swept path's findings: id, snapshot, case, evidence."""
    found: dict[str, list[dict[str, Any]]] = {}
    with db.session_scope(db_url) as session:
        for finding in session.scalars(select(Finding).order_by(Finding.id)):
            snapshot = session.get(Snapshot, finding.snapshot_id)
            assert snapshot is not None
            case_id = session.scalar(select(CaseFinding.case_id).where(CaseFinding.finding_id == finding.id))
            path = "/" + snapshot.requested_url.split("/", 3)[3]
            found.setdefault(path, []).append(
                {
                    "id": finding.id,
                    "snapshot": snapshot.id,
                    "sha256": snapshot.body_sha256,
                    "case": case_id,
                    "evidence": dict(finding.evidence or {}),
                }
            )
    return found


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def as_shown(text: str) -> str:
    """A quote as the console draws it: a stored run's marker as it is, each bidi control and each run of one
    invisible character as a marker (⟨U+202E⟩, ⟨U+200B×3⟩)."""

    def one(match: re.Match[str]) -> str:
        if match.group("stored") or match.group("bidi"):
            return match.group() if match.group("stored") else f"⟨U+{ord(match.group()):04X}⟩"
        run = match.group()
        return f"⟨U+{ord(run[0]):04X}{f'×{len(run)}' if len(run) > 1 else ''}⟩"

    pattern = (
        f"(?P<stored>{MARKER.pattern})|(?P<bidi>{BIDI_CONTROLS.pattern})|(?P<c>{INVISIBLE.pattern})(?P=c)*"
    )
    return re.sub(pattern, one, text)


def _seen(text: str) -> str:
    """Text without invisible characters and stored markers: what the archived page's mark and a quote share."""
    return INVISIBLE.sub("", MARKER.sub("", text))


def _frame_marks(body: str) -> str:
    return "".join(re.findall(r'data-mw-hit="1"[^>]*>([^<]*)<', body))


def run_probes(
    probes: tuple[Probe, ...], db_url: str, work: Path
) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
    """Sweep every probe page, open the console on each finding's case: what is wrong (nothing: []), and the
    findings by path."""
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    import_example_registry(db_url)
    pages = served(probes)
    problems: list[str] = []
    with running(pages_handler(pages)) as server:
        site = f"http://127.0.0.1:{server.server_address[1]}"
        _sweep(site, list(pages), db_url, work)
        findings = findings_of(db_url)
        key = make_keys(db_url)["inspector"]
        with LiveServer(console_app(db_url)) as console, sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=executable, headless=True)
            try:
                page = signed_in(chromium, console, key)
                dialogs: list[str] = []
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                for probe in probes:
                    path = f"/p/{probe.name}.html"
                    problems += _check(
                        probe, pages[path][0], findings.get(path, []), page, site + path, console
                    )
                problems += [f"a dialog opened: {message}" for message in dialogs]
            finally:
                chromium.close()
    return problems, findings


# Where the characters of the first 上, 海, 标, 准 in a quote are drawn, in that order (None: not found), on the
# first line holding 上: a quote whose words are split by a line break (<pre>) is drawn on two lines.
_WORD_LEFTS = """root => {
  const cjk = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode())
    for (let i = 0; i < n.data.length; i++)
      if (/[\u4e00-\u9fff]/.test(n.data[i])) cjk.push([n.data[i], n, i]);
  const words = [/上/, /海/, /[标標]/, /[准準]/];
  for (let k = 0; k + 4 <= cjk.length; k++) {
    if (!words.every((w, j) => w.test(cjk[k + j][0]))) continue;
    const boxes = cjk.slice(k, k + 4).map(([_, n, i]) => {
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + 1);
      return r.getBoundingClientRect();
    });
    return boxes.filter(b => Math.abs(b.top - boxes[0].top) < 2).map(b => b.left);
  }
  return null;
}"""


def _check(
    probe: Probe, served: bytes, found: list[dict[str, Any]], page: Any, live: str, console: str
) -> list[str]:
    """What is wrong with one probe page's evidence, end to end (nothing: [])."""
    name = probe.name
    if len(found) != 1 or found[0]["case"] is None:
        return [
            f"{name}: {len(found)} finding(s), case {found[0]['case'] if found else None}; expected one, in a case"
        ]
    finding = found[0]
    evidence = finding["evidence"]
    snippet, verbatim = str(evidence.get("snippet") or ""), str(evidence.get("verbatim") or "")
    problems = []
    # The quote: the page's own characters, whole inside its snippet, in the codec recorded.
    if verbatim != probe.verbatim:
        problems.append(f"{name}: quote {verbatim[:60]!r}, expected {probe.verbatim[:60]!r}")
    if verbatim not in snippet:
        problems.append(f"{name}: the snippet {snippet[:80]!r} does not hold the quote")
    if evidence.get("decoded_as") != probe.decoded_as:
        problems.append(f"{name}: decoded as {evidence.get('decoded_as')}, expected {probe.decoded_as}")
    # As a visitor saw it: the live page in the same browser shows the snippet's text.
    page.goto(live)
    if (
        probe.visitor_reads_it
        and probe.in_live_text
        and _squeezed(snippet) not in _squeezed(condense(page.evaluate("document.body.innerText"))[0])
    ):
        problems.append(f"{name}: the snippet is not the text a browser shows for the page")
    # The archive: the bytes as fetched, read with the codec the finding records.
    raw = page.request.get(f"{console}/console/snapshots/{finding['snapshot']}/raw").body()
    if raw != served or hashlib.sha256(raw).hexdigest() != finding["sha256"]:
        problems.append(f"{name}: the archived bytes differ from those served")
    source = page.request.get(
        f"{console}/console/snapshots/{finding['snapshot']}/source?finding={finding['id']}"
    )
    if f'id="source-encoding">{probe.decoded_as}' not in source.text():
        problems.append(f"{name}: the source view is not read as {probe.decoded_as}")
    # The console: the case page opens, shows the stored snippet as text, the quote marked, nothing run.
    response = page.goto(f"{console}/console/cases/{finding['case']}")
    if response is None or response.status != 200:
        return [*problems, f"{name}: the case page answered {response.status if response else None}"]
    # Where the label a browser obeys shows the quote otherwise, the case page says so beside it.
    warned = page.locator("#shown-otherwise").count() == 1
    if warned == probe.visitor_reads_it:
        problems.append(
            f"{name}: the case page {'says' if warned else 'does not say'} a browser showed it otherwise"
        )
    quote = page.locator("#snippet")
    shown = as_shown(snippet)  # shown, never obeyed or hidden
    if quote.inner_text() != shown:
        problems.append(f"{name}: the case page shows {quote.inner_text()[:80]!r} for {snippet[:80]!r}")
    if as_shown(verbatim) not in quote.locator("mark").all_inner_texts():
        problems.append(f"{name}: the quote is not marked ({quote.locator('mark').all_inner_texts()})")
    # Drawn in stored order: the page's own bidi controls and right-to-left text around the words never
    # reorder them (the quote is isolated, the controls shown as markers).
    lefts = quote.evaluate(_WORD_LEFTS)
    if lefts is None or lefts != sorted(lefts) or len(set(lefts)) != len(lefts):
        problems.append(f"{name}: the words 上海标准 are not drawn left to right in the quote ({lefts})")
    tags = set(quote.locator("*").evaluate_all("elements => elements.map(e => e.tagName)"))
    if not tags <= {"MARK", "SPAN"} or page.evaluate("window.__pwned || null") is not None:
        problems.append(f"{name}: the quote holds page markup {sorted(tags)} or ran it")
    frame = page.locator("iframe").first.get_attribute("src") or ""
    body = page.request.get(console + frame.replace("&amp;", "&")).text()
    if probe.marked_in_text and _seen(re.sub(r"[\s\ufffd]", "", _frame_marks(body))) != _seen(
        re.sub(r"[\s\x0b]", "", verbatim)
    ):
        problems.append(f"{name}: the archived page marks {_frame_marks(body)[:60]!r}")
    return problems
