"""Standard codes as real pages, catalogues and regulators' lists write them (tests/data/codes/corpus.csv).

Each row is one spelling with its source. `expect`: `code` must parse to `kind`/`key`; `refuse` must yield no
code at all; `gap` is a real spelling not read yet, held unread so that reading one is noticed (promote it).
`context`: `standard` when the spelling sat where a standard is named (a 执行标准 row, a list of references).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from checker.codes import find_codes, parse_code
from markwatch.errors import CodeParseError
from pagetext.normalize import normalize_text

CORPUS = Path(__file__).parent / "data" / "codes" / "corpus.csv"
FIELDS = ["written", "context", "expect", "kind", "key", "source", "note"]


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == FIELDS, f"{CORPUS.name}: header must be {','.join(FIELDS)}"
        return list(reader)


ROWS = _rows()


def test_corpus_size_and_provenance() -> None:
    counts = Counter(row["expect"] for row in ROWS)
    assert counts["code"] >= 300
    assert counts["refuse"] >= 40
    assert set(counts) <= {"code", "refuse", "gap"}
    for line, row in enumerate(ROWS, start=2):
        assert row["source"].strip(), f"corpus.csv line {line}: no source"
        assert row["context"] in ("free", "standard"), f"corpus.csv line {line}: context"
    pairs = [(row["written"], row["context"]) for row in ROWS]
    assert len(pairs) == len(set(pairs)), "a spelling is listed twice in the same context"


@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{i + 2}:{r['expect']}:{r['written']}" for i, r in enumerate(ROWS)]
)
def test_corpus_row(row: dict[str, str]) -> None:
    written, in_context = row["written"], row["context"] == "standard"
    if row["expect"] == "code":
        code = parse_code(written, standard_context=in_context)
        assert (code.kind.value, code.key) == (row["kind"], row["key"])
        # Claims carry the canonical spelling; the rules parse it again.
        assert parse_code(code.display).key == parse_code(code.full_display).key == row["key"]
        # The same spelling in running text after a label, as a claim writes it, is found with its span.
        text = f"执行标准：{written}（上海标准）"
        [match] = find_codes(text)
        assert (match.code.key, text[match.start : match.end]) == (row["key"], written)
        if code.year is not None:
            assert [m.code.key for m in find_codes(written)] == [row["key"]]
    elif row["expect"] == "refuse":
        assert find_codes(written, standard_context=in_context) == []
        assert find_codes(normalize_text(written), standard_context=in_context) == []
    else:
        with pytest.raises(CodeParseError):
            parse_code(written, standard_context=True)
