"""A guard that refuses, and records, every network connection leaving the machine.

Installed for every test by ``tests/conftest.py`` (autouse): a test that makes an
outbound connection or DNS lookup fails, whatever the code under test does with the
error. Allowed: loopback (127.0.0.0/8, ::1, ``localhost``), the machine's own
addresses and host name (local Ray nodes, a server bound to the host's address), and
Unix sockets. Patched: ``socket.socket.connect`` / ``connect_ex`` / ``sendto`` (so
``create_connection``, ``ssl``, ``http.client``, ``httpx``, ``urllib`` and asyncio all
pass through it) and ``socket.getaddrinfo`` / ``gethostbyname`` (name lookups).
Code that opens sockets in C (libpq) or in child processes is not covered.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any


class OutboundNetworkBlocked(ConnectionRefusedError):
    """Raised in place of an outbound connection (a ConnectionRefusedError, as if the
    remote end refused, so code under test takes its ordinary error path)."""


@dataclass(frozen=True)
class OutboundAttempt:
    via: str  # connect | connect_ex | sendto | getaddrinfo | gethostbyname
    target: str


def _own_names_and_addresses() -> set[str]:
    names = {"localhost", "localhost.localdomain", "ip6-localhost"}
    try:
        host = socket.gethostname()
        names |= {host, host.lower()}
        _, aliases, addresses = socket.gethostbyname_ex(host)
        names |= set(aliases) | set(addresses)
    except OSError:
        pass
    return names


@dataclass
class NetworkGuard:
    attempts: list[OutboundAttempt] = field(default_factory=list)
    _saved: dict[str, Any] = field(default_factory=dict)
    _local: set[str] = field(default_factory=set)

    def is_local(self, host: Any) -> bool:
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        host = str(host).strip("[]").split("%")[0]
        if host in ("", "0.0.0.0", "::") or host in self._local:
            return True  # "" and the unspecified addresses mean this machine
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return host.lower().endswith(".localhost")
        return address.is_loopback or (address.version == 6 and address.ipv4_mapped is not None
                                        and address.ipv4_mapped.is_loopback)

    def _check(self, via: str, family: Any, address: Any) -> None:
        if family == getattr(socket, "AF_UNIX", None) or isinstance(address, (str, bytes)):
            return  # a Unix socket path
        host = address[0] if isinstance(address, tuple) and address else address
        if not self.is_local(host):
            self.attempts.append(OutboundAttempt(via, repr(address)))
            raise OutboundNetworkBlocked(f"outbound network access to {address!r} is blocked in tests ({via})")

    def install(self) -> "NetworkGuard":
        if self._saved:
            return self
        guard = self
        self._local = _own_names_and_addresses()
        sock = socket.socket
        self._saved = {"connect": sock.connect, "connect_ex": sock.connect_ex, "sendto": sock.sendto,
                       "getaddrinfo": socket.getaddrinfo, "gethostbyname": socket.gethostbyname,
                       "own": {k for k in ("connect", "connect_ex", "sendto") if k in vars(sock)}}
        connect, connect_ex, sendto = sock.connect, sock.connect_ex, sock.sendto
        getaddrinfo, gethostbyname = socket.getaddrinfo, socket.gethostbyname

        def guarded_connect(self, address):
            guard._check("connect", self.family, address)
            return connect(self, address)

        def guarded_connect_ex(self, address):
            guard._check("connect_ex", self.family, address)
            return connect_ex(self, address)

        def guarded_sendto(self, data, *args):
            guard._check("sendto", self.family, args[-1] if args else None)
            return sendto(self, data, *args)

        def guarded_getaddrinfo(host, *args, **kwargs):
            guard._check("getaddrinfo", None, (host,))
            return getaddrinfo(host, *args, **kwargs)

        def guarded_gethostbyname(host):
            guard._check("gethostbyname", None, (host,))
            return gethostbyname(host)

        sock.connect, sock.connect_ex, sock.sendto = guarded_connect, guarded_connect_ex, guarded_sendto
        socket.getaddrinfo, socket.gethostbyname = guarded_getaddrinfo, guarded_gethostbyname
        return self

    def uninstall(self) -> None:
        if not self._saved:
            return
        sock = socket.socket
        for name in ("connect", "connect_ex", "sendto"):
            if name in self._saved["own"]:
                setattr(sock, name, self._saved[name])
            else:
                delattr(sock, name)  # back to the inherited C method
        socket.getaddrinfo, socket.gethostbyname = self._saved["getaddrinfo"], self._saved["gethostbyname"]
        self._saved = {}

    def take_attempts(self) -> list[OutboundAttempt]:
        attempts, self.attempts = self.attempts, []
        return attempts
