"""API settings: explicit values with environment overrides; refuses placeholder secrets outside development."""

from __future__ import annotations

import ipaddress
import os
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler.runner import default_sweep_command
from markwatch.config import database_url
from markwatch.errors import InputError

ENV_PREFIX = "MARKWATCH_"
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development", "placeholder"})


class Environment(StrEnum):
    """Where the app runs; only development tolerates a placeholder secret."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseModel):
    """Everything the app reads at start; tests build one directly, `from_env` reads MARKWATCH_*."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    environment: Environment = Environment.DEVELOPMENT
    database_url: str = Field(default_factory=database_url)
    # Signs console session cookies (issue 7); a placeholder is refused outside development.
    secret_key: str = "changeme"
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_page_size: int = Field(default=200, ge=1, le=1000)
    rate_limit_per_minute: int = Field(default=120, ge=1)
    rate_limit_burst: int = Field(default=30, ge=1)
    fetch_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    fetch_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    # Networks the fetcher may reach although they are not public (tests: 127.0.0.1/32).
    fetch_allow_networks: tuple[str, ...] = ()
    # `python -m markwatch.cli sweep run` with this interpreter: works without a virtualenv on PATH.
    sweep_command: tuple[str, ...] = Field(default_factory=default_sweep_command)
    sweep_targets_file: str | None = Field(
        default=None, description="the targets file sweeps are started from"
    )
    sweep_log_dir: str | None = Field(default=None, description="default: MARKWATCH_HOME/sweep-logs")
    # The zone cron lines are read in; the scheduler takes the same MARKWATCH_TIMEZONE.
    timezone: str = Field(default="UTC", description="IANA time zone of the targets' cron schedules")

    @field_validator("fetch_allow_networks")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            ipaddress.ip_network(item, strict=False)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from markwatch.schedule.cron import zone

        zone(value)
        return value

    @model_validator(mode="after")
    def _no_placeholder_secret(self) -> Settings:
        if self.environment is not Environment.DEVELOPMENT and (
            self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 32
        ):
            raise ValueError(
                f"MARKWATCH_SECRET_KEY must be set to a random value of 32+ characters in {self.environment}"
            )
        return self

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read MARKWATCH_<FIELD> variables (lists comma-separated); explicit overrides win."""
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is None:
                continue
            is_tuple = "tuple" in str(field.annotation)
            values[name] = tuple(p.strip() for p in raw.split(",") if p.strip()) if is_tuple else raw
        if "database_url" not in values and ENV_PREFIX + "DB" in env:
            values["database_url"] = env[ENV_PREFIX + "DB"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            raise InputError(f"invalid settings: {exc}", source="environment") from exc
