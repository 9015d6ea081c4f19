"""Regenerate pagetext/data/default_ignorable.json from the Unicode Character Database.

    python scripts/gen_unicode_tables.py [/usr/share/unicode/DerivedCoreProperties.txt]

Python's unicodedata has no Default_Ignorable_Code_Point property, so the table is data: the ranges as
DerivedCoreProperties.txt lists them (Debian's `unicode-data` package installs it), with its version.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SOURCE = Path("/usr/share/unicode/DerivedCoreProperties.txt")
TARGET = Path(__file__).resolve().parent.parent / "pagetext" / "data" / "default_ignorable.json"
PROPERTY = "Default_Ignorable_Code_Point"
_LINE = re.compile(r"^([0-9A-F]{4,6})(?:\.\.([0-9A-F]{4,6}))?\s*;\s*(\w+)")
_VERSION = re.compile(r"^#\s*DerivedCoreProperties-(\d+\.\d+\.\d+)\.txt")


def read_ranges(text: str) -> tuple[str, list[list[int]]]:
    """(Unicode version, merged [first, last] code point ranges having the property)."""
    version = None
    ranges: list[list[int]] = []
    for line in text.splitlines():
        if version is None and (found := _VERSION.match(line)):
            version = found.group(1)
        match = _LINE.match(line)
        if not match or match.group(3) != PROPERTY:
            continue
        first = int(match.group(1), 16)
        last = int(match.group(2) or match.group(1), 16)
        if ranges and ranges[-1][1] + 1 == first:
            ranges[-1][1] = last
        else:
            ranges.append([first, last])
    if version is None or not ranges:
        raise SystemExit(f"not a DerivedCoreProperties file with {PROPERTY}")
    return version, ranges


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    version, ranges = read_ranges(source.read_text(encoding="utf-8"))
    head = {
        "property": PROPERTY,
        "unicode_version": version,
        "source": f"DerivedCoreProperties-{version}.txt (Unicode Character Database)",
    }
    # One range per line: a regenerated table diffs line by line.
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}," for key, value in head.items()]
    rows = ",\n".join(f'    ["{first:04X}", "{last:04X}"]' for first, last in ranges)
    TARGET.write_text("{\n" + "\n".join(lines) + '\n  "ranges": [\n' + rows + "\n  ]\n}\n", encoding="utf-8")
    print(
        f"{TARGET}: {len(ranges)} ranges, {sum(b - a + 1 for a, b in ranges)} code points, Unicode {version}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
