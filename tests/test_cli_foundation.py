"""The kiosk command for technicians: exit codes 0/1/2, messages, JSON, audit, nothing changed on refusal."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import click

from kiosk.settings import load_settings
from kiosk.store import Store

NIP = "198001012006041001"


def open_store(config_file: Path) -> Store:
    settings = load_settings(config_file)
    return Store.open(settings.database_path, device_id=settings.device.id)


def test_help_lists_commands(kiosk) -> None:
    result = kiosk("--help", config=None)
    assert result.exit_code == 0
    for name in ("config", "employee", "punch"):
        assert name in result.output


def test_every_command_has_help(kiosk) -> None:
    from kiosk.cli.main import cli

    def walk(group, path):
        for name, command in group.commands.items():
            assert command.help, f"kiosk {' '.join([*path, name])} has no help text"
            if hasattr(command, "commands"):
                walk(command, [*path, name])

    walk(cli, [])


def test_usage_error_exits_2(kiosk) -> None:
    assert kiosk("employee", "add", NIP).exit_code == 2  # --name missing
    assert kiosk("punch", "list", "--limit", "abc").exit_code == 2
    assert kiosk("no-such-command").exit_code == 2


def test_config_check_ok_and_json(kiosk, config_file: Path) -> None:
    result = kiosk("config", "check")
    assert result.exit_code == 0 and "OK" in result.output and 'id = "TEST-01"' in result.output
    data = json.loads(kiosk("config", "check", "--json").output)
    assert data["settings"]["device"]["timezone"] == "Asia/Jakarta"


def test_config_check_typo(kiosk, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(f'[device]\ndata_dir = "{tmp_path}"\n[face]\ntolerence = 0.5\n')
    result = kiosk("config", "check", config=bad)
    assert result.exit_code == 1
    assert "tolerence" in result.output and "tolerance" in result.output and str(bad) in result.output


def test_employee_add_list_remove(kiosk, config_file: Path) -> None:
    result = kiosk("employee", "add", "19800101 200604 1 001", "--name", "Budi Santoso", "--unit", "BKPSDM")
    assert result.exit_code == 0, result.output
    assert NIP in result.output and "PIN 1" in result.output
    listed = json.loads(kiosk("employee", "list", "--json").output)
    assert listed == [
        {"nip": NIP, "name": "Budi Santoso", "unit": "BKPSDM", "schedule": "", "pin": 1, "active": True, "since": None,
         "face_templates": 0}
    ]
    assert "Budi Santoso" in kiosk("employee", "list").output
    removed = kiosk("employee", "remove", NIP)
    assert removed.exit_code == 0 and "erased" in removed.output
    assert json.loads(kiosk("employee", "list", "--json").output) == []
    with open_store(config_file) as store:
        actions = [(e.action, e.nip) for e in store.audit.entries()]
    assert ("employee.add", NIP) in actions and ("employee.remove", NIP) in actions


def test_bad_and_duplicate_nips(kiosk, config_file: Path) -> None:
    short = kiosk("employee", "add", "12345", "--name", "X")
    assert short.exit_code == 1 and "18" in short.output
    assert kiosk("employee", "add", NIP, "--name", "Budi").exit_code == 0
    dup = kiosk("employee", "add", NIP, "--name", "Budi")
    assert dup.exit_code == 1 and "already enrolled" in dup.output
    unknown = kiosk("employee", "remove", "199912312020121001")
    assert unknown.exit_code == 1 and "no employee" in unknown.output
    with open_store(config_file) as store:
        assert store.employees.count() == 1


def test_other_employee_numbers_when_configured(kiosk, tmp_path: Path, data_dir: Path) -> None:
    config = tmp_path / "pppk.toml"
    config.write_text(f'[device]\ndata_dir = "{data_dir}"\nemployee_id_pattern = "\\\\d{{18}}|P\\\\d{{6}}"\n')
    assert kiosk("employee", "add", "P123456", "--name", "Kontrak", config=config).exit_code == 0


def test_manual_punch_is_audited_and_listed(kiosk, config_file: Path) -> None:
    kiosk("employee", "add", NIP, "--name", "Budi")
    result = kiosk("punch", "add", NIP, "--time", "2026-11-23T07:41:00", "--reason", "kamera rusak")
    assert result.exit_code == 0, result.output
    assert "no UTC offset" in result.output and "Asia/Jakarta" in result.output
    punches = json.loads(kiosk("punch", "list", "--json").output)
    assert len(punches) == 1
    assert punches[0]["time"] == "2026-11-23T07:41:00+07:00" and punches[0]["method"] == "manual"
    assert punches[0]["note"] == "kamera rusak"
    with open_store(config_file) as store:
        entry = store.audit.entries()[0]
    assert entry.action == "punch.manual" and entry.detail["reason"] == "kamera rusak" and entry.os_user


def test_manual_punch_refusals_change_nothing(kiosk, config_file: Path) -> None:
    kiosk("employee", "add", NIP, "--name", "Budi")
    assert kiosk("punch", "add", "199912312020121001", "--time", "2026-11-23T07:41:00+07:00", "--reason", "x").exit_code == 1
    bad_time = kiosk("punch", "add", NIP, "--time", "kemarin", "--reason", "x")
    assert bad_time.exit_code == 1 and "ISO 8601" in bad_time.output
    assert kiosk("punch", "add", NIP, "--time", "2026-11-23T07:41:00+07:00", "--reason", " ").exit_code == 1
    with open_store(config_file) as store:
        assert store.punches.count() == 0


def test_punch_list_since_and_unsynced(kiosk, config_file: Path) -> None:
    kiosk("employee", "add", NIP, "--name", "Budi")
    for hour in (7, 12, 16):
        kiosk("punch", "add", NIP, "--time", f"2026-11-23T{hour:02}:00:00+07:00", "--reason", "x")
    since = json.loads(kiosk("punch", "list", "--since", "2026-11-23T12:00:00+07:00", "--json").output)
    assert [p["time"][11:16] for p in since] == ["12:00", "16:00"]
    # A target that acknowledged the first punch: --unsynced shows only the two it has not.
    with open_store(config_file) as store:
        store.delivery.acknowledge("siap", 1)
    unsynced = json.loads(kiosk("punch", "list", "--unsynced", "--json").output)
    assert [p["time"][11:16] for p in unsynced] == ["12:00", "16:00"]
    everything = json.loads(kiosk("punch", "list", "--json").output)
    assert len(everything) == 3
    with open_store(config_file) as store:
        store.delivery.acknowledge("siap", 3)
    assert json.loads(kiosk("punch", "list", "--unsynced", "--json").output) == []


def test_punch_export_csv_and_json(kiosk, tmp_path: Path) -> None:
    kiosk("employee", "add", NIP, "--name", "Budi")
    kiosk("punch", "add", NIP, "--time", "2026-11-22T23:59:00+07:00", "--reason", "x")
    kiosk("punch", "add", NIP, "--time", "2026-11-23T07:41:00+07:00", "--reason", "x")
    kiosk("punch", "add", NIP, "--time", "2026-11-24T00:00:00+07:00", "--reason", "x")
    out = tmp_path / "out.csv"
    assert kiosk("punch", "export", "--from", "2026-11-23", "--to", "2026-11-23", "--format", "csv", "--output", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["time"] for r in rows] == ["2026-11-23T07:41:00+07:00"]
    data = json.loads(kiosk("punch", "export", "--from", "2026-11-22", "--to", "2026-11-24", "--format", "json").output)
    assert len(data) == 3
    assert kiosk("punch", "export", "--from", "2026-11-24", "--to", "2026-11-22").exit_code == 1


def test_random_bytes_database(kiosk, config_file: Path) -> None:
    """Must-show 5: a database of random bytes -> exit 1 naming the file; the file is untouched."""
    path = load_settings(config_file).database_path
    garbage = os.urandom(32 * 1024)
    path.write_bytes(garbage)
    result = kiosk("punch", "list")
    assert result.exit_code == 1
    assert str(path) in result.output and "not an SQLite database" in result.output
    assert path.read_bytes() == garbage


def test_every_command_is_in_the_readme() -> None:
    from pathlib import Path

    from kiosk.cli.main import cli

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    names = cli.list_commands(click.Context(cli))  # the commands are imported lazily: ask the group
    assert "run" in names and "enroll" in names
    for name in names:
        cli.get_command(click.Context(cli), name)  # each one imports
        assert f"kiosk {name}" in readme, f"`kiosk {name}` is not shown in README.md"
