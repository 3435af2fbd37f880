"""Helpers for the console tests: a real console server on an ephemeral port, and logins.

Its fixture console_server is registered for every test by conftest.py's pytest_plugins: name it as a test
parameter, do not import it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests

from helpers import write_kiosk_config

PASSWORD = "kata-sandi-yang-panjang"
OPERATOR, TECHNICIAN, VIEWER = "siti", "budi", "ani"
NIP = "198001012006041004"


@dataclass
class RunningConsole:
    url: str
    settings: object
    store: object
    data_dir: Path

    def session(self) -> requests.Session:
        return requests.Session()

    def csrf(self, http: requests.Session, path: str = "/login") -> str:
        page = http.get(self.url + path)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}: {page.status_code} {page.text[:300]}"
        return found.group(1)

    def login(self, name: str, password: str = PASSWORD) -> requests.Session:
        http = self.session()
        reply = http.post(self.url + "/login", data={"name": name, "password": password, "csrf_token": self.csrf(http)})
        assert reply.status_code == 200 and reply.url.endswith("/today"), (reply.status_code, reply.url, reply.text[:500])
        return http


def write_console_config(folder: Path, data_dir: Path, extra: str = "") -> Path:
    return write_kiosk_config(
        folder, data_dir, f'timezone = "Asia/Jakarta"\n\n[console]\nenabled = true\nrefresh_seconds = 5\n{extra}'
    )


def start_console(config: Path, now: Callable[[], datetime] | None = None, accounts: bool = True):
    """A console served by the real server wrapper on 127.0.0.1:0 (HTTPS when configured); returns (server, RunningConsole)."""
    from kiosk.app.wiring import build_recorder
    from kiosk.console.app import create_app
    from kiosk.console.server import console_server
    from kiosk.settings import load_settings
    from kiosk.staff import add_employee
    from kiosk.store import Store

    settings = load_settings(config)
    store = Store.open(settings.database_path, device_id=settings.device.id)
    if accounts:
        store.accounts.add(OPERATOR, "operator", PASSWORD)
        store.accounts.add(TECHNICIAN, "technician", PASSWORD)
        store.accounts.add(VIEWER, "viewer", PASSWORD)
    if store.employees.get(NIP) is None:
        add_employee(store, NIP, "Lin-Manuel Miranda", unit="Dinas Kominfo")
    server = console_server(settings, create_app(settings, store, build_recorder(settings, store), now=now), port=0)
    server.start()
    return server, RunningConsole(server.url, settings, store, settings.data_dir)


@pytest.fixture
def console_server(tmp_path):
    data_dir = tmp_path / "data"
    server, running = start_console(write_console_config(tmp_path, data_dir))
    yield running
    server.stop()
    running.store.close()
