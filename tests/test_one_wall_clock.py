"""One wall clock: the same instant, recorded with different UTC offsets, is one time on every wire.

Punches are added as a technician does (`kiosk punch add NIP --time 2026-11-24T00:35:00+00:00`) on a
WIB kiosk (device.timezone Asia/Jakarta), then read back through every wire a central system uses:
the pull API, port 4370 with pyzk (a third-party client), a realtime event, ADMS to the ADMS test
server, the SOAP service with the PHP-style client, and `kiosk punch export` CSV. Each must show
the device's wall clock (07:35 / 16:20 WIB), and the rules must give every offset the same verdict.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from kiosk.domain import Employee, Status
from kiosk.photos import PhotoStore
from kiosk.settings import load_settings
from kiosk.settings.api import ApiSettings
from kiosk.settings.soap import SoapSettings
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.store import Store
from sync.adms_codec import parse_attlog_line
from sync.adms_server import AdmsServer
from sync.deliverer import deliver_now
from sync.pull_api import build_pull_server
from sync.soap.service import build_soap_server
from sync.wsgi_server import ServerThread
from sync.zk import build_server
from sync.zk.records import decode_event_52

from helpers import write_kiosk_config, write_token
from soap_helpers import get_att_log
from zk_helpers import pyzk

WIB = ZoneInfo("Asia/Jakarta")
OFFSETS = ("+00:00", "+07:00", "+08:00", "+09:00", "-05:00", "+05:45", "+14:00", "-09:30")
ARRIVAL = datetime(2026, 11, 24, 0, 35, tzinfo=UTC)  # Tuesday 07:35 WIB
DEPARTURE = datetime(2026, 11, 24, 9, 20, tzinfo=UTC)  # 16:20 WIB
WALL = {ARRIVAL: "2026-11-24 07:35:00", DEPARTURE: "2026-11-24 16:20:00"}
EMPLOYEES = {offset: Employee(f"19900101202012{i:04d}", f"Pegawai {i}", pin=i + 1) for i, offset in enumerate(OFFSETS)}
SERIAL = "KIOSK-TZ1"


def typed(instant: datetime, offset: str) -> str:
    """The instant written with another offset, as a technician would type it."""
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    delta = timedelta(hours=hours, minutes=minutes) * (1 if offset[0] == "+" else -1)
    return instant.astimezone(timezone(delta)).isoformat()


def expected() -> list[tuple[str, str]]:
    """(PIN, device wall clock) of every punch: the same two times for every offset."""
    return sorted((str(e.pin), WALL[instant]) for e in EMPLOYEES.values() for instant in (ARRIVAL, DEPARTURE))


@pytest.fixture
def adms():
    server = AdmsServer()
    server.approve(SERIAL)
    thread = ServerThread(server, "127.0.0.1", 0, name="adms").start()
    yield server, thread.url
    thread.stop()


@pytest.fixture
def kiosk_config(tmp_path, adms, kiosk):
    _, url = adms
    data_dir = tmp_path / "data"
    config = write_kiosk_config(tmp_path, data_dir, f"""
        timezone = "Asia/Jakarta"

        [[sync.targets]]
        name = "adms"
        kind = "adms"
        url = "{url}"
        serial = "{SERIAL}"
    """, device_id=SERIAL)  # fmt: skip
    settings = load_settings(config)
    data_dir.mkdir(mode=0o700, exist_ok=True)  # the kiosk fixture's config made it already
    with Store.open(settings.database_path, device_id=SERIAL) as store:
        for employee in EMPLOYEES.values():
            store.employees.add(employee)
    for offset, employee in EMPLOYEES.items():
        for instant in (ARRIVAL, DEPARTURE):
            result = kiosk("punch", "add", employee.nip, "--time", typed(instant, offset), "--reason", "table test", config=config)
            assert result.exit_code == 0, result.output
    return config, settings


@pytest.fixture
def store(kiosk_config):
    _, settings = kiosk_config
    with Store.open(settings.database_path, device_id=SERIAL) as opened:
        yield opened


def test_the_punches_really_carry_different_offsets(store):
    offsets = {p.utc_offset_minutes for p in store.punches.page(0, 100)}
    assert len(offsets) == len(OFFSETS)  # the table tests what it claims to


def test_classification_is_the_same_for_every_offset(store):
    verdicts = {}
    for punch in store.punches.page(0, 100):
        verdicts.setdefault(punch.time_utc, set()).add((punch.kind, punch.status, punch.status_minutes))
    assert len(verdicts[ARRIVAL]) == 1 and len(verdicts[DEPARTURE]) == 1, verdicts
    (arrival,) = verdicts[ARRIVAL]
    assert arrival[1] is not Status.OUTSIDE_WINDOW  # 00:35 on its own clock would be outside the window


def test_pull_api(tmp_path, store):
    token = write_token(tmp_path / "api.token", "t0ken")
    server = build_pull_server(ApiSettings(enabled=True, port=0, token_file=str(token)), store, PhotoStore(tmp_path), WIB).start()
    try:
        reply = requests.get(f"{server.url}/api/v1/punches", headers={"Authorization": "Bearer t0ken"}, timeout=10).json()
    finally:
        server.stop()
    pins = {e.nip: str(e.pin) for e in EMPLOYEES.values()}
    found = sorted((pins[p["nip"]], p["time"].replace("T", " ")[:19]) for p in reply["punches"])
    assert found == expected()
    assert {p["time"][19:] for p in reply["punches"]} == {"+07:00"}
    assert {p["utc_offset_minutes"] for p in reply["punches"]} == {420}


def test_port_4370_with_pyzk(store):
    server = build_server(store, ZkServerSettings(port=0, udp=False), SERIAL, tz=WIB).start()
    try:
        conn = pyzk(server.port).connect()
        records = conn.get_attendance()
        conn.disconnect()
    finally:
        server.stop()
    assert sorted((r.user_id, r.timestamp.strftime("%Y-%m-%d %H:%M:%S")) for r in records) == expected()


def test_realtime_event(store):
    server = build_server(store, ZkServerSettings(port=0, udp=False), SERIAL, tz=WIB)
    heard = []

    class Subscriber:  # stands in for a session: what publish() would send it
        def push_event(self, packet: bytes) -> None:
            heard.append(decode_event_52(packet[8:]))

    server.terminal.subscribe(Subscriber())
    roster = server.terminal.datasets.roster()
    for punch in store.punches.page(0, 100):  # what the event feed sends for each new punch
        server.terminal._push(punch, roster)
    assert sorted((r.user_id, r.time.strftime("%Y-%m-%d %H:%M:%S")) for r in heard) == expected()


def test_adms(kiosk_config, store, adms):
    server, _ = adms
    _, settings = kiosk_config
    outcome = deliver_now(settings, store)[0]
    assert outcome.ok, outcome.error
    records = [parse_attlog_line(line) for line in server.state.raw_lines]
    assert sorted((r.pin, r.time.strftime("%Y-%m-%d %H:%M:%S")) for r in records) == expected()


def test_soap(store):
    server = build_soap_server(SoapSettings(enabled=True, port=0), ZkServerSettings(), store, WIB).start()
    try:
        rows = get_att_log(server.port)
    finally:
        server.stop()
    assert sorted((pin, when) for pin, when, _, _ in rows) == expected()


def test_csv_export(kiosk_config, kiosk):
    config, _ = kiosk_config
    result = kiosk("punch", "export", "--from", "2026-11-24", "--to", "2026-11-24", "--format", "csv", config=config)
    assert result.exit_code == 0, result.output
    pins = {e.nip: str(e.pin) for e in EMPLOYEES.values()}
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert sorted((pins[r["nip"]], r["time"].replace("T", " ")[:19]) for r in rows) == expected()
    assert {r["time"][19:] for r in rows} == {"+07:00"}


def test_cli_list_shows_the_device_clock(kiosk_config, kiosk):
    config, _ = kiosk_config
    result = kiosk("punch", "list", config=config)
    assert result.output.count("2026-11-24 07:35:00") == len(OFFSETS)
    assert result.output.count("2026-11-24 16:20:00") == len(OFFSETS)


def test_monthly_recap_is_the_same_for_every_offset(kiosk_config, store):
    from kiosk.app.wiring import load_holidays
    from kiosk.report.collect import monthly_recap

    _, settings = kiosk_config
    schedules = settings.schedule
    recap = monthly_recap(store, schedules, load_holidays(settings), 2026, 11, until=datetime(2026, 11, 24).date(), zone=WIB)
    tallies = {row.employee.nip: row.tally for row in recap.rows}
    assert len(tallies) == len(OFFSETS) and len(set(tallies.values())) == 1, tallies
