"""One client's conversation with the terminal: a request packet in, reply packets out.

Transport-free: the TCP and UDP servers feed decoded packets to `Session.handle` and send what it
returns, each packet as its own frame or datagram, paced (see server.py). Events wait in `events`
until the transport sends them, one at a time, each after the client acknowledged the previous one.

Every command is logged at debug level; every refusal and unknown command at info level, in words,
naming the client: clients such as the PHP libraries cannot tell a refusal from an empty answer.
"""

from __future__ import annotations

import collections
import logging
import struct
import threading
import time
from collections.abc import Callable

from sync.zk import records
from sync.zk.codec import MalformedPacket, Packet, decode_time, encode_packet, encode_time
from sync.zk.const import EF_ATTLOG, FCT_USER, INLINE_MAX, TCP_MAX_DATA, UDP_MAX_DATA, Cmd
from sync.zk.datasets import Snapshot
from sync.zk.terminal import Terminal, comm_key_matches

log = logging.getLogger(__name__)

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


def command_name(command: int) -> str:
    try:
        return f"{Cmd(command).name} ({command})"
    except ValueError:
        return f"unknown command {command}"


class Session:
    def __init__(self, terminal: Terminal, udp: bool, peer: tuple = ("?", 0)) -> None:
        self.terminal = terminal
        self.udp = udp
        self.source = str(peer[0])  # the client's IP address: limits and throttles count per source
        self.peer = f"{'udp' if udp else 'tcp'} {peer[0]}:{peer[1]}" if len(peer) > 1 else str(peer)
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

    def end(self) -> None:
        self.terminal.unsubscribe(self)
        self.terminal.release_session_id(self.session_id)
        self._buffer = self._snapshot = None

    # requests -----------------------------------------------------------------------------
    def handle(self, packet: Packet) -> list[bytes]:
        self.last_seen = time.monotonic()
        command = packet.command
        log.debug(
            "zk %s session %d: %s, %d payload bytes",
            self.peer,
            self.session_id,
            command_name(command),
            len(packet.payload),
        )
        if command == Cmd.ACK_OK:  # the client acknowledging an event: never answered
            with self._lock:
                self._awaiting_ack_since = None
            return []
        if command not in _BEFORE_AUTH and (not self.authenticated or packet.session != self.session_id):
            why = (
                "before authenticating with the comm key"
                if not self.authenticated
                else (f"on session {packet.session}, not its session {self.session_id}")
            )
            self.refuse(command, why, Cmd.ACK_UNAUTH)
            return [self._reply(Cmd.ACK_UNAUTH, packet)]
        handler = _HANDLERS.get(command)
        if handler is not None:
            return handler(self, packet)
        if command in _PLAIN_OK:
            return [self._reply(Cmd.ACK_OK, packet)]
        if command in _REFUSED:
            self.refuse(command, "the kiosk never lets a client restart, power off, erase or enroll", Cmd.ACK_ERROR)
            return [self._reply(Cmd.ACK_ERROR, packet)]
        log.info(
            "zk %s session %d sent %s with %d payload bytes: the kiosk does not know it, answered ACK_UNKNOWN",
            self.peer,
            self.session_id,
            command_name(command),
            len(packet.payload),
        )
        return [self._reply(Cmd.ACK_UNKNOWN, packet)]

    def refuse(self, command: int, why: str, answer: int = Cmd.ACK_ERROR) -> None:
        """Log a refusal in words at info level: the client itself may show it as 'no data'."""
        log.info(
            "zk %s session %d: refused %s: %s; answered %s",
            self.peer,
            self.session_id,
            command_name(command),
            why,
            command_name(answer),
        )

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
        throttle, now = self.terminal.auth_throttle, time.monotonic()
        self.closed = True  # unless the key is right, the connection ends; the client must start again
        wait = throttle.locked_for(self.source, now)
        if wait > 0:  # not even checked: a right key must not be discoverable during the lockout
            self.refuse(
                Cmd.AUTH,
                f"without checking the key: {self.source} is locked out for {wait:.0f} s more after repeated wrong comm keys",
                Cmd.ACK_UNAUTH,
            )
            return [self._reply(Cmd.ACK_UNAUTH, packet)]
        if self.session_id and comm_key_matches(self.terminal.settings.comm_key, self.session_id, packet.payload):
            throttle.succeeded(self.source)
            self.authenticated, self.closed = True, False
            return self._ok(packet)
        failures, lockout = throttle.failed(self.source, now)
        then = f"; {self.source} is locked out for {lockout:.0f} s" if lockout else ""
        self.refuse(Cmd.AUTH, f"with a wrong comm key ({failures} in a row from {self.source}{then})", Cmd.ACK_UNAUTH)
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
            self.refuse(Cmd.OPTIONS_RRQ, f"option {name!r} is not one the kiosk has")
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
            self.refuse(Cmd.SET_TIME, "with an impossible date")
            return self._error(packet)
        if self.terminal.set_time(moment):
            return self._ok(packet)
        self.refuse(Cmd.SET_TIME, f"to {moment}: allow_set_time is off, or setting the clock failed")
        return self._error(packet)

    def _dataset(self, command: int, fct: int) -> bytes | None:
        """A table as the terminal serves it (u32 length, records), or None for one it never has."""
        snap = self._current_snapshot(SNAPSHOT_KEEP)
        if command == Cmd.USERTEMP_RRQ and fct == FCT_USER:
            return records.encode_dataset(snap.users_dataset())
        if command == Cmd.ATTLOG_RRQ:
            return records.encode_dataset(list(snap.attendance))
        if command in (Cmd.USERTEMP_RRQ, 7):  # templates, other tables: the kiosk keeps none
            return records.encode_dataset([])
        return None

    def _prepare_buffer(self, packet: Packet) -> list[bytes]:
        request = records.decode_prepare_buffer(packet.payload)
        dataset = self._dataset(request.command, request.fct)
        if dataset is None:
            self.refuse(Cmd.PREPARE_BUFFER, f"table {request.command}/{request.fct} is not one the kiosk has")
            return self._error(packet)
        if len(dataset) <= INLINE_MAX:
            return [self._reply(Cmd.DATA, packet, dataset)]
        self._buffer = dataset
        return self._ok(packet, records.encode_buffer_ready(len(dataset)))

    def _read_buffer(self, packet: Packet) -> list[bytes]:
        start, size = records.decode_read_buffer(packet.payload)
        buffer = self._buffer
        if buffer is None or start < 0 or size <= 0 or start + size > len(buffer):
            held = "no buffer is prepared" if buffer is None else f"the buffer holds {len(buffer)} bytes"
            self.refuse(Cmd.READ_BUFFER, f"for {size} bytes at {start}: {held}")
            return self._error(packet)
        if self.udp:
            return self._data_reply(packet, buffer[start : start + size], UDP_MAX_DATA)
        return self._data_reply(packet, buffer[start : start + size], size)  # TCP: one DATA frame

    def _data_reply(self, packet: Packet, data: bytes, piece_size: int) -> list[bytes]:
        """PREPARE_DATA with the size, the data in DATA packets of at most piece_size, ACK_OK."""
        pieces = [data[i : i + piece_size] for i in range(0, len(data), piece_size)]
        return [
            self._reply(Cmd.PREPARE_DATA, packet, records.encode_prepare_data(len(data))),
            *(self._reply(Cmd.DATA, packet, piece) for piece in pieces),
            self._reply(Cmd.ACK_OK, packet),
        ]

    def _direct_read(self, packet: Packet) -> list[bytes]:
        """The older direct reads the PHP libraries use: 9 with payload 0x05 (users), 13 (attendance).

        Answered as a terminal does: PREPARE_DATA with the dataset's size, the dataset (u32 length,
        then records, as for a buffered read) in DATA packets of 1024 bytes over UDP (64 KiB - 64 over
        TCP), then ACK_OK.
        """
        fct = packet.payload[0] if packet.payload else FCT_USER
        dataset = self._dataset(packet.command, fct)
        assert dataset is not None  # both commands name a table the kiosk serves
        return self._data_reply(packet, dataset, UDP_MAX_DATA if self.udp else TCP_MAX_DATA)

    def _free_data(self, packet: Packet) -> list[bytes]:
        self._buffer = None
        return self._ok(packet)

    def _user_write(self, packet: Packet) -> list[bytes]:
        user = records.decode_user_write(packet.payload)
        if self.terminal.write_user(user):
            return self._ok(packet)
        self.refuse(
            Cmd.USER_WRQ, f"for user {user.user_id!r}: accept_user_writes is off (the roster comes from the kiosk)"
        )
        return self._error(packet)

    def _delete_user(self, packet: Packet) -> list[bytes]:
        if len(packet.payload) < 2:
            raise MalformedPacket("DELETE_USER without its 2-byte uid")
        uid = struct.unpack_from("<H", packet.payload)[0]
        if self.terminal.delete_user(uid):
            return self._ok(packet)
        self.refuse(Cmd.DELETE_USER, f"for uid {uid}: accept_user_writes is off (the roster comes from the kiosk)")
        return self._error(packet)

    def _clear_attendance(self, packet: Packet) -> list[bytes]:
        self._snapshot = None
        if self.terminal.clear_attendance():
            return self._ok(packet)
        self.refuse(Cmd.CLEAR_ATTLOG, "allow_clear_attendance is off; no punch was hidden or deleted")
        return self._error(packet)

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


_HANDLERS: dict[int, Callable[[Session, Packet], list[bytes]]] = {  # by command code, which arrives as an int
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
    Cmd.USERTEMP_RRQ: Session._direct_read,
    Cmd.ATTLOG_RRQ: Session._direct_read,
}
