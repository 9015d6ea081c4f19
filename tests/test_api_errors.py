"""Errors are mapped at one place: input families are 4xx with the field named, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_support import make_settings
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from api.app import create_app
from api.errors import is_write_race, status_for
from markwatch import db
from markwatch.errors import (
    CodeParseError,
    ConflictError,
    DatabaseError,
    FetchError,
    MarkwatchError,
    NotFoundError,
    RegistryImportError,
)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NotFoundError("x"), 404),
        (CodeParseError("x"), 422),
        (RegistryImportError("x", source="a.yaml", where="record 3"), 422),
        (ConflictError("x"), 409),
        (FetchError("x"), 422),
        (DatabaseError("x"), 503),
        (MarkwatchError("x"), 500),
    ],
)
def test_families_map_to_statuses(error: MarkwatchError, status: int) -> None:
    assert status_for(error) == status


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    probe = APIRouter()

    @probe.get("/probe/{kind}")
    def raise_one(kind: str) -> None:
        if kind == "input":
            raise RegistryImportError("bad date", source="list.yaml", where="record 3, field valid_until")
        raise ConflictError("case 1 is closed")

    app = create_app(make_settings(sqlite_url), extra_routers=(probe,))
    with TestClient(app) as test_client:
        yield test_client
    db.reset_caches()


def test_error_bodies_name_the_field(client: TestClient) -> None:
    response = client.get("/probe/input")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "bad date",
        "error": "RegistryImportError",
        "source": "list.yaml",
        "where": "record 3, field valid_until",
    }
    conflict = client.get("/probe/conflict")
    assert (conflict.status_code, conflict.json()["detail"]) == (409, "case 1 is closed")
    assert "Traceback" not in conflict.text


def _refusal(db_url: str, statement: str) -> IntegrityError:
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE IF NOT EXISTS refusals (k INTEGER UNIQUE NOT NULL)"))
            connection.execute(text("DELETE FROM refusals"))
            connection.execute(text("INSERT INTO refusals (k) VALUES (1)"))
        with pytest.raises(IntegrityError) as caught, engine.begin() as connection:
            connection.execute(text(statement))
        return caught.value
    finally:
        engine.dispose()


def test_only_a_race_between_writers_is_answered_retry(db_url: str) -> None:
    """Before: every IntegrityError was answered 409 "a concurrent change conflicted; retry", a NOT NULL
    refusal (a bug of ours) included, which no retry cures."""
    assert is_write_race(_refusal(db_url, "INSERT INTO refusals (k) VALUES (1)"))
    assert not is_write_race(_refusal(db_url, "INSERT INTO refusals (k) VALUES (NULL)"))
