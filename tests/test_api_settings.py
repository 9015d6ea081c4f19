"""Settings: placeholder secrets refused outside development; environment variables read explicitly."""

from __future__ import annotations

import pytest

from api.settings import Environment, Settings
from markwatch.errors import InputError

STRONG = "s" * 40


@pytest.mark.parametrize("environment", ["test", "production"])
@pytest.mark.parametrize("secret", ["changeme", "", "secret", "short-but-not-placeholder"])
def test_placeholder_secret_refused_outside_development(environment: str, secret: str) -> None:
    with pytest.raises(InputError, match="MARKWATCH_SECRET_KEY"):
        Settings.from_env({"MARKWATCH_ENVIRONMENT": environment, "MARKWATCH_SECRET_KEY": secret})


def test_development_tolerates_the_placeholder() -> None:
    assert Settings.from_env({}).environment is Environment.DEVELOPMENT


def test_environment_variables_are_read() -> None:
    settings = Settings.from_env(
        {
            "MARKWATCH_ENVIRONMENT": "production",
            "MARKWATCH_SECRET_KEY": STRONG,
            "MARKWATCH_DB": "sqlite:////tmp/x.db",
            "MARKWATCH_RATE_LIMIT_PER_MINUTE": "7",
            "MARKWATCH_FETCH_ALLOW_NETWORKS": "127.0.0.1/32, ::1/128",
        }
    )
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.rate_limit_per_minute == 7
    assert settings.fetch_allow_networks == ("127.0.0.1/32", "::1/128")


@pytest.mark.parametrize(
    "env",
    [
        {"MARKWATCH_RATE_LIMIT_PER_MINUTE": "lots"},
        {"MARKWATCH_FETCH_ALLOW_NETWORKS": "not-a-network"},
        {"MARKWATCH_ENVIRONMENT": "staging"},
    ],
)
def test_bad_values_are_input_errors(env: dict[str, str]) -> None:
    with pytest.raises(InputError, match="invalid settings"):
        Settings.from_env(env)


def test_a_bad_value_is_one_line_naming_the_variable_and_what_it_accepts() -> None:
    """QA #19: pydantic's report named the field (api_docs) over several lines and linked its docs."""
    with pytest.raises(InputError) as raised:
        Settings.from_env({"MARKWATCH_API_DOCS": "maybe", "MARKWATCH_FETCH_TIMEOUT_SECONDS": "s3cret-ish"})
    message = str(raised.value)
    assert "\n" not in message
    assert "MARKWATCH_API_DOCS: should be true or false" in message
    assert "MARKWATCH_FETCH_TIMEOUT_SECONDS: should be a number" in message
    # Values are not repeated: a variable may hold a secret.
    assert "s3cret" not in message and "maybe" not in message
    assert "api_docs" not in message and "pydantic" not in message


def test_docs_may_be_switched_on_in_production() -> None:
    # /docs loads nothing from other servers (api/docs.py), so production may have it.
    on = Settings.from_env(
        {"MARKWATCH_ENVIRONMENT": "production", "MARKWATCH_SECRET_KEY": STRONG, "MARKWATCH_API_DOCS": "true"}
    )
    assert on.docs_enabled
    assert not Settings.from_env(
        {"MARKWATCH_ENVIRONMENT": "production", "MARKWATCH_SECRET_KEY": STRONG}
    ).docs_enabled
