"""The daemon restarts the parts that can recover, within a budget, and the door never waits for them.

Everything is real: the kiosk runs in this process on a video file, its servers bind real ports on
127.0.0.1 (taken first by a real socket), the pull API answers a real HTTP request, the ZK server a
real pyzk client, and the stand-in fingerprint terminal is the kiosk's own ZK server on its own store.
`kiosk status` runs as another process and reads the status file the daemon writes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.app.daemon import Kiosk
from kiosk.app.supervisor import RestartBudget
from kiosk.domain import Employee
from kiosk.settings import load_settings
from sync.jobs import TERMINAL_ROSTER_EVERY_SECONDS

from helpers import REPO, wait_until, write_token
from test_daemon import door_config
from zk_helpers import BUDI, SITI, WIB, open_store, pyzk

NEW = Employee(nip="199507072022031004", name="Pegawai Baru", pin=7)
TOKEN = "restart-token"


# Another program holding a port: a separate process, so that no process of the kiosk (the face
# encoder's worker is forked from it) inherits the listening socket.
HOLD_A_PORT = "import socket, sys; s = socket.create_server(('127.0.0.1', 0)); print(s.getsockname()[1], flush=True); sys.stdin.read()"


class PortHolder:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", HOLD_A_PORT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def free(self) -> None:
        self.process.kill()
        self.process.wait()


@contextmanager
def taken_port() -> Iterator[PortHolder]:
    holder = PortHolder()
    try:
        yield holder
    finally:
        holder.free()
        for pipe in (holder.process.stdin, holder.process.stdout):
            if pipe is not None:
                pipe.close()


@contextmanager
def running_kiosk(config: Path, budget: RestartBudget) -> Iterator[Kiosk]:
    kiosk = Kiosk(load_settings(config), restart_budget=budget)
    try:
        kiosk.start()
        assert kiosk.wait_for_parts(60), "the servers did not start within 60 s"
        yield kiosk
    finally:
        kiosk.stop()


def state(kiosk: Kiosk, part: str) -> str:
    return kiosk.part_states()[part]


def faults(kiosk: Kiosk) -> dict[str, str]:
    return {f.part: f.message for f in kiosk.health.faults()}


def kiosk_status(config: Path, *args: str) -> str:
    """`kiosk status`, another process, as the technician runs it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("RUNTIME_DIRECTORY", None)
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk", "--config", str(config), "status", *args], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    return shown.stdout


def test_servers_whose_ports_were_taken_start_once_the_ports_are_free(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    token = write_token(tmp_path / "api.token", TOKEN)
    with taken_port() as api_holder, taken_port() as zk_holder:
        api_port, zk_port = api_holder.port, zk_holder.port
        config = door_config(
            tmp_path,
            f"""
            [api]
            enabled = true
            port = {api_port}
            token_file = "{token}"
            [zk_server]
            enabled = true
            port = {zk_port}
            udp = false
            """,
        )
        # Generous: the ports are freed long before 20 restarts are spent.
        budget = RestartBudget(restarts=20, window_seconds=600, backoff_initial=0.2, backoff_max=1.0)
        with running_kiosk(config, budget) as kiosk:
            for part in ("pull api", "zk server"):
                assert state(kiosk, part).startswith("restarting (attempt "), state(kiosk, part)
                assert "in use" in state(kiosk, part)
                assert faults(kiosk)[part].startswith("restarting: did not start")
            kiosk.store.employees.add(BUDI)
            outcome = kiosk.record_fingerprint(BUDI.nip, datetime(2026, 11, 23, 7, 30, tzinfo=WIB), None)
            punch = outcome.punch  # the door records while its servers wait for their ports

            api_holder.free()
            zk_holder.free()
            wait_until(lambda: state(kiosk, "pull api") == state(kiosk, "zk server") == "running", "both servers running", timeout=60)

            request = urllib.request.Request(
                f"http://127.0.0.1:{api_port}/api/v1/punches?after=0", headers={"Authorization": f"Bearer {TOKEN}"}
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                served = json.load(reply)
            assert [p["uuid"] for p in served["punches"]] == [punch.uuid]
            conn = pyzk(zk_port).connect()
            try:
                assert [u.user_id for u in conn.get_users()] == [str(BUDI.pin)]
            finally:
                conn.disconnect()
            assert "pull api" not in faults(kiosk) and "zk server" not in faults(kiosk)
            assert any("pull api: restart 1 of 20" in r.getMessage() for r in caplog.records)

            # Its thread ends on its own (here: stopped behind the daemon's back): it is restarted too.
            assert kiosk.zk_server is not None
            first = kiosk.zk_server.current
            assert first is not None
            first.stop()
            wait_until(lambda: kiosk.zk_server.current not in (None, first), "a new zk server", timeout=60)
            conn = pyzk(zk_port).connect()
            try:
                assert conn.get_serialnumber() == "DAEMON-01"
            finally:
                conn.disconnect()


def test_a_server_that_keeps_failing_is_given_up_and_the_door_still_records(tmp_path: Path) -> None:
    with taken_port() as holder:
        port = holder.port
        config = door_config(
            tmp_path, f"\n[soap]\nenabled = true\nport = {port}\n"
        )
        budget = RestartBudget(restarts=2, window_seconds=600, backoff_initial=0.05, backoff_max=0.1)
        with running_kiosk(config, budget) as kiosk:
            wait_until(lambda: state(kiosk, "soap service").startswith("failed"), "the soap service given up", timeout=30)
            assert state(kiosk, "soap service").startswith("failed (gave up: did not start: ")
            assert faults(kiosk)["soap service"].startswith("gave up after 2 restarts within 600 s: did not start:")

            kiosk.store.employees.add(SITI)
            punch = kiosk.record_fingerprint(SITI.nip, datetime(2026, 11, 23, 7, 31, tzinfo=WIB), None).punch
            assert kiosk.store.punches.get(punch.seq).nip == SITI.nip
            assert kiosk.pipeline is not None and kiosk.pipeline.is_alive()

            kiosk.write_status()  # what the status loop writes every 2 s, now
            status = json.loads(kiosk_status(config, "--json"))
            assert status["daemon"] == "running"
            assert status["parts"]["soap service"].startswith("failed (gave up: did not start: ")
            assert status["parts"]["camera"] == "running"
            assert {f["part"]: f["message"] for f in status["faults"]}["soap service"].startswith("gave up after 2 restarts")
            assert status["last_punch"]["nip"] == SITI.nip
            text = kiosk_status(config)
            assert "part soap service: failed (gave up: did not start: " in text
            assert "FAULT soap service: gave up after 2 restarts" in text


def test_the_roster_reaches_the_fingerprint_terminal_through_a_scheduler_job(tmp_path: Path) -> None:
    from kiosk.settings.zk_server import ZkServerSettings
    from sync.zk import build_server

    terminal_store = open_store(tmp_path / "terminal.db", employees=(BUDI,))
    terminal = build_server(terminal_store, ZkServerSettings(port=0, udp=False, accept_user_writes=True), "ZK-TERM-1", tz=WIB).start()
    try:
        config = door_config(
            tmp_path,
            f"""
            [fingerprint]
            terminal_address = "127.0.0.1"
            port = {terminal.port}
            timeout = 3.0
            backoff_min = 0.1
            backoff_max = 1.0
            """,
        )
        with running_kiosk(config, RestartBudget()) as kiosk:
            assert kiosk.delivery is not None and kiosk.terminal_link is not None
            job = kiosk.delivery.scheduler.get_job("terminal-roster")
            assert job is not None and job.trigger.interval.total_seconds() == TERMINAL_ROSTER_EVERY_SECONDS
            link = kiosk.terminal_link.current
            assert link is not None
            wait_until(lambda: link.status.roster is not None, "the roster written on connect", timeout=30)

            def terminal_users() -> list[str]:
                conn = pyzk(terminal.port).connect()
                try:
                    return sorted(u.user_id for u in conn.get_users())
                finally:
                    conn.disconnect()

            assert terminal_users() == []  # Budi is not on this kiosk: the roster on connect removed him
            kiosk.store.employees.add(NEW)  # enrolled while the link runs
            kiosk.delivery.scheduler.modify_job("terminal-roster", next_run_time=datetime.now(WIB))  # its time comes
            wait_until(lambda: terminal_users() == [str(NEW.pin)], "the new employee on the terminal", timeout=30)
    finally:
        terminal.stop()
        terminal_store.close()


def test_delivery_that_cannot_start_is_shown_and_makes_the_kiosk_unhealthy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: nothing real makes APScheduler refuse to start here, so start_scheduler is
    replaced by one that raises what a process out of threads would. The service must not run on
    without delivery and say nothing: the status names it and the watchdog stops being petted."""

    def out_of_threads(self: Kiosk) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(Kiosk, "start_scheduler", out_of_threads)
    config = door_config(tmp_path, "")
    with running_kiosk(config, RestartBudget()) as kiosk:
        assert state(kiosk, "scheduler") == "failed (can't start new thread)"
        assert faults(kiosk)["scheduler"] == "did not start: can't start new thread"
        assert not kiosk.healthy()
        assert "servers and delivery" not in kiosk.part_states()  # no longer "waiting for a quiet door"
