"""HTML to PDF with Debian's headless Chromium, run as a subprocess with a deadline and no network."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from lxml import html as lxml_html

from api.console.errors import PdfRenderError
from api.console.fonts import font_face_css

CHROMIUM_ENV = "MARKWATCH_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 60.0
# Chromium would otherwise phone home (updates, safe browsing, metrics); a notice needs none of it.
_QUIET_FLAGS = (
    "--headless",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-sync",
    "--disable-component-update",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    "--no-pdf-header-footer",
    # Only the local file is loaded: every other host resolves nowhere.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def chromium_path() -> str:
    """The Chromium binary: $MARKWATCH_CHROMIUM, else /usr/bin/chromium."""
    return os.environ.get(CHROMIUM_ENV) or DEFAULT_CHROMIUM


# Skia stamps the print time into these two fields, the only bytes that differ between two prints of one
# document; fixing them to the notice's own time makes the PDF reproducible on the same Chromium and fonts.
_PDF_DATES = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[+-]\d{2}'\d{2}'\)")


# What notice.css and the browser's defaults print in bold.
BOLD_ELEMENTS = (
    "//h1|//h2|//h3|//th|//strong|//b|//mark|//*[contains(concat(' ', @class, ' '), ' authority ')]"
)


def with_embedded_fonts(html: str) -> str:
    """The document with @font-face rules for exactly the characters it holds, before </head>."""
    document = lxml_html.document_fromstring(html)
    # The bold face only needs the characters set in bold (headings, table heads, marks): a smaller file.
    bold = "".join(el.text_content() for el in document.xpath(BOLD_ELEMENTS))
    style = f"<style>{font_face_css(document.text_content(), bold)}</style>"
    at = html.find("</head>")
    return html[:at] + style + html[at:] if at >= 0 else style + html


def fix_dates(pdf: bytes, when: dt.datetime) -> bytes:
    """Set the PDF's creation and modification dates to `when` (same length, so offsets stay valid)."""
    stamp = when.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S").encode("ascii")
    return _PDF_DATES.sub(lambda m: b"/" + m.group(1) + b" (D:" + stamp + b"+00'00')", pdf)


def html_to_pdf(
    html: str,
    *,
    created_at: dt.datetime | None = None,
    chromium: str | None = None,
    timeout: float = TIMEOUT_SECONDS,
) -> bytes:
    """Print a self-contained HTML document (no external resources) to PDF bytes with embedded CJK fonts."""
    binary = chromium or chromium_path()
    if shutil.which(binary) is None:
        raise PdfRenderError(
            f"cannot make a PDF: Chromium not found at {binary} (install the 'chromium' package "
            f"or set {CHROMIUM_ENV})"
        )
    with tempfile.TemporaryDirectory(prefix="markwatch-pdf-") as work:
        source, target = Path(work, "notice.html"), Path(work, "notice.pdf")
        source.write_text(with_embedded_fonts(html), encoding="utf-8")
        command = [
            binary,
            *_QUIET_FLAGS,
            f"--user-data-dir={Path(work, 'profile')}",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        # Chromium refuses to start as root with its sandbox; the page printed is our own escaped HTML.
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfRenderError(f"cannot make a PDF: Chromium took longer than {timeout:.0f}s") from exc
        except OSError as exc:
            raise PdfRenderError(f"cannot make a PDF: Chromium could not start: {exc}") from exc
        pdf = target.read_bytes() if target.exists() else b""
        if done.returncode != 0 or not pdf.startswith(b"%PDF"):
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise PdfRenderError(
                f"cannot make a PDF: Chromium exited with {done.returncode}: {' | '.join(tail)}"
            )
        return fix_dates(pdf, created_at) if created_at is not None else pdf
