"""Read what a recap needs from the store, then compute it with `kiosk.rules.recap`."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from kiosk.domain import Employee, Punch
from kiosk.free_text import printable
from kiosk.report.layout import Recap
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.recap import Tally, ViolationRow, compute_recap, violations_from_monthly
from kiosk.rules.schedule import Schedule
from kiosk.settings.schedule import ScheduleSettings, UnknownSchedule
from kiosk.store import Store

# Punch times carry their own offset; a margin of a day and a half on each side covers every
# offset and a night shift running into the next date.
_MARGIN = timedelta(hours=36)


class NothingToReport(ValueError):
    """The period asked for has no finished day yet."""


class UnknownUnit(ValueError):
    """--unit names no unit the kiosk knows."""


def month_bounds(year: int, month: int, until: date | None = None) -> tuple[date, date]:
    """First and last day of the month, cut at `until` (days after it have not happened yet)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    if until is not None and until < first:
        raise NothingToReport(
            f"{year}-{month:02d} has no finished day yet (the last finished day is {until.isoformat()}); "
            "a recap counts finished days only: ask for an earlier month"
        )
    return first, min(last, until) if until else last


def resolve_unit(asked: str, known: Sequence[str]) -> str:
    """The known unit `asked` means: exactly, else the one that matches ignoring case."""
    if asked in known:
        return asked
    same = [unit for unit in known if unit.casefold() == asked.strip().casefold()]
    if len(same) == 1:
        return same[0]
    listed = ", ".join(repr(u) for u in (same or known)) or "none (no employee has a unit yet)"
    problem = "matches several units ignoring case" if same else "is not a known unit"
    raise UnknownUnit(f"--unit {asked!r} {problem}; known units: {listed}")


def monthly_recap(
    store: Store,
    schedules: ScheduleSettings,
    holidays: HolidayCalendar,
    year: int,
    month: int,
    unit: str | None = None,
    until: date | None = None,
    *,
    zone: tzinfo,
) -> Recap:
    """`zone`: the office's zone (device.timezone) on whose clock every punch is judged."""
    first, last = month_bounds(year, month, until)
    employees = _employees(store, unit)
    rows = compute_recap(
        employees, _punches(store, first, last), store.absences.list(start=first.isoformat(), end=last.isoformat()),
        lambda employee: schedule_of(schedules, employee), holidays, first, last, zone=zone,
    )  # fmt: skip
    return Recap(unit or "", first, last, tuple(rows))


def finished_recap(
    store: Store,
    schedules: ScheduleSettings,
    holidays: HolidayCalendar,
    year: int,
    month: int,
    today: date,
    unit: str | None = None,
    head_name: str = "",
    head_nip: str = "",
    *,
    zone: tzinfo,
) -> Recap:
    """The recap `kiosk report rekap` writes and the console shows: days from today on are left out."""
    recap = monthly_recap(store, schedules, holidays, year, month, unit, until=today - timedelta(days=1), zone=zone)
    return Recap(recap.unit, recap.first, recap.last, recap.rows, head_name, head_nip)


def yearly_violations(
    store: Store,
    schedules: ScheduleSettings,
    holidays: HolidayCalendar,
    year: int,
    unit: str | None = None,
    until: date | None = None,
    *,
    zone: tzinfo,
) -> list[ViolationRow]:
    """Pasal 10(3): each employee's violations per month, January to December (or to `until`)."""
    months = [m for m in range(1, 13) if until is None or date(year, m, 1) <= until]
    if not months:
        raise NothingToReport(f"{year} has no finished day yet (the last finished day is {until}); ask for an earlier year")
    monthly = [monthly_recap(store, schedules, holidays, year, m, unit, until, zone=zone) for m in months]
    tallies: dict[str, list[Tally]] = {}
    people: dict[str, Employee] = {}
    for recap in monthly:
        for row in recap.rows:
            people[row.employee.nip] = row.employee
            tallies.setdefault(row.employee.nip, [Tally()] * (recap.first.month - 1)).append(row.tally)
    return [violations_from_monthly(people[nip], tallies[nip]) for nip in sorted(people, key=lambda n: people[n].name)]


def schedule_of(schedules: ScheduleSettings, employee: Employee) -> Schedule:
    """The employee's schedule; an unknown name (a custom schedule since removed from the config) names the employee."""
    try:
        return schedules.for_employee(employee)
    except UnknownSchedule as exc:
        raise UnknownSchedule(
            f"employee {employee.nip} ({printable(employee.name)}) has schedule {employee.schedule!r}: {exc}; "
            f"define [schedule.custom.{employee.schedule}] again in the config"
        ) from None


def _employees(store: Store, unit: str | None) -> list[Employee]:
    """Active employees of the unit, by name (the recap's row order)."""
    chosen = [e for e in store.employees.list(active_only=True) if unit is None or e.unit == unit]
    return sorted(chosen, key=lambda e: (e.name.casefold(), e.nip))


def _punches(store: Store, first: date, last: date) -> dict[str, list[Punch]]:
    start = datetime.combine(first, time(), tzinfo=UTC) - _MARGIN
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC) + _MARGIN
    grouped: dict[str, list[Punch]] = {}
    for punch in store.punches.between(start, end):
        grouped.setdefault(punch.nip, []).append(punch)
    return grouped


def units_of(employees: Sequence[Employee]) -> list[str]:
    return sorted({e.unit for e in employees if e.unit})


def known_units(store: Store, schedules: ScheduleSettings) -> list[str]:
    """Units of the employees on this kiosk and units named in [schedule.units]."""
    return sorted(set(units_of(store.employees.list(active_only=False))) | {unit for unit, _ in schedules.units})
