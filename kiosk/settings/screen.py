"""[screen]: the door screen the employee looks at, and its sound cue."""

from __future__ import annotations

from dataclasses import dataclass, field

BACKENDS = ("auto", "pygame", "headless", "none")


@dataclass(frozen=True)
class ScreenSettings:
    backend: str = field(
        default="auto",
        metadata={
            "choices": BACKENDS,
            "help": "auto = the real screen if one works, else headless with a warning; "
            "pygame = the real screen or fail; headless = render without a screen; none = no screen at all",
        },
    )
    width: int = field(
        default=800, metadata={"min": 320, "max": 3840, "help": "window width; full screen uses the screen's own size"}
    )
    height: int = field(
        default=480, metadata={"min": 240, "max": 2160, "help": "window height; full screen uses the screen's own size"}
    )
    fullscreen: bool = field(
        default=True, metadata={"help": "fill the whole screen (kiosk); false opens a window for a desk test"}
    )
    language: str = field(
        default="",
        metadata={"choices": ("", "id", "en"), "help": 'language on the screen; "" = the same as device.language'},
    )
    hold_seconds: float = field(
        default=3.0, metadata={"min": 0.5, "max": 30.0, "help": "how long a verdict stays on screen"}
    )
    fps: int = field(default=10, metadata={"min": 1, "max": 30, "help": "screen refresh rate; lower saves CPU on a Pi"})
    mirror: bool = field(
        default=True, metadata={"help": "show the camera preview mirrored, as people expect from a mirror"}
    )
    sound: bool = field(default=True, metadata={"help": "short tone for accepted and rejected punches"})
    snapshot_path: str = field(
        default="",
        metadata={
            "help": "headless only: write the screen to this PNG about once a second for remote checks; "
            "put it on a tmpfs such as /run/kiosk/screen.png to spare the SD card"
        },
    )

    def language_or(self, device_language: str) -> str:
        """The screen's language: this section's override, else the device's language."""
        return self.language or device_language
