"""One client's conversation with the terminal: a request packet in, reply packets out.

Transport-free: the TCP and UDP servers feed decoded packets to `Session.handle` and send what it
returns (TCP in one write, UDP one datagram each). Events wait in `events` until the transport
sends them, one at a time, each after the client acknowledged the previous one.
"""

from __future__ import annotations

import collections
import struct
import threading
import time

from sync.zk import records
from sync.zk.codec import MalformedPacket, Packet, decode_time, encode_packet, encode_time
from sync.zk.const import EF_ATTLOG, FCT_USER, INLINE_MAX, UDP_MAX_DATA, Cmd
from sync.zk.datasets import Snapshot
from sync.zk.terminal import Terminal, comm_key_matches

# Clients divide a dataset's length by the count of the last read_sizes: a buffered read serves
# the snapshot that read_sizes took, so the two agree even when a punch arrives in between.
SNAPSHOT_KEEP = 60.0  # seconds; a buffered read without a recent read_sizes gets fresh data
EVENT_ACK_TIMEOUT = 5.0  # seconds; a client that never acknowledges still gets later events
MAX_QUEUED_EVENTS = 1000

_PLAIN_OK = {
    Cmd.ENABLEDEVICE,
    Cmd.DISABLEDEVICE,
    Cmd.CANCELCAPTURE,
    Cmd.STARTVERIFY,
    Cmd.REFRESHDATA,
    Cmd.REFRESHOPTION,
    Cmd.OPTIONS_WRQ,
    Cmd.TESTVOICE,
    Cmd.ACK_ERROR,
    Cmd.ACK_UNKNOWN,
}
_REFUSED = {Cmd.RESTART, Cmd.POWEROFF, Cmd.CLEAR_DATA, Cmd.STARTENROLL, Cmd.DELETE_USERTEMP}
_BEFORE_AUTH = {Cmd.CONNECT, Cmd.AUTH, Cmd.EXIT}


class Session:
    def __init__(self, terminal: Terminal, udp: bool) -> None:
        self.terminal = terminal
        self.udp = udp
        self.session_id = 0
        self.authenticated = False
        self.closed = False  # the transport closes the connection after sending the replies
        self.last_seen = time.monotonic()
        self.events: collections.deque[bytes] = collections.deque(maxlen=MAX_QUEUED_EVENTS)
        self._awaiting_ack_since: float | None = None
        self._snapshot: Snapshot | None = None
        self._snapshot_at = 0.0
        self._buffer: bytes | None = None
        self._lock = threading.Lock()
        self._on_event = lambda: None

    # events -------------------------------------------------------------------------------
    def set_event_hook(self, hook) -> None:
        """Called (from the publishing thread) when an event is queued, to wake the transport."""
        self._on_event = hook

    def push_event(self, packet: bytes) -> None:
        with self._lock:
            self.events.append(packet)
        self._on_event()

    def next_event(self, now: float) -> bytes | None:
        """The next event to send now, or None while the previous one awaits its ack."""
        with self._lock:
            waiting = self._awaiting_ack_since
            if not self.events or (waiting is not None and now - waiting < EVENT_ACK_TIMEOUT):
                return None
            self._awaiting_ack_since = now
            return self.events.popleft()

    def event_deadline(self) -> float | None:
        with self._lock:
            return (
                None
                if self._awaiting_ack_since is None or not self.events
                else self._awaiting_ack_since + EVENT_ACK_TIMEOUT
            )

    def end(self) -> None:
        self.terminal.unsubscribe(self)
        self.terminal.release_session_id(self.session_id)
        self._buffer = self._snapshot = None

    # requests -----------------------------------------------------------------------------
    def handle(self, packet: Packet) -> list[bytes]:
        self.last_seen = time.monotonic()
        command = packet.command
        if command == Cmd.ACK_OK:  # the client acknowledging an event: never answered
            with self._lock:
                self._awaiting_ack_since = None
            return []
        if command not in _BEFORE_AUTH and (not self.authenticated or packet.session != self.session_id):
            return [self._reply(Cmd.ACK_UNAUTH, packet)]
        handler = _HANDLERS.get(command)
        if handler is not None:
            return handler(self, packet)
        if command in _PLAIN_OK:
            return [self._reply(Cmd.ACK_OK, packet)]
        code = Cmd.ACK_ERROR if command in _REFUSED else Cmd.ACK_UNKNOWN
        return [self._reply(code, packet)]

    def _reply(self, code: int, packet: Packet, payload: bytes = b"") -> bytes:
        return encode_packet(code, self.session_id, packet.reply_id, payload)

    def _ok(self, packet: Packet, payload: bytes = b"") -> list[bytes]:
        return [self._reply(Cmd.ACK_OK, packet, payload)]

    def _error(self, packet: Packet) -> list[bytes]:
        return [self._reply(Cmd.ACK_ERROR, packet)]

    def _connect(self, packet: Packet) -> list[bytes]:
        self.terminal.release_session_id(self.session_id)
        self.session_id = self.terminal.new_session_id()
        self.authenticated = self.terminal.settings.comm_key == 0
        return [self._reply(Cmd.ACK_OK if self.authenticated else Cmd.ACK_UNAUTH, packet)]

    def _auth(self, packet: Packet) -> list[bytes]:
        if self.session_id and comm_key_matches(self.terminal.settings.comm_key, self.session_id, packet.payload):
            self.authenticated = True
            return self._ok(packet)
        self.closed = True  # a wrong key ends the connection; the client must start again
        return [self._reply(Cmd.ACK_UNAUTH, packet)]

    def _exit(self, packet: Packet) -> list[bytes]:
        self.closed = True
        return self._ok(packet)

    def _version(self, packet: Packet) -> list[bytes]:
        return self._ok(packet, self.terminal.settings.firmware.encode("ascii", "replace")[:1000] + b"\x00")

    def _options(self, packet: Packet) -> list[bytes]:
        name = records.decode_option_name(packet.payload)
        value = self.terminal.option(name)
        if value is None:
            return self._error(packet)
        return self._ok(packet, records.encode_option(name, value)[:1016])

    def _pin_width(self, packet: Packet) -> list[bytes]:
        return self._ok(packet, bytes([9]))

    def _sizes(self, packet: Packet) -> list[bytes]:
        snap = self._current_snapshot(0.0)
        sizes = records.DeviceSizes(users=len(snap.users), records=len(snap.attendance))
        return self._ok(packet, records.encode_sizes(sizes))

    def _current_snapshot(self, max_age: float) -> Snapshot:
        now = time.monotonic()
        if self._snapshot is None or now - self._snapshot_at >= max_age:
            self._snapshot, self._snapshot_at = self.terminal.snapshot(), now
        return self._snapshot

    def _get_time(self, packet: Packet) -> list[bytes]:
        return self._ok(packet, struct.pack("<I", encode_time(self.terminal.now())))

    def _set_time(self, packet: Packet) -> list[bytes]:
        if len(packet.payload) < 4:
            raise MalformedPacket("SET_TIME without its 4-byte time")
        try:
            moment = decode_time(struct.unpack_from("<I", packet.payload)[0])
        except ValueError:
            return self._error(packet)
        return self._ok(packet) if self.terminal.set_time(moment) else self._error(packet)

    def _prepare_buffer(self, packet: Packet) -> list[bytes]:
        request = records.decode_prepare_buffer(packet.payload)
        snap = self._current_snapshot(SNAPSHOT_KEEP)
        if request.command == Cmd.USERTEMP_RRQ and request.fct == FCT_USER:
            dataset = records.encode_dataset(snap.users_dataset())
        elif request.command == Cmd.ATTLOG_RRQ:
            dataset = records.encode_dataset(list(snap.attendance))
        elif request.command in (Cmd.USERTEMP_RRQ, 7):  # templates, other tables: the kiosk keeps none
            dataset = records.encode_dataset([])
        else:
            return self._error(packet)
        if len(dataset) <= INLINE_MAX:
            return [self._reply(Cmd.DATA, packet, dataset)]
        self._buffer = dataset
        return self._ok(packet, records.encode_buffer_ready(len(dataset)))

    def _read_buffer(self, packet: Packet) -> list[bytes]:
        start, size = records.decode_read_buffer(packet.payload)
        buffer = self._buffer
        if buffer is None or start < 0 or size <= 0 or start + size > len(buffer):
            return self._error(packet)
        chunk = buffer[start : start + size]
        pieces = [chunk[i : i + UDP_MAX_DATA] for i in range(0, size, UDP_MAX_DATA)] if self.udp else [chunk]
        return [
            self._reply(Cmd.PREPARE_DATA, packet, records.encode_prepare_data(size)),
            *(self._reply(Cmd.DATA, packet, piece) for piece in pieces),
            self._reply(Cmd.ACK_OK, packet),
        ]

    def _free_data(self, packet: Packet) -> list[bytes]:
        self._buffer = None
        return self._ok(packet)

    def _user_write(self, packet: Packet) -> list[bytes]:
        user = records.decode_user_write(packet.payload)
        return self._ok(packet) if self.terminal.write_user(user) else self._error(packet)

    def _delete_user(self, packet: Packet) -> list[bytes]:
        if len(packet.payload) < 2:
            raise MalformedPacket("DELETE_USER without its 2-byte uid")
        uid = struct.unpack_from("<H", packet.payload)[0]
        return self._ok(packet) if self.terminal.delete_user(uid) else self._error(packet)

    def _clear_attendance(self, packet: Packet) -> list[bytes]:
        self._snapshot = None
        return self._ok(packet) if self.terminal.clear_attendance() else self._error(packet)

    def _reg_event(self, packet: Packet) -> list[bytes]:
        flags = struct.unpack_from("<I", packet.payload.ljust(4, b"\x00"))[0]
        if flags & EF_ATTLOG:
            self.terminal.subscribe(self)
        else:
            self.terminal.unsubscribe(self)
            with self._lock:
                self.events.clear()
                self._awaiting_ack_since = None
        return self._ok(packet)


_HANDLERS = {
    Cmd.CONNECT: Session._connect,
    Cmd.AUTH: Session._auth,
    Cmd.EXIT: Session._exit,
    Cmd.GET_VERSION: Session._version,
    Cmd.OPTIONS_RRQ: Session._options,
    Cmd.GET_PINWIDTH: Session._pin_width,
    Cmd.GET_FREE_SIZES: Session._sizes,
    Cmd.GET_TIME: Session._get_time,
    Cmd.SET_TIME: Session._set_time,
    Cmd.PREPARE_BUFFER: Session._prepare_buffer,
    Cmd.READ_BUFFER: Session._read_buffer,
    Cmd.FREE_DATA: Session._free_data,
    Cmd.USER_WRQ: Session._user_write,
    Cmd.DELETE_USER: Session._delete_user,
    Cmd.CLEAR_ATTLOG: Session._clear_attendance,
    Cmd.REG_EVENT: Session._reg_event,
}
