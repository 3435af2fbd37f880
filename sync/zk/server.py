"""The kiosk's ZK-protocol server: TCP (a thread per client) and UDP (one thread), port 4370.

A malformed, truncated or wrongly checksummed packet closes that client's connection (for UDP: ends
its session), never the server.

Pacing: every reply packet goes out as its own TCP segment or datagram, with a gap before the next
one, as a terminal's slow CPU sends them. Clients such as node-zklib and the PHP libraries take
one frame per socket read event; frames that reach them glued into one read are never seen.

Limits (sync/zk/limits.py): a session that has not authenticated within UNAUTH_GRACE is ended;
silent sessions are ended after `idle_timeout` (TCP subscribers to realtime events are kept while
connected; UDP ones, which have no connection, are not); a newcomer that finds its source's quota
or the table full pushes out an unauthenticated or the longest-silent session rather than being
refused; wrong comm keys lock their source out for a doubling time.
"""

from __future__ import annotations

import fcntl
import logging
import select
import socket
import struct
import termios
import threading
import time
from collections.abc import Callable

from kiosk.domain import Punch
from sync.zk.codec import MalformedPacket, Packet, checksum_ok, decode_packet, encode_packet, frame, unframe
from sync.zk.const import MAX_REQUEST_PAYLOAD, Cmd
from sync.zk.limits import (
    MAX_UDP_SESSIONS,
    MAX_UDP_SESSIONS_PER_SOURCE,
    UNAUTH_GRACE,
    Occupant,
    choose_victim,
    tcp_per_source,
)
from sync.zk.session import Session, command_name
from sync.zk.terminal import Terminal

log = logging.getLogger(__name__)

POLL = 0.5  # seconds between housekeeping passes of an otherwise idle loop
SEND_TIMEOUT = 30.0
# A frame is handed to the network only once the previous one was acknowledged by the client's
# machine and FRAME_GAP has passed since: long enough for a client to take each frame in its own
# read event (node-zklib on a busy machine needs ~1 ms), short enough that a 50,000-record pull
# (31 chunks, 93 frames) spends well under a second in gaps. See docs/zk-server.md, "Pacing".
FRAME_GAP = 0.004
DELIVERY_WAIT = 1.0  # seconds at most to wait for the client's acknowledgement of a frame
# UDP has no flow control: a burst larger than the client's receive buffer (~100 datagrams by
# default on Linux) is dropped. UDP_BURST datagrams, then UDP_BURST_GAP: ~4 MB/s.
UDP_BURST = 8
UDP_BURST_GAP = 0.002
_BAD_INPUT = (MalformedPacket, struct.error, ValueError, UnicodeError)


def _decode_checked(raw: bytes) -> Packet:
    packet = decode_packet(raw)
    if not checksum_ok(packet):
        raise MalformedPacket(f"bad checksum {packet.checksum:#06x} on command {packet.command}")
    return packet


def unacknowledged_bytes(sock: socket.socket) -> int:
    """Bytes written to a TCP socket that the peer has not acknowledged yet (Linux TIOCOUTQ)."""
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\x00\x00\x00\x00"))[0]
    except (OSError, AttributeError):
        return 0


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


class _PacedTcpWriter:
    """Writes each frame as its own segment, after the previous one arrived and FRAME_GAP passed."""

    def __init__(self, sock: socket.socket, gap: float) -> None:
        self.sock, self.gap = sock, gap
        self._next_at = 0.0
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle merging of small frames

    def send(self, packet: bytes) -> None:
        wait = self._next_at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self.sock.sendall(frame(packet))
        deadline = time.monotonic() + DELIVERY_WAIT
        while unacknowledged_bytes(self.sock) and time.monotonic() < deadline:
            time.sleep(0.0005)
        self._next_at = time.monotonic() + self.gap


class ZkServer:
    def __init__(
        self,
        terminal: Terminal,
        address: str = "127.0.0.1",
        port: int = 4370,
        udp: bool = True,
        max_clients: int = 8,
        idle_timeout: float = 60.0,
        frame_gap: float = FRAME_GAP,
    ) -> None:
        self.terminal = terminal
        self.address, self.port, self.udp = address, port, udp
        self.max_clients, self.idle_timeout = max_clients, idle_timeout
        self.unauth_grace = min(UNAUTH_GRACE, idle_timeout)
        self.frame_gap = frame_gap
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._connections: set[_TcpConversation] = set()
        self._lock = threading.Lock()
        self._tcp: socket.socket | None = None
        self._udp: _UdpEndpoint | None = None

    def publish(self, punch: Punch | None = None) -> None:
        """A punch was committed: subscribers hear of it now rather than at the next poll of the store."""
        try:
            self.terminal.publish(punch)
        except Exception:  # the recorder's commit must never fail because of a ZK client
            log.exception("zk server could not publish punch %s", getattr(punch, "seq", "?"))

    def start(self) -> ZkServer:
        self._tcp = socket.create_server((self.address, self.port), reuse_port=False, backlog=16)
        self.port = self._tcp.getsockname()[1]  # port 0 = an ephemeral port, for tests
        self.terminal.start_feed()
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
            conversations = list(self._connections)
        for conversation in conversations:
            conversation.waker.wake()
        if self._udp is not None:
            self._udp.waker.wake()
        self.terminal.stop_feed(timeout)
        for thread in list(self._threads):
            thread.join(timeout)

    def is_alive(self) -> bool:
        """Is it still accepting connections? (The daemon restarts it when not.)"""
        return any(t.name == "zk-tcp-accept" and t.is_alive() for t in self._threads)

    def tcp_clients(self) -> int:
        with self._lock:
            return len(self._connections)

    def udp_sessions(self) -> int:
        return len(self._udp.sessions) if self._udp else 0

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
            self._make_room(str(peer[0]), peer)
            conversation = _TcpConversation(self, client, peer)
            with self._lock:
                self._connections.add(conversation)
            self._spawn(conversation.serve, f"zk-tcp-{peer[0]}:{peer[1]}")

    def _make_room(self, source: str, peer: tuple) -> None:
        with self._lock:
            live = [c for c in self._connections if not c.evicted]
        occupants = [c.occupant() for c in live]
        victim = choose_victim(occupants, source, tcp_per_source(self.max_clients), self.max_clients)
        if victim is not None:
            conversation = next(c for c in live if c is victim.key)
            conversation.evict(
                f"to make room for {peer[0]}:{peer[1]} ({len(live)} tcp clients, {self.max_clients} allowed)"
            )


class _TcpConversation:
    def __init__(self, server: ZkServer, client: socket.socket, peer: tuple) -> None:
        self.server, self.client, self.peer = server, client, peer
        self.session = Session(server.terminal, udp=False, peer=peer)
        self.waker = _Waker()
        self.session.set_event_hook(self.waker.wake)
        self.writer: _PacedTcpWriter | None = None
        self.buffer = bytearray()
        self.started = time.monotonic()
        self.evicted: str | None = None

    def occupant(self) -> Occupant[_TcpConversation]:
        return Occupant(self, self.session.source, self.session.authenticated, self.session.last_seen)

    def evict(self, why: str) -> None:
        self.evicted = why
        self.waker.wake()

    def serve(self) -> None:
        try:
            self.client.settimeout(SEND_TIMEOUT)
            self.client.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            self.writer = _PacedTcpWriter(self.client, self.server.frame_gap)
            self._run()
        except _BAD_INPUT as exc:
            log.info("zk %s sent bad data, closing: %s", self.session.peer, exc)
        except OSError as exc:
            log.info("zk %s connection ended: %s", self.session.peer, exc)
        finally:
            self.session.end()
            with self.server._lock:
                self.server._connections.discard(self)
            self.waker.close()
            self.client.close()

    def _run(self) -> None:
        while not self.server._stop.is_set() and not self.session.closed:
            readable, _, _ = select.select([self.client, self.waker.reader], [], [], POLL)
            if self.waker.reader in readable:
                self.waker.drain()
            if self.evicted:
                log.info("zk %s session %d closed %s", self.session.peer, self.session.session_id, self.evicted)
                return
            if self.client in readable and not self._receive():
                return
            self._send_events()
            if why := self._why_close():
                log.info("zk %s session %d closed: %s", self.session.peer, self.session.session_id, why)
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
            for reply in self.session.handle(_decode_checked(raw)):
                assert self.writer is not None
                self.writer.send(reply)
            self.session.last_seen = time.monotonic()  # busy answering is not silence
        return True

    def _send_events(self) -> None:
        event = self.session.next_event(time.monotonic())
        if event is not None and self.writer is not None:
            self.writer.send(event)

    def _why_close(self) -> str | None:
        now = time.monotonic()
        if not self.session.authenticated and now - self.started > self.server.unauth_grace:
            return f"not authenticated within {self.server.unauth_grace:.0f} s"
        if self.server.terminal.is_subscribed(self.session):
            return None  # a realtime listener is silent by nature; it is kept while connected
        if now - self.session.last_seen > self.server.idle_timeout:
            return f"silent for {self.server.idle_timeout:.0f} s"
        return None


class _UdpSession:
    def __init__(self, session: Session, addr: tuple) -> None:
        self.session, self.addr = session, addr
        self.started = time.monotonic()

    def occupant(self) -> Occupant[int]:
        return Occupant(
            self.session.session_id, self.session.source, self.session.authenticated, self.session.last_seen
        )


class _UdpEndpoint:
    """All UDP clients in one thread; a session is keyed by its id and bound to its address."""

    def __init__(self, server: ZkServer, address: str, port: int) -> None:
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, port))
        self.waker = _Waker()
        self.sessions: dict[int, _UdpSession] = {}

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
            for entry in self.sessions.values():
                entry.session.end()
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
            if packet.command == Cmd.CONNECT:
                self._connect(packet, addr)
                return
            entry = self.sessions.get(packet.session)
            if entry is None or entry.addr != addr:
                self._unknown_session(packet, addr)
                return
            self._send(entry.session.handle(packet), addr)
            entry.session.last_seen = time.monotonic()  # busy answering is not silence
            if entry.session.closed:
                self._end(entry.session.session_id)
        except _BAD_INPUT as exc:
            log.info("zk udp %s:%d sent bad data: %s", addr[0], addr[1], exc)
            self._end_for(addr)
        except OSError as exc:
            log.info("zk udp %s:%d: %s", addr[0], addr[1], exc)

    def _send(self, replies: list[bytes], addr: tuple) -> None:
        for i, reply in enumerate(replies):
            if i and i % UDP_BURST == 0:
                time.sleep(UDP_BURST_GAP)
            self.sock.sendto(reply, addr)

    def _unknown_session(self, packet: Packet, addr: tuple) -> None:
        """A prompt ACK_UNAUTH (connect again) instead of silence, which would make the client wait."""
        log.info(
            "zk udp %s:%d sent %s on session %d, which is not open for it (expired or never opened): answered ACK_UNAUTH",
            addr[0],
            addr[1],
            command_name(packet.command),
            packet.session,
        )
        if packet.command != Cmd.ACK_OK:  # an acknowledgement is never answered
            self.sock.sendto(encode_packet(Cmd.ACK_UNAUTH, packet.session, packet.reply_id), addr)

    def _connect(self, packet: Packet, addr: tuple) -> None:
        self._end_for(addr, "the same socket connected again")  # one session per client socket
        self._make_room(addr)
        session = Session(self.server.terminal, udp=True, peer=addr)
        session.set_event_hook(self.waker.wake)
        replies = session.handle(packet)  # CONNECT assigns the session id
        self.sessions[session.session_id] = _UdpSession(session, addr)  # open before the client hears of it
        self._send(replies, addr)

    def _make_room(self, addr: tuple) -> None:
        occupants = [entry.occupant() for entry in self.sessions.values()]
        victim = choose_victim(occupants, str(addr[0]), MAX_UDP_SESSIONS_PER_SOURCE, MAX_UDP_SESSIONS)
        if victim is not None:
            self._end(victim.key, f"to make room for {addr[0]}:{addr[1]} ({len(occupants)} udp sessions)")

    def _send_events(self) -> None:
        now = time.monotonic()
        for entry in list(self.sessions.values()):
            event = entry.session.next_event(now)
            if event is not None:
                self.sock.sendto(event, entry.addr)

    def _expire(self) -> None:
        now, server = time.monotonic(), self.server
        for session_id, entry in list(self.sessions.items()):
            # UDP has no connection: a silent subscriber cannot be told from a gone one
            if now - entry.session.last_seen > server.idle_timeout:
                self._end(session_id, f"silent for {server.idle_timeout:.0f} s")
            elif not entry.session.authenticated and now - entry.started > server.unauth_grace:
                self._end(session_id, f"not authenticated within {server.unauth_grace:.0f} s")

    def _end(self, session_id: int, why: str = "") -> None:
        entry = self.sessions.pop(session_id, None)
        if entry is not None:
            entry.session.end()
            if why:
                log.info("zk %s session %d ended: %s", entry.session.peer, session_id, why)

    def _end_for(self, addr: tuple, why: str = "") -> None:
        for session_id, entry in list(self.sessions.items()):
            if entry.addr == addr:
                self._end(session_id, why)
