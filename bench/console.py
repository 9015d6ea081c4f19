"""Console speed with a realistic queue: 600 cases over every rule, several sweeps, waivers and deadlines.

Server time per page (in-process ASGI, so no network or browser in the figure) for the queue as an inspector
opens it, filtered, sorted by deadline and paged, and for a case page; the baseline is the sign-in page, which
touches no case data, measured in the same run. Issuing a notice with 2,000 issued before it, beside the
same with the year's next number counted the old way (every issued document read under the case-write lock),
and how long an issue holds the case-write lock, beside the same with the document rendered under it (as
until s31).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "examples" / "registry.yaml"
QUICK = os.environ.get("MARKWATCH_BENCH_QUICK") == "1"
RULES = tuple(f"SHS{n:03d}" for n in range(1, 12))
SEVERITY = {"SHS006": "medium", "SHS008": "medium", "SHS009": "medium", "SHS010": "medium", "SHS011": "low"}
SECRET = "bench-secret-key-0123456789abcdefghijklmnop"


def build_cases(database_url: str, cases: int = 600, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """`cases` cases across every rule, made the way sweeps make them, some moved along the lifecycle."""
    from checker.registry import import_registry_file
    from crawler.snapshots import store_snapshot
    from crawler.store.models import Sweep, SweepPage
    from markwatch import db
    from markwatch.cases.ingest import ingest_sweep
    from markwatch.cases.lifecycle import transition
    from markwatch.cases.models import Case, CaseStatus, DismissalKind
    from markwatch.cases.sent import SendMethod, SentNotice
    from markwatch.cases.waivers import grant_waiver
    from sweeps.models import Finding

    now = now or dt.datetime.now(dt.UTC)
    sweeps = max(cases // 100, 1)
    with db.session_scope(database_url) as session:
        import_registry_file(session, REGISTRY)
        for s in range(sweeps):
            started = now - dt.timedelta(days=3 * (sweeps - s))
            sweep = Sweep(target="bench", state="finished", started_at=started, finished_at=started)
            session.add(sweep)
            session.flush()
            for i in range(s * cases // sweeps, (s + 1) * cases // sweeps):
                rule = RULES[i % len(RULES)]
                url = f"https://shop{i % 37}.example.com/item/{i}"
                body = f"<html><body><h1>商品 {i}</h1><p>执行标准：T/DEMO {i:03d}-2022（上海标准）</p></body></html>"
                snapshot = store_snapshot(
                    session,
                    body=body.encode("utf-8"),
                    requested_url=url,
                    final_url=url,
                    status=200,
                    headers={"Content-Type": "text/html; charset=utf-8"},
                    fetched_at=started,
                    sweep_id=sweep.id,
                )
                place = {
                    "snippet": "执行标准：T/DEMO（上海标准）",
                    "location": "html > body > p",
                    "verbatim": "上海标准",
                }
                session.add(
                    Finding(
                        sweep_id=sweep.id,
                        snapshot_id=snapshot.id,
                        finding_key=f"bench-{i}",
                        rule_id=rule,
                        severity=SEVERITY.get(rule, "high"),
                        standard_code=f"T/DEMO {i:03d}-2022",
                        claim={"product_name": f"商品 {i}", "standard_code": f"T/DEMO {i:03d}-2022"},
                        message=f"规则 {rule} / rule {rule}",
                        evidence={**place, "locations": [place]},
                        page_url=url,
                        site=f"shop{i % 37}.example.com",
                        claimant=f"上海第{i % 53}公司",
                        observed_at=started,
                    )
                )
                session.add(
                    SweepPage(sweep_id=sweep.id, url=url, snapshot_id=snapshot.id, checked_at=started)
                )
            session.flush()
            ingest_sweep(session, sweep.id)
        all_cases = session.query(Case).order_by(Case.id).all()
        for index, case in enumerate(all_cases):
            case.confidence = "review" if index % 4 == 0 else "high"
            if index % 5 == 1:
                transition(session, case, CaseStatus.IN_REVIEW, actor="bench")
            elif index % 5 == 2:
                transition(
                    session,
                    case,
                    CaseStatus.DISMISSED,
                    actor="bench",
                    reason="bench",
                    dismissal_kind=DismissalKind.NOT_A_CLAIM if index % 2 else DismissalKind.OTHER,
                )
            elif index % 5 == 3:
                transition(session, case, CaseStatus.IN_REVIEW, actor="bench")
                transition(session, case, CaseStatus.CONFIRMED, actor="bench", reason="bench")
                sent = SentNotice(number=f"bench-{index}", sent_on=now.date(), method=SendMethod.POST)
                transition(session, case, CaseStatus.NOTICE_SENT, actor="bench", sent=sent)
                transition(
                    session,
                    case,
                    CaseStatus.RECTIFICATION_DUE,
                    actor="bench",
                    due_at=now + dt.timedelta(days=index % 30 + 1),
                )
            if index % 17 == 0:
                grant_waiver(
                    session, case, reason="bench", approver="bench", expires_at=now + dt.timedelta(days=30)
                )
        return {"cases": len(all_cases), "sweeps": sweeps}


def _timed(client: Any, path: str, rounds: int) -> dict[str, float]:
    client.get(path)  # warm caches (templates, registry index, rule set)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {"p50_ms": statistics.median(times), "p90_ms": times[int(len(times) * 0.9) - 1]}


PRIOR_NOTICES = 2000


def _count_the_old_way(session: Any, year: int) -> int:
    # How the year's next notice number was found before the register (api/console/notice.py until s30):
    # every issued notice's payload, its whole document included, read under the case-write lock.
    from sqlalchemy import select

    from markwatch.cases.audit import serialise_case_writes
    from markwatch.cases.models import CaseEvent

    serialise_case_writes(session)
    issued = session.scalars(select(CaseEvent.payload).where(CaseEvent.kind == "notice_issued"))
    return 1 + sum(1 for payload in issued if str(payload.get("issued_on", "")).startswith(f"{year}-"))


def _lock_held_ms(into: list[float]) -> Any:
    """Patch issuing so that each issue appends how long it held the case-write lock (from taking it to the
    commit); returns the undo."""
    from sqlalchemy import event

    import api.console.notice as notice_module

    taken = notice_module.serialise_case_writes

    def timed(session: Any) -> None:
        taken(session)
        started = time.perf_counter()

        def released(_session: Any) -> None:
            into.append((time.perf_counter() - started) * 1000)

        event.listen(session, "after_commit", released, once=True)

    notice_module.serialise_case_writes = timed

    def undo() -> None:
        notice_module.serialise_case_writes = taken

    return undo


def notice_issuing(client: Any, url: str, rounds: int) -> dict[str, Any]:
    """Issuing one notice (POST, in-process) with PRIOR_NOTICES issued before it, numbered from the register
    and, alternately in the same run, counted the old way; the numbering step alone, which runs under the
    lock every other case write waits for; and the time an issue holds that lock, the document rendered
    before it, beside the same with the document rendered under it (the guessed number made to miss, so the
    document is rendered again once the lock is held, as it always was until s31)."""
    from markwatch import db
    from markwatch.cases import notice_numbers
    from markwatch.cases.audit import append_event
    from markwatch.cases.lifecycle import transition
    from markwatch.cases.models import Case, CaseEvent, CaseStatus

    deadline = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    page = client.get("/console/cases").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    with db.session_scope(url) as session:
        cases = session.query(Case).filter_by(status="open").order_by(Case.id).limit(4 * rounds + 1).all()
        assert len(cases) == 4 * rounds + 1, "too few open cases for the notice rounds"
        for case in cases:
            transition(session, case, CaseStatus.IN_REVIEW, actor="bench")
            transition(session, case, CaseStatus.CONFIRMED, actor="bench", reason="bench")
        ids = [case.id for case in cases]

    def issue(case_id: int) -> float:
        started = time.perf_counter()
        answer = client.post(
            f"/console/cases/{case_id}/notices",
            data={"deadline": deadline, "csrf_token": token},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text[:300]
        return (time.perf_counter() - started) * 1000

    issue(ids[0])  # one real notice: its document is the one the prior notices repeat
    with db.session_scope(url) as session:
        real = session.query(CaseEvent).filter_by(kind="notice_issued").one()
        year = int(str(real.payload["issued_on"])[:4])
        for n in range(2, PRIOR_NOTICES + 1):
            payload = {**real.payload, "number": f"bench-{year}-{n:04d}"}
            event = append_event(
                session, case_id=real.case_id, kind="notice_issued", actor="bench", payload=payload
            )
            notice_numbers.record(session, year=year, seq=n, event=event, number=payload["number"])
        document_kib = len(str(real.payload["html"]).encode("utf-8")) / 1024
    new_ms, old_ms = [], []
    register_next_seq = notice_numbers.next_seq
    for n in range(rounds):
        new_ms.append(issue(ids[1 + 2 * n]))
        notice_numbers.next_seq = _count_the_old_way
        try:
            old_ms.append(issue(ids[2 + 2 * n]))
        finally:
            notice_numbers.next_seq = register_next_seq
    held: dict[str, list[float]] = {"new": [], "old": []}
    likely_next_seq = notice_numbers.likely_next_seq

    def never_the_number_taken(session: Any, year: int) -> int:
        return 0

    for n in range(rounds):
        for name, case_id in (("new", ids[1 + 2 * rounds + 2 * n]), ("old", ids[2 + 2 * rounds + 2 * n])):
            undo = _lock_held_ms(held[name])
            if name == "old":
                notice_numbers.likely_next_seq = never_the_number_taken
            try:
                issue(case_id)
            finally:
                undo()
                notice_numbers.likely_next_seq = likely_next_seq
    numbering: dict[str, list[float]] = {"new": [], "old": []}
    for _ in range(rounds):
        for name, step in (("new", register_next_seq), ("old", _count_the_old_way)):
            with db.session_scope(url) as session:
                started = time.perf_counter()
                step(session, year)
                numbering[name].append((time.perf_counter() - started) * 1000)
                session.rollback()
    return {
        "prior_notices": PRIOR_NOTICES,
        "document_kib": round(document_kib, 1),
        "issue_ms": statistics.median(new_ms),
        "issue_old_count_ms (baseline)": statistics.median(old_ms),
        "numbering_under_lock_ms": statistics.median(numbering["new"]),
        "numbering_old_count_ms (baseline)": statistics.median(numbering["old"]),
        "lock_held_ms": statistics.median(held["new"]),
        "lock_held_render_inside_ms (baseline)": statistics.median(held["old"]),
    }


def run() -> dict[str, Any]:
    """Queue, filtered queue, deadline sort, a later page and a case page, beside the sign-in page."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.console import console_router
    from api.console.settings import ConsoleSettings
    from api.settings import Environment, Settings
    from markwatch import db
    from markwatch.cases.keys import create_key
    from markwatch.cases.models import Role

    rounds = 5 if QUICK else 30
    with tempfile.TemporaryDirectory(prefix="markwatch-bench-console-") as work:
        url = f"sqlite:///{work}/console.db"
        built = build_cases(url, 200 if QUICK else 600)
        with db.session_scope(url) as session:
            key = create_key(session, role=Role.INSPECTOR, name="bench").secret
        settings = Settings(
            environment=Environment.TEST,
            secret_key=SECRET,
            database_url=url,
            rate_limit_per_minute=10**6,
            rate_limit_burst=10**6,
        )
        app = create_app(settings, extra_routers=(console_router,))
        app.state.console_settings = ConsoleSettings(authority_name="演示市场监督管理局（虚构）")
        with TestClient(app) as client:
            form = client.get("/console/login").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
            client.post(
                "/console/login", data={"api_key": key, "csrf_token": token, "next": "/console/cases"}
            )
            figures: dict[str, Any] = {**built}
            figures["login (baseline)"] = _timed(client, "/console/login", rounds)
            figures["queue"] = _timed(client, "/console/cases", rounds)
            figures["queue review+SHS003"] = _timed(
                client, "/console/cases?confidence=review&rule=SHS003", rounds
            )
            figures["queue due, by deadline"] = _timed(client, "/console/cases?due=due&sort=deadline", rounds)
            figures["queue page 10"] = _timed(client, "/console/cases?offset=225", rounds)
            figures["case page"] = _timed(client, "/console/cases/1", rounds)
            figures["dashboard"] = _timed(client, "/console/dashboard", max(rounds // 3, 3))
            figures["notice"] = notice_issuing(client, url, 3 if QUICK else 7)
    return figures


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
