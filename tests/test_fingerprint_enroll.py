"""`kiosk fingerprint enroll NIP` and `kiosk employee remove` on the UART module, with and without a
running `kiosk run` holding the serial port.

Real parts only: the simulated R30x module (drivers/fingerprint/r30x_sim.py) answers on a real
pseudo-terminal pair; `kiosk` runs as child processes; the service is a real `kiosk run` with a
video file as its camera. The test plays the person at the sensor: it reads the prompts the
command prints ("Letakkan jari ...") and places or lifts the simulated finger accordingly.
"""

from __future__ import annotations

import json
import os
import queue
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.fingerprint.r30x_codec import Instruction
from drivers.fingerprint.r30x_sim import SimulatedModule
from drivers.fingerprint.uart import DeviceMissing, EnrollStep, Jobs, UartFingerprint
from drivers.fingerprint.uart_remote import RequestServer, ServiceUnavailable, call_service
from kiosk.i18n import MESSAGES
from kiosk.settings import load_settings
from kiosk.status import find_snapshot

from helpers import wait_until
from test_daemon import door_config, start_kiosk, terminate, write_config

REPO = Path(__file__).resolve().parent.parent
NIP = "198001012006041001"
PIN = 12
FINGER = 7
WAIT = 60.0  # upper bound for a child process to get somewhere; never reached when things work
PROMPTS = {step: MESSAGES["id"][f"enroll_{step}"] for step in ("place", "remove", "place_again", "stored")}


@pytest.fixture
def sim() -> Iterator[SimulatedModule]:
    with SimulatedModule(capacity=200) as module:
        yield module


def module_config(tmp_path: Path, sim: SimulatedModule) -> Path:
    return door_config(
        tmp_path,
        f"""
        [uart_fingerprint]
        port = "{sim.port}"
        timeout_seconds = 1.0
        poll_interval = 0.05
        """,
    )


def kiosk_cmd(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--config", str(config), *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def run(config: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        kiosk_cmd(config, *args), env=env(), capture_output=True, text=True, timeout=WAIT, check=False
    )


class Person:
    """Reads the enrolment prompts from the command's output and does what they say."""

    def __init__(self, process: subprocess.Popen, sim: SimulatedModule, finger: int, obey_stored: bool = True) -> None:
        self.process, self.sim, self.finger, self.obey_stored = process, sim, finger, obey_stored
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.put(line)
        self.lines.put(None)

    def follow(self) -> tuple[list[str], str]:
        """Act on every prompt until the command ends; returns (prompts seen, the whole output)."""
        seen, output = [], []
        while (line := self.lines.get(timeout=WAIT)) is not None:
            output.append(line)
            for step, text in PROMPTS.items():
                if line.startswith(text + " "):
                    seen.append(step)
                    self._act(step)
        self.process.wait(timeout=WAIT)
        return seen, "".join(output)

    def _act(self, step: str) -> None:
        if step in ("place", "place_again"):
            self.sim.place_finger(self.finger)
        elif step == "remove" or self.obey_stored:
            self.sim.remove_finger()


def enroll_process(config: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        kiosk_cmd(config, "fingerprint", "enroll", NIP, *extra),
        env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def add_employee(config: Path) -> None:
    added = run(config, "employee", "add", NIP, "--name", "Budi Santoso", "--pin", str(PIN))
    assert added.returncode == 0, added.stdout + added.stderr


def audit_actions(config: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(load_settings(config).database_path) as conn:
        return [(row[0], row[1]) for row in conn.execute("SELECT action, detail FROM audit_log ORDER BY id")]


def fingerprint_punches(config: Path) -> list[str]:
    with sqlite3.connect(load_settings(config).database_path) as conn:
        return [row[0] for row in conn.execute("SELECT nip FROM punches WHERE method = 'fingerprint'")]


# -- no service running: the command opens the port itself -----------------------------------


def test_enroll_without_the_service_opens_the_port(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    add_employee(config)
    seen, output = Person(enroll_process(config), sim, FINGER).follow()
    assert seen == ["place", "remove", "place_again", "stored"], output
    assert "Letakkan jari di sensor sidik jari" in output and "Letakkan jari yang sama lagi" in output
    assert f"in module slot {PIN} (on {sim.port})" in output
    assert sim.enrolled() == {PIN: FINGER}  # the slot is the employee's terminal PIN
    assert ("fingerprint.enroll", json.dumps({"slot": PIN, "via": "direct"})) in audit_actions(config)

    removed = run(config, "employee", "remove", NIP)
    assert removed.returncode == 0, removed.stderr
    assert f"fingerprint slot {PIN} erased" in removed.stdout
    assert sim.enrolled() == {}


def test_english_prompts_and_a_finger_never_placed(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    add_employee(config)
    result = run(config, "fingerprint", "enroll", NIP, "--language", "en", "--wait", "1")
    assert result.returncode == 1
    assert "Place a finger on the fingerprint sensor" in result.stdout
    assert "no finger was placed on the sensor within 1 s" in result.stderr
    assert sim.enrolled() == {}


def test_unknown_employee_and_no_module_configured(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    result = run(config, "fingerprint", "enroll", NIP)
    assert result.returncode == 1 and f"no employee with NIP {NIP}" in result.stderr
    (tmp_path / "bare").mkdir()
    bare = write_config(tmp_path / "bare", str(tmp_path / "door.avi"))  # no [uart_fingerprint]
    add_employee(bare)
    result = run(bare, "fingerprint", "enroll", NIP)
    assert (
        result.returncode == 1
        and "no UART fingerprint module is configured; set port under [uart_fingerprint]" in result.stderr
    )
    assert run(bare, "employee", "remove", NIP).returncode == 0  # no module: nothing to erase there


def test_remove_refuses_while_the_module_cannot_be_reached(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    add_employee(config)
    config.write_text(config.read_text().replace(sim.port, str(tmp_path / "ttyUSB7")))
    refused = run(config, "employee", "remove", NIP)
    assert refused.returncode == 1 and f"no serial device at {tmp_path / 'ttyUSB7'}" in refused.stderr
    assert NIP in run(config, "employee", "list").stdout  # nothing half done: the employee is still there
    forced = run(config, "employee", "remove", NIP, "--keep-finger")
    assert forced.returncode == 0 and f"`kiosk fingerprint delete {PIN}`" in forced.stderr
    assert NIP not in run(config, "employee", "list").stdout


def test_delete_a_slot_and_remove_an_employee_beyond_the_library(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    with UartFingerprint(sim.port, poll_interval=0.01) as reader:  # a finger left by an earlier employee
        sim.place_finger(4)
        reader.enroll(
            30, on_step=lambda step: sim.remove_finger() if step is EnrollStep.REMOVE else sim.place_finger(4)
        )
        sim.remove_finger()
    assert sim.enrolled() == {30: 4}
    deleted = run(config, "fingerprint", "delete", "30", "--json")
    assert deleted.returncode == 0, deleted.stderr
    assert json.loads(deleted.stdout) == {"slot": 30, "via": "direct", "employee": None} and sim.enrolled() == {}
    # A PIN the 200-slot module cannot hold was never enrolled there: removing that employee works.
    added = run(config, "employee", "add", NIP, "--name", "Budi", "--pin", "250")
    assert added.returncode == 0, added.stderr
    removed = run(config, "employee", "remove", NIP)
    assert removed.returncode == 0 and "fingerprint slot" not in removed.stdout, removed.stderr


# -- the service holds the port: the command hands the work to it -----------------------------


def held_by_another_program(port: str) -> bool:
    reader = UartFingerprint(port)
    try:
        reader.open()
    except DeviceMissing as exc:
        assert "is in use by another program" in str(exc)
        return True
    reader.close()
    return False


def test_enroll_and_remove_through_the_running_service(tmp_path: Path, sim: SimulatedModule) -> None:
    config = module_config(tmp_path, sim)
    add_employee(config)
    data_dir = load_settings(config).data_dir
    daemon = start_kiosk(config)
    try:
        wait_until(lambda: (find_snapshot(data_dir) or {}).get("uart_socket"), "the service's request socket", timeout=WAIT)
        # The service holds the port exclusively (its door loop opens it right after start-up).
        wait_until(lambda: held_by_another_program(sim.port), "the service holding the serial port", timeout=WAIT)

        seen, output = Person(enroll_process(config), sim, FINGER, obey_stored=False).follow()
        assert seen == ["place", "remove", "place_again", "stored"], output
        assert f"in module slot {PIN} (by the running kiosk service)" in output
        assert sim.enrolled() == {PIN: FINGER}
        # The finger is still on the sensor after enrolment: the door loop waits for it to lift
        # instead of recording a punch for it at once.
        seen_by_module = sim.instructions_seen()
        stored_at = len(seen_by_module) - seen_by_module[::-1].index(Instruction.STORE)
        wait_until(
            lambda: sim.instructions_seen()[stored_at:].count(Instruction.GEN_IMG),
            "the door loop polling",
            until=lambda polls: polls >= 10,
            timeout=WAIT,
        )
        assert Instruction.SEARCH not in sim.instructions_seen()[stored_at:] and fingerprint_punches(config) == []
        sim.remove_finger()
        lifted_at = len(sim.instructions_seen())
        wait_until(lambda: Instruction.GEN_IMG in sim.instructions_seen()[lifted_at:], "a poll of the empty sensor", timeout=WAIT)
        sim.place_finger(FINGER)  # a real touch: the enrolled finger punches for its employee
        wait_until(lambda: fingerprint_punches(config), "the fingerprint punch", until=lambda nips: nips == [NIP], timeout=WAIT)
        sim.remove_finger()

        late = run(config, "fingerprint", "enroll", NIP, "--wait", "1")  # nobody at the sensor
        assert late.returncode == 1 and "no finger was placed on the sensor within 1 s" in late.stderr

        removed = run(config, "employee", "remove", NIP)
        assert removed.returncode == 0, removed.stderr
        assert f"fingerprint slot {PIN} erased" in removed.stdout and sim.enrolled() == {}
    finally:
        _seconds, log = terminate(daemon)
    assert daemon.returncode == 0, log[-3000:]
    vias = [json.loads(detail)["via"] for action, detail in audit_actions(config) if action.startswith("fingerprint.")]
    assert vias == ["daemon", "daemon"]
    assert not (data_dir / "run" / "fingerprint.sock").exists()  # the service cleans up its socket


# -- the hand-over itself, in one process ------------------------------------------------------


def test_request_server_runs_jobs_on_the_listener_thread(tmp_path: Path, sim: SimulatedModule) -> None:
    stop, jobs = threading.Event(), Jobs()
    server = RequestServer(tmp_path / "run" / "fingerprint.sock", jobs, stop)
    server.start()
    reader = UartFingerprint(sim.port, timeout=0.5, poll_interval=0.01)
    worker = threading.Thread(target=reader.listen, args=(lambda slot, score: None, stop), kwargs={"jobs": jobs})
    worker.start()
    steps: list[EnrollStep] = []
    actions = {EnrollStep.PLACE: lambda: sim.place_finger(3), EnrollStep.REMOVE: sim.remove_finger,
               EnrollStep.PLACE_AGAIN: lambda: sim.place_finger(3), EnrollStep.STORED: sim.remove_finger}  # fmt: skip
    try:
        assert oct(server.path.stat().st_mode & 0o777) == "0o600"
        call_service(server.path, {"op": "enroll", "slot": 5}, lambda step: (steps.append(step), actions[step]()))
        assert steps == [EnrollStep.PLACE, EnrollStep.REMOVE, EnrollStep.PLACE_AGAIN, EnrollStep.STORED]
        assert sim.enrolled() == {5: 3}
        call_service(server.path, {"op": "delete", "slot": 5})
        assert sim.enrolled() == {}
        with pytest.raises(ValueError, match="slot must be a whole number from 1 to 65535"):
            call_service(server.path, {"op": "delete", "slot": 0})
        for raw, says in ((b"garbage\n", "not one line of JSON"), (b'{"op": "format", "slot": 1}\n', '"op": "enroll"')):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:  # what another program might send
                conn.settimeout(WAIT)
                conn.connect(str(server.path))
                conn.sendall(raw)
                reply = json.loads(conn.makefile("rb").readline())
            assert reply["event"] == "error" and reply["error"] == "RequestRefused" and says in reply["message"]
        assert sim.enrolled() == {}
    finally:
        stop.set()
        server.stop()
        worker.join(WAIT)
    assert not worker.is_alive()
    with pytest.raises(ServiceUnavailable, match="no kiosk service answers"):
        call_service(server.path, {"op": "delete", "slot": 5})
