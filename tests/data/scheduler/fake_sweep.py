"""Stands in for `markwatch sweep run TARGETS --target NAME` (database in MARKWATCH_DB) in scheduler tests.

Writes a sweep row for the target (so the scheduler can name the sweep it started), sleeps FAKE_SWEEP_SECONDS,
ends the sweep finished (or incomplete when FAKE_SWEEP_STATE=incomplete: with a page not checked, or the summary
in FAKE_SWEEP_SUMMARY as JSON) and exits with FAKE_SWEEP_EXIT.
"""

from __future__ import annotations

import json
import os
import sys
import time

from crawler.process import identity
from crawler.store.models import Sweep
from markwatch import db


def main(argv: list[str]) -> int:
    target = argv[argv.index("--target") + 1]
    url = os.environ["MARKWATCH_DB"]
    with db.session_scope(url) as session:
        session.add(Sweep(target=target, started_at=db.utcnow(), state="running", summary=identity()))
    time.sleep(float(os.environ.get("FAKE_SWEEP_SECONDS", "0")))
    with db.session_scope(url) as session:
        sweep = session.query(Sweep).filter_by(target=target).order_by(Sweep.id.desc()).first()
        assert sweep is not None
        if os.environ.get("FAKE_SWEEP_STATE") == "incomplete":  # as sweeps.bookkeeping.record_end leaves it
            summary = os.environ.get("FAKE_SWEEP_SUMMARY")
            sweep.state = "incomplete"
            sweep.summary = json.loads(summary) if summary else {"unhandled": {"check_failed": 1}}
        else:
            sweep.state, sweep.finished_at, sweep.summary = "finished", db.utcnow(), {}
    return int(os.environ.get("FAKE_SWEEP_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
