"""The kiosk's ZK-protocol server: TCP (a thread per client) and UDP (one thread), port 4370.

A malformed, truncated or wrongly checksummed packet closes that client's connection (for UDP: ends
its session), never the server. Silent clients are disconnected after `idle_timeout`; clients that
subscribed to realtime events are kept while they are connected.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import threading
import time
from collections.abc import Callable

from kiosk.domain import Punch
from sync.zk.codec import MalformedPacket, Packet, checksum_ok, decode_packet, frame, unframe
from sync.zk.const import MAX_REQUEST_PAYLOAD, Cmd
from sync.zk.session import Session
from sync.zk.terminal import Terminal

log = logging.getLogger(__name__)

POLL = 0.5  # seconds between housekeeping passes of an otherwise idle loop
SEND_TIMEOUT = 30.0
MAX_UDP_SESSIONS = 64
_BAD_INPUT = (MalformedPacket, struct.error, ValueError, UnicodeError)


def _decode_checked(raw: bytes) -> Packet:
    packet = decode_packet(raw)
    if not checksum_ok(packet):
        raise MalformedPacket(f"bad checksum {packet.checksum:#06x} on command {packet.command}")
    return packet


class _Waker:
    """A socket pair another thread writes to, so a select() returns at once."""

    def __init__(self) -> None:
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)

    def wake(self) -> None:
        try:
            self.writer.send(b"\x00")
        except (BlockingIOError, OSError):
            pass  # already pending, or closing

    def drain(self) -> None:
        try:
            while self.reader.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class ZkServer:
    def __init__(
        self,
        terminal: Terminal,
        address: str = "127.0.0.1",
        port: int = 4370,
        udp: bool = True,
        max_clients: int = 8,
        idle_timeout: float = 60.0,
    ) -> None:
        self.terminal = terminal
        self.address, self.port, self.udp = address, port, udp
        self.max_clients, self.idle_timeout = max_clients, idle_timeout
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._connections: set[_Waker] = set()
        self._lock = threading.Lock()
        self._tcp: socket.socket | None = None
        self._udp: _UdpEndpoint | None = None

    def publish(self, punch: Punch) -> None:
        """Hand a just-recorded punch to subscribed clients; never blocks the caller for long."""
        try:
            self.terminal.publish(punch)
        except Exception:  # the recorder's commit must never fail because of a ZK client
            log.exception("zk server could not publish punch %s", punch.seq)

    def start(self) -> ZkServer:
        self._tcp = socket.create_server((self.address, self.port), reuse_port=False, backlog=16)
        self.port = self._tcp.getsockname()[1]  # port 0 = an ephemeral port, for tests
        self._spawn(self._accept_loop, "zk-tcp-accept")
        if self.udp:
            self._udp = _UdpEndpoint(self, self.address, self.port)
            self._spawn(self._udp.run, "zk-udp")
        log.info("zk server listening on %s:%d (tcp%s)", self.address, self.port, "+udp" if self.udp else "")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._tcp is not None:
            self._tcp.close()
        with self._lock:
            wakers = list(self._connections)
        for waker in wakers:
            waker.wake()
        if self._udp is not None:
            self._udp.waker.wake()
        for thread in list(self._threads):
            thread.join(timeout)

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _accept_loop(self) -> None:
        assert self._tcp is not None
        while not self._stop.is_set():
            try:
                # close() from stop() does not wake a blocked accept() on Linux: poll instead
                if not select.select([self._tcp], [], [], POLL)[0]:
                    continue
                client, peer = self._tcp.accept()
            except (OSError, ValueError):
                return  # listener closed by stop()
            with self._lock:
                full = len(self._connections) >= self.max_clients
            if full:
                log.warning("zk server refused %s: %d clients already connected", peer, self.max_clients)
                client.close()
                continue
            self._spawn(self._serve_tcp, f"zk-tcp-{peer[0]}:{peer[1]}", client, peer)

    def _serve_tcp(self, client: socket.socket, peer: tuple) -> None:
        session, waker = Session(self.terminal, udp=False), _Waker()
        session.set_event_hook(waker.wake)
        with self._lock:
            self._connections.add(waker)
        try:
            client.settimeout(SEND_TIMEOUT)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            _TcpConversation(self, client, session, waker).run()
        except _BAD_INPUT as exc:
            log.info("zk client %s sent bad data, closing: %s", peer, exc)
        except OSError as exc:
            log.info("zk client %s connection ended: %s", peer, exc)
        finally:
            session.end()
            with self._lock:
                self._connections.discard(waker)
            waker.close()
            client.close()


class _TcpConversation:
    def __init__(self, server: ZkServer, client: socket.socket, session: Session, waker: _Waker) -> None:
        self.server, self.client, self.session, self.waker = server, client, session, waker
        self.buffer = bytearray()

    def run(self) -> None:
        while not self.server._stop.is_set() and not self.session.closed:
            readable, _, _ = select.select([self.client, self.waker.reader], [], [], POLL)
            if self.waker.reader in readable:
                self.waker.drain()
            if self.client in readable and not self._receive():
                return
            self._send_events()
            if self._idle():
                log.info("zk client silent for %.0f s, closing", self.server.idle_timeout)
                return

    def _receive(self) -> bool:
        data = self.client.recv(65536)
        if not data:
            return False
        self.buffer += data
        while not self.session.closed:
            raw, used = unframe(self.buffer, MAX_REQUEST_PAYLOAD)
            if raw is None:
                return True
            del self.buffer[:used]
            replies = self.session.handle(_decode_checked(raw))
            if replies:
                self.client.sendall(b"".join(frame(reply) for reply in replies))
        return True

    def _send_events(self) -> None:
        event = self.session.next_event(time.monotonic())
        if event is not None:
            self.client.sendall(frame(event))

    def _idle(self) -> bool:
        if self.server.terminal.is_subscribed(self.session):
            return False
        return time.monotonic() - self.session.last_seen > self.server.idle_timeout


class _UdpEndpoint:
    """All UDP clients in one thread; a session is keyed by its id and bound to its address."""

    def __init__(self, server: ZkServer, address: str, port: int) -> None:
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.waker = _Waker()
        self.sessions: dict[int, tuple[Session, tuple]] = {}

    def run(self) -> None:
        try:
            while not self.server._stop.is_set():
                readable, _, _ = select.select([self.sock, self.waker.reader], [], [], POLL)
                if self.waker.reader in readable:
                    self.waker.drain()
                if self.sock in readable:
                    self._receive()
                self._send_events()
                self._expire()
        finally:
            for session, _addr in self.sessions.values():
                session.end()
            self.sock.close()
            self.waker.close()

    def _receive(self) -> None:
        try:
            data, addr = self.sock.recvfrom(MAX_REQUEST_PAYLOAD + 16)
        except OSError as exc:  # e.g. ICMP port unreachable reported on Linux
            log.debug("zk udp receive: %s", exc)
            return
        try:
            packet = _decode_checked(data)
            session = self._session_for(packet, addr)
            if session is None:
                return
            for reply in session.handle(packet):
                self.sock.sendto(reply, addr)
            if session.closed:
                self._end(session.session_id)
        except _BAD_INPUT as exc:
            log.info("zk udp client %s sent bad data: %s", addr, exc)
            self._end_for(addr)
        except OSError as exc:
            log.info("zk udp client %s: %s", addr, exc)

    def _session_for(self, packet: Packet, addr: tuple) -> Session | None:
        if packet.command == Cmd.CONNECT:
            return self._new_session(packet, addr)
        known = self.sessions.get(packet.session)
        if known is None or known[1] != addr:
            return None  # not a client of ours: stay silent rather than answer strangers
        return known[0]

    def _new_session(self, packet: Packet, addr: tuple) -> Session | None:
        if len(self.sessions) >= MAX_UDP_SESSIONS:
            log.warning("zk udp refused %s: %d sessions open", addr, MAX_UDP_SESSIONS)
            return None
        session = Session(self.server.terminal, udp=True)
        session.set_event_hook(self.waker.wake)
        for reply in session.handle(packet):  # CONNECT assigns the session id
            self.sock.sendto(reply, addr)
        self.sessions[session.session_id] = (session, addr)
        return None

    def _send_events(self) -> None:
        now = time.monotonic()
        for session, addr in list(self.sessions.values()):
            event = session.next_event(now)
            if event is not None:
                self.sock.sendto(event, addr)

    def _expire(self) -> None:
        now = time.monotonic()
        for session_id, (session, _addr) in list(self.sessions.items()):
            subscribed = self.server.terminal.is_subscribed(session)
            if not subscribed and now - session.last_seen > self.server.idle_timeout:
                self._end(session_id)

    def _end(self, session_id: int) -> None:
        entry = self.sessions.pop(session_id, None)
        if entry is not None:
            entry[0].end()

    def _end_for(self, addr: tuple) -> None:
        for session_id, (_session, known) in list(self.sessions.items()):
            if known == addr:
                self._end(session_id)
