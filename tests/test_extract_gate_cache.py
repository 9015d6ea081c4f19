"""Compiled gate databases kept on disk (checker/extract/gate_cache.py): loaded when good, compiled again when
not, never taken from a directory others can write, and named by everything the compile reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import hyperscan
import pytest

from checker.extract.gate_cache import CACHE_ENV, KEEP_FILES, cache_dir, database_key, load_or_compile

MODE = hyperscan.HS_MODE_BLOCK
EXPRESSIONS = [rb"shanghai\s{0,4}standard", rb"T/SH[A-Z]{2,6}"]
IDS = [0, 1]
FLAGS = [hyperscan.HS_FLAG_SINGLEMATCH, hyperscan.HS_FLAG_SINGLEMATCH]


class Compiles:
    """A real compile that counts how often it was asked for."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> hyperscan.Database:
        self.count += 1
        database = hyperscan.Database(mode=MODE)
        database.compile(expressions=EXPRESSIONS, ids=IDS, elements=len(EXPRESSIONS), flags=FLAGS)
        return database


def _hits(database: hyperscan.Database, data: bytes) -> list[int]:
    found: list[int] = []
    # A loaded database comes without a scratch space; the gate makes one per thread (gate._scratch).
    database.scan(
        data,
        match_event_handler=lambda rule, *_: found.append(rule) and None,
        scratch=hyperscan.Scratch(database),
    )
    return sorted(found)


def _load(directory: Path | None, compiles: Compiles) -> hyperscan.Database:
    return load_or_compile(hyperscan, MODE, EXPRESSIONS, IDS, FLAGS, compiles, directory)


def test_a_database_compiled_once_is_loaded_by_the_next_process(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    first, second = Compiles(), Compiles()
    compiled = _load(directory, first)
    loaded = _load(directory, second)
    assert (first.count, second.count) == (1, 0)
    assert [path.name.startswith("gate-") for path in directory.iterdir()] == [True]
    page = b"shanghai  standard T/SHHJ 3"
    assert _hits(loaded, page) == _hits(compiled, page) == [0, 1]
    assert oct(directory.stat().st_mode & 0o777) == "0o700"


def test_a_cut_or_corrupt_file_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    _load(tmp_path, Compiles())
    [stored] = tmp_path.glob("gate-*.hsdb")
    whole = stored.read_bytes()
    for damaged in (whole[: len(whole) // 2], whole[:64] + bytes(len(whole) - 64), b""):
        stored.write_bytes(damaged)
        compiles = Compiles()
        database = _load(tmp_path, compiles)
        assert compiles.count == 1
        assert _hits(database, b"T/SHAB") == [1]
        assert stored.read_bytes() == whole  # replaced by a good copy


def test_a_directory_others_can_write_is_not_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    for _ in range(2):
        compiles = Compiles()
        _load(shared, compiles)
        assert compiles.count == 1
    assert list(shared.iterdir()) == []


def test_the_key_follows_every_input_of_the_compile() -> None:
    base = database_key("0.9.1", MODE, EXPRESSIONS, IDS, FLAGS)
    assert base != database_key("0.9.2", MODE, EXPRESSIONS, IDS, FLAGS)
    assert base != database_key("0.9.1", MODE, [EXPRESSIONS[0], rb"T/SH[A-Z]{2,7}"], IDS, FLAGS)
    assert base != database_key("0.9.1", MODE, EXPRESSIONS, [1, 0], FLAGS)
    assert base != database_key("0.9.1", MODE, EXPRESSIONS, IDS, [FLAGS[0], 0])
    # Expressions are length-prefixed: moving a byte from one to the next is a different key.
    assert database_key("v", MODE, [b"ab", b"c"], [0, 1], [0, 0]) != database_key(
        "v", MODE, [b"a", b"bc"], [0, 1], [0, 0]
    )


def test_old_files_are_pruned(tmp_path: Path) -> None:
    for number in range(KEEP_FILES + 3):
        stale = tmp_path / f"gate-{number:064x}.hsdb"
        stale.write_bytes(b"old")
        os.utime(stale, (1_000_000 + number, 1_000_000 + number))
    _load(tmp_path, Compiles())
    assert len(list(tmp_path.glob("gate-*.hsdb"))) == KEEP_FILES


@pytest.mark.parametrize("setting", ["off", "OFF", "0"])
def test_the_cache_can_be_turned_off(setting: str, tmp_path: Path) -> None:
    assert cache_dir({CACHE_ENV: setting}) is None
    assert cache_dir({CACHE_ENV: str(tmp_path)}) == tmp_path
    assert cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "markwatch"


_READ_ONE_PAGE = textwrap.dedent(
    """
    import json, time
    from checker.extract.extractor import extract_page
    page = "<p>执行标准：T/SHHJ 000003-2018（上海标准）</p>".encode("gb18030")
    result = extract_page(page, url=None, declared_charset="gb18030", observed_at=None)
    print(json.dumps([[c.standard_code for c in result.claims], [w.code for w in result.warnings]]))
    """
)


def test_the_gate_reads_alike_from_a_fresh_compile_and_from_the_cache(tmp_path: Path) -> None:
    environ = dict(os.environ, **{CACHE_ENV: str(tmp_path)})
    answers = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", _READ_ONE_PAGE], capture_output=True, text=True, env=environ, timeout=180
        )
        assert done.returncode == 0, done.stderr[-2000:]
        answers.append(json.loads(done.stdout.strip().splitlines()[-1]))
    assert answers[0] == answers[1] == [["T/SHHJ 000003-2018"], []]
    # One family set: its main database and its window literals' (gate.window_literals).
    assert len(list(tmp_path.glob("gate-*.hsdb"))) == 2
