"""Careless and hostile command lines get a message and exit 1, never a traceback or a silent
success (issue 11, items 11 and 14). Commands run in-process with catch_exceptions=False, so a
traceback fails the test; the pipe and the replay run as real processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.settings import load_settings
from kiosk.store import Store

NIP = "198001012006041001"
NOT_DATA_COMMANDS = {"run", "demo"}  # they run the kiosk; everything else prints data and has --json


def punch_count(config_file: Path) -> int:
    settings = load_settings(config_file)
    with Store.open(settings.database_path) as store:
        return store.punches.count()


@pytest.fixture
def employee(kiosk) -> str:
    assert kiosk("employee", "add", NIP, "--name", "Budi Santoso", "--unit", "BKPSDM").exit_code == 0
    return NIP


# --- item 11: tracebacks ---------------------------------------------------------------------------


def test_export_to_a_missing_folder(kiosk, employee) -> None:
    result = kiosk(
        "punch", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--output", "/nonexistent/dir/x.csv"
    )
    assert result.exit_code == 1
    assert "/nonexistent/dir" in result.output and "does not exist" in result.output


def test_export_onto_a_directory(kiosk, employee, tmp_path: Path) -> None:
    result = kiosk("punch", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(tmp_path))
    assert result.exit_code in (1, 2) and "Traceback" not in result.output and "directory" in result.output


def test_punch_add_at_the_end_of_time(kiosk, employee, config_file: Path) -> None:
    result = kiosk("punch", "add", NIP, "--time", "9999-12-31T23:59:59+14:00", "--reason", "test")
    assert result.exit_code == 1
    assert "--time" in result.output and "2000-2100" in result.output
    assert punch_count(config_file) == 0


@pytest.mark.parametrize(
    "args", [("--from", "2026-11-01", "--to", "9999-12-31"), ("--from", "0001-01-01", "--to", "2026-01-01")]
)
def test_export_at_the_ends_of_time(kiosk, employee, args) -> None:
    result = kiosk("punch", "export", *args)
    assert result.exit_code == 1 and "2000-2100" in result.output


def test_punch_list_since_the_start_of_time(kiosk, employee) -> None:
    result = kiosk("punch", "list", "--since", "0001-01-01T00:00:00+14:00")
    assert result.exit_code == 1 and "--since" in result.output and "2000-2100" in result.output


# --- item 14: reports and sync ---------------------------------------------------------------------


def test_rekap_unit_matches_ignoring_case_and_says_so(kiosk, employee) -> None:
    result = kiosk("report", "rekap", "--month", "2026-11", "--unit", "bkpsdm")
    assert result.exit_code == 0
    assert "taken as 'BKPSDM'" in result.output
    assert f"Budi Santoso / {NIP}" in result.output  # the employee is in the recap, not an empty one


def test_rekap_unknown_unit_names_the_known_ones(kiosk, employee) -> None:
    for command in (("rekap", "--month", "2026-11"), ("violations", "--year", "2026")):
        result = kiosk("report", *command, "--unit", "Dinas Kesehatan")
        assert result.exit_code == 1
        assert "'Dinas Kesehatan' is not a known unit" in result.output and "'BKPSDM'" in result.output


def test_rekap_of_a_month_that_has_not_started(kiosk, employee) -> None:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    ahead = (today.replace(day=1) + timedelta(days=62)).strftime("%Y-%m")
    result = kiosk("report", "rekap", "--month", ahead)
    assert result.exit_code == 1
    assert f"{ahead} has no finished day yet" in result.output
    assert "Periode" not in result.output
    result = kiosk("report", "violations", "--year", str(today.year + 1))
    assert result.exit_code == 1 and "no finished day yet" in result.output


def test_month_bounds_never_end_before_they_start() -> None:
    from kiosk.report.collect import NothingToReport, month_bounds

    assert month_bounds(2026, 11, until=date(2026, 11, 12)) == (date(2026, 11, 1), date(2026, 11, 12))
    with pytest.raises(NothingToReport):
        month_bounds(2026, 12, until=date(2026, 11, 30))  # on 1 December, December has no finished day


def test_rekap_json(kiosk, employee) -> None:
    kiosk("punch", "add", NIP, "--time", "2026-11-02T07:30:00+07:00", "--reason", "lupa")
    result = kiosk("report", "rekap", "--month", "2026-11", "--unit", "BKPSDM", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["unit"], data["first"], data["last"]) == ("BKPSDM", "2026-11-01", "2026-11-30")
    (row,) = data["rows"]
    assert row["nip"] == NIP and row["datang"]["tepat_waktu"] == 1 and row["working_days"] == 21


def test_every_data_command_has_json() -> None:
    """README: every command that prints data has --json."""
    from kiosk.cli.main import cli

    missing = []

    def walk(group, path):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, [*path, name])
            elif name not in NOT_DATA_COMMANDS and "--json" not in {o for p in command.params for o in p.opts}:
                missing.append(" ".join([*path, name]))

    walk(cli, [])
    assert missing == []


def test_export_json_flag(kiosk, employee) -> None:
    kiosk("punch", "add", NIP, "--time", "2026-11-02T07:30:00+07:00", "--reason", "lupa")
    result = kiosk("punch", "export", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert [p["nip"] for p in json.loads(result.stdout)] == [NIP]


def test_sync_now_without_a_target(kiosk) -> None:
    result = kiosk("sync", "--now")
    assert result.exit_code == 1
    assert "no sync target configured" in result.output and "sync.url" in result.output


def run_kiosk(
    config_file: Path, *args: str, stdout=subprocess.PIPE, timeout: float = 300
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.pop("KIOSK_CONFIG", None)
    command = [sys.executable, "-m", "kiosk", "--config", str(config_file), *args]
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, env=env, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    "args",
    [
        ("report", "rekap", "--month", "2026-11"),
        ("employee", "list"),
        ("absence", "list"),
        ("report", "violations", "--year", "2026"),
    ],
)
def test_reader_gone_is_not_an_error_message(kiosk, employee, config_file: Path, args) -> None:
    """`kiosk ... | head`: the reader leaves; no 'Error: [Errno 32] Broken pipe', no traceback."""
    kiosk("absence", "add", NIP, "--date", "2026-11-03", "--code", "S", "--note", "sakit")
    read_end, write_end = os.pipe()
    os.close(read_end)  # a reader that is already gone: every write gets EPIPE, no race
    try:
        result = run_kiosk(config_file, *args, stdout=write_end)
    finally:
        os.close(write_end)
    assert "Broken pipe" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert "Error" not in result.stderr


def test_replay_of_a_missing_file_stops_with_the_reason(tmp_path: Path) -> None:
    data = tmp_path / "data"
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'[device]\ndata_dir = "{data}"\n[camera]\nsource = "{tmp_path}/recording.mp4"\n'
        '[screen]\nbackend = "headless"\nsound = false\n'
    )
    # Before the fix it retried forever; the timeout only bounds a hang, it measures nothing.
    result = run_kiosk(config, "run", "--exit-at-end", timeout=120)
    assert result.returncode == 1
    assert "recording.mp4 does not exist" in result.stderr and "Error:" in result.stderr
