"""A short tone when a punch is accepted or rejected.

The tones are made with numpy (no sound files to ship) and played through pygame.mixer. A kiosk
without an audio device (most Pis with an HDMI screen that has no speakers, every CI machine) logs
one line and stays silent: a missing speaker must never stop the door.
"""

from __future__ import annotations

import enum
import logging
from types import ModuleType
from typing import Any

import numpy as np

from kiosk.feedback import Cue

log = logging.getLogger(__name__)

SAMPLE_RATE = 22050


class Chime(enum.StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


# (frequency Hz, duration s) notes: a rising pair says yes, a falling low pair says no.
NOTES: dict[Chime, tuple[tuple[float, float], ...]] = {
    Chime.ACCEPTED: ((880.0, 0.09), (1318.5, 0.14)),
    Chime.REJECTED: ((392.0, 0.16), (261.6, 0.26)),
}
VOLUME = 0.5  # of full scale; loud enough for a corridor, far from clipping
FADE_SECONDS = 0.008  # ramps at each note's ends, so the speaker does not click


def chime_for(cue: Cue) -> Chime | None:
    """Which tone a cue plays; guidance cues play none (they repeat many times a second)."""
    if cue in (Cue.RECORDED, Cue.ALREADY_RECORDED):
        return Chime.ACCEPTED
    if cue in (Cue.UNKNOWN_USE_FINGERPRINT, Cue.NOT_RECORDED):
        return Chime.REJECTED
    return None


def tone_samples(chime: Chime, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The chime as mono signed 16-bit samples."""
    notes = [_note(frequency, seconds, sample_rate) for frequency, seconds in NOTES[chime]]
    return (np.concatenate(notes) * VOLUME * 32767).astype(np.int16)


def _note(frequency: float, seconds: float, sample_rate: int) -> np.ndarray:
    t = np.arange(round(seconds * sample_rate)) / sample_rate
    wave = np.sin(2 * np.pi * frequency * t)
    ramp = min(round(FADE_SECONDS * sample_rate), len(t) // 2)
    envelope = np.ones_like(t)
    envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
    envelope[len(t) - ramp :] = np.linspace(1.0, 0.0, ramp)
    return wave * envelope


class SoundCue:
    """Plays chimes through pygame.mixer; a no-op (with one log line) where there is no audio device."""

    def __init__(self, enabled: bool = True, open_now: bool = True) -> None:
        """`open_now=False` leaves opening the device (~0.1 CPU-s on x86, ALSA parsing its configuration)
        to `open()` or the first `play()`: the kiosk opens it after READY=1, off the door's start-up."""
        self.enabled = enabled
        self._sounds: dict[Chime, Any] | None = None  # pygame.mixer.Sound values
        if open_now:
            self.open()

    def open(self) -> dict[Chime, Any]:
        """The chimes, opening the device the first time (an empty mapping when silent)."""
        if self._sounds is None:
            self._sounds = _load_sounds() if self.enabled else {}
        return self._sounds

    @property
    def available(self) -> bool:
        return bool(self._sounds)

    def play(self, chime: Chime) -> None:
        sound = self.open().get(chime)
        if sound is not None:
            sound.play()  # returns at once; the mixer plays in its own thread

    def close(self) -> None:
        if self._sounds:
            from drivers.display._pygame import pygame

            pygame.mixer.quit()
        self._sounds = {}


def _load_sounds() -> dict[Chime, Any]:
    try:
        from drivers.display._pygame import pygame

        pygame.mixer.init(frequency=SAMPLE_RATE, size=-16, channels=1)
        accepted = pygame.mixer.get_init()  # (frequency, format, channels), None if the mixer did not start
    except Exception as exc:  # noqa: BLE001  # no device, no driver, or no pygame: all mean silence
        log.info("no audio device (%s); sound cues are off", exc)
        return {}
    if accepted is None:
        log.info("no audio device (the mixer did not start); sound cues are off")
        return {}
    frequency, _format, channels = accepted
    return {chime: _make_sound(pygame, chime, frequency, channels) for chime in Chime}


def _make_sound(pygame: ModuleType, chime: Chime, frequency: int, channels: int) -> object:
    """A mixer Sound in whatever format the device accepted (it may insist on stereo or 44.1 kHz)."""
    samples = tone_samples(chime, frequency)
    interleaved = np.repeat(samples, channels) if channels > 1 else samples
    return pygame.mixer.Sound(buffer=interleaved.tobytes())
