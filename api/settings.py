"""API settings: explicit values with environment overrides; refuses placeholder secrets outside development."""

from __future__ import annotations

import ipaddress
import os
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from api.settings_errors import explain
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
    # A request body must have arrived this long after the request began (408 beyond): slow senders hold a
    # connection each, with no key needed.
    body_timeout_seconds: float = Field(default=60.0, gt=0, le=3600)
    # A request's headers must have arrived this long after the connection opened or its last answer (the
    # connection is closed beyond): above what an honest client needs on a slow link (nginx allows 60 s).
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=3600)
    max_page_size: int = Field(default=200, ge=1, le=1000)
    # Per key, in self-checks: a request costs one, a batch one per item (taken whole or refused), so the
    # burst is also the largest batch a key can send: it defaults to BATCH_MAX_ITEMS' default.
    rate_limit_per_minute: int = Field(default=120, ge=1)
    rate_limit_burst: int = Field(default=100, ge=1)
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
    # URL self-checks wait on other servers: bounded per key and per process, refused (429) beyond.
    fetch_max_concurrent_per_key: int = Field(default=4, ge=1, le=1000)
    fetch_max_concurrent: int = Field(default=64, ge=1, le=10_000)
    # A valid key is trusted for this long without a database lookup; a revoked key stops within it.
    auth_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    # Wrong API keys per client address: a burst, then this many per minute (429 beyond).
    auth_failures_per_minute: int = Field(default=20, ge=1)
    auth_failure_burst: int = Field(default=10, ge=1)
    # Failed console sign-ins per client address, likewise.
    sign_in_failures_per_minute: int = Field(default=6, ge=1)
    sign_in_failure_burst: int = Field(default=5, ge=1)
    # A self-check checks at most this many claims (the rest are counted and named in a note).
    selfcheck_max_claims: int = Field(default=500, ge=1, le=100_000)
    # Claims and findings carried in a self-check answer; the rest are paged from its sub-resources.
    selfcheck_answer_items: int = Field(default=100, ge=1, le=1000)
    # Texts or pages in one POST /v1/selfcheck/batch.
    batch_max_items: int = Field(default=100, ge=1, le=1000)
    # What one batch may cost in all: items past it are answered "not checked" (each item's own limits are a
    # single self-check's, so 100 items would otherwise cost 100 self-checks at their limits).
    batch_max_claims: int = Field(default=2000, ge=1, le=1_000_000)
    batch_cpu_seconds: float = Field(default=10.0, gt=0, le=3600)
    # Batches of one key queued or running at once per process (429 beyond): batches take turns whole, so
    # one key's 30 batches at once made every other key's batch wait behind all of them (~40 s).
    batch_max_concurrent_per_key: int = Field(default=4, ge=1, le=1000)
    # How often the registry's one-query fingerprint is re-read (another process may have imported).
    registry_check_seconds: float = Field(default=1.0, ge=0, le=3600)
    # /docs and /openapi.json: None means on outside production, off in production. /docs loads nothing
    # from other servers (api/docs.py), so switching it on in production is safe.
    api_docs: bool | None = None
    # How often the API signs a checkpoint of the audit chain when it moved (0: only on `audit verify`/
    # `audit checkpoint`); the key and the export file are read from the environment (cases/checkpoints.py).
    audit_checkpoint_seconds: float = Field(default=300.0, ge=0)

    @property
    def docs_enabled(self) -> bool:
        """Whether /docs and /openapi.json are served."""
        return self.api_docs if self.api_docs is not None else self.environment is not Environment.PRODUCTION

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

        try:
            zone(value)
        except InputError as exc:
            # As a ValueError it is reported with the other settings errors, naming MARKWATCH_TIMEZONE.
            raise ValueError(exc.detail) from None
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
            # One line naming each variable and what it accepts, never pydantic's multi-line report.
            raise InputError(f"invalid settings: {explain(exc, ENV_PREFIX)}") from None
