"""The strict schema of one import record, and validation of a whole file's records."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from checker.codes import SHANGHAI_PROVINCE, CodeKind, StandardCode, code_key, parse_code
from checker.holder_names import english_name_key, has_cjk
from checker.registry.models import CODE_LENGTH, DesignationType
from checker.registry.problems import Problem, raise_problems, record_where
from checker.registry.sources import RawRecord, SourceFile
from markwatch.errors import CodeParseError

# Length and charset only: placeholder codes in published lists (51310000 then ten "X") must pass,
# and the check digit is not needed to tell holders apart.
USCC_PATTERN = re.compile(r"[0-9A-Z]{18}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

EXPECTED_KIND = {
    DesignationType.LOCAL: CodeKind.LOCAL,
    DesignationType.GROUP: CodeKind.GROUP,
    DesignationType.ENTERPRISE: CodeKind.ENTERPRISE,
}
CODE_FORMS = {
    DesignationType.LOCAL: "a Shanghai local standard code (DB31/T 1108-2018)",
    DesignationType.GROUP: "a group standard code (T/SHHJ 000003-2018)",
    DesignationType.ENTERPRISE: "an enterprise standard code (Q/ABC 0001-2023)",
}


def _uscc(value: Any) -> Any:
    if isinstance(value, str) and not USCC_PATTERN.fullmatch(value.strip()):
        raise ValueError(f"a unified social credit code is 18 digits or capital letters, got {value!r}")
    return value.strip() if isinstance(value, str) else value


def _iso_date(value: Any) -> Any:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"got {value!r}, which is not a calendar date") from None
    raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


IsoDate = Annotated[dt.date | None, BeforeValidator(_iso_date)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _english_name(value: Any) -> Any:
    # An English name is compared with English names on pages (checker/holder_names.py); one holding
    # Chinese characters is a Chinese name put in the wrong field, and one that is nothing but a legal form
    # ("Co., Ltd.") would name every company.
    if not isinstance(value, str):
        return value
    text = value.strip()
    if has_cjk(text):
        raise ValueError(f"an English name holds no Chinese characters, got {value!r}")
    if text and not english_name_key(text):
        raise ValueError(f"{value!r} is only a legal form, not a company's name")
    return text


EnglishName = Annotated[str, BeforeValidator(_english_name), StringConstraints(min_length=1)]


class HolderIn(BaseModel):
    """A holder as written in an import file.

    `english_names`: the English names registered for the holder (its registration/USCC record), never a
    translation made up for it; a holder without one is not compared with English names on pages.
    `former_names`: names it was registered under before a rename, in either script."""

    model_config = ConfigDict(extra="forbid")

    name: Text
    uscc: Annotated[str | None, BeforeValidator(_uscc)] = None
    english_names: Annotated[list[EnglishName], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    former_names: Annotated[list[Text], BeforeValidator(_none_as_empty)] = Field(default_factory=list)


class DesignationIn(BaseModel):
    """One designation as written in an import file; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CODE_LENGTH)]
    title: Text
    type: DesignationType
    holders: Annotated[list[HolderIn], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    designated_on: IsoDate = None
    valid_until: IsoDate = None
    revoked_on: IsoDate = None
    abolished_on: IsoDate = None
    pool_entered_on: IsoDate = None
    scope: Annotated[list[Text], BeforeValidator(_none_as_empty)] = Field(default_factory=list)
    source: Text | None = None
    note: Text | None = None


@dataclass(frozen=True)
class ValidDesignation:
    """A validated record with the keys derived from its code."""

    number: int
    line: int | None
    data: DesignationIn
    code_key: str
    number_key: str
    year: int | None


# A designation cannot end before it begins: these dates must not be earlier than designated_on.
_NOT_BEFORE_DESIGNATION = ("valid_until", "revoked_on")


class Validator:
    """Validates records one at a time, remembering every problem and each code key seen."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self._first_by_key: dict[str, int] = {}

    def check(self, record: RawRecord) -> ValidDesignation | None:
        """The record validated with its keys, or None (its problems recorded)."""
        if record.problems:
            self.problems.extend(record.problems)
            return None
        try:
            data = DesignationIn.model_validate(record.fields)
        except ValidationError as exc:
            self.problems.extend(_problems_from(record, exc))
            return None
        order = _date_order_problems(record, data)
        if order:
            self.problems.extend(order)
            return None
        try:
            designation = _with_keys(record, data)
        except CodeParseError as exc:
            self.problems.append(Problem(_where(record, "code"), exc.detail))
            return None
        earlier = self._first_by_key.setdefault(designation.code_key, record.number)
        if earlier != record.number:
            self.problems.append(
                Problem(
                    _where(record, "code"),
                    f"duplicate: '{data.code}' is the same code as record {earlier} (key '{designation.code_key}')",
                )
            )
            return None
        return designation

    def raise_if_any(self) -> None:
        """Raise one RegistryImportError listing the problems, when there are any."""
        if self.problems:
            raise_problems(self.source, self.problems)


def validate_records(source: SourceFile) -> list[ValidDesignation]:
    """Validate every record; raise one RegistryImportError listing all problems, or return them all."""
    validator = Validator(source.name)
    valid = [found for record in source.records() if (found := validator.check(record)) is not None]
    validator.raise_if_any()
    return valid


def _date_order_problems(record: RawRecord, data: DesignationIn) -> list[Problem]:
    start = data.designated_on
    if start is None:
        return []
    return [
        Problem(
            _where(record, name),
            f"{name} {getattr(data, name).isoformat()} is before designated_on {start.isoformat()} "
            f"(code {data.code!r})",
        )
        for name in _NOT_BEFORE_DESIGNATION
        if getattr(data, name) is not None and getattr(data, name) < start
    ]


def _with_keys(record: RawRecord, data: DesignationIn) -> ValidDesignation:
    if data.type is DesignationType.ENTERPRISE_JOINT:
        # Enterprise-joint numbering is not published (domain.md §2): accept any code as data.
        try:
            parsed: StandardCode | None = parse_code(data.code)
        except CodeParseError:
            parsed = None
        key = code_key(data.code)
        number_key = parsed.number_key if parsed else key
        year = parsed.year if parsed else None
    else:
        parsed = _parse_for_type(data.code, data.type)
        key, number_key, year = parsed.key, parsed.number_key, parsed.year
    if len(key) > CODE_LENGTH:
        raise CodeParseError(f"code is too long once normalised (over {CODE_LENGTH} characters)")
    return ValidDesignation(record.number, record.line, data, key, number_key, year)


def _parse_for_type(code: str, designation_type: DesignationType) -> StandardCode:
    form = CODE_FORMS[designation_type]
    try:
        parsed = parse_code(code)
    except CodeParseError:
        raise CodeParseError(f"cannot read {code!r} as {form}") from None
    wrong_province = parsed.kind is CodeKind.LOCAL and parsed.province != SHANGHAI_PROVINCE
    if parsed.kind is not EXPECTED_KIND[designation_type] or wrong_province:
        raise CodeParseError(
            f"{code!r} is a {parsed.kind.value} code; type {designation_type.value} needs {form}"
        )
    return parsed


def _where(record: RawRecord, field: str | None) -> str:
    line = record.field_lines.get(field, record.line) if field else record.line
    return record_where(record.number, line, field)


def _problems_from(record: RawRecord, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        location = [str(part) for part in error["loc"]]
        field = ".".join(location) or None
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden" and location == ["status"]:
            # `registry list --format csv` writes it for readers; importing it would let an edited status
            # look applied while the dates say otherwise.
            message = (
                "status is computed from the dates (designated_on, valid_until, revoked_on, abolished_on), "
                "never imported: remove the column, change the dates"
            )
        elif error["type"] == "extra_forbidden":
            message = "unknown key (not part of the registry format)"
        elif error["type"] == "model_type" and not location:
            message = f"expected a mapping of fields, got {type(record.fields).__name__}"
        elif error["type"] == "missing":
            message = "required field is missing"
        elif "input" in error and error["type"] != "value_error":
            message = f"{message} (got {_short(error['input'])})"
        top = location[0] if location else None
        line = record.field_lines.get(top, record.line) if top else record.line
        problems.append(Problem(record_where(record.number, line, field), message))
    return problems


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
