"""Which network addresses the crawler may connect to: public ones only.

`ipaddress` flags alone mislead (RESEARCH.md): 100.64.0.0/10 (carrier-grade NAT) is not
`is_private`, and IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) say
nothing about the address inside. So every embedded IPv4 address is checked too, and the
check runs on the resolved address at connect time, for every hop of a redirect.
"""

from __future__ import annotations

import ipaddress
import socket

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
# Special-purpose ranges (IANA registries) that older Pythons count as global.
_NOT_PUBLIC = tuple(ipaddress.ip_network(net) for net in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
    "2001:db8::/32", "fc00::/7", "fe80::/10", "ff00::/8", "100::/64",
))


def _embedded(address: Address) -> list[Address]:
    """Return the address and every IPv4 address it embeds."""
    found: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address in _NAT64 or address in _NAT64_LOCAL:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        # IPv4-compatible (deprecated) ::a.b.c.d
        if int(address) >> 32 == 0 and int(address) > 0xFFFF:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def address_problem(address: Address, *, allow_private: bool = False) -> str | None:
    """Return why we must not connect to `address`, or None when it is public.

    `allow_private` (tests and demos, explicitly) lets loopback and private ranges
    through, never link-local (cloud metadata services live there), multicast,
    unspecified or reserved addresses.
    """
    for inner in _embedded(address):
        if inner.is_multicast:
            return f"{address} is a multicast address"
        if inner.is_unspecified:
            return f"{address} is the unspecified address"
        if inner.is_link_local:
            return f"{address} is a link-local address"
        if inner.is_reserved:
            return f"{address} is a reserved address"
        if allow_private and (inner.is_loopback or inner.is_private):
            continue
        if inner.is_loopback:
            return f"{address} is a loopback address"
        if not inner.is_global or any(inner in net for net in _NOT_PUBLIC
                                      if net.version == inner.version):
            return f"{address} is not a public address"
    return None


def host_problem(host: str) -> str | None:
    """Return why a host name is refused before any resolution (e.g. `localhost.`)."""
    name = host.rstrip(".").lower()
    if not name:
        return "the address has no host"
    if name == "localhost" or name.endswith(".localhost"):
        return f"{host} names this machine"
    return None


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[tuple]:
    """Resolve `host` and return the socket addresses we may connect to.

    Raises ValueError naming the first refused address: one non-public answer refuses
    the whole name, so a DNS answer mixing public and private addresses gets nowhere.
    """
    if not allow_private and (problem := host_problem(host)):
        raise ValueError(problem)
    host = host.rstrip(".") or host  # "127.0.0.1." and "example.org." name the same
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionError(f"cannot resolve {host}: {exc}") from exc
    allowed = []
    for family, kind, proto, _, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if problem := address_problem(address, allow_private=allow_private):
            raise ValueError(f"{host} resolves to {problem}")
        allowed.append((family, kind, proto, sockaddr))
    if not allowed:
        raise ConnectionError(f"{host} has no address")
    return allowed
