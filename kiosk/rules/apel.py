"""The Monday apel (Perbup Musi Rawas 50/2022 Pasal 2(8)): did the employee arrive in time for it?

The regulation makes the Monday ceremony mandatory but gives it no place in Lampiran I and no
penalty of its own, so a missed apel is reported beside the recap (docs/recap.md), never counted as
TK. An apel is tracked only on an apel day of the employee's schedule (`apel_monday`) with an apel
time set (`apel_time`): an arrival recorded after that minute, or none at all, missed it. Pure
functions: the recap and the operator console's Today page call the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from kiosk.domain import AbsenceCode, Punch
from kiosk.rules.classify import DayResult, classify_day, to_minute, wall_clock
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.schedule import Schedule

# An operator's code for these excuses the employee from the whole day, the apel included.
# (TK is not an excuse: the employee was away without reason, so the apel was missed too.)
EXCUSED = (AbsenceCode.C, AbsenceCode.S, AbsenceCode.I, AbsenceCode.DK, AbsenceCode.D)


def apel_verdict(result: DayResult, absence: AbsenceCode | None = None, now: datetime | None = None) -> bool | None:
    """True: the apel was missed; False: attended (arrival by the apel minute); None: nothing to
    judge (no apel tracked that day, an excused absence, or, with `now`, the apel time not reached
    yet and no arrival so far)."""
    period = result.period
    if period is None or period.apel_at is None or absence in EXCUSED:
        return None
    if result.datang is not None and to_minute(result.datang.time) <= period.apel_at:
        return False
    if result.datang is None and now is not None and to_minute(wall_clock(now)) <= period.apel_at:
        return None  # the day is not over: nobody has missed an apel that has not started
    return True


def apel_missed(
    punches: Iterable[datetime | Punch],
    schedule: Schedule,
    day: date,
    holidays: HolidayCalendar,
    *,
    absence: AbsenceCode | None = None,
    now: datetime | None = None,
) -> bool | None:
    """For one employee's punches around `day` (any span; the day's period picks its own): whether
    the day's apel was missed. See `apel_verdict` for None. Pass `now` for a day still running."""
    return apel_verdict(classify_day(punches, schedule, day, holidays), absence, now)
