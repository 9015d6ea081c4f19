"""HTML to PDF with Debian's headless Chromium, run as a subprocess with a deadline and no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from api.console.errors import PdfRenderError

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


def html_to_pdf(html: str, *, chromium: str | None = None, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Print a self-contained HTML document (no external resources) to PDF bytes."""
    binary = chromium or chromium_path()
    if shutil.which(binary) is None:
        raise PdfRenderError(
            f"cannot make a PDF: Chromium not found at {binary} (install the 'chromium' package "
            f"or set {CHROMIUM_ENV})"
        )
    with tempfile.TemporaryDirectory(prefix="markwatch-pdf-") as work:
        source, target = Path(work, "notice.html"), Path(work, "notice.pdf")
        source.write_text(html, encoding="utf-8")
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
        return pdf
