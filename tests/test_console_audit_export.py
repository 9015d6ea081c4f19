"""A case's audit entries as a JSON file for the case file, over a live server (SQLite and PostgreSQL).

Each entry carries what its hash covers, its prev_hash and hash, so whoever holds the file can recompute every
hash without markwatch; the file names the chain's head and the latest signed checkpoint at export.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest
from cases_support import LiveServer
from console_support import ConsoleData, console_app, seed, sign_in
from sqlalchemy import text

from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.checkpoints import AuditKey, write_checkpoint
from markwatch.cases.models import CaseEvent

HASHED = ("seq", "case_id", "kind", "actor", "from_status", "to_status", "payload", "created_at")


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[str, ConsoleData, str]]:
    data = seed(db_url)
    with LiveServer(console_app(db_url)) as base:
        yield base, data, db_url


def _recompute(entry: dict[str, object]) -> str:
    content = {name: entry[name] for name in HASHED}
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((blob + str(entry["prev_hash"])).encode("utf-8")).hexdigest()


def test_a_case_audit_downloads_with_its_hash_chain_fields(live: tuple[str, ConsoleData, str]) -> None:
    base, data, url = live
    case_id = data.cases["wording"]
    with httpx.Client(base_url=base, timeout=30) as client:
        token = sign_in(client, data.keys["inspector"])
        for target, reason in (("in_review", ""), ("dismissed", "页面写的是“上海标准件”，不是标识")):
            answer = client.post(
                f"/console/cases/{case_id}/transition",
                data={"to": target, "reason": reason, "dismissal_kind": "not-a-claim", "csrf_token": token},
            )
            assert answer.status_code == 303, answer.text
        assert client.post(
            f"/console/cases/{data.cases['expired']}/comment", data={"body": "另一案件", "csrf_token": token}
        ).is_redirect
        with db.session_scope(url) as session:
            write_checkpoint(session, AuditKey(b"k" * 32), reason="manual")
        # The case page links to it.
        assert f'href="/console/cases/{case_id}/audit.json"' in client.get(f"/console/cases/{case_id}").text
        response = client.get(f"/console/cases/{case_id}/audit.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert f'filename="case-{case_id}-audit.json"' in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    export = response.json()
    assert export["format"] == "markwatch.case-audit.v1"
    assert export["case"]["id"] == case_id and export["case"]["status"] == "dismissed"
    entries = export["entries"]
    with db.session_scope(url) as session:
        stored = session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq).all()
        assert [e["seq"] for e in entries] == [e.seq for e in stored]
        assert [(e["prev_hash"], e["hash"]) for e in entries] == [(e.prev_hash, e.hash) for e in stored]
        head = session.query(CaseEvent).order_by(CaseEvent.seq.desc()).first()
        assert head is not None and verify_chain(session) is None
        assert export["chain"] == {"length": head.seq, "head_seq": head.seq, "head_hash": head.hash}
    # Only this case's entries, every one recomputable from the file alone.
    assert {e["case_id"] for e in entries} == {case_id}
    assert [e["kind"] for e in entries] == ["opened", "transition", "transition"]
    assert entries[-1]["payload"]["reason"] == "页面写的是“上海标准件”，不是标识"
    for entry in entries:
        assert _recompute(entry) == entry["hash"]
        assert entry["hash_ok"] is True
    assert export["entries_ok"] is True
    # The signed checkpoint written after these entries vouches for them.
    checkpoint = export["checkpoint"]
    assert checkpoint["seq"] == head.seq and checkpoint["head_hash"] == head.hash
    assert len(checkpoint["signature"]) == 64


def test_an_edited_entry_shows_in_the_export(live: tuple[str, ConsoleData, str]) -> None:
    base, data, url = live
    case_id = data.cases["expired"]
    # Someone with database access rewrites the entry (the table's triggers refuse it; they drop them first).
    with db.session_scope(url) as session:
        seq = session.query(CaseEvent).filter_by(case_id=case_id).one().seq
        if url.startswith("sqlite"):
            triggers = session.execute(
                text("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='case_events'")
            ).scalars()
            for name in list(triggers):
                session.execute(text(f'DROP TRIGGER "{name}"'))
        else:
            session.execute(text("ALTER TABLE case_events DISABLE TRIGGER USER"))
        session.execute(text("UPDATE case_events SET actor = 'someone-else' WHERE seq = :seq"), {"seq": seq})
    with httpx.Client(base_url=base, timeout=30) as client:
        sign_in(client, data.keys["inspector"])
        export = client.get(f"/console/cases/{case_id}/audit.json").json()
    assert export["entries"][0]["actor"] == "someone-else"
    assert export["entries"][0]["hash_ok"] is False and export["entries_ok"] is False


def test_the_audit_export_needs_a_signed_in_inspector(live: tuple[str, ConsoleData, str]) -> None:
    base, data, _url = live
    case_id = data.cases["wording"]
    with httpx.Client(base_url=base, timeout=30) as client:
        anonymous = client.get(f"/console/cases/{case_id}/audit.json")
        assert anonymous.status_code in (303, 401), anonymous.text
        assert "entries" not in anonymous.text
        # An API key alone is not a console session.
        keyed = client.get(
            f"/console/cases/{case_id}/audit.json", headers={"X-API-Key": data.keys["inspector"]}
        )
        assert keyed.status_code in (303, 401) and "entries" not in keyed.text
        sign_in(client, data.keys["inspector"])
        missing = client.get("/console/cases/999999/audit.json")
        assert missing.status_code == 404 and "Traceback" not in missing.text
        assert client.get(f"/console/cases/{case_id}/audit.json").status_code == 200
