"""Addresses no sweep may reach, whatever a targets file allows: link-local and cloud metadata services.

A seed, a link or a redirect to 169.254.169.254 (or a name that resolves there) would make the crawler read
the cloud provider's instance metadata, credentials included, and store it as "evidence". These addresses
are refused for seeds (targets file), for every request (resolved address) and for every redirect.
"""

from __future__ import annotations

import ipaddress

# Network, and the kind of address it is (the refusal names the kind, never echoes a resolved address).
FORBIDDEN_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("169.254.0.0/16"), "link-local (cloud metadata)"),  # AWS, GCP, Azure, OpenStack
    (ipaddress.ip_network("fe80::/10"), "IPv6 link-local"),
    (ipaddress.ip_network("fd00:ec2::254/128"), "cloud metadata (AWS IPv6)"),
    (ipaddress.ip_network("100.100.100.200/32"), "cloud metadata (Alibaba Cloud)"),
)


def forbidden_kind(address: str) -> str | None:
    """The kind of forbidden address `address` is (an IP literal), or None when it may be crawled."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network, kind in FORBIDDEN_NETWORKS:
        if ip.version == network.version and ip in network:
            return kind
    return None
