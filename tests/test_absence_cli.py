"""kiosk absence add|list|remove and kiosk report, through click against a real store in tmp_path.

The groups are mounted on a small root group here (the lead registers them in kiosk.cli.main).
"""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kiosk.cli.absence import absence_group
from kiosk.cli.common import App
from kiosk.cli.report import report_group
from kiosk.domain import Employee, Method, NewPunch

NIP = "198001012006041001"
WIB = timezone(timedelta(hours=7))


@click.group()
@click.option("--config", "config_path")
@click.pass_context
def root(ctx: click.Context, config_path: str) -> None:
    ctx.obj = App(config_arg=config_path)
    ctx.call_on_close(ctx.obj.close)


root.add_command(absence_group)
root.add_command(report_group)


@pytest.fixture
def run(config_file: Path):
    def invoke(*args: str):
        return CliRunner().invoke(root, ["--config", str(config_file), *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def employee(store) -> Employee:
    return store.employees.add(Employee(NIP, "Budi Santoso", "Setda", pin=7))


def test_add_list_remove_with_audit(run, store, employee, data_dir: Path, tmp_path: Path) -> None:
    letter = tmp_path / "surat-cuti.PDF"
    letter.write_bytes(b"%PDF-1.4 surat cuti")
    letter.chmod(0o644)
    dates = ["--date", "2026-08-10", "--to", "2026-08-14"]
    result = run(
        "absence", "add", NIP, *dates, "--code", "C", "--note", "cuti tahunan", "--evidence", str(letter), "--json"
    )
    assert result.exit_code == 0, result.output
    added = json.loads(result.output)
    stored = data_dir / added["evidence"]
    assert stored.read_bytes() == b"%PDF-1.4 surat cuti" and stored.suffix == ".pdf"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    listed = json.loads(run("absence", "list", "--json").output)
    assert [(a["nip"], a["date_from"], a["date_to"], a["code"]) for a in listed] == [
        (NIP, "2026-08-10", "2026-08-14", "C")
    ]
    assert "cuti tahunan" in run("absence", "list").output

    result = run("absence", "remove", str(added["id"]))
    assert result.exit_code == 0 and "Removed absence" in result.output
    assert not stored.exists() and run("absence", "list", "--json").output.strip() == "[]"
    actions = [(e.action, e.nip) for e in store.audit.entries()]
    assert ("absence.add", NIP) in actions and ("absence.remove", NIP) in actions


def test_single_day_defaults_to(run, employee) -> None:
    added = json.loads(
        run("absence", "add", NIP, "--date", "2026-08-21", "--code", "DK", "--note", "diklat", "--json").output
    )
    assert added["date_from"] == added["date_to"] == "2026-08-21"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["absence", "add", "199999999999999999", "--date", "2026-08-21", "--code", "S", "--note", "x"],
            "no employee with NIP",
        ),
        (["absence", "add", NIP, "--date", "2026-08-21", "--to", "2026-08-20", "--code", "S", "--note", "x"], "swap"),
        (
            [
                "absence",
                "add",
                NIP,
                "--date",
                "2026-08-21",
                "--code",
                "S",
                "--note",
                "x",
                "--evidence",
                "/nonexistent.pdf",
            ],
            "not found",
        ),
        (["absence", "remove", "99"], "no absence with id 99"),
    ],
)
def test_refusals_exit_1_and_change_nothing(run, store, employee, data_dir: Path, args, message) -> None:
    result = run(*args)
    assert result.exit_code == 1 and message in result.output
    assert store.absences.list() == [] and not any((data_dir / "evidence").glob("*"))


def test_usage_errors_exit_2(run, employee) -> None:
    assert run("absence", "add", NIP, "--date", "2026-08-21", "--code", "X", "--note", "x").exit_code == 2
    assert run("absence", "add", NIP, "--date", "21-08-2026", "--code", "S", "--note", "x").exit_code == 2
    assert run("report", "rekap", "--month", "2026-13").exit_code == 2


def test_report_rekap_csv_and_xlsx(run, store, employee, tmp_path: Path) -> None:
    store.punches.record(NewPunch(NIP, datetime(2026, 8, 3, 7, 50, tzinfo=WIB), Method.FACE))
    store.punches.record(NewPunch(NIP, datetime(2026, 8, 3, 16, 20, tzinfo=WIB), Method.FINGERPRINT))
    result = run("report", "rekap", "--month", "2026-08", "--unit", "Setda")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1] == ["Setda"] and rows[5][:6] == ["1", f"Budi Santoso / {NIP} / 7", "0", "0", "1", "0"]
    target = tmp_path / "rekap.xlsx"
    result = run(
        "report", "rekap", "--month", "2026-08", "--format", "xlsx", "--output", str(target), "--head-nip", "1970"
    )
    assert result.exit_code == 0 and load_workbook(target).active["A2"].value == "(semua unit)"


def test_report_violations_json(run, store, employee) -> None:
    store.absences.add(NIP, "2026-01-01", "2026-12-31", "C", "a year of leave")
    data = json.loads(run("report", "violations", "--year", "2026", "--json").stdout)
    assert data[0]["nip"] == NIP and data[0]["total"] == 0 and set(data[0]["months"]) >= {"jan", "dec"}
