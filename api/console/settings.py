"""The console's own settings: the inspectors' time zone and the issuing authority printed on notices.

Read from MARKWATCH_CONSOLE_* variables once per app (the API's Settings stay the API's); tests put a
ConsoleSettings on `app.state.console_settings` or override `console_settings`.
"""

from __future__ import annotations

import datetime as dt
import os
import string
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from markwatch.errors import InputError

ENV_PREFIX = "MARKWATCH_CONSOLE_"
# Placeholders a notice number may use: the year it is issued in (inspectors' zone), the running number of
# notices issued that year, and the case id.
NUMBER_FIELDS = frozenset({"year", "seq", "case_id"})


class ConsoleSettings(BaseModel):
    """What the console shows and prints beyond the data: local time, the authority, the notice numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Deadlines, observation times and audit times are shown in this zone; a typed date means the end of
    # that day here. Shanghai deployments keep the default.
    timezone: str = Field(default="Asia/Shanghai", description="IANA zone the inspectors work in")
    authority_name: str = Field(default="", max_length=200, description="issuing authority on notices")
    authority_address: str = Field(default="", max_length=300)
    authority_contact: str = Field(default="", max_length=200, description="telephone / e-mail for replies")
    notice_number_pattern: str = Field(
        default="沪标识整改〔{year}〕{seq:04d}号", max_length=100, description="str.format pattern"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("notice_number_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        unknown = names - NUMBER_FIELDS
        if unknown or "seq" not in names:
            raise ValueError(
                f"the notice number pattern must use {{seq}} and only {sorted(NUMBER_FIELDS)}, got {value!r}"
            )
        value.format(year=2024, seq=1, case_id=1)
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The inspectors' time zone."""
        return ZoneInfo(self.timezone)

    def notice_number(self, *, year: int, seq: int, case_id: int) -> str:
        """The number of the `seq`-th notice issued in `year`."""
        return self.notice_number_pattern.format(year=year, seq=seq, case_id=case_id)

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """23:59:59 local time on `day`: what a typed deadline date means."""
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=self.zone)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ConsoleSettings:
        """MARKWATCH_CONSOLE_<FIELD> variables; a bad value is an InputError naming the variable."""
        env = dict(os.environ if environ is None else environ)
        values = {
            name: env[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in env
        }
        try:
            return cls(**values)
        except ValidationError as exc:
            where = ", ".join(ENV_PREFIX + str(e["loc"][0]).upper() for e in exc.errors() if e["loc"])
            raise InputError(f"invalid console settings: {exc.errors()[0]['msg']}", where=where) from exc


def console_settings(request: Request) -> ConsoleSettings:
    """The app's console settings, read from the environment on first use."""
    settings = getattr(request.app.state, "console_settings", None)
    if not isinstance(settings, ConsoleSettings):
        settings = ConsoleSettings.from_env()
        request.app.state.console_settings = settings
    return settings


ConsoleSettingsDep = Annotated[ConsoleSettings, Depends(console_settings)]
