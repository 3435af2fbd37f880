"""Read what a recap needs from the store, then compute it with `kiosk.rules.recap`."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from kiosk.domain import Employee, Punch
from kiosk.report.layout import Recap
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.recap import Tally, ViolationRow, compute_recap, violations_from_monthly
from kiosk.settings.schedule import ScheduleSettings
from kiosk.store import Store

# Punch times carry their own offset; a margin of a day and a half on each side covers every
# offset and a night shift running into the next date.
_MARGIN = timedelta(hours=36)


def month_bounds(year: int, month: int, until: date | None = None) -> tuple[date, date]:
    """First and last day of the month, cut at `until` (days after it have not happened yet)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    return first, min(last, until) if until else last


def monthly_recap(
    store: Store,
    schedules: ScheduleSettings,
    holidays: HolidayCalendar,
    year: int,
    month: int,
    unit: str | None = None,
    until: date | None = None,
) -> Recap:
    first, last = month_bounds(year, month, until)
    employees = _employees(store, unit)
    rows = compute_recap(
        employees, _punches(store, first, last), store.absences.list(start=first.isoformat(), end=last.isoformat()),
        schedules.for_employee, holidays, first, last,
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
) -> Recap:
    """The recap `kiosk report rekap` writes and the console shows: days from today on are left out."""
    recap = monthly_recap(store, schedules, holidays, year, month, unit, until=today - timedelta(days=1))
    return Recap(recap.unit, recap.first, recap.last, recap.rows, head_name, head_nip)


def yearly_violations(
    store: Store,
    schedules: ScheduleSettings,
    holidays: HolidayCalendar,
    year: int,
    unit: str | None = None,
    until: date | None = None,
) -> list[ViolationRow]:
    """Pasal 10(3): each employee's violations per month, January to December (or to `until`)."""
    months = [m for m in range(1, 13) if until is None or date(year, m, 1) <= until]
    monthly = [monthly_recap(store, schedules, holidays, year, m, unit, until) for m in months]
    tallies: dict[str, list[Tally]] = {}
    people: dict[str, Employee] = {}
    for recap in monthly:
        for row in recap.rows:
            people[row.employee.nip] = row.employee
            tallies.setdefault(row.employee.nip, [Tally()] * (recap.first.month - 1)).append(row.tally)
    return [violations_from_monthly(people[nip], tallies[nip]) for nip in sorted(people, key=lambda n: people[n].name)]


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
