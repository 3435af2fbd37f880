"""The layout of Lampiran I, "Rekap Kehadiran Pegawai" (Perbup Musi Rawas 50/2022)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.free_text import printable
from kiosk.rules.recap import RecapRow, Tally

MONTHS_ID = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "November", "Desember")  # fmt: skip

# (group, sub-heading): the columns of Lampiran I, in its order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("No", ""),
    ("Nama/NIP/USERID", ""),
    ("Datang", "Tepat Waktu"),
    ("Datang", "D"),
    ("Datang", "T"),
    ("Datang", "TK"),
    ("Siang", "Tepat Waktu"),
    ("Pulang", "Tepat Waktu"),
    ("Pulang", "D"),
    ("Pulang", "T"),
    ("Pulang", "TK"),
    ("Tidak Hadir", "C"),
    ("Tidak Hadir", "DK"),
    ("Tidak Hadir", "TK"),
    ("Jumlah TK (Waktu)", "menit"),
    ("Prosentase Ketidakhadiran", "%"),
    # Beyond Lampiran I (documented in docs/recap.md): Monday apels missed (Musi Rawas Pasal 2(8)),
    # for information; "-" when no apel time is set for the employee's schedule. Never a TK.
    ("Apel Senin", "Tidak Ikut"),
)
PERCENT_COLUMN = COLUMNS.index(("Prosentase Ketidakhadiran", "%")) + 1  # 1-based, for its number format

LEGEND = (
    "Keterangan:",
    "D : Dinas Luar",
    "S : Sakit (dihitung pada kolom C)",
    "I : Izin (dihitung pada kolom C)",
    "TK : Tanpa Keterangan",
    "T/K : Akumulasi waktu TK, T dan K (kolom Jumlah TK, dalam menit)",
    "T : Berapa kali terlambat / pulang cepat",
    "DK : Diklat",
    "C : Cuti",
    (
        "Apel Senin Tidak Ikut : hari Senin tanpa absen datang sampai jam apel (Pasal 2 ayat (8)); "
        "informasi, tidak dihitung TK; - bila jam apel tidak diatur"
    ),
)


@dataclass(frozen=True)
class Recap:
    unit: str  # "" = every unit
    first: date
    last: date
    rows: tuple[RecapRow, ...]
    head_name: str = ""  # the unit head who validates the recap
    head_nip: str = ""


def flat_headers() -> list[str]:
    return [f"{group} {sub}".strip() if sub not in ("menit", "%") else f"{group} ({sub})" for group, sub in COLUMNS]


def title_lines(recap: Recap) -> list[str]:
    return [
        "REKAP KEHADIRAN PEGAWAI",
        recap.unit or "(semua unit)",
        f"Periode: {period_label(recap.first, recap.last)}",
    ]


def period_label(first: date, last: date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}-{last.day} {MONTHS_ID[first.month - 1]} {first.year}"
    return f"{_day(first)} s.d. {_day(last)}"


def _day(day: date) -> str:
    return f"{day.day} {MONTHS_ID[day.month - 1]} {day.year}"


def footer_lines(recap: Recap) -> list[str]:
    """Validasi Kepala SKPD (Lampiran I): space for the signature between the title and the name."""
    return [
        "Mengetahui,",
        f"Kepala {recap.unit}" if recap.unit else "Kepala Perangkat Daerah",
        "",
        "",
        recap.head_name or "(....................................)",
        f"NIP. {recap.head_nip or '....................................'}",
    ]


def employee_cell(row: RecapRow, separator: str = " / ") -> str:
    e = row.employee
    # A name stored before input was checked must neither drive a terminal nor break the spreadsheet.
    return separator.join((printable(e.name), e.nip, str(e.pin)))


def row_values(number: int, row: RecapRow, separator: str = " / ") -> list[int | float | str]:
    t = row.tally
    return [
        number, employee_cell(row, separator),
        t.datang_tepat, t.datang_d, t.datang_t, t.datang_tk,
        t.siang_tepat,
        t.pulang_tepat, t.pulang_d, t.pulang_t, t.pulang_tk,
        t.absen_c, t.absen_dk, t.absen_tk,
        t.tk_minutes, t.absence_percent,
        apel_cell(t),
    ]  # fmt: skip


def apel_cell(t: Tally) -> int | str:
    """Monday apels missed, or "-" when no apel was tracked for this employee in the period."""
    return t.apel_missed if t.apel_days else "-"


def recap_json(recap: Recap) -> dict:
    """The recap for scripts and the console: the same numbers as the CSV and XLSX, by name."""
    return {
        "unit": recap.unit,
        "first": recap.first.isoformat(),
        "last": recap.last.isoformat(),
        "rows": [row_json(number, row) for number, row in enumerate(recap.rows, start=1)],
    }


def row_json(number: int, row: RecapRow) -> dict:
    e, t = row.employee, row.tally
    return {
        "no": number,
        "nip": e.nip,
        "name": e.name,
        "pin": e.pin,
        "unit": e.unit,
        "since": e.since.isoformat() if e.since else None,
        "datang": {"tepat_waktu": t.datang_tepat, "d": t.datang_d, "t": t.datang_t, "tk": t.datang_tk},
        "siang": {"tepat_waktu": t.siang_tepat},
        "pulang": {"tepat_waktu": t.pulang_tepat, "d": t.pulang_d, "t": t.pulang_t, "tk": t.pulang_tk},
        "tidak_hadir": {"c": t.absen_c, "dk": t.absen_dk, "tk": t.absen_tk},
        "jumlah_tk_menit": t.tk_minutes,
        "prosentase_ketidakhadiran": t.absence_percent,
        "working_days": t.working_days,
        "violations": t.violations,
        # Not in Lampiran I, not a violation: null when no apel time applies (docs/recap.md).
        "apel": {"days": t.apel_days, "missed": t.apel_missed} if t.apel_days else None,
    }
