"""Working-hours rules: schedules, holidays, punch classification and the monthly recap.

Everything here is pure: values in, values out. The recorder calls `make_classifier(...)` once and
the returned function for each punch; reports call `classify_day` and `kiosk.rules.recap`.
See docs/rules.md and docs/recap.md.
"""

from kiosk.rules.classify import DayResult, Mark, classify_day, classify_punch
from kiosk.rules.holidays import Holiday, HolidayCalendar, HolidayKind
from kiosk.rules.periods import Period, period_for, period_on
from kiosk.rules.presets import FIVE_DAY, PRESETS, SIX_DAY
from kiosk.rules.record_classifier import Classifier, make_classifier
from kiosk.rules.schedule import Hours, Override, Rotation, Schedule, Windows

__all__ = [
    "FIVE_DAY",
    "PRESETS",
    "SIX_DAY",
    "Classifier",
    "DayResult",
    "Holiday",
    "HolidayCalendar",
    "HolidayKind",
    "Hours",
    "Mark",
    "Override",
    "Period",
    "Rotation",
    "Schedule",
    "Windows",
    "classify_day",
    "classify_punch",
    "make_classifier",
    "period_for",
    "period_on",
]
