"""Working schedules: which hours count on which day.

A `Schedule` answers one question: on a given date, what are the working hours (if any)? It holds a
week of `Hours` (regular hours, Perbup Musi Rawas 50/2022 Pasal 2(6)) or a repeating `Rotation` of
shifts (non-regular hours, Pasal 1 angka 10 and Pasal 2(7)), date-bounded `Override`s such as the
Ramadan hours set by circular letter (Pasal 2(11)), the punch windows of Perbup Musi Banyuasin
9/2023 Pasal 7(6)-(7), an optional midday (siang) check and the Monday apel flag (Pasal 2(8)).

All times are wall-clock times of the office (WIB for the regencies named above). The rules work on
naive wall-clock datetimes; `kiosk.rules.classify` turns each punch into its own recorded wall clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*")
_CLOCK = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*")


def parse_clock(text: str) -> time:
    """'07:45' or '07.45' (the regulation's own spelling) -> time(7, 45)."""
    match = _CLOCK.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a time of day; write it as HH:MM, e.g. 07:45")
    return _clock(match.group(1), match.group(2), text)


def _clock(hour: str, minute: str, text: str) -> time:
    if int(hour) > 23 or int(minute) > 59:
        raise ValueError(f"{text!r} is not a time of day; hours go to 23 and minutes to 59")
    return time(int(hour), int(minute))


@dataclass(frozen=True)
class Hours:
    """One working period: start and end on the wall clock; an end at or before the start means
    the period ends the next day (a night shift)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> Hours:
        """'07:45-16:15' -> Hours(07:45, 16:15); '21:00-07:00' crosses midnight."""
        match = _HOURS.fullmatch(text)
        if not match:
            raise ValueError(f"{text!r} is not a span of hours; write it as HH:MM-HH:MM, e.g. 07:45-16:15")
        start = _clock(match.group(1), match.group(2), text)
        end = _clock(match.group(3), match.group(4), text)
        if start == end:
            raise ValueError(f"{text!r} starts and ends at the same time; a period needs a length")
        return cls(start, end)

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

    def on(self, day: date) -> tuple[datetime, datetime]:
        """The period's start and end as wall-clock datetimes when it begins on `day`."""
        end_day = day + timedelta(days=1) if self.crosses_midnight else day
        return datetime.combine(day, self.start), datetime.combine(end_day, self.end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Windows:
    """When arrival and departure punches are accepted.

    Regular days use the clock times of Perbup Musi Banyuasin 9/2023: arrival recording opens at
    07:00 (Pasal 7(6)) and departure recording closes at 17:30 (Pasal 7(7)). A period that does not
    fit between those times (a shift, an early service unit) gets margins of the same size the
    regulation gives the regular day: 45 minutes before the start (07:00 -> 07:45) and 75 minutes
    after the end (16:15 -> 17:30).
    """

    arrival_opens: time = time(7, 0)
    departure_closes: time = time(17, 30)
    opens_before_minutes: int = 45
    closes_after_minutes: int = 75


@dataclass(frozen=True)
class Override:
    """Different hours between two dates, inclusive (e.g. Ramadan hours by circular letter).

    `days` lists (weekday 0=Mon..6=Sun, hours or None for a day off); weekdays not listed keep the
    schedule's own hours.
    """

    name: str
    first: date
    last: date
    days: tuple[tuple[int, Hours | None], ...]

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def lookup(self, weekday: int) -> tuple[bool, Hours | None]:
        """(True, hours) when this override sets the weekday, else (False, None)."""
        for listed, hours in self.days:
            if listed == weekday:
                return True, hours
        return False, None


@dataclass(frozen=True)
class Rotation:
    """A repeating shift pattern: day `anchor` works `cycle[0]`, the next day `cycle[1]`, ..."""

    anchor: date
    cycle: tuple[Hours | None, ...]

    def hours_on(self, day: date) -> Hours | None:
        return self.cycle[(day - self.anchor).days % len(self.cycle)]


@dataclass(frozen=True)
class Schedule:
    name: str
    week: tuple[Hours | None, ...] = (None,) * 7  # Monday first
    rotation: Rotation | None = None  # non-regular hours: replaces `week` when set
    windows: Windows = field(default_factory=Windows)
    siang: Hours | None = None  # midday check window; None = no midday check
    apel_monday: bool = True  # Pasal 2(8): Monday ceremony
    apel_time: time | None = None  # when the ceremony starts, if the unit sets one
    overrides: tuple[Override, ...] = ()
    observe_holidays: bool = True  # shift units serving the public may work through holidays
    observe_cuti_bersama: bool = True

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"schedule {self.name!r}: a week has 7 days, got {len(self.week)}")

    def hours_on(self, day: date) -> Hours | None:
        """The working hours of `day` before holidays are considered; None = not a working day."""
        for override in self.overrides:
            if override.covers(day):
                found, hours = override.lookup(day.weekday())
                if found:
                    return hours
        if self.rotation is not None:
            return self.rotation.hours_on(day)
        return self.week[day.weekday()]
