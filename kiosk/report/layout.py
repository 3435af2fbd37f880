"""The layout of Lampiran I, "Rekap Kehadiran Pegawai" (Perbup Musi Rawas 50/2022)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.names import printable
from kiosk.rules.recap import RecapRow

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
)

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


def row_values(number: int, row: RecapRow, separator: str = " / ") -> list[object]:
    t = row.tally
    return [
        number, employee_cell(row, separator),
        t.datang_tepat, t.datang_d, t.datang_t, t.datang_tk,
        t.siang_tepat,
        t.pulang_tepat, t.pulang_d, t.pulang_t, t.pulang_tk,
        t.absen_c, t.absen_dk, t.absen_tk,
        t.tk_minutes, t.absence_percent,
    ]  # fmt: skip
