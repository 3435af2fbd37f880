"""The record-time classifier the recorder calls for every punch."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Protocol

from kiosk.domain import Classification, Employee, Punch
from kiosk.rules.classify import UNJUDGED, classify_punch
from kiosk.rules.holidays import HolidayCalendar
from kiosk.rules.schedule import Schedule

log = logging.getLogger(__name__)

Classifier = Callable[[Employee, datetime, list[Punch]], Classification]


class ScheduleSource(Protocol):
    """What the classifier needs from the settings: each employee's schedule."""

    def for_employee(self, employee: Employee) -> Schedule: ...


def make_classifier(schedule_settings: ScheduleSource, holidays: HolidayCalendar, zone: tzinfo) -> Classifier:
    """A function (employee, punch time, the employee's recent punches) -> Classification.

    `zone` is the schedules' zone (device.timezone): each punch is judged as its instant on that
    clock, whatever offset it carries.

    Pass the employee's punches of the last 36 hours or so (a night shift reaches into the previous
    date); older or unrelated punches are ignored. It never raises for a bad schedule name: the
    punch must still be recorded, so it is left unjudged and the problem is logged.
    """

    def classify(employee: Employee, at: datetime, recent: list[Punch]) -> Classification:
        try:
            schedule = schedule_settings.for_employee(employee)
        except ValueError as exc:
            log.warning("punch of %s left unjudged: %s", employee.nip, exc)
            return UNJUDGED
        return classify_punch(schedule, recent, at, holidays, zone)

    return classify
