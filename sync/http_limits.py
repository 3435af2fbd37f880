"""Limits every HTTP surface of the kiosk applies to its clients (docs/security.md, "Limits").

A hostile host on the office LAN must not be able to lock the central server out or fill the disk
the punches live on: the request's headers arrive within a deadline counted from the connection's
start (slow partial requests are dropped, whatever their pace), the body within another, declared
bodies larger than the surface needs are refused before a byte of them is read, and the number of
open connections is capped per source address and in total, so one host's flood cannot take the
file descriptors or the worker threads the others need.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HttpLimits:
    max_body_bytes: int = 1024 * 1024  # bodies above this get 413 before they are read; none touches the disk
    max_header_bytes: int = 16 * 1024  # request line + headers
    header_timeout: float = 10.0  # from connect (or the previous response) to the end of the headers
    body_timeout: float = 30.0  # from the end of the headers to the end of the body
    max_connections: int = 128  # open connections in total; more are closed at once
    max_connections_per_source: int = 16  # open connections from one IP address

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_header_bytes", "max_connections", "max_connections_per_source"):
            if getattr(self, name) < 1:
                raise ValueError(f"HttpLimits.{name} must be at least 1")
        if not (self.header_timeout > 0 and self.body_timeout > 0):  # also refuses nan
            raise ValueError("HttpLimits timeouts must be positive numbers of seconds")


class ConnectionCounter:
    """Open connections per source address, against the caps; thread-safe."""

    def __init__(self, limits: HttpLimits, name: str) -> None:
        self.limits, self.name = limits, name
        self._open: dict[str, int] = {}
        self._total = 0
        self._lock = threading.Lock()
        self._refused_since_log = 0
        self._last_log = 0.0

    def admit(self, source: str) -> bool:
        with self._lock:
            if self._total >= self.limits.max_connections or self._open.get(source, 0) >= self.limits.max_connections_per_source:
                self._note_refusal(source)
                return False
            self._open[source] = self._open.get(source, 0) + 1
            self._total += 1
            return True

    def release(self, source: str) -> None:
        with self._lock:
            left = self._open.get(source, 0) - 1
            if left > 0:
                self._open[source] = left
            else:
                self._open.pop(source, None)
            self._total = max(0, self._total - 1)

    @property
    def total(self) -> int:
        return self._total

    def _note_refusal(self, source: str) -> None:
        # one line per 10 s at most: a flood must not fill the journal either
        self._refused_since_log += 1
        now = time.monotonic()
        if now - self._last_log >= 10.0:
            log.warning(
                "%s: refused %d connection(s) over the caps (%d in total, %d per source); latest from %s",
                self.name, self._refused_since_log, self.limits.max_connections, self.limits.max_connections_per_source, source,
            )  # fmt: skip
            self._refused_since_log, self._last_log = 0, now


class CappedListener(socket.socket):
    """A listening socket whose accept() closes connections over the caps straight away.

    asyncio's server calls `sock.accept()` on the socket it was given and closes the accepted
    socket with `close()` when the connection ends, so counting here sees every connection of any
    server built on asyncio (hypercorn here) without touching the server's internals.
    """

    counter: ConnectionCounter

    def accept(self) -> tuple[CountedConnection, Any]:  # the address's type depends on the family, as in socket
        while True:  # _accept raises BlockingIOError when no connection is pending: asyncio expects it
            fd, address = self._accept()  # type: ignore[attr-defined]
            source = str(address[0]) if isinstance(address, tuple) else str(address)
            if self.counter.admit(source):
                conn = CountedConnection(self.family, self.type, self.proto, fileno=fd)
                conn.counted = (self.counter, source)
                return conn, address
            socket.close(fd)


class CountedConnection(socket.socket):
    counted: tuple[ConnectionCounter, str] | None = None

    def close(self) -> None:
        counted, self.counted = self.counted, None
        if counted is not None:
            counted[0].release(counted[1])
        super().close()


def listening_socket(host: str, port: int, counter: ConnectionCounter, backlog: int = 128) -> CappedListener:
    family, _type, _proto, _name, address = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = CappedListener(family, socket.SOCK_STREAM)
    sock.counter = counter
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock
