"""[screen] settings through the project's settings validator."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.settings.errors import ConfigError
from kiosk.settings.screen import ScreenSettings
from kiosk.settings.validate import build_section


def test_defaults_suit_a_pi_with_the_official_screen():
    settings = build_section(ScreenSettings, {}, "screen")
    assert settings == ScreenSettings()
    assert (settings.backend, settings.width, settings.height, settings.fullscreen) == ("auto", 800, 480, True)
    assert settings.language_or("id") == "id" and settings.language_or("en") == "en"


def test_a_full_table():
    table = {
        "backend": "headless",
        "width": 1024,
        "height": 600,
        "fullscreen": False,
        "language": "en",
        "hold_seconds": 4,
        "fps": 5,
        "mirror": False,
        "sound": False,
        "snapshot_path": "/run/kiosk/screen.png",
    }
    settings = build_section(ScreenSettings, table, "screen")
    assert settings.hold_seconds == 4.0 and settings.language_or("id") == "en"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"backend": "x11"}, "must be one of: auto, pygame, headless, none"),
        ({"language": "fr"}, "must be one of"),
        ({"hold_seconds": 0}, "at least 0.5"),
        ({"fps": 60}, "at most 30"),
        ({"hold_second": 3}, "did you mean 'hold_seconds'"),
    ],
)
def test_mistakes_are_named(table, message):
    with pytest.raises(ConfigError, match=message):
        build_section(ScreenSettings, table, "screen")


def test_every_key_is_documented():
    for field in dataclasses.fields(ScreenSettings):
        assert field.metadata.get("help"), f"[screen] {field.name} has no help text"
