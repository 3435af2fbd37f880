"""Working periods: one schedule's hours laid on the calendar, with their punch windows.

A `Period` is one working day (or one shift) of one schedule: its start and end, the window in
which arrival and departure punches are accepted, the midday check window and the apel flag. It is
the unit the classifier and the recap count in. A night shift's period belongs to the date it
starts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kiosk.rules.holidays import Holiday, HolidayCalendar
from kiosk.rules.schedule import Hours, Schedule, Windows

MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Period:
    day: date  # the date the period starts on
    start: datetime  # naive wall clock
    end: datetime
    opens: datetime  # first minute an arrival punch is accepted
    closes: datetime  # last minute a departure punch is accepted (inclusive)
    siang: tuple[datetime, datetime] | None  # midday check window, inclusive minutes
    apel: bool  # Monday ceremony day (Pasal 2(8))
    apel_at: datetime | None = None  # the ceremony's start, when the unit sets one

    @property
    def split(self) -> datetime:
        """The midpoint (floored to the minute): before it a first punch is the arrival, from it on
        a punch is a departure. It also prices a missing punch in the recap (docs/recap.md)."""
        half = (self.end - self.start) / 2
        return self.start + timedelta(minutes=half // MINUTE)

    @property
    def minutes(self) -> int:
        return (self.end - self.start) // MINUTE

    def in_window(self, minute: datetime) -> bool:
        return self.opens <= minute <= self.closes


def period_on(schedule: Schedule, day: date, holidays: HolidayCalendar) -> Period | None:
    """The working period that starts on `day`, or None (no hours, or a holiday the schedule keeps)."""
    if day_off(schedule, day, holidays) is not None:
        return None
    hours = schedule.hours_on(day)
    if hours is None:
        return None
    start, end = hours.on(day)
    opens, closes = _window(schedule.windows, hours, day, start, end)
    apel = schedule.apel_monday and day.weekday() == 0
    apel_at = datetime.combine(day, schedule.apel_time) if apel and schedule.apel_time else None
    return Period(day, start, end, opens, closes, _siang(schedule.siang, day, start, end), apel, apel_at)


def day_off(schedule: Schedule, day: date, holidays: HolidayCalendar) -> Holiday | None:
    """The holiday that closes the office for this schedule on `day`, if any."""
    if not schedule.observe_holidays:
        return None
    return holidays.off(day, cuti_bersama=schedule.observe_cuti_bersama)


def period_for(schedule: Schedule, moment: datetime, holidays: HolidayCalendar) -> Period | None:
    """The period a punch at wall-clock `moment` belongs to.

    1. A period whose window holds the minute. If two do (a night shift ending as a morning shift
       begins), the earlier one keeps the punch up to its end, the later one takes it after.
    2. Otherwise the period starting on the punch's own date (the punch is outside its window).
    3. Otherwise none: the punch is kept but not judged.
    """
    minute = moment.replace(second=0, microsecond=0)
    today = moment.date()
    candidates = [p for p in (period_on(schedule, d, holidays) for d in (today - timedelta(days=1), today)) if p]
    holding = [p for p in candidates if p.in_window(minute)]
    if len(holding) == 2:
        earlier, later = holding
        return earlier if minute <= earlier.end else later
    if holding:
        return holding[0]
    return next((p for p in candidates if p.day == today), None)


def _window(windows: Windows, hours: Hours, day: date, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The regulation's clock window when the period fits inside it, else the same-sized margins."""
    fits = not hours.crosses_midnight and windows.arrival_opens <= hours.start and hours.end <= windows.departure_closes
    if fits:
        return datetime.combine(day, windows.arrival_opens), datetime.combine(day, windows.departure_closes)
    return start - timedelta(minutes=windows.opens_before_minutes), end + timedelta(
        minutes=windows.closes_after_minutes
    )


def _siang(siang: Hours | None, day: date, start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    """The midday window on `day`, only when it lies inside the working period (a 6-day unit's
    Friday ending 11:45 has no midday check)."""
    if siang is None or siang.crosses_midnight:
        return None
    low, high = siang.on(day)
    return (low, high) if start <= low and high <= end else None
