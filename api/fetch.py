"""SSRF-safe fetching: resolve the name ourselves, refuse non-public addresses, connect to the checked IP.

The API fetches asynchronously (`SafeFetcher.afetch`): a page that trickles its body holds no worker
thread, so slow self-checks cannot starve the threads every other request needs. Name resolution, which
blocks, runs in a small pool of its own. Refusals say what kind of address was refused, never which one:
echoing a resolved address would let a self-check map the server's private network.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
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
# getaddrinfo blocks; these threads do nothing else, so a slow resolver cannot hold the API's threads.
_RESOLVER_THREADS = 8


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
            return f"{reason} (embedded in an IPv6 address)" if reason else None
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

    def check_ip(self, ip: IPAddress, host: str | None = None) -> None:
        """Raise FetchRefused unless the address is public or allowlisted (the message names its kind only)."""
        if any(ip.version == net.version and ip in net for net in self.allow):
            return
        reason = refusal_reason(ip)
        if reason:
            if host is None:
                raise FetchRefused(f"refused to connect to {reason}")
            raise FetchRefused(f"refused to connect to {host!r}: it is {reason}")

    def resolve(self, host: str, port: int) -> str:
        """The address to connect to; every address the name resolves to must pass, not just one."""
        literal = host.strip("[]")
        try:
            addresses = [ipaddress.ip_address(literal)]
            label = host
        except ValueError:
            addresses = []
            label = f"{host} (as resolved)"
            for text in self.resolver(literal, port):
                try:
                    addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
                except ValueError:
                    raise FetchRefused(f"{host!r} resolved to an unreadable address") from None
        if not addresses:
            raise FetchError(f"{host!r} did not resolve to any address")
        for ip in addresses:
            self.check_ip(ip, label)
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


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds; one verifying context serves every fetch.
    return httpx.create_ssl_context()


@functools.cache
def _resolver_limiter() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(_RESOLVER_THREADS)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport on the guarded backend (TLS still verifies and sends SNI for the host name)."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=GuardedBackend(policy),
            retries=0,
            max_connections=4,
        )


class AsyncGuardedBackend(httpcore.AnyIOBackend):
    """The async socket backend, connecting only to addresses the policy checked (resolved off the loop)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        ip = await resolve_off_loop(self.policy, host, port)
        return await super().connect_tcp(ip, port, timeout, local_address, socket_options)


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """The async transport on the guarded backend."""

    def __init__(self, policy: AddressPolicy) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=AsyncGuardedBackend(policy),
            retries=0,
            max_connections=4,
        )


async def resolve_off_loop(policy: AddressPolicy, host: str, port: int) -> str:
    """`policy.resolve` in the resolver's own threads."""
    return await anyio.to_thread.run_sync(policy.resolve, host, port, limiter=_resolver_limiter())


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

    async def afetch(self, url: str) -> FetchedPage:
        """`fetch` without a worker thread: the whole fetch, redirects included, ends by the timeout."""
        try:
            with anyio.fail_after(self.timeout):
                return await self._afetch(url)
        except TimeoutError:
            raise FetchError(f"fetching {url} took longer than {self.timeout:g} s") from None

    async def _afetch(self, url: str) -> FetchedPage:
        redirects: list[str] = []
        current = await self._achecked_url(url)
        async with httpx.AsyncClient(
            transport=AsyncGuardedTransport(self.policy),
            trust_env=False,  # a proxy would connect for us and bypass the address check
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            timeout=httpx.Timeout(self.timeout),
        ) as client:
            while True:
                try:
                    response = await client.send(client.build_request("GET", current), stream=True)
                except httpx.TimeoutException as exc:
                    raise FetchError(f"fetching {current} timed out") from exc
                except httpx.HTTPError as exc:
                    raise FetchError(f"cannot fetch {current}: {exc}") from exc
                try:
                    if response.is_redirect and response.next_request is not None:
                        if len(redirects) >= self.max_redirects:
                            raise FetchError(f"more than {self.max_redirects} redirects from {url}")
                        current = await self._achecked_url(str(response.next_request.url))
                        redirects.append(current)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{current} answered HTTP {response.status_code}")
                    body = await self._aread(response, current)
                finally:
                    await response.aclose()
                return FetchedPage(
                    url=current,
                    status_code=response.status_code,
                    content_type=response.headers.get("content-type"),
                    charset=response.charset_encoding,
                    body=body,
                    redirects=tuple(redirects),
                )

    async def _achecked_url(self, url: str) -> str:
        host, port = self._url_parts(url)
        await resolve_off_loop(self.policy, host, port)
        return url

    async def _aread(self, response: httpx.Response, url: str) -> bytes:
        self._check_declared_size(response, url)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(f"{url} is larger than the limit of {self.max_bytes} bytes")
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError(f"fetching {url} timed out") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot read {url}: {exc}") from exc
        return b"".join(chunks)

    def _check_declared_size(self, response: httpx.Response, url: str) -> None:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url} is {declared} bytes, over the limit of {self.max_bytes}")

    def _url_parts(self, url: str) -> tuple[str, int]:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchRefused(f"not a valid URL: {url!r}") from exc
        if parts.scheme.lower() not in ALLOWED_SCHEMES:
            raise FetchRefused(f"only http and https URLs can be fetched, not {parts.scheme or 'none'!r}")
        if not parts.hostname:
            raise FetchRefused(f"the URL {url!r} has no host")
        return parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)

    def _checked_url(self, url: str) -> str:
        # Fail before any connection: the backend checks again at connect time against DNS changes.
        self.policy.resolve(*self._url_parts(url))
        return url

    def _read(self, response: httpx.Response, deadline: float, url: str) -> bytes:
        self._check_declared_size(response, url)
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
