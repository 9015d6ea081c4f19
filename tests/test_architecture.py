"""Folders follow the data: no module imports a layer above its own (the contract in .importlinter)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_layer_imports_a_higher_one() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def _contract_root_packages() -> set[str]:
    lines = (ROOT / ".importlinter").read_text("utf-8").splitlines()
    start = lines.index("root_packages =") + 1
    names: set[str] = set()
    for line in lines[start:]:
        if not line.startswith((" ", "\t")):
            break
        names.add(line.strip())
    return names


def test_every_top_level_package_is_under_the_contract() -> None:
    # A new top-level package left out of root_packages would be free to import any layer: the contract
    # would pass while the folders stopped following the data.
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests"} and not path.parent.name.startswith(".")
    }
    assert packages, "no top-level package found"
    assert packages <= _contract_root_packages(), sorted(packages - _contract_root_packages())
