"""The Today page's rows: each employee's day so far, judged by the same rules as the recap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

from kiosk.domain import Absence, AbsenceCode, Employee, Method, Punch, Status
from kiosk.rules.classify import Mark, classify_day, wall_clock
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.recap import absence_on
from kiosk.rules.schedule import Schedule


@dataclass(frozen=True)
class Arrival:
    """One of the day's counted punches, with how it was made and whether the clock was trusted."""

    mark: Mark
    punch: Punch | None

    @property
    def method(self) -> Method | None:
        return self.punch.method if self.punch else None

    @property
    def clock_synced(self) -> bool:
        return self.punch.clock_synced if self.punch else True


@dataclass(frozen=True)
class TodayRow:
    employee: Employee
    working: bool  # a working day of the employee's schedule
    datang: Arrival | None
    pulang: Arrival | None
    others: tuple[Arrival, ...]  # the date's other punches: outside the windows, repeats, days off
    apel_missed: bool | None  # None: no apel today
    absence: AbsenceCode | None

    @property
    def missing(self) -> bool:
        """Still expected at the door: a working day, no punch at all, no absence recorded."""
        return self.working and self.datang is None and self.pulang is None and not self.others and self.absence is None

    @property
    def outside(self) -> int:
        return sum(1 for other in self.others if other.mark.status is Status.OUTSIDE_WINDOW)


def today_rows(
    employees: Sequence[Employee],
    punches: Sequence[Punch],
    absences: Sequence[Absence],
    schedule_for: Callable[[Employee], Schedule],
    holidays: HolidayCalendar,
    day: date,
    zone: tzinfo | None = None,
) -> list[TodayRow]:
    """Rows in the order given (the caller sorts by name); punches may span neighbouring days."""
    by_nip: dict[str, list[Punch]] = {}
    for punch in punches:
        by_nip.setdefault(punch.nip, []).append(punch)
    rows = []
    for employee in employees:
        own = by_nip.get(employee.nip, [])
        result = classify_day(own, schedule_for(employee), day, holidays, zone)
        by_time = {wall_clock(p, zone): p for p in own}
        counted = {m.time for m in (result.datang, result.siang, result.pulang) if m is not None}
        outside = set(result.outside)
        others = tuple(
            Arrival(Mark(moment, Status.OUTSIDE_WINDOW if moment in outside else Status.UNSCHEDULED, 0), punch)
            for moment, punch in sorted(by_time.items())
            if moment not in counted and (moment in outside or moment.date() == day)
        )
        rows.append(
            TodayRow(
                employee=employee,
                working=result.working,
                datang=Arrival(result.datang, by_time.get(result.datang.time)) if result.datang else None,
                pulang=Arrival(result.pulang, by_time.get(result.pulang.time)) if result.pulang else None,
                others=others,
                apel_missed=result.apel_missed,
                absence=absence_on(absences, employee.nip, day),
            )
        )
    return rows
