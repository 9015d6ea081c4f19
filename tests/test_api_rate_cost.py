"""Rate limits weigh what a request costs: a batch item counts as one self-check, and every keyed answer says
what is left (RateLimit-Limit / -Remaining / -Reset)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import REGISTRY, make_keys, make_settings
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from checker.registry import import_registry_file
from markwatch import db
from markwatch.cases.models import SelfCheck

TEXT = {"text": "执行标准：GB/T 10001-2020（上海标准）"}


@pytest.fixture
def limited(db_url: str) -> Iterator[tuple[TestClient, dict[str, str], str]]:
    """The real app and checker; a budget of 10 self-checks, refilled at 1 a minute (nothing refills during a test)."""
    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    keys = make_keys(db_url)
    settings = make_settings(db_url, rate_limit_per_minute=1, rate_limit_burst=10, batch_max_items=20)
    with TestClient(create_app(settings)) as client:
        yield client, {"X-API-Key": keys["enterprise"]}, db_url


def _stored(url: str) -> int:
    with db.session_scope(url) as session:
        return session.scalar(select(func.count(SelfCheck.id))) or 0


def test_each_batch_item_counts_against_the_key_budget(
    limited: tuple[TestClient, dict[str, str], str],
) -> None:
    client, headers, url = limited
    first = client.post("/v1/selfcheck/batch", json={"items": [TEXT] * 6}, headers=headers)
    assert first.status_code == 201
    assert first.headers["ratelimit-limit"] == "10"
    assert first.headers["ratelimit-remaining"] == "4"
    assert 350 <= int(first.headers["ratelimit-reset"]) <= 360  # 6 tokens at 1 a minute
    # 6 more do not fit in the 4 left: refused whole, nothing checked or stored, and told when they would fit.
    second = client.post("/v1/selfcheck/batch", json={"items": [TEXT] * 6}, headers=headers)
    assert second.status_code == 429
    assert second.json()["error"] == "RateLimited"
    assert 100 <= int(second.headers["retry-after"]) <= 120  # the 2 missing, at 1 a minute
    assert second.headers["ratelimit-remaining"] == "4"
    assert _stored(url) == 6
    # What does fit still runs: the refusal took nothing.
    third = client.post("/v1/selfcheck/batch", json={"items": [TEXT] * 4}, headers=headers)
    assert third.status_code == 201
    assert third.headers["ratelimit-remaining"] == "0"
    assert client.post("/v1/selfcheck", json=TEXT, headers=headers).status_code == 429
    assert _stored(url) == 10


def test_a_batch_larger_than_the_whole_budget_is_a_422_not_a_wait(
    limited: tuple[TestClient, dict[str, str], str],
) -> None:
    client, headers, url = limited
    answer = client.post("/v1/selfcheck/batch", json={"items": [TEXT] * 11}, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["where"] == "items"
    assert "MARKWATCH_RATE_LIMIT_BURST" in answer.json()["detail"]
    assert "retry-after" not in answer.headers
    assert _stored(url) == 0
    # A batch over BATCH_MAX_ITEMS costs one request and is refused by the item limit, as before.
    over = client.post("/v1/selfcheck/batch", json={"items": [TEXT] * 21}, headers=headers)
    assert over.status_code == 422 and "at most 20 items" in over.json()["detail"]


def test_every_keyed_answer_reports_the_budget(limited: tuple[TestClient, dict[str, str], str]) -> None:
    client, headers, _url = limited
    single = client.post("/v1/selfcheck", json=TEXT, headers=headers)
    listed = client.get("/v1/selfcheck", headers=headers)
    forbidden = client.get("/v1/cases", headers=headers)
    assert [single.status_code, listed.status_code, forbidden.status_code] == [201, 200, 403]
    assert [int(r.headers["ratelimit-remaining"]) for r in (single, listed, forbidden)] == [9, 8, 7]
    # No key, no budget to report.
    assert "ratelimit-remaining" not in client.get("/v1/health").headers


def test_items_a_batch_budget_did_not_reach_are_not_charged(db_url: str) -> None:
    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    keys = make_keys(db_url)
    settings = make_settings(db_url, rate_limit_per_minute=1, rate_limit_burst=10, batch_max_claims=2)
    with TestClient(create_app(settings)) as client:
        answer = client.post(
            "/v1/selfcheck/batch", json={"items": [TEXT] * 5}, headers={"X-API-Key": keys["enterprise"]}
        )
    assert answer.status_code == 201, answer.text
    spent = [item for item in answer.json()["items"] if item.get("error") == "BatchSpent"]
    checked = answer.json()["checked"]
    assert spent and checked + len(spent) == 5
    # Only what was checked is paid for; the rest is to be sent again.
    assert int(answer.headers["ratelimit-remaining"]) == 10 - checked
