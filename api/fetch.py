"""SSRF-safe fetching: resolve the name ourselves, refuse non-public addresses, connect to the checked IP."""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from markwatch.config import USER_AGENT
from markwatch.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
ALLOWED_SCHEMES = frozenset({"http", "https"})
# Prefixes that embed an IPv4 address inside IPv6 (NAT64 well-known and local-use prefixes).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class FetchRefused(FetchError):
    """The URL or an address it resolves to is not allowed (SSRF guard)."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # IPv4-compatible (::a.b.c.d, deprecated) still routes to the IPv4 host on some stacks.
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why an address may not be fetched from, or None for a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            reason = refusal_reason(inner)
            return f"{reason} ({inner}, embedded in IPv6)" if reason else None
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (where cloud metadata lives)"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a globally routable address"),
    )
    return next((why for bad, why in checks if bad), None)


@dataclass(frozen=True)
class AddressPolicy:
    """Which resolved addresses a fetch may connect to."""

    allow: tuple[IPNetwork, ...] = ()
    resolver: Resolver = system_resolver

    @classmethod
    def from_strings(cls, networks: Iterable[str], resolver: Resolver = system_resolver) -> AddressPolicy:
        """A policy whose allowlist is given as CIDR strings."""
        return cls(tuple(ipaddress.ip_network(n, strict=False) for n in networks), resolver)

    def check_ip(self, ip: IPAddress) -> None:
        """Raise FetchRefused unless the address is public or allowlisted."""
        if any(ip.version == net.version and ip in net for net in self.allow):
            return
        reason = refusal_reason(ip)
        if reason:
            raise FetchRefused(f"refused to connect to {ip}: {reason}")

    def resolve(self, host: str, port: int) -> str:
        """The address to connect to; every address the name resolves to must pass, not just one."""
        literal = host.strip("[]")
        try:
            addresses = [ipaddress.ip_address(literal)]
        except ValueError:
            addresses = []
            for text in self.resolver(literal, port):
                try:
                    addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
                except ValueError as exc:
                    raise FetchRefused(f"{host!r} resolved to an unreadable address {text!r}") from exc
        if not addresses:
            raise FetchError(f"{host!r} did not resolve to any address")
        for ip in addresses:
            self.check_ip(ip)
        return str(addresses[0])


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, but every TCP connection goes to an address the policy checked."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        ip = self.policy.resolve(host, port)
        return super().connect_tcp(ip, port, timeout, local_address, socket_options)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport on the guarded backend (TLS still verifies and sends SNI for the host name)."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=GuardedBackend(policy),
            retries=0,
            max_connections=4,
        )


@dataclass(frozen=True)
class FetchedPage:
    """A page as fetched: final URL, the redirects taken, declared charset and the body."""

    url: str
    status_code: int
    content_type: str | None
    charset: str | None
    body: bytes
    redirects: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SafeFetcher:
    """Fetches one public page with bounded size, time and redirects."""

    policy: AddressPolicy
    timeout: float = 10.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5

    def fetch(self, url: str) -> FetchedPage:
        """GET url, re-checking every redirect; raises FetchRefused or FetchError."""
        deadline = time.monotonic() + self.timeout
        redirects: list[str] = []
        current = self._checked_url(url)
        with httpx.Client(
            transport=GuardedTransport(self.policy),
            trust_env=False,  # a proxy would connect for us and bypass the address check
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        ) as client:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FetchError(f"fetching {url} took longer than {self.timeout:g} s")
                try:
                    response = client.send(
                        client.build_request("GET", current, timeout=httpx.Timeout(remaining)), stream=True
                    )
                except httpx.TimeoutException as exc:
                    raise FetchError(f"fetching {current} timed out") from exc
                except httpx.HTTPError as exc:
                    raise FetchError(f"cannot fetch {current}: {exc}") from exc
                try:
                    if response.is_redirect and response.next_request is not None:
                        if len(redirects) >= self.max_redirects:
                            raise FetchError(f"more than {self.max_redirects} redirects from {url}")
                        current = self._checked_url(str(response.next_request.url))
                        redirects.append(current)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{current} answered HTTP {response.status_code}")
                    body = self._read(response, deadline, current)
                finally:
                    response.close()
                return FetchedPage(
                    url=current,
                    status_code=response.status_code,
                    content_type=response.headers.get("content-type"),
                    charset=response.charset_encoding,
                    body=body,
                    redirects=tuple(redirects),
                )

    def _checked_url(self, url: str) -> str:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefused(f"not a valid URL: {url!r}") from exc
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise FetchRefused(f"only http and https URLs can be fetched, not {parts.scheme or 'none'!r}")
        if not parts.hostname:
            raise FetchRefused(f"the URL {url!r} has no host")
        # Fail before any connection: the backend checks again at connect time against DNS changes.
        self.policy.resolve(parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80))
        return url

    def _read(self, response: httpx.Response, deadline: float, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is {declared} bytes, over the limit of {self.max_bytes}")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is larger than the limit of {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"fetching {url} took longer than {self.timeout:g} s")
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError(f"fetching {url} timed out") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot read {url}: {exc}") from exc
        return b"".join(chunks)
