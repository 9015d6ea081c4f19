"""The first page a process reads is not charged for the process's one-time preparation.

Compiling the raw-bytes gate's Hyperscan database takes 1-2 s of CPU once per process. It ran inside the first
page's CPU budget, so the first page of every `markwatch check`, sweep process or cluster worker could stop at
its budget and be reported as not read whole (seen: a one-line claim page, `[cpu-budget] page not fully read:
stopped during decoding after 2.10 s of CPU`, 0 findings where it holds one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from pagetext.cpuclock import page_clock, preparation

# A fresh interpreter: the gate's database and the conversion tables are not built yet.
_FIRST_PAGE = textwrap.dedent(
    """
    import json
    from checker.extract.extractor import extract_page
    page = "<html><body><p>執行標準：T/SHHJ 000003-2018（上海標準）</p></body></html>".encode()
    result = extract_page(page, url=None, declared_charset="utf-8", observed_at=None)
    print(json.dumps({"warnings": [w.code for w in result.warnings], "claims": len(result.claims)}))
    """
)


def test_the_first_page_of_a_process_is_read_whole_within_a_tight_budget() -> None:
    # 0.5 s is far above what the page itself costs (a few ms) and below the one-time compile.
    environ = dict(os.environ, MARKWATCH_EXTRACT_CPU_BUDGET_SECONDS="0.5")
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_PAGE], capture_output=True, text=True, env=environ, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {"warnings": [], "claims": 1}


def test_preparation_is_not_on_the_page_clock_even_when_nested() -> None:
    began = page_clock()
    with preparation():
        with preparation():
            sum(range(2_000_000))  # CPU work that is not the page's
        sum(range(2_000_000))
    assert page_clock() - began < 0.01
    began = page_clock()
    sum(range(2_000_000))  # the page's own work is still counted
    assert page_clock() - began > 0.005
