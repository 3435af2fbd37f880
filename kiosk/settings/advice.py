"""Warnings about settings that are valid but probably not what the office wants.

`kiosk config check` prints them (exit 0): a camera file that is not there yet may be copied later,
and a unit head may set short hours on purpose (Perbup Musi Rawas 50/2022 Pasal 2(7)).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.rules.presets import PRESETS
from kiosk.rules.schedule import Hours, Schedule

if TYPE_CHECKING:
    from kiosk.settings import Settings

# Perbup Musi Rawas 50/2022 Pasal 1 angka 8: at least 42.5 working hours a week.
MIN_WEEKLY_HOURS = 42.5
NON_FILE_SOURCES = ("auto", "picamera2", "/dev/video", "rtsp://", "rtsps://", "http://", "https://")


def config_warnings(settings: Settings) -> list[str]:
    return [*_camera_warnings(settings), *_schedule_warnings(settings)]


def _camera_warnings(settings: Settings) -> list[str]:
    source = settings.camera.source
    if source.startswith(NON_FILE_SOURCES) or Path(source).is_file():
        return []
    return [
        (
            f"camera.source = {source!r}: no such file (yet); the kiosk will keep retrying it. "
            "Copy the file there, or set camera.source to auto, picamera2 or /dev/videoN"
        )
    ]


def _schedule_warnings(settings: Settings) -> list[str]:
    """Custom schedules only: the presets are the regulation's own hours (Pasal 2(6))."""
    found = []
    for schedule in settings.schedule.schedules:
        if schedule.name in PRESETS:
            continue
        hours = weekly_hours(schedule)
        if hours < MIN_WEEKLY_HOURS:
            found.append(
                f"schedule.custom.{schedule.name}: {hours:g} working hours a week, fewer than the {MIN_WEEKLY_HOURS:g} "
                "of Perbup Musi Rawas 50/2022 Pasal 1 angka 8; check the hours (a night shift is written "
                '"21:00-07:00"), or keep them if the unit head set them (Pasal 2(7))'
            )
    return found


def weekly_hours(schedule: Schedule) -> float:
    """Hours in an ordinary week (a rotation: its average week), overrides and holidays left out."""
    if schedule.rotation is not None:
        cycle = schedule.rotation.cycle
        return round(sum(_length(h) for h in cycle) * 7 / len(cycle) / 3600, 2)
    return round(sum(_length(h) for h in schedule.week) / 3600, 2)


def _length(hours: Hours | None) -> float:
    if hours is None:
        return 0.0
    start, end = hours.on(date(2000, 1, 3))
    return (end - start) / timedelta(seconds=1)
