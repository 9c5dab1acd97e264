"""IP addresses: sets of blocked networks, and the simulated world's true addresses.

:class:`AddressSet` answers "is this address in one of these networks?" with one set
lookup per distinct prefix length (at most 33 for IPv4, 129 for IPv6), whatever the
number of networks; :func:`contains_address_reference` is the plain loop it is tested
against.

The simulation has no real DNS. A name's true address comes from the configuration's
``[hosts]`` table or, failing that, from a hash of the name into ``198.18.0.0/15``, the
block reserved for network benchmarks (RFC 2544): stable, never a real site's address.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable

from censorsim.errors import ParameterError

__all__ = [
    "SIMULATED_NETWORK",
    "AddressSet",
    "contains_address_reference",
    "parse_address",
    "parse_network",
    "simulated_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SIMULATED_NETWORK = ipaddress.IPv4Network("198.18.0.0/15")
"""Where names without a ``[hosts]`` entry live (RFC 2544's benchmarking block)."""


def parse_address(text: str) -> IPAddress:
    """An IPv4 or IPv6 address.

    Raises:
        ParameterError: ``text`` is not one.
    """
    try:
        return ipaddress.ip_address(text.strip() if isinstance(text, str) else text)
    except (ValueError, TypeError):
        raise ParameterError(f"{text!r} is not an IP address") from None


def parse_network(text: str) -> IPNetwork:
    """An address or a network in CIDR form (``198.51.100.0/24``; host bits must be 0).

    Raises:
        ParameterError: ``text`` is neither.
    """
    try:
        return ipaddress.ip_network(text.strip() if isinstance(text, str) else text)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{text!r} is not an IP address or network ({exc})") from None


def simulated_address(name: str) -> IPAddress:
    """The simulated true address of ``name`` (a normalised host name).

    Example:
        >>> str(simulated_address("example.com")) == str(simulated_address("example.com"))
        True
        >>> simulated_address("example.com") in SIMULATED_NETWORK
        True
    """
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest()
    offset = int.from_bytes(digest, "big") % SIMULATED_NETWORK.num_addresses
    return SIMULATED_NETWORK.network_address + offset


class AddressSet:
    """Blocked addresses and networks, looked up in O(distinct prefix lengths).

    Example:
        >>> s = AddressSet(["203.0.113.7", "198.51.100.0/24"])
        >>> "198.51.100.9" in s, "203.0.113.8" in s
        (True, False)
    """

    __slots__ = ("_by_prefix", "_networks")

    def __init__(self, networks: Iterable[str | IPNetwork] = ()):
        nets = [n if isinstance(n, IPNetwork) else parse_network(n)
                for n in networks]
        self._networks: tuple[IPNetwork, ...] = tuple(dict.fromkeys(nets))
        by_prefix: dict[tuple[int, int], set[int]] = {}
        for n in self._networks:
            by_prefix.setdefault((n.version, n.prefixlen), set()).add(int(n.network_address))
        self._by_prefix = by_prefix

    @property
    def networks(self) -> tuple[IPNetwork, ...]:
        """The networks, in the order given (an address is a /32 or /128)."""
        return self._networks

    def __len__(self) -> int:
        return len(self._networks)

    def __repr__(self) -> str:
        return f"AddressSet({len(self._networks)} networks)"

    def __contains__(self, address: object) -> bool:
        if isinstance(address, str):
            address = parse_address(address)
        if not isinstance(address, IPAddress):
            return False
        value = int(address)
        bits = address.max_prefixlen
        for (version, prefix), starts in self._by_prefix.items():
            if version != address.version:
                continue
            mask = ((1 << prefix) - 1) << (bits - prefix) if prefix else 0
            if value & mask in starts:
                return True
        return False


def contains_address_reference(address: str, networks: Iterable[str]) -> bool:
    """The plain reference of ``address in AddressSet(networks)``: test every network.

    Example:
        >>> contains_address_reference("10.1.2.3", ["10.0.0.0/8"])
        True
    """
    a = parse_address(address)
    return any(a in parse_network(n) for n in networks)
