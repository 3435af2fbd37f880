"""`kiosk run` starts the SOAP service when [soap] enabled = true; a punch added with
`kiosk punch add` while it runs is read by the PHP-style client, on the device's wall clock."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from kiosk.domain import Employee
from kiosk.settings import load_settings
from kiosk.store import Store

from helpers import REPO, free_port, wait_until
from soap_helpers import get_att_log, get_user_info
from test_daemon import NotifySocket, door_config, start_kiosk, terminate


def test_daemon_serves_soap_with_punches_added_while_it_runs(tmp_path: Path) -> None:
    port = free_port()
    config = door_config(
        tmp_path, f"\n[soap]\nenabled = true\nport = {port}\n[zk_server]\ncomm_key = 77\n"
    )
    settings = load_settings(config)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with Store.open(settings.database_path, device_id=settings.device.id) as store:
        store.employees.add(Employee("199001012020122001", "Renée Müller", pin=7))
    notify = NotifySocket(tmp_path / "notify.sock")
    process = start_kiosk(config, notify)
    try:
        notify.wait_for("READY=1", timeout=60)
        # READY=1 says the door records; the servers start after it (at a lower priority): wait for them.
        wait_until(lambda: [m for _, m in list(notify.messages)], "STATUS=all parts started", until=lambda got: any(m.startswith("STATUS=all parts started") for m in got), timeout=60)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        added = subprocess.run(
            [sys.executable, "-m", "kiosk", "--config", str(config), "punch", "add", "199001012020122001",
             "--time", "2026-11-24T00:35:00+00:00", "--reason", "kamera mati"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        rows = get_att_log(port, comm_key=77)
        assert [(pin, when, verified) for pin, when, verified, _ in rows] == [("7", "2026-11-24 07:35:00", "0")]  # manual = 0
        assert get_user_info(port, comm_key=77) == [("7", "Renee Muller")]
        assert get_att_log(port, comm_key=0) == []
    finally:
        _, output = terminate(process)
        notify.close()
    assert process.returncode == 0, output[-3000:]


def test_a_port_that_cannot_be_bound_is_a_fault_not_a_stop(tmp_path: Path) -> None:
    from kiosk.app.daemon import Kiosk
    from kiosk.settings import settings_from_dict

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = settings_from_dict({"device": {"data_dir": str(tmp_path)}, "soap": {"enabled": True, "port": port}})
        kiosk = Kiosk(settings)
        try:
            kiosk.start_soap_service()
            state = kiosk.part_states()["soap service"]
            assert state.startswith("restarting (attempt 1 of "), state  # tried again later (tests/test_restarts.py)
            assert [f.part for f in kiosk.health.faults()] == ["soap service"]
        finally:
            kiosk.stop()
    default = Kiosk(settings_from_dict({"device": {"data_dir": str(tmp_path)}}))
    default.start_soap_service()
    assert default.part_states()["soap service"] == "off" and default.supervisor.parts == []  # off unless enabled
    default.stop()
