"""The monthly recap of Lampiran I (Perbup Musi Rawas 50/2022) and the yearly violation count.

Pure computation: employees, their punches, the operator's absences, schedules and holidays in;
one `RecapRow` per employee out. Every choice the regulation leaves open is stated in
docs/recap.md; in short, per working day of the employee's schedule:

  - C, S, I absence -> Tidak Hadir C; DK -> Tidak Hadir DK (Pasal 5(1); S and I are the "cuti sakit"
    and "cuti karena alasan penting" of Lampiran II). Nothing else counts that day.
  - TK absence, or no punch at all -> Tidak Hadir TK, and the whole working day's minutes go into
    Jumlah TK (waktu).
  - D absence (dinas luar, Pasal 6): an arrival/departure on time still counts as on time; otherwise
    it counts in the D column, never as a violation.
  - Otherwise: arrival on time / T (late, + its minutes) / TK (missing, + the minutes from the start
    to the midpoint); departure on time / T (early, + its minutes) / TK (missing, + the minutes from
    the midpoint to the end); midday on time when the check is on.
A missing punch thus costs exactly the most a late arrival (or early departure) could have cost, so
never punching is never cheaper than punching late; both missing cost one whole TK day.

Days before the employee's start date (`Employee.since`) are not counted at all. The Monday apel
(Pasal 2(8)) is tallied beside the columns (`apel_days`, `apel_missed`), never as a violation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, tzinfo

from kiosk.domain import Absence, AbsenceCode, Employee, Punch, Status
from kiosk.rules.apel import apel_verdict
from kiosk.rules.classify import DayResult, classify_day, wall_clock
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.periods import MINUTE
from kiosk.rules.schedule import Schedule

LEAVE_CODES = (AbsenceCode.C, AbsenceCode.S, AbsenceCode.I)


@dataclass(frozen=True)
class Tally:
    """Counts for one day or summed over a period; fields in Lampiran I column order."""

    datang_tepat: int = 0
    datang_d: int = 0
    datang_t: int = 0
    datang_tk: int = 0
    siang_tepat: int = 0
    pulang_tepat: int = 0
    pulang_d: int = 0
    pulang_t: int = 0
    pulang_tk: int = 0
    absen_c: int = 0
    absen_dk: int = 0
    absen_tk: int = 0
    tk_minutes: int = 0  # Jumlah TK (waktu)
    working_days: int = 0
    apel_days: int = 0  # Monday apel days with an apel time, not excused (Pasal 2(8)); not in Lampiran I
    apel_missed: int = 0  # of those, days without an arrival by the apel time; never a violation

    def __add__(self, other: Tally) -> Tally:
        return Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def absent_days(self) -> int:
        return self.absen_c + self.absen_dk + self.absen_tk

    @property
    def absence_percent(self) -> float:
        """Prosentase ketidakhadiran: whole days absent (C + DK + TK) per working day, in percent."""
        return round(100 * self.absent_days / self.working_days, 2) if self.working_days else 0.0

    @property
    def violations(self) -> int:
        """Pasal 8: late, early, not recording, absent without reason: each counts once."""
        return self.datang_t + self.datang_tk + self.pulang_t + self.pulang_tk + self.absen_tk


@dataclass(frozen=True)
class RecapRow:
    employee: Employee
    tally: Tally


def tally_day(result: DayResult, absence: AbsenceCode | None) -> Tally:
    """How one day counts (the rules in the module docstring)."""
    return _lampiran_day(result, absence) + _apel(result, absence)


def _apel(result: DayResult, absence: AbsenceCode | None) -> Tally:
    missed = apel_verdict(result, absence)
    return Tally() if missed is None else Tally(apel_days=1, apel_missed=int(missed))


def _lampiran_day(result: DayResult, absence: AbsenceCode | None) -> Tally:
    period = result.period
    if period is None:
        return Tally()
    if absence in LEAVE_CODES:
        return Tally(absen_c=1, working_days=1)
    if absence is AbsenceCode.DK:
        return Tally(absen_dk=1, working_days=1)
    if absence is AbsenceCode.TK or (absence is None and not result.present):
        return Tally(absen_tk=1, tk_minutes=period.minutes, working_days=1)
    excused = absence is AbsenceCode.D
    first_half = (period.split - period.start) // MINUTE
    return (
        Tally(working_days=1)
        + _datang(result, excused, first_half)
        + _siang(result)
        + _pulang(result, excused, period.minutes - first_half)
    )


def _datang(result: DayResult, excused: bool, missing_cost: int) -> Tally:
    mark = result.datang
    if mark is not None and mark.status is Status.ON_TIME:
        return Tally(datang_tepat=1)
    if excused:
        return Tally(datang_d=1)
    if mark is None:
        return Tally(datang_tk=1, tk_minutes=missing_cost)
    return Tally(datang_t=1, tk_minutes=mark.minutes)


def _pulang(result: DayResult, excused: bool, missing_cost: int) -> Tally:
    mark = result.pulang
    if mark is not None and mark.status is Status.ON_TIME:
        return Tally(pulang_tepat=1)
    if excused:
        return Tally(pulang_d=1)
    if mark is None:
        return Tally(pulang_tk=1, tk_minutes=missing_cost)
    return Tally(pulang_t=1, tk_minutes=mark.minutes)


def _siang(result: DayResult) -> Tally:
    return Tally(siang_tepat=1) if result.siang is not None else Tally()


def absence_on(absences: Iterable[Absence], nip: str, day: date) -> AbsenceCode | None:
    """The operator's code for the employee on `day`; the latest entry wins when two overlap."""
    iso = day.isoformat()
    found = [a for a in absences if a.nip == nip and a.date_from <= iso <= a.date_to]
    return max(found, key=lambda a: a.id).code if found else None


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def tally_employee(
    employee: Employee,
    punches: Sequence[datetime | Punch],
    absences: Sequence[Absence],
    schedule: Schedule,
    holidays: HolidayCalendar,
    days: Sequence[date],
    zone: tzinfo | None = None,
) -> Tally:
    """`zone`: the schedule's zone (device.timezone); punches are placed on its wall clock."""
    by_date = _by_date(punches, zone)
    total = Tally()
    for day in filter(employee.employed_on, days):
        # only the neighbouring dates can hold this day's punches (a period spans at most two dates)
        nearby = [p for d in (day - timedelta(days=1), day, day + timedelta(days=1)) for p in by_date.get(d, ())]
        result = classify_day(nearby, schedule, day, holidays)
        total += tally_day(result, absence_on(absences, employee.nip, day))
    return total


def _by_date(punches: Sequence[datetime | Punch], zone: tzinfo | None) -> dict[date, list[datetime]]:
    grouped: dict[date, list[datetime]] = {}
    for moment in (wall_clock(p, zone) for p in punches):
        grouped.setdefault(moment.date(), []).append(moment)
    return grouped


def compute_recap(
    employees: Sequence[Employee],
    punches: Mapping[str, Sequence[datetime | Punch]],
    absences: Sequence[Absence],
    schedule_for: Callable[[Employee], Schedule],
    holidays: HolidayCalendar,
    first: date,
    last: date,
    *,
    zone: tzinfo | None,
) -> list[RecapRow]:
    """One row per employee over [first, last] (inclusive), in the order given, each punch placed
    on `zone`'s wall clock (device.timezone; None: each punch's own recorded offset); an employee
    whose start date is after `last` has no row (they had not joined yet).

    `punches` maps NIP to the employee's punches; include the day after `last` so a night shift
    starting on `last` finds its departure.
    """
    days = days_of(first, last)
    return [
        RecapRow(e, tally_employee(e, punches.get(e.nip, ()), absences, schedule_for(e), holidays, days, zone))
        for e in employees
        if e.since is None or e.since <= last
    ]


@dataclass(frozen=True)
class ViolationRow:
    """Pasal 10(3): violations counted cumulatively from January to December of the year."""

    employee: Employee
    months: tuple[int, ...]  # violations per month, January first
    minutes: tuple[int, ...]  # Jumlah TK (waktu) per month

    @property
    def total(self) -> int:
        return sum(self.months)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes)

    @property
    def cumulative(self) -> tuple[int, ...]:
        running, out = 0, []
        for count in self.months:
            running += count
            out.append(running)
        return tuple(out)


def violations_from_monthly(employee: Employee, monthly: Sequence[Tally]) -> ViolationRow:
    """Build the yearly row from up to 12 monthly tallies (missing months count zero)."""
    padded = list(monthly) + [Tally()] * (12 - len(monthly))
    return ViolationRow(employee, tuple(t.violations for t in padded), tuple(t.tk_minutes for t in padded))
