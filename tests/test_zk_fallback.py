"""The ZKTeco fallback client against the kiosk's own ZK server standing in for a terminal.

Two real stores: the "terminal" (what the stand-in terminal serves) and the kiosk (where the
fallback records fingerprint punches). The client is real pyzk over TCP on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from drivers.fingerprint.zkteco import Ingest, ZkFallback, find_employee, pull_once, roster_changes, source_key
from kiosk.app.wiring import build_recorder
from kiosk.domain import Employee, Kind, Method, Status
from kiosk.settings import settings_from_dict
from kiosk.settings.zk_server import ZkServerSettings
from kiosk.settings.zk_terminal import ZkTerminalSettings
from sync.zk import build_server

from helpers import wait_until
from zk_helpers import BUDI, SITI, WIB, open_store, punch, pyzk

GUEST = Employee(nip="198505052010011003", name="Tamu Lama", pin=99)
NEW = Employee(nip="199507072022031004", name="Pegawai Baru", pin=7)


def start_terminal(store, port: int = 0):
    settings = ZkServerSettings(port=port, udp=False, accept_user_writes=True)
    return build_server(store, settings, "ZK-TERM-1", tz=WIB).start()


@pytest.fixture
def stores(tmp_path):
    terminal = open_store(tmp_path / "terminal.db", employees=(BUDI, SITI, GUEST))
    kiosk = open_store(tmp_path / "kiosk.db", employees=(BUDI, SITI, NEW))
    yield terminal, kiosk
    terminal.close()
    kiosk.close()


def recorder_into(kiosk, data_dir):
    """The daemon's own path for a fingerprint: PunchRecorder with debounce and the schedule's rules."""
    settings = settings_from_dict({"device": {"id": "KIOSK-07", "data_dir": str(data_dir), "timezone": "Asia/Jakarta"}})
    recorder = build_recorder(settings, kiosk)

    def record(nip: str, at: datetime, key: str):
        return recorder.record(nip, Method.FINGERPRINT, at, source_key=key)

    return record


def test_live_events_reconnect_roster_and_pull(stores, tmp_path):
    terminal_store, kiosk = stores
    server = start_terminal(terminal_store)
    port = server.port
    settings = ZkTerminalSettings(
        terminal_address="127.0.0.1", port=port, timeout=3.0, backoff_min=0.1, backoff_max=0.4
    )
    fallback = ZkFallback(settings, kiosk.employees, recorder_into(kiosk, tmp_path), WIB, already=kiosk.punches.exists_source_key)
    fallback.start()
    try:
        wait_until(lambda: server.terminal.subscriber_count() == 1, "one realtime subscriber")
        # roster pushed: the new employee written, the one unknown to the kiosk deleted
        conn = pyzk(port).connect()
        assert [u.user_id for u in conn.get_users()] == ["1", "7", "42"]
        conn.disconnect()
        assert fallback.status.serial == "ZK-TERM-1" and fallback.status.drift is not None

        first = datetime(2024, 5, 6, 7, 31, 5, tzinfo=WIB)
        server.publish(punch(terminal_store, SITI.nip, first, Method.FINGERPRINT))
        wait_until(lambda: kiosk.punches.count() == 1, "the terminal's punch recorded on the kiosk")
        recorded = kiosk.punches.get(1)
        assert (recorded.nip, recorded.method, recorded.time_utc) == (SITI.nip, Method.FINGERPRINT, first)
        assert recorded.source_key == "zk:ZK-TERM-1:42:20240506073105"

        server.stop()  # the terminal dies ...
        missed = punch(terminal_store, BUDI.nip, first + timedelta(minutes=1), Method.FINGERPRINT)
        server = start_terminal(terminal_store, port)  # ... and comes back on the same port
        wait_until(lambda: server.terminal.subscriber_count() == 1, "one realtime subscriber")
        second = first + timedelta(minutes=20)  # beyond face.repeat_minutes: a new punch
        server.publish(punch(terminal_store, SITI.nip, second, Method.FINGERPRINT))
        wait_until(lambda: kiosk.punches.count() == 2, "the second terminal punch recorded on the kiosk")
        assert kiosk.punches.get(2).time_utc == second
        assert fallback.status.reconnects >= 1

        ingest = Ingest(kiosk.employees, recorder_into(kiosk, tmp_path), WIB, already=kiosk.punches.exists_source_key)
        result = pull_once(settings, ingest)
        assert (result.read, result.recorded, result.already, result.repeats) == (3, 1, 2, 0)
        assert kiosk.punches.last_for(BUDI.nip).time_utc == missed.time_utc
        again = pull_once(settings, ingest)
        assert (again.recorded, again.already) == (0, 3)
        assert kiosk.punches.count() == 3
    finally:
        fallback.stop()
        server.stop()


def test_pull_without_existence_check_dedupes_through_the_store(stores, tmp_path):
    terminal_store, kiosk = stores
    punch(terminal_store, SITI.nip, datetime(2024, 5, 6, 7, 0, tzinfo=WIB), Method.FINGERPRINT)
    punch(terminal_store, GUEST.nip, datetime(2024, 5, 6, 7, 1, tzinfo=WIB), Method.FINGERPRINT)
    server = start_terminal(terminal_store)
    try:
        settings = ZkTerminalSettings(terminal_address="127.0.0.1", port=server.port, timeout=3.0)
        ingest = Ingest(kiosk.employees, recorder_into(kiosk, tmp_path), WIB)  # relies on DuplicatePunch
        first = pull_once(settings, ingest)
        assert (first.recorded, first.unknown_users) == (1, ("99",))
        assert pull_once(settings, ingest).already == 1
    finally:
        server.stop()


class _Record:
    def __init__(self, user_id: str, timestamp: datetime) -> None:
        self.user_id, self.timestamp = user_id, timestamp


def test_terminal_records_are_debounced_and_classified_like_face_punches(stores, tmp_path):
    """Through the recorder: a second finger within repeat_minutes is a repeat; verdicts follow the schedule."""
    _, kiosk = stores
    ingest = Ingest(kiosk.employees, recorder_into(kiosk, tmp_path), WIB, already=kiosk.punches.exists_source_key)
    monday = datetime(2026, 11, 23)  # a working Monday, naive as a terminal reports it
    result = ingest.many(
        "ZK-TERM-1",
        [
            _Record("42", monday.replace(hour=7, minute=31)),  # Siti arrives on time
            _Record("42", monday.replace(hour=7, minute=33)),  # the same finger again two minutes later
            _Record("1", monday.replace(hour=8, minute=0)),  # Budi, 15 minutes after 07:45
            _Record("1", monday.replace(hour=16, minute=30)),  # Budi leaves
        ],
    )
    assert (result.read, result.recorded, result.repeats) == (4, 3, 1)
    siti = kiosk.punches.between(datetime(2026, 11, 23, tzinfo=WIB), datetime(2026, 11, 24, tzinfo=WIB), SITI.nip)
    assert [(p.kind, p.status) for p in siti] == [(Kind.DATANG, Status.ON_TIME)]
    budi = kiosk.punches.between(datetime(2026, 11, 23, tzinfo=WIB), datetime(2026, 11, 24, tzinfo=WIB), BUDI.nip)
    assert [(p.kind, p.status, p.status_minutes) for p in budi] == [(Kind.DATANG, Status.LATE, 15), (Kind.PULANG, Status.ON_TIME, 0)]
    assert all(p.method == Method.FINGERPRINT for p in siti + budi)


def test_unreachable_terminal_is_reported_with_the_fix():
    from drivers.fingerprint.zkteco import TerminalUnavailable

    with pytest.raises(TerminalUnavailable, match="terminal_address"):
        pull_once(ZkTerminalSettings(), Ingest(None, None, WIB))  # type: ignore[arg-type]


def test_start_without_terminal_does_nothing():
    fallback = ZkFallback(ZkTerminalSettings(), None, None, WIB)  # type: ignore[arg-type]
    fallback.start()
    fallback.stop()
    assert not fallback.status.connected


class _Users:
    def __init__(self, *employees: Employee) -> None:
        self.employees = employees

    def by_pin(self, pin: int):
        return next((e for e in self.employees if e.pin == pin), None)

    def get(self, nip: str):
        return next((e for e in self.employees if e.nip == nip), None)


@pytest.mark.parametrize(
    "user_id, nip", [("42", SITI.nip), (" 1 ", BUDI.nip), (SITI.nip, SITI.nip), ("5", None), ("", None)]
)
def test_find_employee(user_id, nip):
    found = find_employee(_Users(BUDI, SITI), user_id)
    assert (found.nip if found else None) == nip


class _TerminalUser:
    def __init__(self, uid, user_id, name, privilege=0):
        self.uid, self.user_id, self.name, self.privilege = uid, user_id, name, privilege


def test_roster_changes():
    users = [
        _TerminalUser(1, "1", "Budi Santoso"),
        _TerminalUser(2, "42", "Old Name"),
        _TerminalUser(3, "99", "x"),
        _TerminalUser(4, "500", "Admin", privilege=14),
    ]
    big = Employee(nip="1", name="Besar", pin=123456)
    changes = roster_changes(users, [BUDI, SITI, NEW, big, replace(GUEST, active=False)])
    assert changes.to_set == ((7, "7", "Pegawai Baru"), (2, "42", "Siti Aminah"), (5, "123456", "Besar"))
    assert changes.to_delete == (3,)


def test_source_key_format():
    assert source_key("SN1", "42", datetime(2024, 5, 6, 7, 8, 9)) == "zk:SN1:42:20240506070809"


class _WithTerminal:
    """Real settings plus a [fingerprint] section (until the lead adds the section to Settings)."""

    def __init__(self, base, fingerprint: ZkTerminalSettings) -> None:
        self._base, self.fingerprint = base, fingerprint

    def __getattr__(self, name):
        return getattr(self._base, name)


def test_cli_pull_and_info(config_file, tmp_path):
    import json

    from click.testing import CliRunner

    from kiosk.cli.common import App
    from kiosk.cli.zk import zk_group
    from kiosk.settings import load_settings

    refused = CliRunner().invoke(zk_group, ["pull"], obj=App(config_arg=str(config_file)))
    assert refused.exit_code == 1 and "terminal_address" in refused.output

    terminal_store = open_store(tmp_path / "terminal.db")
    punch(terminal_store, SITI.nip, datetime(2024, 5, 6, 7, 0, tzinfo=WIB), Method.FINGERPRINT)
    server = start_terminal(terminal_store)
    try:
        base = load_settings(config_file)
        app = App(config_arg=str(config_file))
        app._settings = _WithTerminal(base, ZkTerminalSettings(terminal_address="127.0.0.1", port=server.port))
        app.store.employees.add(SITI)
        first = CliRunner().invoke(zk_group, ["pull", "--json"], obj=app)
        assert first.exit_code == 0, first.output
        assert json.loads(first.output)["recorded"] == 1
        second = CliRunner().invoke(zk_group, ["pull"], obj=app)
        assert "0 new, 1 already recorded" in second.output
        assert app.store.punches.count() == 1 and app.store.punches.get(1).method == Method.FINGERPRINT
        shown = CliRunner().invoke(zk_group, ["info", "--json"], obj=app)
        assert json.loads(shown.output)["serial"] == "ZK-TERM-1"
        app.close()
    finally:
        server.stop()
        terminal_store.close()


def test_the_daemons_fingerprint_path_counts_repeats_and_records_taken_twice(tmp_path):
    """Ingest through `Kiosk.record_fingerprint` itself, as the running daemon wires it: a repeat
    within repeat_minutes is counted as a repeat, a terminal record already taken as already
    recorded, and neither tells the door that a punch failed."""
    from kiosk.app.daemon import Kiosk
    from kiosk.feedback import Cue

    settings = settings_from_dict({"device": {"id": "KIOSK-07", "data_dir": str(tmp_path), "timezone": "Asia/Jakarta"}})
    kiosk = Kiosk(settings)
    try:
        for employee in (BUDI, SITI):
            kiosk.store.employees.add(employee)
        cues: list[Cue] = []
        kiosk.hub.subscribe(lambda feedback: cues.append(feedback.cue))
        # `already` answers False: the store's own uniqueness must catch the second ingest.
        ingest = Ingest(kiosk.store.employees, kiosk.record_fingerprint, WIB, already=lambda key: False)
        monday = datetime(2026, 11, 23)
        records = [
            _Record("42", monday.replace(hour=7, minute=31)),
            _Record("42", monday.replace(hour=7, minute=33)),  # a repeat
            _Record("1", monday.replace(hour=8, minute=0)),
        ]
        first = ingest.many("ZK-TERM-1", records)
        assert (first.recorded, first.repeats, first.already) == (2, 1, 0)
        again = ingest.many("ZK-TERM-1", records)
        assert (again.recorded, again.repeats, again.already) == (0, 1, 2)
        assert len(kiosk.store.punches.page()) == 2
        assert Cue.NOT_RECORDED not in cues
    finally:
        kiosk.stop()
