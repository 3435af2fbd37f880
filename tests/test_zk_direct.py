"""The older direct read commands, as the PHP attendance libraries send them, against the real server.

The client here is written from the protocol notes (shared/protocols/zk.md, "Clients other than
pyzk"), not from the server's code: a raw socket, command 9 with the payload 0x05 for users and 13
for attendance, then PREPARE_DATA with the size, DATA packets of at most 1024 bytes over UDP, and
ACK_OK. Records are cut with struct by their documented layouts.
"""

from __future__ import annotations

import logging
import socket
import struct
from collections import Counter

import pytest

from sync.zk import codec

from helpers import wait_until
from test_zk_node import EMPLOYEES, fill
from zk_helpers import WIB, open_store, running_server

PREPARE_DATA, DATA, ACK_OK, ACK_UNAUTH = 1500, 1501, 2000, 2005


class DirectClient:
    """A PHP-style client: one request, then one read per reply packet."""

    def __init__(self, port: int, udp: bool) -> None:
        self.udp = udp
        if udp:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sock.connect(("127.0.0.1", port))
        else:
            self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.settimeout(10)
        self.session = self.reply_id = 0

    def send(self, command: int, payload: bytes = b"") -> None:
        self.reply_id += 1
        packet = codec.encode_packet(command, self.session, self.reply_id, payload)
        self.sock.sendall(packet if self.udp else codec.frame(packet))

    def receive(self) -> codec.Packet:
        if self.udp:
            return codec.decode_packet(self.sock.recv(1032))
        head = self._exactly(8)
        assert head[:4] == codec.TCP_MAGIC
        return codec.decode_packet(self._exactly(int.from_bytes(head[4:], "little")))

    def _exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            more = self.sock.recv(size - len(data))
            assert more, "the server closed the connection"
            data += more
        return data

    def connect(self) -> None:
        self.reply_id = -1
        self.send(1000)
        reply = self.receive()
        assert reply.command == ACK_OK
        self.session = reply.session

    def read_table(self, command: int, payload: bytes = b"") -> bytes:
        self.send(command, payload)
        prepare = self.receive()
        assert prepare.command == PREPARE_DATA, prepare
        size = struct.unpack_from("<I", prepare.payload)[0]
        data = b""
        while len(data) < size:
            piece = self.receive()
            assert piece.command == DATA and piece.reply_id == self.reply_id
            assert len(piece.payload) <= (1024 if self.udp else 65472)
            data += piece.payload
        done = self.receive()
        assert (done.command, done.reply_id) == (ACK_OK, self.reply_id)
        assert len(data) == size and struct.unpack_from("<I", data)[0] == size - 4
        return data[4:]

    def users(self) -> list[tuple[int, str, str]]:
        body = self.read_table(9, b"\x05")
        rows = [struct.unpack_from("<HB8s24sIx7sx24s", body, i) for i in range(0, len(body), 72)]
        return [(uid, _text(user_id), _text(name)) for uid, _p, _pw, name, _c, _g, user_id in rows]

    def attendance(self) -> list[tuple[str, str]]:
        body = self.read_table(13)
        rows = [struct.unpack_from("<H24sBIB8s", body, i) for i in range(0, len(body), 40)]
        return [(_text(user_id), codec.decode_time(at).isoformat()) for _uid, user_id, _v, at, _s, _r in rows]

    def close(self) -> None:
        self.sock.close()


def _text(raw: bytes) -> str:
    return raw.split(b"\x00", 1)[0].decode("ascii")


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("direct") / "kiosk.db", employees=EMPLOYEES)
    fill(store, 50_000)
    yield store
    store.close()


@pytest.fixture(scope="module")
def big_server(big_store):
    with running_server(big_store, idle_timeout=60.0) as server:  # one server: its encoded records are reused
        yield server


def expected_attendance(store) -> Counter:
    pins = {e.nip: str(e.pin) for e in EMPLOYEES}
    return Counter(
        (pins[p.nip], p.time_utc.astimezone(WIB).replace(tzinfo=None).isoformat())
        for p in store.punches.page(limit=100_000)
    )


@pytest.mark.parametrize("udp", [True, False], ids=["udp", "tcp"])
def test_direct_commands_read_20_users_and_50000_punches(big_store, big_server, udp):
    client = DirectClient(big_server.port, udp)
    client.connect()
    users = client.users()
    attendance = client.attendance()
    client.close()
    assert sorted(users) == sorted((e.pin, str(e.pin), e.name) for e in EMPLOYEES)
    assert len(attendance) == 50_000
    assert Counter(attendance) == expected_attendance(big_store)  # none missing, none doubled


def test_command_on_an_expired_udp_session_is_answered_at_once(tmp_path):
    store = open_store(tmp_path / "kiosk.db")
    with running_server(store, idle_timeout=1.0) as server:
        client = DirectClient(server.port, udp=True)
        client.connect()
        wait_until(lambda: server.udp_sessions() == 0, "no UDP session left")  # the kiosk expired the silent session
        client.sock.settimeout(1.0)  # a PHP client would otherwise wait its whole timeout
        client.send(11, b"~SerialNumber\x00")
        reply = client.receive()
        assert (reply.command, reply.reply_id) == (ACK_UNAUTH, client.reply_id)
        client.connect()  # connecting again works at once
        client.send(11, b"~SerialNumber\x00")
        assert client.receive().payload.rstrip(b"\x00") == b"~SerialNumber=KIOSK-07"
        client.close()
    store.close()


def test_commands_refusals_and_unknown_commands_are_logged_in_words(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="sync.zk")
    store = open_store(tmp_path / "kiosk.db")
    with running_server(store) as server:
        client = DirectClient(server.port, udp=True)
        client.connect()
        client.send(15)  # CLEAR_ATTLOG: refused unless allow_clear_attendance
        assert client.receive().command == 2001
        client.send(1234, b"\x01\x02")  # a command no terminal knows
        assert client.receive().command == 0xFFFF
        client.send(13)
        while client.receive().command != ACK_OK:
            pass
        client.close()
    store.close()
    info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    debug = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert any(
        m.startswith("zk udp 127.0.0.1:") and "refused CLEAR_ATTLOG (15)" in m and "allow_clear_attendance is off" in m
        for m in info
    ), info
    assert any("unknown command 1234" in m and "answered ACK_UNKNOWN" in m for m in info), info
    assert any("ATTLOG_RRQ (13)" in m for m in debug), debug
