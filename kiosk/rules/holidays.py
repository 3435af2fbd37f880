"""The holiday calendar: national holidays (libur nasional) and cuti bersama.

The dates come each year from the joint decree of three ministers (SKB 3 Menteri); technicians keep
them current in a TOML file. The package ships `data/holidays-id.toml`; `[schedule] holidays_file`
adds to it or corrects it (an entry for the same date replaces the shipped one; `remove = true`
cancels it). Format:

    [[holiday]]
    date = 2026-08-17
    name = "Proklamasi Kemerdekaan"
    kind = "libur"          # "libur" (national holiday) or "cuti_bersama"
    verified = true         # false = expected date, not yet checked against the SKB
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from kiosk.tomlfile import TomlFileError, TomlFileMissing, read_toml, toml_date

BUNDLED = "holidays-id.toml"


class HolidayKind(enum.StrEnum):
    LIBUR = "libur"  # hari libur nasional
    CUTI_BERSAMA = "cuti_bersama"  # counted against annual leave for ASN, office closed


class HolidayFileError(ValueError):
    """A holiday file entry cannot be read; the message names the file, the entry and the fix."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path, self.problem = path, problem  # `problem` names the entry and the fix, not the file
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str
    kind: HolidayKind = HolidayKind.LIBUR
    verified: bool = True


@dataclass(frozen=True)
class HolidayCalendar:
    by_day: Mapping[date, Holiday] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, day: date) -> Holiday | None:
        return self.by_day.get(day)

    def off(self, day: date, cuti_bersama: bool = True) -> Holiday | None:
        """The holiday that closes the office on `day`, if any."""
        holiday = self.by_day.get(day)
        if holiday is None or (holiday.kind is HolidayKind.CUTI_BERSAMA and not cuti_bersama):
            return None
        return holiday

    def year(self, year: int) -> list[Holiday]:
        return sorted((h for h in self.by_day.values() if h.day.year == year), key=lambda h: h.day)

    def unverified(self, year: int) -> list[Holiday]:
        return [h for h in self.year(year) if not h.verified]

    def merged(self, path: Path) -> HolidayCalendar:
        """This calendar with a technician's file applied on top."""
        entries = dict(self.by_day)
        for holiday, remove in _read(path):
            entries.pop(holiday.day, None)
            if not remove:
                entries[holiday.day] = holiday
        return HolidayCalendar(MappingProxyType(entries))


def bundled() -> HolidayCalendar:
    """The calendar shipped with the kiosk (see data/holidays-id.toml for its sources)."""
    with resources.as_file(resources.files("kiosk.rules") / "data" / BUNDLED) as path:
        return HolidayCalendar().merged(path)


def load(extra: Path | None = None) -> HolidayCalendar:
    calendar = bundled()
    return calendar.merged(extra) if extra else calendar


def _read(path: Path) -> list[tuple[Holiday, bool]]:
    try:
        document = read_toml(path)
    except TomlFileMissing:
        raise HolidayFileError(
            path, "file not found; create it ([[holiday]] entries, see docs/rules.md) or fix [schedule] holidays_file"
        ) from None
    except TomlFileError as exc:
        raise HolidayFileError(path, exc.problem) from None
    unknown = set(document) - {"holiday"}
    if unknown:
        raise HolidayFileError(path, f"unknown table {min(unknown)!r}; entries are [[holiday]] tables")
    entries = document.get("holiday", [])
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise HolidayFileError(path, "holiday must be [[holiday]] tables, each with date = YYYY-MM-DD and name = \"...\"")
    return [_entry(path, index, entry) for index, entry in enumerate(entries)]


def _entry(path: Path, index: int, entry: dict) -> tuple[Holiday, bool]:
    where = f"holiday #{index + 1}"
    unknown = set(entry) - {"date", "name", "kind", "verified", "remove", "source"}
    if unknown:
        raise HolidayFileError(path, f"{where}: unknown key {min(unknown)!r}; keys are date, name, kind, verified, remove")
    day = toml_date(entry.get("date"))
    if day is None:
        raise HolidayFileError(path, f"{where}: date = {entry.get('date')!r} must be a date such as 2026-08-17")
    kind = entry.get("kind", "libur")
    if kind not in tuple(HolidayKind):
        raise HolidayFileError(path, f'{where}: kind = {kind!r} must be "libur" or "cuti_bersama"')
    holiday = Holiday(day, str(entry.get("name", "")), HolidayKind(kind), bool(entry.get("verified", True)))
    return holiday, bool(entry.get("remove", False))
