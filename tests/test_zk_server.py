"""The kiosk's ZK server against real pyzk clients over TCP and UDP on 127.0.0.1.

Everything is real: a SQLite store on tmp_path, sockets, and the PyPI pyzk 0.9 client (and, when
KIOSK_PYZK_NEW_PYTHON names an interpreter with `pyzk-new` installed, that fork too).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
from datetime import datetime, timedelta

import pytest
from zk.exception import ZKErrorResponse

from kiosk.domain import Kind, Method
from sync.zk import codec

from helpers import wait_until
from zk_helpers import BUDI, SITI, WIB, open_store, punch, pyzk, running_server

STATE = {Kind.DATANG: 0, Kind.PULANG: 1, Kind.SIANG: 2, Kind.OTHER: 255}
VERIFY = {Method.FACE: 15, Method.FINGERPRINT: 1, Method.MANUAL: 0}
KINDS = [Kind.DATANG, Kind.SIANG, Kind.PULANG, Kind.OTHER]
METHODS = [Method.FACE, Method.FINGERPRINT, Method.MANUAL]


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "kiosk.db")
    start = datetime(2024, 5, 6, 7, 30, tzinfo=WIB)
    for i in range(60):  # 2,404 bytes of attendance: read through the chunked buffer path
        who = BUDI if i % 2 else SITI
        punch(store, who.nip, start + timedelta(minutes=7 * i), METHODS[i % 3], KINDS[i % 4])
    yield store
    store.close()


def expected_attendance(store):
    pins = {BUDI.nip: BUDI.pin, SITI.nip: SITI.pin}
    return [
        (str(pins[p.nip]), p.local_time.replace(tzinfo=None), VERIFY[p.method], STATE[p.kind])
        for p in store.punches.page(limit=10_000)
    ]


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
@pytest.mark.parametrize("key", [0, 123456], ids=["no-key", "comm-key"])
def test_pyzk_reads_identity_users_attendance_and_time(store, udp, key):
    with running_server(store, comm_key=key) as server:
        conn = pyzk(server.port, udp=udp, password=key).connect()
        try:
            assert conn.get_firmware_version() == "Ver 6.60 Apr 28 2017"
            assert conn.get_serialnumber() == "KIOSK-07"
            assert conn.get_platform() == "ZMM220_TFT"
            assert conn.get_device_name() == "siap-kiosk"
            assert conn.get_pin_width() == 9
            users = conn.get_users()
            assert [(u.uid, u.user_id, u.name) for u in users] == [(1, "1", "Budi Santoso"), (42, "42", "Siti Aminah")]
            attendance = conn.get_attendance()
            got = [(a.user_id, a.timestamp, a.status, a.punch) for a in attendance]
            assert got == expected_attendance(store)
            terminal_time = conn.get_time()
            assert abs(terminal_time - datetime.now(WIB).replace(tzinfo=None)) < timedelta(minutes=5)
            conn.read_sizes()
            assert (conn.users, conn.records) == (2, 60)
        finally:
            conn.disconnect()


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_wrong_comm_key_is_refused(store, udp):
    with running_server(store, comm_key=123456) as server:
        with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
            pyzk(server.port, udp=udp, password=654321).connect()
        with pytest.raises(ZKErrorResponse, match="Unauthenticated"):
            pyzk(server.port, udp=udp, password=0).connect()
        conn = pyzk(server.port, udp=udp, password=123456).connect()  # the server still answers
        assert conn.get_serialnumber() == "KIOSK-07"
        conn.disconnect()


def test_nip_as_user_id(store):
    with running_server(store, report_user_id="nip") as server:
        conn = pyzk(server.port).connect()
        assert {u.user_id for u in conn.get_users()} == {BUDI.nip, SITI.nip}
        assert {a.user_id for a in conn.get_attendance()} == {BUDI.nip, SITI.nip}
        conn.disconnect()


def test_empty_kiosk(tmp_path):
    empty = open_store(tmp_path / "empty.db", employees=())
    with running_server(empty) as server:
        conn = pyzk(server.port).connect()
        assert conn.get_users() == [] and conn.get_attendance() == []
        conn.disconnect()
    empty.close()


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_live_capture_receives_punch_recorded_after_subscribing(store, udp, monkeypatch):
    # The feed also looks at the store every FEED_POLL for punches other processes commit; put that
    # look out of reach so the events can only come from server.publish, the recorder's wake-up.
    monkeypatch.setattr("sync.zk.terminal.FEED_POLL", 3600.0)
    with running_server(store) as server:
        conn = pyzk(server.port, udp=udp).connect()
        received = []

        def capture():
            for event in conn.live_capture(new_timeout=1):
                if event is not None:
                    received.append(event)
                if len(received) == 2 or not running.is_set():
                    conn.end_live_capture = True

        running = threading.Event()
        running.set()
        listener = threading.Thread(target=capture, daemon=True)
        listener.start()
        wait_until(lambda: server.terminal.subscriber_count() == 1, "one realtime subscriber")
        at = datetime(2024, 5, 7, 16, 5, 9, tzinfo=WIB)
        server.publish(punch(store, SITI.nip, at, Method.FINGERPRINT, Kind.PULANG))
        server.publish(punch(store, BUDI.nip, at + timedelta(seconds=1), Method.FACE, Kind.DATANG))
        wait_until(lambda: len(received) == 2, "two realtime events")
        running.clear()
        listener.join(10)
        assert not listener.is_alive()
        got = [(e.user_id, e.timestamp, e.status, e.punch) for e in received]
        assert got == [
            ("42", at.replace(tzinfo=None), 1, 1),
            ("1", (at + timedelta(seconds=1)).replace(tzinfo=None), 15, 0),
        ]
        assert server.terminal.subscriber_count() == 0  # pyzk unregistered on leaving
        conn.disconnect()


def test_publish_without_subscribers_is_harmless(store):
    """Nobody listening: publishing neither raises nor queues the event for a later subscriber,
    and the server goes on answering pulls."""
    with running_server(store) as server:
        server.publish(
            punch(store, SITI.nip, datetime(2024, 5, 7, 16, 5, 9, tzinfo=WIB), Method.FINGERPRINT, Kind.PULANG)
        )
        assert server.terminal.feed_once() == 0  # the feed has looked: nobody to tell
        conn = pyzk(server.port).connect()
        try:
            assert len(conn.get_attendance()) == store.punches.count()
            assert server.terminal.subscriber_count() == 0
            received = []
            for event in conn.live_capture(new_timeout=1):
                if event is None:
                    break  # the first timeout: nothing was held back for us
                received.append(event)
            assert received == []  # the punch published before we subscribed is not replayed
        finally:
            conn.end_live_capture = True
            conn.disconnect()


def _raw(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (TimeoutError, ConnectionResetError):
        return False
    finally:
        sock.close()


def test_hostile_clients_do_not_stop_a_good_one(store):
    with running_server(store, idle_timeout=60.0) as server:
        silent = _raw(server.port)  # connects and sends nothing
        truncated = _raw(server.port)
        truncated.sendall(codec.frame(codec.encode_packet(1000, 0, 0))[:10])  # half a frame, then silence
        garbage = _raw(server.port)
        garbage.sendall(b"GET / HTTP/1.1\r\nHost: kiosk\r\n\r\n")
        bad_checksum = _raw(server.port)
        packet = bytearray(codec.encode_packet(1000, 0, 0))
        packet[2] ^= 0xFF
        bad_checksum.sendall(codec.frame(bytes(packet)))
        huge = _raw(server.port)
        huge.sendall(bytes.fromhex("5050827d") + (2**31).to_bytes(4, "little"))
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.sendto(b"\x00\x01garbage", ("127.0.0.1", server.port))
        udp.sendto(codec.encode_packet(11, 999, 5, b"~SerialNumber\x00"), ("127.0.0.1", server.port))  # no session

        for client_udp in (False, True):
            conn = pyzk(server.port, udp=client_udp).connect()
            assert len(conn.get_attendance()) == 60
            conn.disconnect()

        assert _closed_by_server(garbage)
        assert _closed_by_server(bad_checksum)
        assert _closed_by_server(huge)
        silent.close(), truncated.close(), udp.close()


def test_silent_clients_time_out(store):
    with running_server(store, idle_timeout=1.0) as server:
        assert _closed_by_server(_raw(server.port))


def test_unauthenticated_commands_are_refused(store):
    with running_server(store, comm_key=5) as server:
        sock = _raw(server.port)
        sock.sendall(codec.frame(codec.encode_packet(1000, 0, 0)))
        reply = codec.decode_packet(sock.recv(1024)[8:])
        assert reply.command == 2005
        sock.sendall(codec.frame(codec.encode_packet(13 + 37, reply.session, 1)))  # read_sizes before AUTH
        assert codec.decode_packet(sock.recv(1024)[8:]).command == 2005
        sock.close()


def test_pipelined_chunk_requests_are_answered_in_order(tmp_path):
    store = open_store(tmp_path / "many.db")
    start = datetime(2024, 5, 6, 7, 0, tzinfo=WIB)
    for i in range(2000):  # 80 KB: two chunks
        punch(store, BUDI.nip, start + timedelta(minutes=i))
    with running_server(store) as server:
        sock = _raw(server.port)
        sock.sendall(codec.frame(codec.encode_packet(1000, 0, 0)))
        session = codec.decode_packet(_read_frame(sock)).session
        sock.sendall(codec.frame(codec.encode_packet(1503, session, 1, bytes.fromhex("010d000000000000000000"))))
        ready = codec.decode_packet(_read_frame(sock))
        size = int.from_bytes(ready.payload[1:5], "little")
        assert (ready.command, size) == (2000, 4 + 2000 * 40)
        chunks = [(0, 65472), (65472, size - 65472)]
        sock.sendall(
            b"".join(
                codec.frame(
                    codec.encode_packet(
                        1504, session, 2 + i, start_size[0].to_bytes(4, "little") + start_size[1].to_bytes(4, "little")
                    )
                )
                for i, start_size in enumerate(chunks)
            )
        )
        data = b""
        for i, (_start, length) in enumerate(chunks):
            prepare, body, ack = (codec.decode_packet(_read_frame(sock)) for _ in range(3))
            assert (prepare.command, body.command, ack.command) == (1500, 1501, 2000)
            assert prepare.reply_id == body.reply_id == ack.reply_id == 2 + i
            assert len(body.payload) == length
            data += body.payload
        assert int.from_bytes(data[:4], "little") == 2000 * 40
        sock.close()
    store.close()


def _read_frame(sock: socket.socket) -> bytes:
    head = _exactly(sock, 8)
    return _exactly(sock, int.from_bytes(head[4:], "little"))


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        more = sock.recv(size - len(data))
        assert more, "server closed the connection"
        data += more
    return data


def test_several_clients_at_once(store):
    with running_server(store) as server:
        results, errors = [], []

        def client(udp: bool) -> None:
            try:
                conn = pyzk(server.port, udp=udp).connect()
                results.append(len(conn.get_attendance()))
                conn.disconnect()
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                errors.append(exc)

        threads = [threading.Thread(target=client, args=(i % 2 == 1,)) for i in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == [] and results == [60] * 6


def test_set_time_refused_unless_allowed(store):
    with running_server(store) as server:
        conn = pyzk(server.port).connect()
        with pytest.raises(ZKErrorResponse):
            conn.set_time(datetime(2024, 1, 1, 8, 0, 0))
        conn.disconnect()
    set_to = []
    from zk_helpers import ZkServerSettings, build_server

    settings = ZkServerSettings(port=0, allow_set_time=True)
    server = build_server(store, settings, "KIOSK-07", tz=WIB, set_clock=set_to.append).start()
    try:
        conn = pyzk(server.port).connect()
        assert conn.set_time(datetime(2024, 1, 1, 8, 0, 0))
        conn.disconnect()
    finally:
        server.stop()
    assert set_to == [datetime(2024, 1, 1, 8, 0, 0, tzinfo=WIB)]


def test_clear_attendance_refused_by_default_and_never_deletes(store, tmp_path):
    with running_server(store) as server:
        conn = pyzk(server.port).connect()
        with pytest.raises(ZKErrorResponse):
            conn.clear_attendance()
        assert len(conn.get_attendance()) == 60
        conn.disconnect()
    with running_server(store, tmp_path, allow_clear_attendance=True) as server:
        conn = pyzk(server.port).connect()
        assert conn.clear_attendance()
        assert conn.get_attendance() == []
        punch(store, BUDI.nip, datetime(2024, 5, 9, 7, 0, tzinfo=WIB))
        assert [a.user_id for a in conn.get_attendance()] == ["1"]
        conn.disconnect()
    assert store.punches.count() == 61
    with running_server(store, tmp_path, allow_clear_attendance=True) as server:  # the floor survives a restart
        conn = pyzk(server.port).connect()
        assert len(conn.get_attendance()) == 1
        conn.disconnect()


def test_user_writes_refused_unless_simulating(store):
    with running_server(store) as server:
        conn = pyzk(server.port).connect()
        with pytest.raises(ZKErrorResponse):
            conn.set_user(uid=9, name="Tamu", user_id="9")
        conn.disconnect()
    with running_server(store, accept_user_writes=True) as server:
        conn = pyzk(server.port).connect()
        conn.set_user(uid=9, name="Tamu", user_id="9")
        conn.delete_user(uid=42)
        assert [(u.uid, u.user_id) for u in conn.get_users()] == [(1, "1"), (9, "9")]
        conn.disconnect()


PYZK_NEW_SCRIPT = r"""
import json, sys
from zk import ZK
port, udp, key = int(sys.argv[1]), sys.argv[2] == "udp", int(sys.argv[3])
conn = ZK("127.0.0.1", port=port, timeout=5, password=key, force_udp=udp, ommit_ping=True).connect()
out = {"serial": conn.get_serialnumber(), "firmware": conn.get_firmware_version(),
       "users": [[u.uid, u.user_id, u.name] for u in conn.get_users()],
       "attendance": [[a.user_id, a.timestamp.isoformat(), a.status, a.punch] for a in conn.get_attendance()],
       "time": conn.get_time().isoformat()}
conn.disconnect()
print(json.dumps(out))
"""


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_pyzk_new_fork(store, udp):
    python = os.environ.get("KIOSK_PYZK_NEW_PYTHON")
    if not python:
        pytest.skip("set KIOSK_PYZK_NEW_PYTHON to a python with only pyzk-new installed (see docs/zk-server.md)")
    with running_server(store, comm_key=77) as server:
        done = subprocess.run(
            [python, "-c", PYZK_NEW_SCRIPT, str(server.port), "udp" if udp else "tcp", "77"],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["serial"] == "KIOSK-07" and out["firmware"].startswith("Ver")
    assert out["users"] == [[1, "1", "Budi Santoso"], [42, "42", "Siti Aminah"]]
    expected = [[u, t.isoformat(), v, s] for u, t, v, s in expected_attendance(store)]
    assert out["attendance"] == expected
