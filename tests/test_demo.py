"""`make demo` runs the main job end to end: registry, served demo site, sweep, findings, cases, self-check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_demo_runs_the_main_job_from_nothing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "markwatch.demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert (tmp_path / ".markwatch-demo" / "markwatch.db").is_file()
    assert re.search(r"registry: imported \d+ designations", out)
    assert "robots.txt skipped 1" in out and "errors: none" in out
    findings = int(re.search(r"(\d+) findings:", out).group(1))  # type: ignore[union-attr]
    cases = int(re.search(r"cases: (\d+) opened", out).group(1))  # type: ignore[union-attr]
    assert findings > 0 and 0 < cases <= findings
    # The demo site holds one example of each kind of misuse it was built for, and one legitimate claim.
    fired = set(re.findall(r"\b(SHS0\d\d)\b", out))
    assert {"SHS002", "SHS003", "SHS004", "SHS005", "SHS007", "SHS009", "SHS010"} <= fired
    assert "tmall-cup.html " not in out
    # Two item pages carry their claims only in images: a label photo and a detail strip with the mark.
    assert re.search(r"SHS003  tmall-flask-photo\.html .*\[in an image\]", out)
    assert re.search(r"SHS008  tmall-kettle-strip\.html .*\[in an image\]", out)
    # A second run starts from nothing again and reports the same.
    again = subprocess.run(
        [sys.executable, "-m", "markwatch.demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0 and f"{findings} findings:" in again.stdout
