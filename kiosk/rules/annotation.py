"""When the operator annotates absences (Perbup Musi Rawas 50/2022 Pasal 3(7)-(8)).

The operator records the reasons for absence between 10:00 and 11:00 and between 17:00 and 18:00;
units working six days a week close earlier, so their second window is 15:00-16:00. Outside the
windows the console does not refuse (the letter may arrive late): it asks for a reason, which goes
into the audit log.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from kiosk.rules.schedule import Schedule

FIVE_DAY_WINDOWS = ((time(10), time(11)), (time(17), time(18)))
SIX_DAY_WINDOWS = ((time(10), time(11)), (time(15), time(16)))


def works_six_days(schedule: Schedule, around: date) -> bool:
    """True when the schedule has Saturday hours in the week of `around`."""
    saturday = around + timedelta(days=(5 - around.weekday()))
    return schedule.hours_on(saturday) is not None


def annotation_windows(six_day: bool) -> tuple[tuple[time, time], ...]:
    return SIX_DAY_WINDOWS if six_day else FIVE_DAY_WINDOWS


def in_annotation_window(moment: datetime, six_day: bool) -> bool:
    clock = moment.time().replace(tzinfo=None)
    return any(start <= clock < end for start, end in annotation_windows(six_day))
