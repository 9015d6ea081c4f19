"""Sweeps over HTTP: list and detail with counts, trigger as a subprocess, 409 while one runs per target."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cases_support import add_finding, add_page, import_example_registry, make_keys, make_settings, make_sweep
from fastapi.testclient import TestClient

from api.app import create_app
from crawler.store.models import Sweep
from markwatch import db
from markwatch.cases.models import Case

# Stands in for `markwatch sweep run`: records its arguments, then sleeps for the time named by the test.
FAKE_SWEEP = (sys.executable, "-c", "import sys, time; print(sys.argv[1:]); time.sleep(float(sys.argv[1]))")


@pytest.fixture
def api_without_registry(db_url: str, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session, target="shop-a")
        add_page(session, sweep)
        add_finding(session, sweep, key="S1")
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        "targets:\n"
        + "".join(
            f"  - name: {name}\n    seeds: [{{url: 'https://{name}.example.com/'}}]\n"
            f"    allowed_domains: ['{name}.example.com']\n"
            for name in ("shop-a", "shop-b", "shop-c", "shop-d")
        )
    )
    app = create_app(
        make_settings(
            db_url,
            sweep_command=(*FAKE_SWEEP, "1.5"),
            sweep_log_dir=str(tmp_path),
            sweep_targets_file=str(targets),
        )
    )
    keys = make_keys(db_url)
    with TestClient(app) as client:
        yield client, {"X-API-Key": keys["inspector"]}


@pytest.fixture
def api(
    db_url: str, api_without_registry: tuple[TestClient, dict[str, str]]
) -> tuple[TestClient, dict[str, str]]:
    import_example_registry(db_url)  # POST /v1/sweeps refuses an empty registry (503)
    return api_without_registry


def test_list_and_detail(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    listed = client.get("/v1/sweeps", headers=headers).json()
    assert listed["total"] == 1
    [sweep] = listed["items"]
    assert (sweep["target"], sweep["state"], sweep["pages_checked"], sweep["findings"]) == (
        "shop-a",
        "finished",
        1,
        1,
    )
    assert sweep["pages_failed"] == 0
    assert client.get(f"/v1/sweeps/{sweep['id']}", headers=headers).json() == sweep
    assert client.get("/v1/sweeps?target=other", headers=headers).json()["total"] == 0
    assert client.get("/v1/sweeps/424242", headers=headers).status_code == 404


def test_trigger_one_at_a_time_per_target(api: tuple[TestClient, dict[str, str]], db_url: str) -> None:
    client, headers = api
    started = client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers)
    assert started.status_code == 202, started.text
    assert started.json()["running"] is True
    again = client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers)
    assert again.status_code == 409
    assert client.post("/v1/sweeps", json={"target": "shop-c"}, headers=headers).status_code == 202
    assert {r["target"] for r in client.get("/v1/sweeps/running", headers=headers).json()} == {
        "shop-b",
        "shop-c",
    }
    bad = client.post("/v1/sweeps", json={"target": "../etc"}, headers=headers)
    assert bad.status_code == 422
    unknown = client.post("/v1/sweeps", json={"target": "shop-z"}, headers=headers)
    assert unknown.status_code == 404
    runner = client.app.state.sweep_runner  # type: ignore[attr-defined]
    for launch in runner.running():
        assert launch.done.wait(20)
    assert client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers).status_code == 202
    for launch in runner.running():
        assert launch.done.wait(20)


def test_running_sweep_in_database_blocks_trigger(
    api: tuple[TestClient, dict[str, str]], db_url: str
) -> None:
    client, headers = api
    with db.session_scope(db_url) as session:
        # A sweep started elsewhere (CLI, scheduler) whose process is alive: this test process.
        live = make_sweep(session, target="shop-d")
        live.state, live.summary = "running", {"pid": os.getpid()}
    response = client.post("/v1/sweeps", json={"target": "shop-d"}, headers=headers)
    assert response.status_code == 409
    assert "still running" in response.json()["detail"]
    with db.session_scope(db_url) as session:
        stale = session.get(Sweep, live.id)
        assert stale is not None
        stale.summary = {"pid": 2**22 + 12345}  # a process that no longer exists: resumable, not blocking
    launched = client.post("/v1/sweeps", json={"target": "shop-d"}, headers=headers)
    assert launched.status_code == 202
    for launch in client.app.state.sweep_runner.running():  # type: ignore[attr-defined]
        assert launch.done.wait(20)


def test_finished_sweep_is_ingested_into_cases(api: tuple[TestClient, dict[str, str]], db_url: str) -> None:
    client, headers = api
    # The fake sweep writes nothing; ingest picks up the sweep row the real command would have written.
    started = client.post("/v1/sweeps", json={"target": "shop-a"}, headers=headers)
    assert started.status_code == 202
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session, target="shop-a")
        sweep.started_at = sweep.finished_at = db.utcnow()
        add_finding(session, sweep, key="NEW")
    for launch in client.app.state.sweep_runner.running():  # type: ignore[attr-defined]
        assert launch.done.wait(20)
    with db.session_scope(db_url) as session:
        assert session.query(Case).filter_by(case_key="NEW").count() == 1


def test_a_sweep_with_nothing_left_to_retry_is_ingested_marked_incomplete(
    api: tuple[TestClient, dict[str, str]], db_url: str
) -> None:
    """As record_end leaves a sweep whose every not-handled item used its MARKWATCH_MAX_ATTEMPTS attempts: a
    triggered run opens its cases as the scheduler does (marked; none closed by re-check)."""
    client, headers = api
    started = client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers)
    assert started.status_code == 202
    with db.session_scope(db_url) as session:
        sweep = make_sweep(session, target="shop-b")
        sweep.state, sweep.finished_at = "incomplete", None
        sweep.summary = {"unhandled": {"check_failed": 1}, "given_up": {"check_failed": 1},
                         "nothing_to_retry": True, "max_attempts": 3}  # fmt: skip
        add_finding(session, sweep, key="GIVEN-UP")
        retryable = make_sweep(session, target="shop-c")
        retryable.state, retryable.summary = "incomplete", {"unhandled": {"check_failed": 1}}
        add_finding(session, retryable, key="STILL-RETRYING")
        sweep_id = sweep.id
    for launch in client.app.state.sweep_runner.running():  # type: ignore[attr-defined]
        assert launch.done.wait(20)
    assert client.post("/v1/sweeps", json={"target": "shop-c"}, headers=headers).status_code == 202
    for launch in client.app.state.sweep_runner.running():  # type: ignore[attr-defined]
        assert launch.done.wait(20)
    with db.session_scope(db_url) as session:
        [case] = session.query(Case).filter_by(case_key="GIVEN-UP").all()
        assert f"from incomplete sweep {sweep_id}" in (case.confidence_reasons or [])
        # An incomplete sweep that still has items to retry is resumed next time, not ingested.
        assert session.query(Case).filter_by(case_key="STILL-RETRYING").count() == 0


def test_an_empty_registry_is_503_and_no_sweep_starts(
    api_without_registry: tuple[TestClient, dict[str, str]], db_url: str, tmp_path: Path
) -> None:
    """Against no designation every claim would become an SHS001 case: the same answer as a self-check."""
    client, headers = api_without_registry
    refused = client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers)
    assert refused.status_code == 503, refused.text
    assert refused.headers["content-type"] == "application/json"
    answer = refused.json()
    assert answer["error"] == "RegistryEmpty"
    assert "registry is empty" in answer["detail"] and "markwatch registry import" in answer["detail"]
    assert "--allow-empty-registry" not in answer["detail"] and db_url not in refused.text
    runner = client.app.state.sweep_runner  # type: ignore[attr-defined]
    assert runner.running() == [] and not list(tmp_path.glob("sweep-*.log"))
    # An unknown target is still a 404, whatever the registry.
    assert client.post("/v1/sweeps", json={"target": "shop-z"}, headers=headers).status_code == 404
    import_example_registry(db_url)
    started = client.post("/v1/sweeps", json={"target": "shop-b"}, headers=headers)
    assert started.status_code == 202, started.text
    for launch in runner.running():
        assert launch.done.wait(20)


def test_the_503_is_documented(api: tuple[TestClient, dict[str, str]]) -> None:
    client, _headers = api
    responses = client.get("/openapi.json").json()["paths"]["/v1/sweeps"]["post"]["responses"]
    assert responses["503"]["description"] == "The designation registry is empty (RegistryEmpty)"
