"""The ADMS (iclock) push target against the ADMS test server over real HTTP."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.domain import Method
from kiosk.store import Store
from sync import adms_codec as codec
from sync.adms_server import AdmsServer
from sync.deliverer import deliver_now
from sync.wsgi_server import ServerThread

from helpers import NIPS, add_employees, make_settings, new_punch

SERIAL = "KIOSKADMS01"


@pytest.fixture
def adms():
    server = AdmsServer()
    thread = ServerThread(server, "127.0.0.1", 0, name="adms").start()
    yield server, thread.url
    thread.stop()


def setup(tmp_path, url):
    targets = [{"name": "adms", "kind": "adms", "url": url, "serial": SERIAL}]
    settings = make_settings(tmp_path, targets=targets, backoff_initial=0.01, backoff_max=0.05, max_attempts=2)
    store = Store.open(settings.database_path, device_id=settings.device.id)
    add_employees(store)
    return settings, store


def test_pending_device_keeps_punches_then_delivers_after_approval(tmp_path, adms):
    server, url = adms
    settings, store = setup(tmp_path, url)
    store.punches.record(new_punch(0))
    store.punches.record(new_punch(1, method=Method.FINGERPRINT))
    pending = deliver_now(settings, store)[0]
    assert not pending.ok and not pending.halted and "pending" in pending.error
    assert store.delivery.queue_depth("adms") == 2
    server.approve(SERIAL)
    delivered = deliver_now(settings, store)[0]
    assert delivered.ok and delivered.delivered == 2 and store.delivery.queue_depth("adms") == 0
    assert server.state.handshakes[-1]["options"] == "all"
    # the lines parse as the protocol notes describe: PIN, device-local time, status, verify
    records = [codec.parse_attlog_line(line) for line in server.state.raw_lines]
    assert [(r.pin, r.time, r.status, r.verify) for r in records] == [
        ("1", datetime(2026, 3, 2, 7, 30, 0), 0, 15),
        ("2", datetime(2026, 3, 2, 7, 30, 1), 1, 1),
    ]
    store.close()


def test_commands_answered_and_results_posted(tmp_path, adms):
    server, url = adms
    server.approve(SERIAL)
    settings, store = setup(tmp_path, url)
    store.punches.record(new_punch(0))
    update = server.queue_command(SERIAL, "DATA UPDATE USERINFO PIN=2\tName=Siti Aminah\tPri=0")
    delete = server.queue_command(SERIAL, "DATA DELETE USERINFO PIN=3")
    reboot = server.queue_command(SERIAL, "REBOOT")
    assert deliver_now(settings, store)[0].ok
    results = {r["ID"]: (r["Return"], r["CMD"]) for r in server.state.results}
    assert results == {update: ("0", "DATA"), delete: ("0", "DATA"), reboot: ("-1002", "REBOOT")}
    assert store.employees.by_pin(2).name == "Siti Aminah"
    assert store.employees.get(NIPS[2]) is None
    store.close()


@pytest.mark.parametrize(
    "line, expected",
    [
        ("20156107\t2020-02-22 23:10:05\t255\t1\t\t0\t0\t2", ("20156107", datetime(2020, 2, 22, 23, 10, 5), 255, 1)),
        ("5\t2026-03-02 07:30:00\t0\t15\t\t0\t0", ("5", datetime(2026, 3, 2, 7, 30), 0, 15)),
    ],
)
def test_parse_attlog_line(line, expected):
    record = codec.parse_attlog_line(line)
    assert (record.pin, record.time, record.status, record.verify) == expected


@pytest.mark.parametrize("line", ["", "5\t2026-03-02", "\t2026-03-02 07:30:00\t0\t15"])
def test_parse_attlog_line_refuses_malformed(line):
    with pytest.raises(ValueError):
        codec.parse_attlog_line(line)


@pytest.mark.parametrize("text, count", [("OK", None), ("OK:12", 12), ("OK: 3\n", 3)])
def test_parse_ok_count(text, count):
    assert codec.parse_ok_count(text) == count


def test_parse_commands_and_options():
    commands = codec.parse_commands("C:7:DATA UPDATE USERINFO PIN=5\tName=Budi\nC:8:CHECK\n")
    assert [(c.id, c.action, c.params) for c in commands] == [("7", "DATA UPDATE USERINFO", {"PIN": "5", "Name": "Budi"}), ("8", "CHECK", {})]
    assert codec.parse_options("GET OPTION FROM: X\nDelay=10\nTimeZone=7\n").seconds("Delay", 30) == 10
