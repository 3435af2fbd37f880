"""Building the kiosk's parts from settings, in one place, so the CLI and the daemon agree."""

from __future__ import annotations

from pathlib import Path

from kiosk.photos import PhotoStore
from kiosk.recorder import Classifier, PunchRecorder
from kiosk.rules import holidays as holiday_files
from kiosk.rules import make_classifier
from kiosk.rules.holidays import HolidayCalendar
from kiosk.settings import ConfigError, Settings
from kiosk.store import Store


def build_recorder(settings: Settings, store: Store, holidays: HolidayCalendar | None = None) -> PunchRecorder:
    """`holidays`: the calendar already read by the caller (the daemon shares one with its console),
    else the holiday file is read here."""
    return PunchRecorder(
        store,
        PhotoStore(settings.data_dir),
        repeat_minutes=settings.face.repeat_minutes,
        classifier=build_classifier(settings, holidays),
    )


def build_classifier(settings: Settings, holidays: HolidayCalendar | None = None) -> Classifier:
    """The working-hours rules of the configured schedules (kiosk/rules, docs/rules.md)."""
    return make_classifier(settings.schedule, load_holidays(settings) if holidays is None else holidays, settings.tz)


def load_holidays(settings: Settings) -> HolidayCalendar:
    """The shipped holiday calendar with `[schedule] holidays_file` applied (its additions, corrections
    and `remove = true` entries).

    Parsing the configuration reads no file; this is the one step that reads the holiday file, taken
    by `kiosk config check`, `kiosk doctor`, the daemon (through build_classifier), the reports and the
    console. A missing or broken file is a ConfigError naming the configuration file, the key, the
    holiday file, the entry and the fix.
    """
    named = settings.schedule.holidays_file
    try:
        return holiday_files.load(Path(named) if named else None)
    except holiday_files.HolidayFileError as exc:
        raise ConfigError("schedule.holidays_file", named, exc.problem).in_file(settings.source) from None


def sync_target_names(settings: Settings, store: Store) -> list[str]:
    """Configured delivery targets, plus any the store has state for."""
    from sync.jobs import target_names  # imported here: `kiosk run` builds the recorder before delivery starts

    return target_names(settings, store)
