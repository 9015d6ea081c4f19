"""GET /v1/scheduler: the schedule per target for inspectors and admins; 401 without a key, 403 otherwise."""

from __future__ import annotations

from pathlib import Path

from cases_support import make_keys, make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from crawler.store.models import Sweep
from markwatch import db
from markwatch.schedule.models import SchedulerRun


def _targets(tmp_path: Path) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(
        "targets:\n"
        "  - name: shop-a\n    seeds: [{url: 'https://a.example.com/'}]\n    allowed_domains: [a.example.com]\n"
        '    schedule: "0 9 * * 1"\n'
        "  - name: shop-b\n    seeds: [{url: 'https://b.example.com/'}]\n    allowed_domains: [b.example.com]\n",
        encoding="utf-8",
    )
    return path


def test_schedule_per_target(db_url: str, tmp_path: Path) -> None:
    with db.session_scope(db_url) as session:
        sweep = Sweep(target="shop-a", started_at=db.utcnow(), state="finished", pages_fetched=3)
        session.add(sweep)
        session.flush()
        session.add(
            SchedulerRun(
                target="shop-a", scheduled_for=db.utcnow(), outcome="finished", exit_code=0, sweep_id=sweep.id,
                coalesced=2,
            )
        )  # fmt: skip
    settings = make_settings(db_url, sweep_targets_file=str(_targets(tmp_path)), timezone="Asia/Shanghai")
    keys = make_keys(db_url)
    with TestClient(create_app(settings)) as client:
        for role in ("inspector", "admin"):
            response = client.get("/v1/scheduler", headers={"X-API-Key": keys[role]})
            assert response.status_code == 200, response.text
            shop_a, shop_b = response.json()
            assert shop_a["schedule"] == "0 9 * * 1" and shop_a["timezone"] == "Asia/Shanghai"
            assert shop_a["next_run"].endswith("T09:00:00+08:00") or shop_a["next_run"].endswith("T01:00:00Z")
            assert shop_a["last_sweep"]["pages"] == 3 and shop_a["last_run"]["coalesced"] == 2
            assert shop_b == {
                "target": "shop-b", "schedule": None, "timezone": "Asia/Shanghai", "next_run": None,
                "last_run": None, "last_sweep": None,
            }  # fmt: skip
        assert client.get("/v1/scheduler", headers={"X-API-Key": keys["enterprise"]}).status_code == 403
        assert client.get("/v1/scheduler").status_code == 401
        assert client.get("/v1/scheduler", headers={"X-API-Key": "mwk_wrong"}).status_code == 401


def test_without_a_targets_file_is_404(sqlite_url: str) -> None:
    keys = make_keys(sqlite_url)
    with TestClient(create_app(make_settings(sqlite_url))) as client:
        response = client.get("/v1/scheduler", headers={"X-API-Key": keys["inspector"]})
    assert response.status_code == 404
    assert "no sweep targets file is configured" in response.json()["detail"]
