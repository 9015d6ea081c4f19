"""Registry lookups in any spelling with status as of a date; rules list and detail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import REGISTRY, make_keys, make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from checker.registry import import_registry_file
from markwatch import db


@pytest.fixture
def api(db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with db.session_scope(db_url) as session:
        import_registry_file(session, REGISTRY)
    app = create_app(make_settings(db_url))
    keys = make_keys(db_url)
    with TestClient(app) as client:
        yield client, {"X-API-Key": keys["enterprise"]}


@pytest.mark.parametrize(
    "spelling",
    ["DB31/T 1108-2018", "ＤＢ３１／Ｔ１１０８—２０１８", "db31/t1108－2018", "DB31/T\u30001108‐2018"],
)
def test_lookup_any_spelling(api: tuple[TestClient, dict[str, str]], spelling: str) -> None:
    client, headers = api
    response = client.get("/v1/registry/lookup", params={"code": spelling}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["designation"]["code"] == "DB31/T 1108-2018"
    assert body["designation"]["status"] == "designated"


def test_holders_are_served_with_their_registered_other_names(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    response = client.get("/v1/registry/lookup", params={"code": "Q/DEMO 0002-2023"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["designation"]["holders"] == [
        {
            "name": "演示科技有限公司（虚构）",
            "uscc": "91310000DEMO00002Y",
            "english_names": ["Demo Technology Co., Ltd. (fictional)"],
            "former_names": [],
        }
    ]
    # A holder with no English name registered is served with an empty list: "not compared", not unknown.
    real = client.get("/v1/registry/lookup", params={"code": "DB31/T 1108-2018"}, headers=headers).json()
    assert real["designation"]["holders"][0]["english_names"] == []


def test_status_as_of_a_date(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    before = client.get(
        "/v1/registry/lookup", params={"code": "DB31/T 1108-2018", "as_of": "2020-01-01"}, headers=headers
    ).json()
    assert before["designation"]["status"] == "not-designated"
    assert before["designation"]["as_of"] == "2020-01-01"


def test_unknown_code_is_404_naming_other_editions(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    response = client.get("/v1/registry/lookup", params={"code": "DB31/T 1108-2030"}, headers=headers)
    assert response.status_code == 404
    assert "DB31/T 1108-2018" in response.json()["detail"]
    assert client.get("/v1/registry/lookup", params={"code": "不是编号"}, headers=headers).status_code == 404


def test_list_with_filters(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    everything = client.get("/v1/registry", headers=headers).json()
    assert everything["total"] >= 2
    local = client.get("/v1/registry", params={"type": "local"}, headers=headers).json()
    assert {d["type"] for d in local["items"]} == {"local"}
    designated = client.get("/v1/registry", params={"status": "designated"}, headers=headers).json()
    assert all(d["status"] == "designated" for d in designated["items"])
    by_title = client.get("/v1/registry", params={"q": "救护车"}, headers=headers).json()
    assert [d["code"] for d in by_title["items"]] == ["DB31/T 1108-2018"]
    page = client.get("/v1/registry", params={"limit": 1, "offset": 1}, headers=headers).json()
    assert len(page["items"]) == 1 and page["total"] == everything["total"]
    assert client.get("/v1/registry", params={"type": "national"}, headers=headers).status_code == 422


def test_rules_list_and_detail(api: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = api
    listed = client.get("/v1/rules", headers=headers).json()
    ids = [r["id"] for r in listed["rules"]]
    assert ids == sorted(ids) and "SHS003" in ids and len(ids) >= 11
    detail = client.get("/v1/rules/SHS003", headers=headers).json()
    assert detail["slug"] == "designation-expired"
    assert detail["severity"] == "high"
    assert "grace_days" in detail["params"]
    assert detail["remediation"]["zh"]
    assert client.get("/v1/rules/SHS999", headers=headers).status_code == 404
    assert client.get("/v1/rules/nope", headers=headers).status_code == 422
