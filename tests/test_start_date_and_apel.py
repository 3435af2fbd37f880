"""Issue 13: the employee's start date in recaps and violations, and the Monday apel beside the recap.

A real store in tmp_path, the bundled 2026 holiday calendar, the `kiosk` CLI in-process. August
2026 (5-hari): Mondays 3, 10, 24, 31 are working days (17 Aug is Proklamasi); the working days from
the 10th are 10-14, 18-21, 24, 26-28, 31 (25 Aug is Maulid Nabi) = 14 days. Expected values are
worked out by hand in the comments.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.domain import AbsenceCode, Employee, Method, NewPunch
from kiosk.report.collect import monthly_recap, yearly_violations
from kiosk.report.csv_writer import write_csv
from kiosk.report.layout import COLUMNS
from kiosk.report.xlsx_writer import HEADER_ROW, write_xlsx
from kiosk.rules import FIVE_DAY, Schedule
from kiosk.rules.apel import apel_missed
from kiosk.rules.holidays import bundled
from kiosk.settings.schedule import ScheduleSettings
from kiosk.store import Store
from kiosk.store.migrations import M001_INITIAL

WIB = timezone(timedelta(hours=7))
UNIT = "BKPSDM"
HIRE = Employee("199901012024011001", "Rina Baru", UNIT, pin=5, since=date(2026, 8, 10))
OLD_HAND = Employee("198001012005011002", "Ahmad Lama", UNIT, pin=6)
HIRE_DAYS = [10, 11, 12, 13, 14, 18, 19, 20, 21, 24, 26, 27, 28, 31]
# The hire's four violations, all after the start date: late, early, a whole day away, no departure.
HIRE_EXCEPTIONS = {11: ["07:50", "16:20"], 12: ["07:40", "16:00"], 13: [], 14: ["07:40"]}
APEL = ScheduleSettings.from_toml({"apel_time": "07:30"}, "schedule")


def at(day: int, clock: str, month: int = 8) -> datetime:
    return datetime.fromisoformat(f"2026-{month:02d}-{day:02d}T{clock}").replace(tzinfo=WIB)


def fill_hire(store: Store) -> None:
    """The hire punches every working day from the 10th (and on the 3rd-7th, before the start
    date, nothing: she had not joined). Fridays end 16:45."""
    store.employees.add(HIRE)
    for day in HIRE_DAYS:
        clocks = HIRE_EXCEPTIONS.get(day, ["07:30", "16:50"])
        for clock in clocks:
            store.punches.record(NewPunch(HIRE.nip, at(day, clock), Method.FACE))


@pytest.fixture
def hired(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db") as store:
        fill_hire(store)
        yield store


# -- the start date -------------------------------------------------------------------------


def test_a_mid_year_hire_has_only_the_violations_after_the_start_date(hired: Store) -> None:
    rows = yearly_violations(hired, ScheduleSettings(), bundled(), 2026, UNIT, until=date(2026, 8, 31), zone=WIB)
    [hire] = rows
    assert hire.months == (0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0)
    assert hire.total == 4


def test_without_the_start_date_every_working_day_since_january_is_tk(hired: Store) -> None:
    """The bug of issue 13, kept visible: clearing the date counts her absent from January."""
    hired.employees.set_since(HIRE.nip, None)
    [hire] = yearly_violations(hired, ScheduleSettings(), bundled(), 2026, UNIT, until=date(2026, 8, 31), zone=WIB)
    assert hire.months[0] == 20  # January 2026: 22 weekdays minus 1 Jan and 16 Jan (Isra Mikraj)
    assert hire.months[7] == 4 + 5  # August: her 4, plus 3-7 August as whole TK days
    assert hire.total > 100


def test_the_recap_of_the_hiring_month_starts_at_the_start_date(hired: Store) -> None:
    [row] = monthly_recap(hired, ScheduleSettings(), bundled(), 2026, 8, UNIT, zone=WIB).rows
    t = row.tally
    assert t.working_days == 14  # not 19: 3-7 August were before she joined
    assert (t.datang_tepat, t.datang_t, t.datang_tk) == (12, 1, 0)  # 13 Aug is a whole-day TK instead
    assert (t.pulang_tepat, t.pulang_t, t.pulang_tk) == (11, 1, 1)
    assert t.absen_tk == 1
    assert t.tk_minutes == 5 + 15 + 510 + 270  # late 07:50, early 16:00, 13 Aug (Thu), 14 Aug (Fri) no departure
    assert t.violations == 4
    assert t.absence_percent == round(100 / 14, 2)


def test_no_row_in_a_month_before_the_start_date(hired: Store) -> None:
    hired.employees.add(OLD_HAND)
    july = monthly_recap(hired, ScheduleSettings(), bundled(), 2026, 7, UNIT, zone=WIB)
    assert [r.employee.nip for r in july.rows] == [OLD_HAND.nip]


def test_the_start_date_survives_a_roster_update_and_can_be_cleared(hired: Store) -> None:
    # The roster carries no start date: updating the name must not erase what the operator entered.
    hired.employees.update(Employee(HIRE.nip, "Rina Baru, S.Kom.", UNIT, pin=5))
    assert hired.employees.get(HIRE.nip).since == date(2026, 8, 10)
    assert hired.employees.set_since(HIRE.nip, date(2026, 8, 12)).since == date(2026, 8, 12)
    assert hired.employees.set_since(HIRE.nip, None).since is None


def test_a_database_from_before_the_start_date_keeps_its_employees(tmp_path: Path) -> None:
    """Migration 002 on a kiosk that already holds employees: nothing lost, the date is unknown."""
    path = tmp_path / "kiosk.db"
    conn = sqlite3.connect(path)
    conn.executescript(f"BEGIN;\n{M001_INITIAL}\nPRAGMA user_version = 1;\nCOMMIT;")
    conn.execute(
        "INSERT INTO employees (nip, name, unit, pin, created_utc, updated_utc) VALUES (?, ?, ?, ?, ?, ?)",
        (OLD_HAND.nip, OLD_HAND.name, UNIT, 6, "2026-01-05T00:00:00Z", "2026-01-05T00:00:00Z"),
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.employees.get(OLD_HAND.nip) == OLD_HAND  # since = None: counted from the period's start
        assert store.employees.set_since(OLD_HAND.nip, date(2026, 3, 2)).since == date(2026, 3, 2)


# -- the apel -------------------------------------------------------------------------------

ANI = Employee("198501012010012001", "Ani Rajin", UNIT, pin=1)  # 07:30 every day: every apel attended
BUDI = Employee("198601012010011002", "Budi Santoso", UNIT, pin=2)
CITRA = Employee("198701012010012003", "Citra Absen", UNIT, pin=3)  # never punches: every apel missed
# Budi's Mondays: 3 Aug 07:50 (missed), 10 Aug cuti (excused), 24 Aug TK by the operator (missed),
# 31 Aug 07:30:40 (attended: the minute 07:30 is the apel minute). 17 Aug is a holiday.
BUDI_PUNCHES = {3: ["07:50", "16:20"], 4: ["07:40", "16:20"], 31: ["07:30:40", "16:20"]}


@pytest.fixture
def apel_month(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db") as store:
        for employee in (ANI, BUDI, CITRA):
            store.employees.add(employee)
        for day in [3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 18, 19, 20, 21, 24, 26, 27, 28, 31]:
            store.punches.record(NewPunch(ANI.nip, at(day, "07:30"), Method.FACE))
            store.punches.record(NewPunch(ANI.nip, at(day, "16:50"), Method.FACE))
        for day, clocks in BUDI_PUNCHES.items():
            for clock in clocks:
                store.punches.record(NewPunch(BUDI.nip, at(day, clock), Method.FACE))
        store.absences.add(BUDI.nip, "2026-08-10", "2026-08-14", "C", "cuti")
        store.absences.add(BUDI.nip, "2026-08-24", "2026-08-24", "TK", "tanpa keterangan")
        yield store


def test_the_recap_counts_missed_apels_beside_lampiran_i_not_as_tk(apel_month: Store) -> None:
    plain = {r.employee.nip: r.tally for r in monthly_recap(apel_month, ScheduleSettings(), bundled(), 2026, 8, zone=WIB).rows}
    apel = {r.employee.nip: r.tally for r in monthly_recap(apel_month, APEL, bundled(), 2026, 8, zone=WIB).rows}
    assert (apel[ANI.nip].apel_days, apel[ANI.nip].apel_missed) == (4, 0)
    assert (apel[BUDI.nip].apel_days, apel[BUDI.nip].apel_missed) == (3, 2)  # 10 Aug excused by the cuti
    assert (apel[CITRA.nip].apel_days, apel[CITRA.nip].apel_missed) == (4, 4)
    for nip in (ANI.nip, BUDI.nip, CITRA.nip):  # the Lampiran I columns and violations do not move
        assert apel[nip].violations == plain[nip].violations
        assert (apel[nip].absen_tk, apel[nip].tk_minutes) == (plain[nip].absen_tk, plain[nip].tk_minutes)
    assert plain[BUDI.nip].apel_days == 0  # no apel time set: nothing tracked


def test_csv_and_xlsx_show_the_apel_column(apel_month: Store, tmp_path: Path) -> None:
    recap = monthly_recap(apel_month, APEL, bundled(), 2026, 8, zone=WIB)
    out = io.StringIO()
    write_csv(recap, out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    header = lines[4]
    assert header[-1] == "Apel Senin Tidak Ikut" and header[-2] == "Prosentase Ketidakhadiran (%)"
    assert [line[-1] for line in lines[5:8]] == ["0", "2", "4"]  # Ani, Budi, Citra (by name)
    assert any("Apel Senin Tidak Ikut" in line[0] and "tidak dihitung TK" in line[0] for line in lines if line)

    target = tmp_path / "rekap.xlsx"
    write_xlsx(recap, target)
    sheet = load_workbook(target).active
    column = len(COLUMNS)
    assert (sheet.cell(HEADER_ROW, column).value, sheet.cell(HEADER_ROW + 1, column).value) == (
        "Apel Senin",
        "Tidak Ikut",
    )
    assert [sheet.cell(HEADER_ROW + 1 + n, column).value for n in (1, 2, 3)] == [0, 2, 4]
    assert sheet.cell(HEADER_ROW + 4, column - 1).value == 100.0  # Citra's percentage stays where it was


def test_apel_missed_for_the_today_page() -> None:
    """The pure function the console calls for one employee's punches of a day."""
    schedule = Schedule("5-hari", week=FIVE_DAY.week, apel_time=time(7, 30))
    monday, tuesday, holidays = date(2026, 8, 3), date(2026, 8, 4), bundled()
    early, late = [at(3, "07:29:59")], [at(3, "07:31")]
    assert apel_missed(early, schedule, monday, holidays) is False
    assert apel_missed(late, schedule, monday, holidays) is True
    assert apel_missed([], schedule, monday, holidays) is True
    # the day still running: before the apel nobody has missed it yet; after it, no arrival = missed
    assert apel_missed([], schedule, monday, holidays, now=at(3, "07:30:30")) is None
    assert apel_missed([], schedule, monday, holidays, now=at(3, "07:31")) is True
    assert apel_missed(late, schedule, monday, holidays, absence=AbsenceCode.S) is None  # excused
    assert apel_missed(late, schedule, monday, holidays, absence=AbsenceCode.TK) is True
    assert apel_missed(late, schedule, tuesday, holidays) is None  # no apel on Tuesday
    assert apel_missed([at(17, "07:50")], schedule, date(2026, 8, 17), holidays) is None  # holiday
    no_time = Schedule("5-hari", week=FIVE_DAY.week)
    assert apel_missed(late, no_time, monday, holidays) is None


# -- through the CLI ------------------------------------------------------------------------


def test_cli_start_date_add_set_list_and_violations(kiosk, store: Store) -> None:
    nip = HIRE.nip
    added = kiosk("employee", "add", nip, "--name", "Rina Baru", "--unit", UNIT, "--pin", "5", "--since", "2026-08-10")
    assert added.exit_code == 0, added.output
    assert "working since 2026-08-10" in added.output
    listed = json.loads(kiosk("employee", "list", "--json").output)
    assert listed[0]["since"] == "2026-08-10"
    table = kiosk("employee", "list").output
    assert "SINCE" in table.splitlines()[0] and "2026-08-10" in table
    for day in HIRE_DAYS:
        for clock in HIRE_EXCEPTIONS.get(day, ["07:30", "16:50"]):
            store.punches.record(NewPunch(nip, at(day, clock), Method.FACE))
    # September onwards is cuti, so the count does not depend on today's date (any day after August)
    store.absences.add(nip, "2026-09-01", "2026-12-31", "C", "cuti")
    data = json.loads(kiosk("report", "violations", "--year", "2026", "--json").stdout)
    assert data[0]["nip"] == nip and data[0]["total"] == 4 and data[0]["months"]["jul"] == 0

    cleared = kiosk("employee", "set", nip, "--since", "none")
    assert cleared.exit_code == 0 and "(not set)" in cleared.output
    data = json.loads(kiosk("report", "violations", "--year", "2026", "--json").stdout)
    assert data[0]["total"] > 100  # every working day since January counted as TK again
    assert kiosk("employee", "set", nip, "--since", "2026-08-10").exit_code == 0
    with_audit = [e.action for e in store.audit.entries()]
    assert with_audit.count("employee.since") == 2


def test_cli_rejects_a_bad_start_date(kiosk) -> None:
    result = kiosk("employee", "add", HIRE.nip, "--name", "Rina", "--since", "10-08-2026")
    assert result.exit_code == 2 and "'10-08-2026' is not a date; write YYYY-MM-DD" in result.output
    result = kiosk("employee", "set", HIRE.nip, "--since", "2026-08-10")
    assert result.exit_code == 1 and f"no employee with NIP {HIRE.nip}" in result.output


def test_cli_rekap_json_has_the_apel_and_the_start_date(kiosk, store: Store, config_file: Path) -> None:
    with config_file.open("a") as handle:
        handle.write('\n[schedule]\napel_time = "07:30"\n')
    store.employees.add(BUDI)
    for day, clocks in BUDI_PUNCHES.items():
        for clock in clocks:
            store.punches.record(NewPunch(BUDI.nip, at(day, clock), Method.FACE))
    store.absences.add(BUDI.nip, "2026-08-10", "2026-08-14", "C", "cuti")
    store.absences.add(BUDI.nip, "2026-08-24", "2026-08-24", "TK", "tanpa keterangan")
    result = kiosk("report", "rekap", "--month", "2026-08", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [row] = data["rows"]
    assert (data["first"], data["last"]) == ("2026-08-01", "2026-08-31")
    assert row["nip"] == BUDI.nip and row["since"] is None
    assert row["apel"] == {"days": 3, "missed": 2}
    assert row["tidak_hadir"]["c"] == 5 and row["tidak_hadir"]["tk"] > 0
    assert (
        row["violations"]
        == row["datang"]["t"]
        + row["datang"]["tk"]
        + row["pulang"]["t"]
        + row["pulang"]["tk"]
        + row["tidak_hadir"]["tk"]
    )
