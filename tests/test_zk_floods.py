"""Floods and key guessing on the LAN must not lock the central server out of the ZK server.

Real sockets against the real server on 127.0.0.1; the legitimate client is PyPI pyzk. On
loopback every client shares one address, the hardest case for per-source limits: the flood and
the legitimate client come from the same source.
"""

from __future__ import annotations

import logging
import socket
import time
from datetime import datetime, timedelta

import pytest
from zk.exception import ZKErrorResponse

from sync.zk import codec, limits

from helpers import wait_until
from zk_helpers import BUDI, WIB, open_store, punch, pyzk, running_server

CONNECT, REG_EVENT = 1000, 500


@pytest.fixture
def store(tmp_path):
    store = open_store(tmp_path / "kiosk.db")
    for i in range(30):
        punch(store, BUDI.nip, datetime(2026, 2, 2, 7, 0, tzinfo=WIB) + timedelta(minutes=i))
    yield store
    store.close()


def pull_with_pyzk(port: int, udp: bool, key: int = 0) -> int:
    conn = pyzk(port, udp=udp, password=key).connect()
    try:
        return len(conn.get_attendance())
    finally:
        conn.disconnect()


def udp_connect(sock: socket.socket, port: int, subscribe: bool) -> int:
    """CONNECT (and REG_EVENT 1) the way a flood sends them; returns the session id."""
    sock.sendto(codec.encode_packet(CONNECT, 0, 0), ("127.0.0.1", port))
    session = codec.decode_packet(sock.recv(1024)).session
    if subscribe:
        sock.sendto(codec.encode_packet(REG_EVENT, session, 1, b"\x01\x00\x00\x00"), ("127.0.0.1", port))
        sock.recv(1024)
    return session


def udp_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(5)
    return sock


def test_udp_connect_flood_from_one_socket_leaves_room(store):
    with running_server(store, idle_timeout=60.0) as server:
        flood = udp_socket()
        for _ in range(64):
            udp_connect(flood, server.port, subscribe=True)
        assert server.udp_sessions() == 1  # one session per client socket
        assert pull_with_pyzk(server.port, udp=True) == 30
        flood.close()


def test_udp_flood_from_many_sockets_is_evicted_and_silent_subscribers_expire(store):
    with running_server(store, idle_timeout=3.0) as server:
        floods = [udp_socket() for _ in range(70)]
        for sock in floods:
            udp_connect(sock, server.port, subscribe=True)
        assert server.udp_sessions() <= limits.MAX_UDP_SESSIONS_PER_SOURCE
        assert pull_with_pyzk(server.port, udp=True) == 30
        wait_until(lambda: server.udp_sessions() == 0, "no UDP session left")  # subscribed, but silent: expired
        for sock in floods:
            sock.close()


def test_udp_bare_connects_with_a_comm_key_hold_no_slot(store):
    with running_server(store, idle_timeout=60.0, comm_key=4321) as server:
        floods = [udp_socket() for _ in range(64)]
        for sock in floods:
            udp_connect(sock, server.port, subscribe=False)
        assert pull_with_pyzk(server.port, udp=True, key=4321) == 30
        # unauthenticated sessions are gone after the short grace, long before idle_timeout
        wait_until(lambda: server.udp_sessions() == 0, "no UDP session left", timeout=limits.UNAUTH_GRACE + 10)
        for sock in floods:
            sock.close()


@pytest.mark.parametrize("key", [0, 4321], ids=["no-key", "comm-key"])
def test_tcp_silent_clients_do_not_lock_out_a_new_one(store, key):
    with running_server(store, idle_timeout=60.0, max_clients=8, comm_key=key) as server:
        silent = []
        for _ in range(8):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(codec.frame(codec.encode_packet(CONNECT, 0, 0)))
            session = codec.decode_packet(sock.recv(1024)[8:]).session
            if not key:  # subscribed and silent from now on
                sock.sendall(codec.frame(codec.encode_packet(REG_EVENT, session, 1, b"\x01\x00\x00\x00")))
                sock.recv(1024)
            silent.append(sock)
        assert pull_with_pyzk(server.port, udp=False, key=key) == 30
        assert pull_with_pyzk(server.port, udp=False, key=key) == 30
        # one source holds at most half the slots: the flood pushed out its own oldest
        wait_until(lambda: server.tcp_clients() <= limits.tcp_per_source(8), "the TCP clients cut to the per-source cap")
        for sock in silent:
            sock.close()


@pytest.mark.parametrize("udp", [False, True], ids=["tcp", "udp"])
def test_comm_key_guessing_is_throttled_per_source(store, udp, caplog):
    caplog.set_level(logging.INFO, logger="sync.zk")
    with running_server(store, comm_key=271828) as server:
        for guess in range(limits.FREE_FAILURES + 1):
            with pytest.raises(ZKErrorResponse):
                pyzk(server.port, udp=udp, password=guess).connect()
        # locked out now: even the right key is refused, without being checked
        with pytest.raises(ZKErrorResponse):
            pyzk(server.port, udp=udp, password=271828).connect()
        time.sleep(limits.lockout_after(limits.FREE_FAILURES + 1))  # the first lockout passes ...
        assert pull_with_pyzk(server.port, udp=udp, key=271828) == 30  # ... and the right key works again
    refusals = [r.getMessage() for r in caplog.records if "AUTH" in r.getMessage() and r.levelno == logging.INFO]
    assert sum("with a wrong comm key" in m for m in refusals) == limits.FREE_FAILURES + 1
    assert any("127.0.0.1 is locked out" in m and "without checking the key" in m for m in refusals)


def test_whole_key_space_takes_years_from_one_source():
    assert [limits.lockout_after(n) for n in range(1, 9)] == [0, 0, 0, 0, 0, 1, 2, 4]
    assert limits.lockout_after(100) == limits.MAX_LOCKOUT
    year = 365 * 24 * 3600
    assert limits.seconds_to_try(1_000_000) > 10 * year  # comm keys are 0..999999


def _occupant(key: str, source: str, authenticated: bool, last_seen: float) -> limits.Occupant:
    return limits.Occupant(key, source, authenticated, last_seen)


@pytest.mark.parametrize(
    ("occupants", "source", "victim"),
    [
        ([_occupant("a", "10.0.0.1", True, 1.0)], "10.0.0.2", None),  # room: nobody leaves
        # the newcomer's own address is at its quota (2): one of its own goes, unauthenticated first
        (
            [
                _occupant("a", "10.0.0.1", True, 1.0),
                _occupant("b", "10.0.0.1", False, 5.0),
                _occupant("c", "10.0.0.9", False, 0.5),
            ],
            "10.0.0.1",
            "b",
        ),
        # ... else the one silent longest, never another address's
        (
            [
                _occupant("a", "10.0.0.1", True, 3.0),
                _occupant("b", "10.0.0.1", True, 2.0),
                _occupant("c", "10.0.0.9", True, 0.5),
            ],
            "10.0.0.1",
            "b",
        ),
        # the whole table (4) is full: the longest-silent of all
        (
            [
                _occupant("a", "10.0.0.1", True, 3.0),
                _occupant("b", "10.0.0.2", True, 2.0),
                _occupant("c", "10.0.0.3", True, 0.5),
                _occupant("d", "10.0.0.4", True, 4.0),
            ],
            "10.0.0.5",
            "c",
        ),
    ],
)
def test_who_makes_room_for_a_newcomer(occupants, source, victim):
    chosen = limits.choose_victim(occupants, source, per_source=2, total=4)
    assert (chosen.key if chosen else None) == victim
