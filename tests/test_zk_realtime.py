"""Realtime events reach ZK subscribers for every committed punch, whichever process committed it.

Real pieces: `kiosk run` as a child process with its ZK server on a free 127.0.0.1 port, `kiosk
punch add` as a second process, and pyzk's live_capture as the subscriber.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.domain import Kind, Method
from kiosk.store import Store

from helpers import REPO, free_port, wait_until
from test_daemon import door_config, start_kiosk, terminate
from zk_helpers import BUDI, SITI, WIB, open_store, punch, pyzk, running_server


class Listener:
    """pyzk live_capture in a thread, collecting (user id, time) of every event."""

    def __init__(self, port: int) -> None:
        self.conn = pyzk(port, timeout=10).connect()
        self.events: list[tuple[str, datetime]] = []
        self._running = threading.Event()
        self._running.set()
        self._thread = threading.Thread(target=self._capture, daemon=True)
        self._thread.start()

    def _capture(self) -> None:
        for event in self.conn.live_capture(new_timeout=1):
            if event is not None:
                self.events.append((event.user_id, event.timestamp))
            if not self._running.is_set():
                self.conn.end_live_capture = True

    def close(self) -> None:
        self._running.clear()
        self._thread.join(15)
        self.conn.disconnect()


def kiosk(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_subscriber_hears_a_punch_added_by_another_process_while_kiosk_runs(tmp_path):
    port = free_port()
    config = door_config(
        tmp_path,
        f"""
        [zk_server]
        enabled = true
        port = {port}
        udp = false
        """,
    )
    kiosk(config, "employee", "add", BUDI.nip, "--name", BUDI.name, "--pin", "1")
    process = start_kiosk(config)
    try:
        wait_until(lambda: accepts(port) or process.poll() is not None, "the ZK port open or the kiosk gone")
        assert process.poll() is None
        listener = Listener(port)
        wait_until(lambda: listener.conn.is_connect, "the realtime listener connected")
        at = (datetime.now(WIB) - timedelta(minutes=2)).replace(microsecond=0)
        kiosk(config, "punch", "add", BUDI.nip, "--time", at.isoformat(), "--reason", "mesin rusak")
        wait_until(lambda: len(listener.events) >= 1, "the first realtime event", timeout=20)
        listener.close()
    finally:
        _seconds, output = terminate(process)
    assert listener.events == [("1", at.replace(tzinfo=None))], output[-3000:]


def test_every_committed_punch_is_sent_once_in_order(tmp_path):
    store = open_store(tmp_path / "kiosk.db")
    # another connection to the same file, as `kiosk punch add` or `kiosk zk pull` has
    other_process = Store.open(tmp_path / "kiosk.db", device_id="KIOSK-07")
    with running_server(store) as server:
        listener = Listener(server.port)
        wait_until(lambda: server.terminal.subscriber_count() == 1, "one realtime subscriber")
        at = datetime(2026, 3, 2, 7, 15, 3, tzinfo=WIB)
        from_recorder = punch(store, SITI.nip, at, Method.FACE, Kind.DATANG)
        server.publish(from_recorder)  # the daemon's recorder announces its own punches ...
        punch(other_process, BUDI.nip, at + timedelta(seconds=1), Method.FINGERPRINT)  # ... others never do
        server.publish(from_recorder)  # announced twice: still one event
        wait_until(lambda: len(listener.events) >= 2, "two realtime events")
        listener.close()
    other_process.close()
    store.close()
    assert listener.events == [("42", at.replace(tzinfo=None)), ("1", (at + timedelta(seconds=1)).replace(tzinfo=None))]
