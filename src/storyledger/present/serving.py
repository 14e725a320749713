"""What the local web server accepts: the host names it answers to, and how long one request may
work. Kept apart from the app so that the command line reads it without loading the web stack."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable

DEFAULT_TIME_BUDGET = 5.0  # seconds of database work one request may take
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(header: str | None) -> str | None:
    """The host name of a Host header (``[::1]:8000`` -> ``::1``), lower case; None if malformed."""
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        name, sep, rest = header[1:].partition("]")
        if not sep or (rest and not re.fullmatch(r":[0-9]{1,5}", rest)):
            return None
    else:
        name, _, port = header.partition(":")
        if port and not re.fullmatch(r"[0-9]{1,5}", port):
            return None
    name = name.rstrip(".")
    return name if name and re.fullmatch(r"[a-z0-9._:-]+", name) else None


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


class HostCheck:
    """Which Host headers the app answers: loopback names and addresses, the host it was started
    on, names given with ``--allow-host``, and, when it listens on every interface, any IP address
    (a page fetched by IP is that address's own origin, so rebinding cannot reach it)."""

    def __init__(self, bind_host: str | None = None, extra: Iterable[str] = ()) -> None:
        self.names = set(LOOPBACK_NAMES) | {n.lower().strip("[]").rstrip(".") for n in (bind_host, *extra) if n}
        bound = _ip(bind_host.strip("[]")) if bind_host else None
        self.any_address = bound is not None and bound.is_unspecified

    def allows(self, header: str | None) -> bool:
        name = host_name(header)
        if name is None:
            return False
        address = _ip(name)
        return name in self.names or (address is not None and (address.is_loopback or self.any_address))


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address, or a name and every address it resolves to) is this
    machine's loopback."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    address = _ip(name)
    if address is not None:
        return address.is_loopback
    try:
        resolved = {_ip(info[4][0].partition("%")[0]) for info in socket.getaddrinfo(name, None)}
    except OSError:
        return False
    return bool(resolved) and all(a is not None and a.is_loopback for a in resolved)
