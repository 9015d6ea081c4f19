"""Cases over HTTP: filters and paging, detail with evidence, transitions, comments, assignment, waivers, CSV."""

from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator

import pytest
from cases_support import PAGE, T0, add_finding, make_keys, make_settings, make_sweep
from console_support import console_app, sign_in
from fastapi.testclient import TestClient

from api.app import create_app
from crawler.store.models import Snapshot, SnapshotBody, SweepPage
from markwatch import db
from markwatch.cases.ingest import ingest_sweep
from markwatch.cases.models import Case
from markwatch.cases.queries import CaseFilter, list_cases
from markwatch.cases.staleness import not_seen_since


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    """A client on a database with three cases from one sweep, and headers per role."""
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session)
        add_finding(session, sweep, key="A", rule_id="SHS003", claimant="上海甲公司", observed_at=T0)
        add_finding(
            session,
            sweep,
            key="B",
            rule_id="SHS009",
            severity="medium",
            claimant='=HYPERLINK("http://evil")',
            page_url="https://other.example.net/p",
            observed_at=T0 + dt.timedelta(days=3),
        )
        add_finding(
            session,
            sweep,
            key="C",
            rule_id="SHS003",
            claimant="@SUM(1+1)",
            observed_at=T0 + dt.timedelta(days=6),
        )
        ingest_sweep(session, sweep.id)
    keys = make_keys(db_url)
    app = create_app(make_settings(db_url))
    with TestClient(app) as client:
        yield client, {role: {"X-API-Key": key} for role, key in keys.items()}


def _ids(response: object) -> list[str]:
    return [item["case_key"] for item in response.json()["items"]]  # type: ignore[attr-defined]


def test_list_filters_and_paging(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    everything = client.get("/v1/cases", headers=h["inspector"])
    assert everything.status_code == 200
    assert _ids(everything) == ["C", "B", "A"]
    assert everything.json()["total"] == 3
    assert _ids(client.get("/v1/cases?rule=SHS003", headers=h["inspector"])) == ["C", "A"]
    assert _ids(client.get("/v1/cases?severity=medium", headers=h["inspector"])) == ["B"]
    assert _ids(client.get("/v1/cases?site=shop.example.com", headers=h["inspector"])) == ["C", "B", "A"]
    assert _ids(client.get("/v1/cases?claimant=甲", headers=h["inspector"])) == ["A"]
    assert _ids(client.get("/v1/cases?claimant=%25", headers=h["inspector"])) == []
    assert _ids(client.get("/v1/cases?seen_from=2026-01-08", headers=h["inspector"])) == ["C", "B"]
    assert _ids(client.get("/v1/cases?seen_to=2026-01-05", headers=h["inspector"])) == ["A"]
    assert _ids(client.get("/v1/cases?status=open&status=dismissed", headers=h["admin"])) == ["C", "B", "A"]
    assert _ids(client.get("/v1/cases?status=confirmed", headers=h["inspector"])) == []
    page = client.get("/v1/cases?limit=2&offset=1", headers=h["inspector"]).json()
    assert [i["case_key"] for i in page["items"]] == ["B", "A"]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert client.get("/v1/cases?status=bogus", headers=h["inspector"]).status_code == 422
    counts = client.get("/v1/cases/counts", headers=h["inspector"]).json()["counts"]
    assert counts["open"] == 3 and counts["closed"] == 0


def test_detail_has_evidence_and_snapshot_hash(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    case_id = client.get("/v1/cases?rule=SHS009", headers=h["inspector"]).json()["items"][0]["id"]
    detail = client.get(f"/v1/cases/{case_id}", headers=h["inspector"]).json()
    assert detail["status"] == "open"
    assert detail["allowed_transitions"] == ["dismissed", "in_review"]
    [finding] = detail["findings"]
    assert finding["evidence"]["snippet"].startswith("执行标准")
    assert len(finding["snapshot"]["sha256"]) == 64
    assert finding["snapshot"]["url"] == "https://other.example.net/p"
    assert [e["kind"] for e in detail["events"]] == ["opened"]
    assert client.get("/v1/cases/999999", headers=h["inspector"]).status_code == 404


def test_transitions_comments_assignment(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    case_id = client.get("/v1/cases?rule=SHS009", headers=h["inspector"]).json()["items"][0]["id"]
    url = f"/v1/cases/{case_id}"
    moved = client.post(f"{url}/transitions", json={"to": "in_review"}, headers=h["inspector"])
    assert moved.status_code == 200 and moved.json()["status"] == "in_review"
    illegal = client.post(f"{url}/transitions", json={"to": "closed"}, headers=h["inspector"])
    assert illegal.status_code == 409
    no_reason = client.post(f"{url}/transitions", json={"to": "dismissed"}, headers=h["inspector"])
    assert no_reason.status_code == 422
    assert no_reason.json()["where"] == "reason"
    naive = client.post(
        f"{url}/transitions",
        json={"to": "confirmed", "due_at": "2030-01-01T00:00:00"},
        headers=h["inspector"],
    )
    assert naive.status_code == 422
    # As in the console, a deadline at most a year ahead (a typo like 2999 would park the case for ever).
    far = client.post(
        f"{url}/transitions",
        json={"to": "rectification_due", "due_at": "2999-06-01T00:00:00+08:00"},
        headers=h["inspector"],
    )
    assert far.status_code == 422 and far.json()["where"] == "due_at" and "365 days" in far.json()["detail"]
    comment = client.post(
        f"{url}/comments", json={"body": "checked the archived page"}, headers=h["inspector"]
    )
    assert comment.status_code == 201
    assigned = client.put(f"{url}/assignee", json={"assignee": "inspector-bob"}, headers=h["admin"])
    assert assigned.json()["assignee"] == "inspector-bob"
    assert _ids(client.get("/v1/cases?assignee=inspector-bob", headers=h["inspector"])) == ["B"]
    dismissed = client.post(
        f"{url}/transitions", json={"to": "dismissed", "reason": "satire page"}, headers=h["inspector"]
    ).json()
    assert dismissed["decision_reason"] == "satire page"
    assert [e["kind"] for e in dismissed["events"]] == [
        "opened",
        "transition",
        "commented",
        "assigned",
        "transition",
    ]
    assert dismissed["events"][-1]["actor"].startswith("inspector:test-inspector#")
    assert [c["body"] for c in dismissed["comments"]] == ["checked the archived page"]


def test_waivers_expire_closed(api: tuple[TestClient, dict[str, dict[str, str]]], db_url: str) -> None:
    client, h = api
    case_id = client.get("/v1/cases?rule=SHS009", headers=h["inspector"]).json()["items"][0]["id"]
    url = f"/v1/cases/{case_id}/waivers"
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).isoformat()
    assert (
        client.post(url, json={"reason": "x", "expires_at": soon}, headers=h["inspector"]).status_code == 403
    )
    assert client.post(url, json={"reason": "", "expires_at": soon}, headers=h["admin"]).status_code == 422
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat()
    assert client.post(url, json={"reason": "x", "expires_at": past}, headers=h["admin"]).status_code == 422
    far = (dt.datetime.now(dt.UTC) + dt.timedelta(days=800)).isoformat()
    assert client.post(url, json={"reason": "x", "expires_at": far}, headers=h["admin"]).status_code == 422
    granted = client.post(
        url, json={"reason": "licence under appeal", "expires_at": soon}, headers=h["admin"]
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["approver"].startswith("admin:test-admin#")
    assert _ids(client.get("/v1/cases?waived=true", headers=h["inspector"])) == ["B"]
    assert _ids(client.get("/v1/cases?waived=false", headers=h["inspector"])) == ["C", "A"]
    # Let the waiver lapse: an expired waiver no longer suppresses anything.
    with db.session_scope(db_url) as session:
        from markwatch.cases.models import Waiver

        session.query(Waiver).one().expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert _ids(client.get("/v1/cases?waived=true", headers=h["inspector"])) == []
    detail = client.get(f"/v1/cases/{case_id}", headers=h["inspector"]).json()
    assert detail["waived"] is False
    assert detail["waivers"][0]["active"] is False
    waiver_id = detail["waivers"][0]["id"]
    revoked = client.delete(f"{url}/{waiver_id}", headers=h["admin"])
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.delete(f"{url}/{waiver_id}", headers=h["admin"]).status_code == 409


def test_csv_export_neutralises_formulas(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, h = api
    response = client.get("/v1/cases/export.csv", headers=h["inspector"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    # Excel/WPS on a Chinese Windows read a CSV without a byte-order mark as GBK.
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["case_key"] for r in rows] == ["A", "B", "C"]
    claimants = {r["case_key"]: r["claimant"] for r in rows}
    assert claimants["B"] == '\'=HYPERLINK("http://evil")'
    assert claimants["C"] == "'@SUM(1+1)"
    assert claimants["A"] == "上海甲公司"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    only = client.get("/v1/cases/export.csv?rule=SHS009", headers=h["inspector"])
    assert len(list(csv.DictReader(io.StringIO(only.content.decode("utf-8-sig"))))) == 1


def test_csv_export_carries_each_cases_latest_evidence(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        first, second = make_sweep(session), make_sweep(session)
        add_finding(
            session, first, key="A", snippet="旧 执行标准：DB31/T 1108-2018（上海标准）", observed_at=T0
        )
        newest = add_finding(
            session,
            second,
            key="A",
            snippet="新 执行标准：DB31/T 1108-2018（上海标准）",
            observed_at=T0 + dt.timedelta(1),
        )
        newest.evidence = {**newest.evidence, "verbatim": "上海标准", "decoded_as": "gb18030"}
        add_finding(session, first, key="K", snippet="=cmd|' /C calc'!A0", observed_at=T0)
        ingest_sweep(session, first.id)
        ingest_sweep(session, second.id)
        sha = session.get(Snapshot, newest.snapshot_id).sha256  # type: ignore[union-attr]
    keys = make_keys(db_url)
    with TestClient(create_app(make_settings(db_url))) as client:
        text = client.get("/v1/cases/export.csv", headers={"X-API-Key": keys["inspector"]}).content
    rows = {r["case_key"]: r for r in csv.DictReader(io.StringIO(text.decode("utf-8-sig")))}
    assert (
        rows["A"]["evidence_snippet"] == "新 执行标准：DB31/T 1108-2018（上海标准）"
    )  # the newest finding's
    assert (rows["A"]["evidence_quote"], rows["A"]["decoded_as"]) == ("上海标准", "gb18030")
    assert rows["A"]["snapshot_sha256"] == sha
    assert rows["K"]["evidence_snippet"] == "'=cmd|' /C calc'!A0"  # evidence cells are guarded like the rest
    assert rows["K"]["evidence_quote"] == "" and rows["K"]["decoded_as"] == ""


def test_snapshot_bytes_are_downloadable_and_match_their_hash(
    api: tuple[TestClient, dict[str, dict[str, str]]], db_url: str
) -> None:
    client, h = api
    case_id = client.get("/v1/cases?rule=SHS009", headers=h["inspector"]).json()["items"][0]["id"]
    [finding] = client.get(f"/v1/cases/{case_id}", headers=h["inspector"]).json()["findings"]
    snapshot = finding["snapshot"]
    assert snapshot["decoded_as"] is None  # stored without it (the sweep records it, test_crawler_pipeline)
    raw = client.get(f"/v1/snapshots/{snapshot['id']}/raw", headers=h["inspector"])
    assert raw.status_code == 200 and hashlib.sha256(raw.content).hexdigest() == snapshot["sha256"]
    assert raw.headers["content-type"] == "application/octet-stream"
    assert raw.headers["content-disposition"].startswith("attachment;")
    assert (
        raw.headers["x-content-type-options"] == "nosniff"
        and "sandbox" in raw.headers["content-security-policy"]
    )
    digest = base64.b64encode(hashlib.sha256(raw.content).digest()).decode()
    assert raw.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert client.get(f"/v1/snapshots/{snapshot['id']}/raw", headers=h["enterprise"]).status_code == 403
    assert client.get("/v1/snapshots/999999/raw", headers=h["inspector"]).status_code == 404
    with db.session_scope(db_url) as session:
        stored = session.get(Snapshot, snapshot["id"])
        session.get(SnapshotBody, stored.body_sha256).body = b"not zlib"  # type: ignore[union-attr]
    damaged = client.get(f"/v1/snapshots/{snapshot['id']}/raw", headers=h["inspector"])
    assert damaged.status_code == 500 and "stored body is damaged" in damaged.json()["detail"]


def test_notice_sent_over_the_api_names_the_notice(api: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    """As in the console: a case is marked as notified only with the notice that was sent (number, day, how)."""
    client, h = api
    case_id = client.get("/v1/cases?rule=SHS009", headers=h["inspector"]).json()["items"][0]["id"]
    url = f"/v1/cases/{case_id}/transitions"
    client.post(url, json={"to": "in_review"}, headers=h["inspector"])
    client.post(url, json={"to": "confirmed", "reason": "wording"}, headers=h["inspector"])
    bare = client.post(url, json={"to": "notice_sent"}, headers=h["inspector"])
    assert bare.status_code == 422 and bare.json()["where"] == "notice_number"
    forged = {"number": "X-1", "sent_on": "2026-01-02", "method": "markwatch"}
    refused = client.post(url, json={"to": "notice_sent", "notice": forged}, headers=h["inspector"])
    assert refused.status_code == 422 and "was issued" in refused.json()["detail"]
    paper = {"number": "沪市监整〔2026〕7号", "sent_on": "2026-01-02", "method": "post"}
    moved = client.post(url, json={"to": "notice_sent", "notice": paper}, headers=h["inspector"])
    assert moved.status_code == 200 and moved.json()["status"] == "notice_sent"
    assert moved.json()["events"][-1]["payload"]["sent"] == paper


def test_a_case_whose_page_was_read_again_without_it_says_so(db_url: str) -> None:
    """A sweep closes only cases waiting for rectification: an open case whose claim is gone needs an
    inspector, who must be told it is gone rather than find a stale case."""
    with db.session_scope(db_url) as session:
        first = make_sweep(session)
        add_finding(session, first, key="A", observed_at=T0)
        ingest_sweep(session, first.id)
        partly = make_sweep(session)  # read only in part: says nothing about the claim
        session.add(
            SweepPage(sweep_id=partly.id, url=PAGE, status="partial", checked_at=T0 + dt.timedelta(1))
        )
        again = make_sweep(session)
        session.add(SweepPage(sweep_id=again.id, url=PAGE, status="ok", checked_at=T0 + dt.timedelta(2)))
        session.flush()
        ingest_sweep(session, partly.id)
        ingest_sweep(session, again.id)
        again_id = again.id
    keys = make_keys(db_url)
    app = create_app(make_settings(db_url))
    with TestClient(app) as client:
        h = {"X-API-Key": keys["inspector"]}
        case_id = client.get("/v1/cases", headers=h).json()["items"][0]["id"]
        detail = client.get(f"/v1/cases/{case_id}", headers=h).json()
        assert detail["status"] == "open" and detail["not_seen_since"]["sweep_id"] == again_id
        # The queue can be narrowed to such cases (the same judgement, in SQL over every case).
        assert [c["id"] for c in client.get("/v1/cases?claim_gone=true", headers=h).json()["items"]] == [
            case_id
        ]
        assert client.get("/v1/cases?claim_gone=false", headers=h).json()["total"] == 0
    with TestClient(console_app(db_url)) as console:
        sign_in(console, keys["inspector"])
        page = console.get(f"/console/cases/{case_id}").text
        assert f'id="not-seen" role="status" data-sweep="{again_id}">第 {again_id} 次巡查' in page
        queue = console.get("/console/cases?claim=gone").text
        assert f'href="/console/cases/{case_id}"' in queue and 'class="badge gone"' in queue
        assert 'class="badge gone"' not in console.get("/console/cases?claim=present").text
    with TestClient(app) as client:
        with db.session_scope(db_url) as session:
            session.get(Case, case_id).status = "dismissed"  # type: ignore[union-attr]
        assert client.get(f"/v1/cases/{case_id}", headers=h).json()["not_seen_since"] is None
        assert client.get("/v1/cases?claim_gone=true", headers=h).json()["total"] == 0


def test_a_case_seen_again_or_not_read_again_says_nothing(db_url: str) -> None:
    other_page = "https://shop.example.com/item/2"
    with db.session_scope(db_url) as session:
        first = make_sweep(session)
        add_finding(session, first, key="A", observed_at=T0)
        add_finding(session, first, key="B", page_url=other_page, observed_at=T0)
        ingest_sweep(session, first.id)
        second = make_sweep(session)
        add_finding(session, second, key="A", observed_at=T0 + dt.timedelta(1))
        session.add(SweepPage(sweep_id=second.id, url=PAGE, status="ok", checked_at=T0 + dt.timedelta(1)))
        # The same sweep read B's page whole without B: only B is gone, each case judged on its own.
        session.add(
            SweepPage(sweep_id=second.id, url=other_page, status="ok", checked_at=T0 + dt.timedelta(1))
        )
        other = make_sweep(session, target="other")  # another target's sweep of the same address
        session.add(SweepPage(sweep_id=other.id, url=PAGE, status="ok", checked_at=T0 + dt.timedelta(2)))
        session.flush()
        ingest_sweep(session, second.id)
        ingest_sweep(session, other.id)
        cases = {case.page_url: case for case in session.query(Case).all()}
        assert not_seen_since(session, cases[PAGE]) is None
        assert not_seen_since(session, cases[other_page]) is not None
        gone, total = list_cases(session, CaseFilter(claim_gone=True), limit=10, offset=0)
        assert total == 1 and gone[0].id == cases[other_page].id
        present, _ = list_cases(session, CaseFilter(claim_gone=False), limit=10, offset=0)
        assert [case.id for case in present] == [cases[PAGE].id]
