"""The daemon serves the console when [console] enabled = true: a real `kiosk run` child process,
an operator logs in over HTTP and records a manual punch through the daemon's own recorder."""

from __future__ import annotations

import requests

from kiosk.settings import load_settings
from kiosk.staff import add_employee
from kiosk.store import Store

from console_helpers import NIP, OPERATOR, PASSWORD, RunningConsole
from helpers import free_port, wait_until
from test_daemon import start_kiosk, synthetic_video, terminate, write_config


def wait_until_serving(url: str, process, timeout: float = 60) -> None:
    def answers() -> bool:
        assert process.poll() is None, process.stdout.read().decode()[-3000:]
        try:
            requests.get(url + "/login", timeout=2)
        except requests.ConnectionError:
            return False
        return True

    wait_until(answers, f"the console to answer at {url}", timeout=timeout, interval=0.2)


def test_the_daemon_serves_the_console_and_records_a_manual_punch(tmp_path):
    port = free_port()
    config = write_config(tmp_path, str(synthetic_video(tmp_path / "v.avi")), f"[console]\nenabled = true\nport = {port}\n")
    settings = load_settings(config)
    with Store.open(settings.database_path, device_id=settings.device.id) as store:
        store.accounts.add(OPERATOR, "operator", PASSWORD)
        add_employee(store, NIP, "Lin-Manuel Miranda")
    process = start_kiosk(config)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, process)
        running = RunningConsole(url, settings, None, settings.data_dir)
        operator = running.login(OPERATOR)
        token = running.csrf(operator, "/punches")
        reply = operator.post(url + "/punches/manual", data={"csrf_token": token, "nip": NIP, "time": "2026-11-23T07:41", "reason": "kamera mati"})
        assert reply.status_code == 200 and "Absen manual #1" in reply.text
        assert "MANUAL" in reply.text and "kamera mati" in reply.text
    finally:
        _seconds, output = terminate(process)
    assert process.returncode == 0, output[-2000:]
    with Store.open(settings.database_path, device_id=settings.device.id) as store:
        (punch,) = store.punches.page()
        assert (punch.nip, punch.method.value, punch.note) == (NIP, "manual", "kamera mati")
        (entry,) = [e for e in store.audit.entries() if e.action == "punch.manual"]
        assert entry.os_user == f"console:{OPERATOR}" and entry.detail["reason"] == "kamera mati"
