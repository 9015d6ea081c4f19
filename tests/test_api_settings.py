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
