"""Console sessions live on the server: sign-out and an admin's revocation end them, copied cookies included."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from console_support import ConsoleData, console_app, seed, sign_in
from fastapi.testclient import TestClient

from api.console.session import SESSION_COOKIE
from markwatch import db
from markwatch.cases.audit import verify_chain
from markwatch.cases.models import CaseEvent
from markwatch.cases.sessions import ConsoleSessionRecord


@pytest.fixture
def app_and_data(db_url: str) -> Iterator[tuple[object, ConsoleData, str]]:
    data = seed(db_url)
    yield console_app(db_url), data, db_url


def _client_with(app: object, cookie: str) -> TestClient:
    client = TestClient(app)  # type: ignore[arg-type]
    client.cookies.set(SESSION_COOKIE, cookie, path="/console")
    return client


def test_sign_out_ends_the_session_for_every_copy_of_the_cookie(
    app_and_data: tuple[object, ConsoleData, str],
) -> None:
    app, data, db_url = app_and_data
    with TestClient(app) as client:  # type: ignore[arg-type]
        token = sign_in(client, data.keys["inspector"])
        cookie = client.cookies.get(SESSION_COOKIE)
        assert cookie
        copy = _client_with(app, cookie)
        assert copy.get("/console/cases", follow_redirects=False).status_code == 200
        out = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
        stale = copy.get("/console/cases", follow_redirects=False)
        assert stale.status_code == 303 and stale.headers["location"].startswith("/console/login")
    with db.session_scope(db_url) as session:
        record = session.query(ConsoleSessionRecord).one()
        assert record.revoked_at is not None and record.revoked_by.startswith("inspector:")


def test_admins_list_and_revoke_sessions_and_the_audit_records_it(
    app_and_data: tuple[object, ConsoleData, str],
) -> None:
    app, data, db_url = app_and_data
    with TestClient(app) as inspector, TestClient(app) as admin:  # type: ignore[arg-type]
        inspector_token = sign_in(inspector, data.keys["inspector"])
        assert inspector.get("/console/sessions").status_code == 403
        admin_token = sign_in(admin, data.keys["admin"])
        listing = admin.get("/console/sessions").text
        ids = [int(i) for i in re.findall(r'<tr data-session-id="(\d+)" data-active="yes">', listing)]
        assert len(ids) == 2 and "test-inspector" in listing and "test-admin" in listing
        with db.session_scope(db_url) as session:
            target = session.query(ConsoleSessionRecord).order_by(ConsoleSessionRecord.id).first()
            assert target is not None
            target_id = target.id
        revoked = admin.post(f"/console/sessions/{target_id}/revoke", data={"csrf_token": admin_token})
        assert revoked.status_code == 200 and 'id="flash"' in revoked.text
        after = inspector.post(
            f"/console/cases/{data.cases['expired']}/comment",
            data={"body": "still here?", "csrf_token": inspector_token},
            follow_redirects=False,
        )
        # Not applied: the sign-in page answers, saying so and keeping the comment (test_console_browser_conflicts).
        assert after.status_code == 401 and 'id="draft-notice"' in after.text and "still here?" in after.text
        assert admin.get("/console/cases", follow_redirects=False).status_code == 200
        ended = admin.get("/console/sessions?all=1").text
        assert f'<tr data-session-id="{target_id}" data-active="no">' in ended
    with db.session_scope(db_url) as session:
        event = session.query(CaseEvent).filter_by(kind="session_revoked").one()
        assert event.case_id is None and event.payload["session_id"] == target_id
        assert event.actor.startswith("admin:test-admin#")
        assert verify_chain(session) is None


def test_a_forged_or_unknown_session_id_signs_nobody_in(
    app_and_data: tuple[object, ConsoleData, str],
) -> None:
    from cases_support import TEST_SECRET

    from api.console.session import encode_session

    app, data, _ = app_and_data
    with TestClient(app) as client:  # type: ignore[arg-type]
        sign_in(client, data.keys["inspector"])
    # Correctly signed, but naming a session the server never opened (e.g. a pre-upgrade cookie).
    value, _ = encode_session(TEST_SECRET, 1, sid="not-a-session")
    response = _client_with(app, value).get("/console/cases", follow_redirects=False)
    assert response.status_code == 303


def test_console_sessions_migration_matches_the_model(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    engine = db.get_engine(db_url)
    with engine.connect() as connection:
        assert "console_sessions" in inspect(connection).get_table_names()
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, db.Base.metadata)
    assert [d for d in diffs if "console_sessions" in repr(d)] == []


def test_console_settings_come_from_the_environment_with_clear_errors() -> None:
    from api.console.settings import ConsoleSettings
    from markwatch.errors import InputError

    settings = ConsoleSettings.from_env(
        {"MARKWATCH_CONSOLE_TIMEZONE": "Asia/Urumqi", "MARKWATCH_CONSOLE_AUTHORITY_NAME": "某市场监管局"}
    )
    assert settings.timezone == "Asia/Urumqi" and settings.authority_name == "某市场监管局"
    assert ConsoleSettings().notice_number(year=2026, seq=7, case_id=1) == "沪标识整改〔2026〕0007号"
    with pytest.raises(InputError, match="MARKWATCH_CONSOLE_TIMEZONE"):
        ConsoleSettings.from_env({"MARKWATCH_CONSOLE_TIMEZONE": "Mars/Olympus"})
    with pytest.raises(InputError, match="MARKWATCH_CONSOLE_NOTICE_NUMBER_PATTERN"):
        ConsoleSettings.from_env({"MARKWATCH_CONSOLE_NOTICE_NUMBER_PATTERN": "{secret}"})
