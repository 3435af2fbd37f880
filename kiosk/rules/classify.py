"""Classifying punches against a schedule: pure functions, no I/O.

Time zone rule: a punch is an instant; it is judged on the schedule's wall clock, the office's zone
(device.timezone, passed as `zone`), whatever UTC offset it was recorded with: 00:35+00:00 and
08:35+08:00 are both 07:35 WIB and get the same verdict. Without a zone (naive test times) each
punch's own recorded wall clock is used.

Rounding rule: every comparison is made on the wall-clock minute the punch was recorded in (seconds
are dropped), the same minute the door screen and the recap show. The regulations state every time
to the minute ("pukul 07.45 WIB", Perbup Musi Rawas 50/2022 Pasal 2(6)), so a punch at 07:45:00 or
07:45:59 is "pukul 07.45" and on time, 07:46:00 is late by 1 minute, 07:50:30 by 5. Early departure
is counted the same way: 16:14:59 is 16:14, one minute before 16:15. Windows are inclusive minutes:
07:00 opens arrival (Perbup Musi Banyuasin 9/2023 Pasal 7(6)), 17:30 is the last departure minute
("sampai dengan pukul 17.30", Pasal 7(7)).

Which punch is which, within one period's window, in time order:
  - the first punch before the period's midpoint is the arrival (datang): on time, or late by N;
  - with a midday check, the first punch after the arrival inside the midday window is the siang;
  - every other punch is a departure (pulang): early by N before the end, else on time; the day's
    departure is the last one.
A punch before the window opens is an arrival outside the window; one after it closes is a departure
outside the window. Every punch is kept whatever its verdict: this module only labels them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from kiosk.domain import Classification, Kind, Punch, Status
from kiosk.rules.holidays import Holiday, HolidayCalendar
from kiosk.rules.periods import MINUTE, Period, day_off, period_for, period_on
from kiosk.rules.schedule import Schedule

UNJUDGED = Classification(Kind.OTHER, Status.UNSCHEDULED, 0)


def wall_clock(moment: datetime | Punch, zone: tzinfo | None = None) -> datetime:
    """The naive wall-clock time of a punch on the schedule's clock (`zone`); without a zone, on
    the clock it was recorded with (its own UTC offset)."""
    if isinstance(moment, Punch):
        moment = moment.local_time
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    if moment.tzinfo is not None:
        moment = moment.replace(tzinfo=None)
    return moment


def to_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def late_minutes(moment: datetime, start: datetime) -> int:
    return max(0, (to_minute(moment) - start) // MINUTE)


def early_minutes(moment: datetime, end: datetime) -> int:
    return max(0, (end - to_minute(moment)) // MINUTE)


def classify_punch(
    schedule: Schedule,
    day_punches_before: Sequence[datetime | Punch],
    at: datetime,
    holidays: HolidayCalendar,
    zone: tzinfo | None = None,
) -> Classification:
    """The verdict for a punch at `at`, given the employee's earlier punches (any span of time:
    the ones outside this punch's period are ignored), on `zone`'s clock. Used at record time."""
    moment = wall_clock(at, zone)
    period = period_for(schedule, moment, holidays)
    if period is None:
        return UNJUDGED
    if not period.in_window(to_minute(moment)):
        return _outside(period, moment)
    earlier = [t for t in (wall_clock(p, zone) for p in day_punches_before) if _belongs(schedule, period, t, holidays)]
    ordered = sorted(t for t in earlier if period.in_window(to_minute(t)) and t <= moment)
    return _replay(period, [*ordered, moment])[-1]


def _belongs(schedule: Schedule, period: Period, moment: datetime, holidays: HolidayCalendar) -> bool:
    return period_for(schedule, moment, holidays) == period


def _outside(period: Period, moment: datetime) -> Classification:
    kind = Kind.DATANG if to_minute(moment) < period.opens else Kind.PULANG
    return Classification(kind, Status.OUTSIDE_WINDOW, 0)


def _replay(period: Period, ordered: Sequence[datetime]) -> list[Classification]:
    """Label in-window punches of one period, in time order (the rules in the module docstring)."""
    verdicts: list[Classification] = []
    has_datang = has_siang = False
    for moment in ordered:
        minute = to_minute(moment)
        if not has_datang and minute < period.split:
            has_datang = True
            verdicts.append(_arrival(period, moment))
        elif has_datang and not has_siang and _in_siang(period, minute):
            has_siang = True
            verdicts.append(Classification(Kind.SIANG, Status.ON_TIME, 0))
        else:
            verdicts.append(_departure(period, moment))
    return verdicts


def _arrival(period: Period, moment: datetime) -> Classification:
    late = late_minutes(moment, period.start)
    return Classification(Kind.DATANG, Status.LATE if late else Status.ON_TIME, late)


def _departure(period: Period, moment: datetime) -> Classification:
    early = early_minutes(moment, period.end)
    return Classification(Kind.PULANG, Status.EARLY if early else Status.ON_TIME, early)


def _in_siang(period: Period, minute: datetime) -> bool:
    return period.siang is not None and period.siang[0] <= minute <= period.siang[1]


@dataclass(frozen=True)
class Mark:
    """The punch that counts as one of the day's datang / siang / pulang."""

    time: datetime  # wall clock
    status: Status
    minutes: int  # late or early minutes; 0 when on time


@dataclass(frozen=True)
class DayResult:
    day: date
    period: Period | None  # None: not a working day for this schedule
    holiday: Holiday | None  # the holiday closing the office, if that is why
    datang: Mark | None = None
    siang: Mark | None = None
    pulang: Mark | None = None
    punches: tuple[tuple[datetime, Classification], ...] = ()  # every punch of the period, kept

    @property
    def working(self) -> bool:
        return self.period is not None

    @property
    def siang_expected(self) -> bool:
        return self.period is not None and self.period.siang is not None

    @property
    def present(self) -> bool:
        """Any punch at all in the period, inside or outside the windows."""
        return bool(self.punches)

    @property
    def outside(self) -> tuple[datetime, ...]:
        return tuple(t for t, c in self.punches if c.status is Status.OUTSIDE_WINDOW)

    @property
    def missing(self) -> tuple[Kind, ...]:
        if self.period is None:
            return ()
        wanted = [(Kind.DATANG, self.datang), (Kind.SIANG, self.siang), (Kind.PULANG, self.pulang)]
        return tuple(k for k, mark in wanted if mark is None and (k is not Kind.SIANG or self.siang_expected))

    @property
    def apel_missed(self) -> bool | None:
        """On an apel day with an apel time set: True when no arrival was recorded by then."""
        period = self.period
        if period is None or period.apel_at is None:
            return None
        return self.datang is None or to_minute(self.datang.time) > period.apel_at


def classify_day(
    punches: Iterable[datetime | Punch],
    schedule: Schedule,
    day: date,
    holidays: HolidayCalendar,
    zone: tzinfo | None = None,
) -> DayResult:
    """Which punch is the day's datang, siang and pulang, each with its status.

    `punches` may hold any span of the employee's punches: only those belonging to the period that
    starts on `day` are used (for a night shift they run into the next date).
    """
    period = period_on(schedule, day, holidays)
    if period is None:
        return DayResult(day, None, day_off(schedule, day, holidays))
    owned = sorted(t for t in (wall_clock(p, zone) for p in punches) if _belongs(schedule, period, t, holidays))
    inside = [t for t in owned if period.in_window(to_minute(t))]
    verdicts = iter(_replay(period, inside))
    labelled = tuple((t, next(verdicts) if period.in_window(to_minute(t)) else _outside(period, t)) for t in owned)
    return DayResult(
        day,
        period,
        None,
        datang=_pick(labelled, Kind.DATANG, last=False),
        siang=_pick(labelled, Kind.SIANG, last=False),
        pulang=_pick(labelled, Kind.PULANG, last=True),
        punches=labelled,
    )


def _pick(labelled: Sequence[tuple[datetime, Classification]], kind: Kind, last: bool) -> Mark | None:
    found = [
        Mark(t, c.status, c.minutes) for t, c in labelled if c.kind is kind and c.status is not Status.OUTSIDE_WINDOW
    ]
    if not found:
        return None
    return found[-1] if last else found[0]
