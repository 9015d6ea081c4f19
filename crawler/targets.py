"""The sweep targets file: a strict schema; every error names the file, the target and the field."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler.addresses import forbidden_kind
from markwatch.errors import TargetsFileError

# An allowed_domains / image_domains entry: a host name (or [IPv6] literal), with a port or not.
_HOST_ENTRY = re.compile(r"^(?P<host>\[[^\]/]+\]|[^\[\]:/]+)(?::(?P<port>[0-9]{1,5}))?$")
DEFAULT_PORTS = {"http": 80, "https": 443}
# minute, hour, day-of-month, month, day-of-week: allowed ranges for a 5-field cron line.
_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))


class Seed(BaseModel):
    """One start URL and what kind of page it is."""

    model_config = ConfigDict(extra="forbid")
    url: str
    kind: Literal["product", "listing", "sitemap"] = "listing"

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http(s) URL with a host")
        kind = forbidden_kind(parts.hostname)
        if kind is not None:
            raise ValueError(f"refused: {kind} addresses are never crawled")
        return value


class Target(BaseModel):
    """A named thing to sweep."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.-]+$")
    seeds: list[Seed] = Field(min_length=1)
    allowed_domains: list[str] = Field(min_length=1)
    adapter: str = "generic"
    max_depth: int = Field(default=3, ge=0, le=50)
    max_pages: int = Field(default=500, ge=1, le=1_000_000)
    delay: float = Field(default=1.0, ge=0, le=600)
    concurrency: int = Field(default=2, ge=1, le=32)
    # Per request: seconds before a silent server counts as a timeout, and how often a failed request is
    # tried again. The defaults keep one dead page under ~30 s (8 s x 3 tries + 1 s + 2 s of backoff).
    timeout: float = Field(default=8.0, gt=0, le=300)
    retries: int = Field(default=2, ge=0, le=10)
    schedule: str | None = None
    # Product images: hosts they may be fetched from besides allowed_domains (image CDNs such as
    # img.alicdn.com), whether to fetch them at all, and how many per page.
    # An entry of either list may name a port (shop.example.com:8443): a redirect may then lead to that
    # origin too (see origin_refusal); the host part alone decides which hosts links may reach.
    image_domains: list[str] = Field(default_factory=list)
    images: bool = True
    max_images_per_page: int = Field(default=40, ge=0, le=500)

    @field_validator("allowed_domains", "image_domains")
    @classmethod
    def _bare_hosts(cls, value: list[str]) -> list[str]:
        entries = []
        for entry in value:
            match = _HOST_ENTRY.match(entry.strip())
            port = int(match["port"]) if match and match["port"] else None
            if match is None or (port is not None and not 0 < port < 65536):
                raise ValueError(f"{entry!r} is not a bare host name (or host:port)")
            host = ascii_host(match["host"])
            entries.append(host if port is None else f"{host}:{port}")
        return entries

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            validate_cron(value)
        return value

    @model_validator(mode="after")
    def _seeds_on_allowed_domains(self) -> Target:
        for seed in self.seeds:
            if not host_allowed(urlsplit(seed.url).hostname or "", self.allowed_domains):
                raise ValueError(f"seed {seed.url} is outside allowed_domains")
        return self


class TargetsFile(BaseModel):
    """The whole file: a list of uniquely named targets."""

    model_config = ConfigDict(extra="forbid")
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> TargetsFile:
        names = [target.name for target in self.targets]
        dupes = sorted({name for name in names if names.count(name) > 1})
        if dupes:
            raise ValueError(f"duplicate target names: {', '.join(dupes)}")
        return self

    def get(self, name: str) -> Target:
        """The target called `name`."""
        for target in self.targets:
            if target.name == name:
                return target
        raise TargetsFileError(f"no target named {name!r}")


def ascii_host(host: str) -> str:
    """A host name as requests carry it: lower case, an internationalised name in its xn-- form.

    例子.测试 in allowed_domains was compared with the xn-- host of every request, so a target's own seed was
    skipped as off-site and the sweep "finished" with no page."""
    host = host.strip().lower()
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def entry_host(entry: str) -> str:
    """The host of an allowed_domains entry, without its port (in its xn-- form)."""
    match = _HOST_ENTRY.match(entry.strip())
    return ascii_host(match["host"] if match else entry)


def host_allowed(host: str, domains: list[str]) -> bool:
    """True when host is one of the domains or a subdomain of one (either written in Unicode or xn-- form)."""
    host = ascii_host(host)
    return any(host == domain or host.endswith("." + domain) for domain in (entry_host(d) for d in domains))


def effective_port(parts: SplitResult) -> int | None:
    """The port a URL connects to (its scheme's default when it names none); None when it names no valid one."""
    try:
        port = parts.port
    except ValueError:
        return None  # out of range, or not a number
    return port if port is not None else DEFAULT_PORTS.get(parts.scheme)


def origin_refusal(url: str, came_from: str, target: Target | None, *, image: bool = False) -> str | None:
    """Why a redirect from `came_from` to `url` (on an allowed host) is not followed: `bad_url` (no valid
    port) or `offsite_port` (another origin of the host the target does not name); None when followed.

    A port is another origin, often another server (an admin interface, a cache, a database's HTTP port):
    allowed are the port the redirect came from (same origin), the scheme's default port (the host itself, as
    allowed_domains names it; http to https), the ports of the target's seeds on that host, and those its
    allowed_domains (or image_domains, for images) name as host:port for it."""
    parts = urlsplit(url)
    port = effective_port(parts)
    if port is None:
        return "bad_url"
    source = urlsplit(came_from)
    host = ascii_host(parts.hostname or "")
    if port == DEFAULT_PORTS.get(parts.scheme) or (
        host == ascii_host(source.hostname or "") and port == effective_port(source)
    ):
        return None
    if target is not None and port in _named_ports(target, host, image):
        return None
    return "offsite_port"


def _named_ports(target: Target, host: str, image: bool) -> set[int]:
    ports = {
        effective_port(parts)
        for parts in (urlsplit(seed.url) for seed in target.seeds)
        if ascii_host(parts.hostname or "") == host
    }
    entries = (*target.allowed_domains, *target.image_domains) if image else tuple(target.allowed_domains)
    for entry in entries:
        match = _HOST_ENTRY.match(entry)
        if match and match["port"] and host_allowed(host, [match["host"]]):
            ports.add(int(match["port"]))
    return {port for port in ports if port is not None}


def link_refusal(url: str, target: Target, *, image: bool = False, depth: int = 0) -> str | None:
    """Why the sweep of `target` never fetches `url` whatever its page budget (a ledger reason: non_http,
    forbidden_address, offsite, depth), or None when only the budget could stop it."""
    parts = urlsplit(url)
    # A product image may also come from the target's image CDNs; it is evidence of the page that showed it,
    # so the page's depth already bounds it.
    hosts = (*target.allowed_domains, *target.image_domains) if image else tuple(target.allowed_domains)
    refused = _host_refusal(parts.scheme, parts.hostname, hosts)
    if refused is None and not image and depth > target.max_depth:
        return "depth"
    return refused


@functools.lru_cache(maxsize=4096)
def _host_refusal(scheme: str, host: str | None, domains: tuple[str, ...]) -> str | None:
    # Cached: a listing's links name a handful of hosts, and a page of 100,000 links past the page budget
    # checked each one in full (21 us a link, 2.1 s a page).
    if scheme not in ("http", "https") or not host:
        return "non_http"
    if forbidden_kind(host) is not None:
        return "forbidden_address"
    if not host_allowed(host, list(domains)):
        return "offsite"
    return None


def validate_cron(line: str) -> None:
    """Raise ValueError unless `line` is a 5-field cron expression."""
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"cron schedule needs 5 fields, got {len(fields)}")
    for field, (low, high) in zip(fields, _CRON_RANGES, strict=True):
        for part in field.split(","):
            _cron_part(part, low, high)


def _cron_part(part: str, low: int, high: int) -> None:
    base, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        raise ValueError(f"bad cron step in {part!r}")
    if base == "*":
        return
    bounds = base.split("-")
    if len(bounds) > 2 or not all(b.isdigit() for b in bounds):
        raise ValueError(f"bad cron field {part!r}")
    numbers = [int(b) for b in bounds]
    if any(n < low or n > high for n in numbers) or numbers != sorted(numbers):
        raise ValueError(f"cron field {part!r} outside {low}-{high}")


def load_targets(path: Path) -> TargetsFile:
    """Parse and validate a targets file; TargetsFileError names the file, the target and the field."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TargetsFileError(f"cannot read: {exc.strerror}", source=source) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise TargetsFileError(
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded (save the file as UTF-8)",
            source=source,
            where=f"line {line}",
        ) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise TargetsFileError(_yaml_problem(exc), source=source, where=_yaml_where(exc)) from exc
    except yaml.YAMLError as exc:
        raise TargetsFileError(f"not valid YAML: {_one_line(str(exc))}", source=source) from exc
    try:
        parsed = TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise TargetsFileError(
            _describe(exc.errors()[0]), source=source, where=_where(exc.errors()[0], data)
        ) from exc
    from crawler.adapters import adapter_names

    for index, target in enumerate(parsed.targets):
        if target.adapter not in adapter_names():
            raise TargetsFileError(
                f"unknown adapter {target.adapter!r} (known: {', '.join(adapter_names())})",
                source=source,
                where=f"target {target.name!r} (#{index + 1}), field adapter",
            )
    return parsed


def _yaml_where(exc: yaml.MarkedYAMLError) -> str | None:
    mark = exc.problem_mark or exc.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    what = " ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
    return f"not valid YAML: {_one_line(what)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _describe(error: Any) -> str:
    return str(error.get("msg", "invalid"))


def _where(error: Any, data: object) -> str:
    loc = list(error.get("loc", ()))
    if len(loc) >= 2 and loc[0] == "targets" and isinstance(loc[1], int):
        index = loc[1]
        name = None
        if isinstance(data, dict) and isinstance(data.get("targets"), list) and index < len(data["targets"]):
            entry = data["targets"][index]
            name = entry.get("name") if isinstance(entry, dict) else None
        label = f"target {name!r} (#{index + 1})" if name else f"target #{index + 1}"
        field = ".".join(str(part) for part in loc[2:]) or "(target)"
        return f"{label}, field {field}"
    return "field " + (".".join(str(part) for part in loc) or "(top level)")
