"""The Lampiran I recap (Perbup Musi Rawas 50/2022) for a 5-day unit over August 2026.

August 2026: the 1st is a Saturday; 17 Aug (Proklamasi, Monday) and 25 Aug (Maulid Nabi, Tuesday)
are national holidays (SKB 3 Menteri 2026), so the unit has 21 weekdays - 2 = 19 working days:
Mon-Thu 07:45-16:15 (510 min, midpoint 12:00), Fri 07:45-16:45 (540 min, midpoint 12:15).
Punches and absences go through a real store in tmp_path; the expected values are worked out by hand.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook

from kiosk.domain import Employee, Method, NewPunch
from kiosk.report.collect import monthly_recap, yearly_violations
from kiosk.report.csv_writer import write_csv
from kiosk.report.layout import COLUMNS, Recap
from kiosk.report.xlsx_writer import HEADER_ROW, write_xlsx
from kiosk.rules.holidays import bundled
from kiosk.rules.recap import Tally
from kiosk.settings.schedule import ScheduleSettings
from kiosk.store import Store

WIB = timezone(timedelta(hours=7))
UNIT = "Dinas Komunikasi dan Informatika"
ANI = Employee("198501012010012001", "Ani Lestari", UNIT, pin=1)
BUDI = Employee("198601012010011002", "Budi Santoso", UNIT, pin=2)
CITRA = Employee("198701012010012003", "Citra Dewi", UNIT, pin=3)
OTHER = Employee("198801012010011004", "Dedi Other", "Dinas Lain", pin=4)
WORKING_DAYS = [3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 18, 19, 20, 21, 24, 26, 27, 28, 31]

# Budi's month, day by day: (punch times, absence code); expected effect in the comment.
BUDI_DAYS = {
    3: (["07:50", "16:15"], None),  # datang T 5 min, pulang on time
    4: (["07:45:30", "16:00"], None),  # datang on time (07:45), pulang T 15 min
    5: ([], None),  # no punch at all: Tidak Hadir TK, 510 min
    6: (["16:20"], None),  # datang TK (07:45-12:00 = 255 min), pulang on time
    7: (["07:40"], None),  # Friday: datang on time, pulang TK (12:15-16:45 = 270 min)
    8: (["09:00"], None),  # Saturday: not a working day, ignored
    10: ([], "C"), 11: ([], "C"), 12: ([], "C"), 13: ([], "C"), 14: ([], "C"),  # Tidak Hadir C x5
    17: (["07:40"], None),  # holiday: ignored
    18: (["07:40"], "D"),  # dinas luar: datang on time, pulang D
    19: ([], "D"),  # dinas luar: datang D, pulang D
    20: (["06:50", "17:40"], None),  # both outside the windows (MB 7(6)-(7)): datang TK 255 + pulang TK 255
    21: ([], "DK"),  # Tidak Hadir DK
    24: ([], "TK"),  # operator's TK: Tidak Hadir TK, 510 min
    26: ([], "S"),  # sick: counted as C
    27: (["07:40", "10:00", "16:30"], None),  # last departure counts: on time / on time
    28: (["08:45", "16:45"], None),  # Friday: datang T 60 min, pulang on time
    31: (["07:30", "16:15"], None),  # on time / on time
}  # fmt: skip

BUDI_EXPECTED = Tally(
    datang_tepat=5, datang_d=1, datang_t=2, datang_tk=2,  # 4,7,18,27,31 | 19 | 3,28 | 6,20
    siang_tepat=0,
    pulang_tepat=5, pulang_d=2, pulang_t=1, pulang_tk=2,  # 3,6,27,28,31 | 18,19 | 4 | 7,20
    absen_c=6, absen_dk=1, absen_tk=2,  # 10-14 + 26 | 21 | 5, 24
    tk_minutes=5 + 15 + 510 + 255 + 270 + 255 + 255 + 510 + 60,  # = 2135
    working_days=19,
)  # fmt: skip
ANI_EXPECTED = Tally(datang_tepat=19, pulang_tepat=19, working_days=19)
# Citra never punches: 15 Mon-Thu x 510 + 4 Fri x 540 minutes.
CITRA_EXPECTED = Tally(absen_tk=19, tk_minutes=15 * 510 + 4 * 540, working_days=19)


def punch(nip: str, day: int, clock: str) -> NewPunch:
    return NewPunch(nip, datetime.fromisoformat(f"2026-08-{day:02d}T{clock}").replace(tzinfo=WIB), Method.FACE)


@pytest.fixture
def filled(tmp_path: Path):
    with Store.open(tmp_path / "kiosk.db") as store:
        for employee in (ANI, BUDI, CITRA, OTHER):
            store.employees.add(employee)
        for day in WORKING_DAYS:
            store.punches.record(punch(ANI.nip, day, "07:30"))
            store.punches.record(punch(ANI.nip, day, "16:50" if date(2026, 8, day).weekday() == 4 else "16:20"))
        for day, (clocks, _code) in BUDI_DAYS.items():
            for clock in clocks:
                store.punches.record(punch(BUDI.nip, day, clock))
        for first, last, code in ((10, 14, "C"), (18, 19, "D"), (21, 21, "DK"), (24, 24, "TK"), (26, 26, "S")):
            store.absences.add(BUDI.nip, f"2026-08-{first:02d}", f"2026-08-{last:02d}", code, "surat")
        store.absences.add(CITRA.nip, "2026-07-01", "2026-07-31", "C", "July leave, outside the month")
        yield store


def recap_of(store: Store) -> Recap:
    return monthly_recap(store, ScheduleSettings(), bundled(), 2026, 8, unit=UNIT, zone=WIB)


def test_every_cell_for_three_employees(filled: Store) -> None:
    rows = {row.employee.nip: row.tally for row in recap_of(filled).rows}
    assert set(rows) == {ANI.nip, BUDI.nip, CITRA.nip}  # --unit leaves Dedi out
    assert rows[ANI.nip] == ANI_EXPECTED
    assert rows[BUDI.nip] == BUDI_EXPECTED
    assert rows[CITRA.nip] == CITRA_EXPECTED


def test_percentages_and_violations(filled: Store) -> None:
    rows = {row.employee.nip: row.tally for row in recap_of(filled).rows}
    assert rows[ANI.nip].absence_percent == 0.0
    assert rows[BUDI.nip].absence_percent == 47.37  # (6 C + 1 DK + 2 TK) / 19
    assert rows[CITRA.nip].absence_percent == 100.0
    assert rows[BUDI.nip].violations == 2 + 2 + 1 + 2 + 2  # T + TK arrival, T + TK departure, TK days


def test_each_day_counts_once(filled: Store) -> None:
    for row in recap_of(filled).rows:
        t = row.tally
        assert t.datang_tepat + t.datang_d + t.datang_t + t.datang_tk + t.absent_days == t.working_days
        assert t.pulang_tepat + t.pulang_d + t.pulang_t + t.pulang_tk + t.absent_days == t.working_days


def test_rows_in_name_order_with_header_and_period(filled: Store) -> None:
    recap = recap_of(filled)
    assert [r.employee.name for r in recap.rows] == ["Ani Lestari", "Budi Santoso", "Citra Dewi"]
    assert (recap.first, recap.last, recap.unit) == (date(2026, 8, 1), date(2026, 8, 31), UNIT)


def test_until_cuts_the_month(filled: Store) -> None:
    recap = monthly_recap(filled, ScheduleSettings(), bundled(), 2026, 8, unit=UNIT, until=date(2026, 8, 7), zone=WIB)
    citra = {r.employee.nip: r.tally for r in recap.rows}[CITRA.nip]
    assert citra.working_days == 5 and citra.absen_tk == 5


def test_xlsx_has_lampiran_columns_in_order(filled: Store, tmp_path: Path) -> None:
    target = tmp_path / "rekap.xlsx"
    recap = recap_of(filled)
    write_xlsx(Recap(recap.unit, recap.first, recap.last, recap.rows, "Drs. Kepala", "197001011990011001"), target)
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "REKAP KEHADIRAN PEGAWAI" and sheet["A2"].value == UNIT
    assert sheet["A3"].value == "Periode: 1-31 Agustus 2026"
    groups, subs = _header_rows(sheet)
    assert groups == ["No", "Nama/NIP/USERID", "Datang", "Datang", "Datang", "Datang", "Siang", "Pulang", "Pulang",
                      "Pulang", "Pulang", "Tidak Hadir", "Tidak Hadir", "Tidak Hadir", "Jumlah TK (Waktu)",
                      "Prosentase Ketidakhadiran", "Apel Senin"]  # fmt: skip
    assert subs == ["", "", "Tepat Waktu", "D", "T", "TK", "Tepat Waktu", "Tepat Waktu", "D", "T", "TK", "C", "DK",
                    "TK", "menit", "%", "Tidak Ikut"]  # fmt: skip
    budi = [c.value for c in sheet[HEADER_ROW + 3]]
    assert budi[0] == 2 and budi[1] == f"Budi Santoso\n{BUDI.nip}\n2"
    # the default schedule sets no apel time, so the apel column says "-" (not tracked), not 0
    assert budi[2:] == [5, 1, 2, 2, 0, 5, 2, 1, 2, 6, 1, 2, 2135, 47.37, "-"]
    text = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Mengetahui," in text and f"Kepala {UNIT}" in text and "NIP. 197001011990011001" in text


def _header_rows(sheet) -> tuple[list[str], list[str]]:
    """Group names with merged cells filled in, and the sub-headings."""
    merged = {}
    for span in sheet.merged_cells.ranges:
        for row in range(span.min_row, span.max_row + 1):
            for col in range(span.min_col, span.max_col + 1):
                merged[(row, col)] = sheet.cell(span.min_row, span.min_col).value
    width = len(COLUMNS)
    groups = [merged.get((HEADER_ROW, c), sheet.cell(HEADER_ROW, c).value) for c in range(1, width + 1)]
    subs = [sheet.cell(HEADER_ROW + 1, c).value or "" for c in range(1, width + 1)]
    return groups, subs


def test_csv_layout(filled: Store) -> None:
    out = io.StringIO()
    write_csv(recap_of(filled), out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == ["REKAP KEHADIRAN PEGAWAI"] and lines[1] == [UNIT]
    header = lines[4]
    assert header[:3] == ["No", "Nama/NIP/USERID", "Datang Tepat Waktu"] and header[-3:] == [
        "Jumlah TK (Waktu) (menit)",
        "Prosentase Ketidakhadiran (%)",
        "Apel Senin Tidak Ikut",
    ]
    budi = ["2", f"Budi Santoso / {BUDI.nip} / 2", "5", "1", "2", "2", "0", "5", "2", "1", "2", "6", "1", "2"]
    assert lines[6] == [*budi, "2135", "47.37", "-"]
    assert ["Mengetahui,"] in lines and ["NIP. ...................................."] in lines


def test_yearly_violations_accumulate(filled: Store) -> None:
    """Pasal 10(3): counted per month from January; months after `until` count nothing. (The store
    holds August only, so January-July are whole TK days for everyone and are not checked here.)"""
    rows = yearly_violations(filled, ScheduleSettings(), bundled(), 2026, UNIT, until=date(2026, 8, 31), zone=WIB)
    budi = next(r for r in rows if r.employee.nip == BUDI.nip)
    assert budi.months[7] == 9 and budi.minutes[7] == 2135
    assert budi.months[8:] == (0, 0, 0, 0)
    assert budi.cumulative[-1] == budi.total
    assert next(r for r in rows if r.employee.nip == ANI.nip).months[7] == 0
