"""Building the kiosk's parts from settings, in one place, so the CLI and the daemon agree."""

from __future__ import annotations

from kiosk.photos import PhotoStore
from kiosk.recorder import Classifier, PunchRecorder
from kiosk.rules import make_classifier
from kiosk.settings import Settings
from kiosk.store import Store


def build_recorder(settings: Settings, store: Store) -> PunchRecorder:
    return PunchRecorder(
        store,
        PhotoStore(settings.data_dir),
        repeat_minutes=settings.face.repeat_minutes,
        classifier=build_classifier(settings),
    )


def build_classifier(settings: Settings) -> Classifier:
    """The working-hours rules of the configured schedules (kiosk/rules, docs/rules.md)."""
    return make_classifier(settings.schedule, settings.schedule.holidays(), settings.tz)


def sync_target_names(settings: Settings, store: Store) -> list[str]:
    """Configured delivery targets, plus any the store has state for."""
    from sync.jobs import target_names  # imported here: `kiosk run` builds the recorder before delivery starts

    return target_names(settings, store)
