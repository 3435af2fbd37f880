"""Hostile HTTP clients against the real pull API on 127.0.0.1 (issue 11, item 4).

Attack traffic comes from other loopback addresses (127.0.0.2 ...), as from other hosts on the
LAN, so the per-source caps can tell attacker from client; the legitimate client is 127.0.0.1.
"""

from __future__ import annotations

import json
import select
import socket
import threading
from datetime import timedelta, timezone

import pytest
import requests

from kiosk.photos import PhotoStore
from kiosk.settings.api import ApiSettings
from kiosk.store import Store
from sync.pull_api import build_pull_server
from sync.wsgi_server import ServerThread

from helpers import insert_punches_fast, write_token

TOKEN = "pull-token"


@pytest.fixture
def api(tmp_path):
    store = Store.open(tmp_path / "kiosk.db", device_id="KIOSK-H1")
    insert_punches_fast(store, 50)
    settings = ApiSettings(enabled=True, port=0, token_file=str(write_token(tmp_path / "api.token", TOKEN)))
    server = build_pull_server(settings, store, PhotoStore(tmp_path), timezone(timedelta(hours=7))).start()
    yield server
    server.stop()
    store.close()


def connect_from(source: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    return sock


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes (or resets) the connection within `within` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass  # an error reply before the close is fine
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def read_until_closed(sock: socket.socket, timeout: float = 10) -> bytes:
    sock.settimeout(timeout)
    reply = b""
    try:
        while chunk := sock.recv(65536):
            reply += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    return reply


def legit_get(server: ServerThread, path: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)


def test_slow_partial_requests_do_not_lock_out_other_clients_and_are_cut(api):
    # 105 requests that never finish their headers, one header line at a time, from 14 hosts
    # (8 each: the per-source cap, so the header deadline is what must end them)
    attackers: list[socket.socket] = []
    for n in range(105):
        sock = connect_from(f"127.0.0.{2 + n // 8}", api.port)
        sock.sendall(b"GET /api/v1/punches HTTP/1.1\r\nHost: kiosk\r\n")
        attackers.append(sock)
    stop = threading.Event()

    def trickle():  # a header line every second: faster than any idle timeout would catch
        for round_ in range(30):
            if stop.wait(1.0):
                return
            for sock in attackers:
                try:
                    sock.sendall(f"X-Slow-{round_}: a\r\n".encode())
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            assert legit_get(api, "/api/v1/health").json()["last_seq"] == 50
            assert len(legit_get(api, "/api/v1/punches?limit=10").json()["punches"]) == 10
        # the whole header must arrive within header_timeout (10 s) of connecting, however steady the trickle
        assert all(closed_by_server(sock, within=20) for sock in attackers)
    finally:
        stop.set()
        thread.join()
        for sock in attackers:
            sock.close()


def test_a_declared_huge_body_gets_413_before_it_is_sent(api):
    # unauthenticated, 300 MB declared, nothing sent: the answer must come without waiting for the body
    sock = connect_from("127.0.0.2", api.port)
    sock.sendall(b"POST /api/v1/punches HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 300000000\r\n\r\n")
    reply = read_until_closed(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["error"]["code"] == "too_large"


def test_a_body_over_the_limit_is_cut_off_without_being_stored(api):
    # chunked, so nothing declares the size: the server counts and answers 413 at the limit (64 KiB)
    sock = connect_from("127.0.0.2", api.port)
    sock.sendall(b"POST /api/v1/punches HTTP/1.1\r\nHost: kiosk\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"x" * 16384
    for _ in range(256):  # 4 MiB at most; stop as soon as the server answers
        if select.select([sock], [], [], 0.05)[0]:
            break
        try:
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            break
    reply = read_until_closed(sock, timeout=5)
    assert reply.startswith(b"HTTP/1.1 413")
    assert legit_get(api, "/api/v1/health").status_code == 200


def test_one_source_cannot_take_more_than_its_share_of_connections(api):
    held = [connect_from("127.0.0.2", api.port) for _ in range(8)]  # the per-source cap
    extra = connect_from("127.0.0.2", api.port)
    try:
        assert closed_by_server(extra, within=5)
        assert legit_get(api, "/api/v1/health").status_code == 200  # another source still gets in
        other_host = connect_from("127.0.0.3", api.port)
        other_host.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: kiosk\r\nConnection: close\r\n\r\n")
        assert read_until_closed(other_host).startswith(b"HTTP/1.1 200")
    finally:
        for sock in [*held, extra]:
            sock.close()


def test_a_slow_body_gets_408_at_the_body_deadline():
    from sync.http_limits import HttpLimits

    def echo(environ, start_response):
        data = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [data]

    with ServerThread(echo, "127.0.0.1", 0, limits=HttpLimits(body_timeout=1.0)) as server:
        sock = connect_from("127.0.0.2", server.port)
        sock.sendall(b"POST / HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 100\r\n\r\n")
        reply = b""
        for _ in range(40):  # a byte every 0.2 s: 8 s for the body, past the 1 s deadline
            try:
                sock.sendall(b"x")
            except OSError:
                break
            sock.settimeout(0.2)
            try:
                reply = sock.recv(65536)
                break
            except TimeoutError:
                continue
        sock.close()
        assert reply.startswith(b"HTTP/1.1 408")
        assert requests.post(server.url, data=b"y" * 100, timeout=5).content == b"y" * 100


def test_the_constructor_other_surfaces_use_still_works():
    def hello(environ, start_response):
        start_response("204 No Content", [])
        return []

    server = ServerThread(hello, "127.0.0.1", 0, threads=2, name="console").start()
    try:
        assert server.host == "127.0.0.1" and server.port > 0 and server.url == f"http://127.0.0.1:{server.port}"
        assert requests.get(server.url, timeout=5).status_code == 204  # an empty body still gets its status line
    finally:
        server.stop()


def test_a_client_opening_a_connection_per_request_is_never_refused_by_its_own_cap(api):
    # closed connections must give their slot back at once, not when a keep-alive timer fires
    for _ in range(40):  # five times the per-source cap (8)
        assert legit_get(api, "/api/v1/health").status_code == 200


def test_an_error_inside_the_app_is_a_json_500():
    from sync.json_app import JsonApp

    class Broken(JsonApp):
        from werkzeug.routing import Map, Rule

        routes = Map([Rule("/boom", endpoint="boom")])

        def dispatch(self, request, endpoint, args):
            raise RuntimeError("a bug")

    with ServerThread(Broken(), "127.0.0.1", 0) as server:
        reply = requests.get(f"{server.url}/boom", timeout=5)
    assert reply.status_code == 500 and reply.json()["error"]["code"] == "internal"
