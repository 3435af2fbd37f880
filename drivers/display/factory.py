"""Choose the screen backend from [screen] settings, with a visible warning on every fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from drivers.display.base import Display, DisplayUnavailable
from drivers.display.headless import HeadlessDisplay
from drivers.display.screen import DoorScreen, local_now
from drivers.sound import SoundCue
from kiosk.feedback import FeedbackHub
from kiosk.settings.screen import ScreenSettings

log = logging.getLogger(__name__)


def _open_pygame(settings: ScreenSettings) -> Display:
    from drivers.display.pygame_backend import PygameDisplay  # SDL only loads when a screen is wanted

    return PygameDisplay((settings.width, settings.height), settings.fullscreen)


def _open_headless(settings: ScreenSettings) -> Display:
    return HeadlessDisplay((settings.width, settings.height), settings.snapshot_path or None)


def create_display(
    settings: ScreenSettings,
    open_real: Callable[[ScreenSettings], Display] = _open_pygame,
) -> Display | None:
    """The display [screen] asks for; None for backend = "none".

    "pygame" fails with `DisplayUnavailable` when there is no screen; "auto" falls back to headless
    and logs a warning that says why and how to silence it.
    """
    return None if settings.backend == "none" else open_display(settings, open_real)


def open_display(settings: ScreenSettings, open_real: Callable[[ScreenSettings], Display] = _open_pygame) -> Display:
    """The display of a backend that has one (any but "none"), as `create_display` describes."""
    backend = settings.backend
    if backend == "headless":
        return _open_headless(settings)
    if backend == "pygame":
        return open_real(settings)
    if backend == "auto":
        try:
            return open_real(settings)
        except DisplayUnavailable as exc:
            log.warning(
                'no screen, running the door screen headless: %s (set [screen] backend = "headless" to silence this)',
                exc,
            )
            return _open_headless(settings)
    raise ValueError(f'[screen] backend = "{backend}" is not one of auto, pygame, headless, none')


def build_door_screen(
    hub: FeedbackHub, screen: ScreenSettings, device_language: str, clock: Callable[[], datetime] | None = None
) -> DoorScreen | None:
    """The `DoorScreen` for [screen] (not started), or None when backend = "none".

    `clock` returns the wall-clock time to show (aware datetime in the office's zone); by default
    the system's local time.
    """
    if screen.backend == "none":
        return None
    sound = SoundCue(enabled=screen.sound, open_now=False)  # opened after READY=1: DoorScreen.open_sound()
    language = screen.language_or(device_language)
    return DoorScreen(hub, lambda: open_display(screen), language, screen, sound, clock or local_now)
