"""The DoorScreen: what it shows when, from what it was told on the hub, and the sound cue.

Rendering and the display are real (HeadlessDisplay keeps the images). The monotonic clock is a
test double so that "held for 3 seconds" is checked without sleeping. The audio test plays through
SDL's real `disk` audio driver, which writes what would reach the speaker to a file.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from drivers.display.base import DisplayUnavailable
from drivers.display.headless import HeadlessDisplay
from drivers.display.renderer import PALETTE
from drivers.display.screen import DoorScreen
from drivers.display.state import ScreenState, Timing, receive, visible
from drivers.sound import NOTES, VOLUME, Chime, SoundCue, chime_for, tone_samples
from kiosk.domain import Classification, Kind, Status
from kiosk.feedback import Cue, FaceBox, Feedback, FeedbackHub
from kiosk.i18n import Tone
from kiosk.settings.screen import ScreenSettings

from helpers import wait_until

WIB = timezone(timedelta(hours=7))
NOW = datetime(2025, 3, 3, 7, 44, tzinfo=WIB)
BOX = FaceBox(300, 100, 400, 220)
RECORDED = Feedback(
    Cue.RECORDED, NOW, name="Budi", punch_time=NOW, classification=Classification(Kind.DATANG, Status.ON_TIME), box=BOX
)
RECORDED_ANI = Feedback(
    Cue.RECORDED, NOW, name="Ani", punch_time=NOW, classification=Classification(Kind.DATANG, Status.LATE, 3)
)
CLOSER = Feedback(Cue.COME_CLOSER, NOW, box=BOX)
HOLD = Feedback(Cue.HOLD_STILL, NOW)
UNKNOWN = Feedback(Cue.UNKNOWN_USE_FINGERPRINT, NOW)
IDLE = Feedback(Cue.IDLE, NOW)
TIMING = Timing(hold_seconds=3.0, guidance_seconds=1.5, box_seconds=0.6)


def run(events: list[tuple[float, Feedback]]) -> ScreenState:
    state = ScreenState()
    for at, feedback in events:
        state = receive(state, feedback, at)
    return state


def cue_at(events: list[tuple[float, Feedback]], now: float) -> Cue | None:
    shown = visible(run(events), now, TIMING)
    return None if shown is None else shown.cue


@pytest.mark.parametrize(
    ("case", "events", "now", "expected"),
    [
        ("nothing yet is idle", [], 0.0, None),
        ("a verdict shows at once", [(0.0, RECORDED)], 0.0, Cue.RECORDED),
        ("and is held", [(0.0, RECORDED)], 2.9, Cue.RECORDED),
        ("then goes back to idle", [(0.0, RECORDED)], 3.0, None),
        ("guidance does not cut a verdict short", [(0.0, RECORDED), (1.0, CLOSER)], 2.0, Cue.RECORDED),
        ("fresh guidance follows the verdict", [(0.0, RECORDED), (2.5, CLOSER)], 3.1, Cue.COME_CLOSER),
        ("stale guidance does not", [(0.0, RECORDED), (1.0, CLOSER)], 3.1, None),
        ("the next person's verdict replaces at once", [(0.0, RECORDED), (1.0, RECORDED_ANI)], 1.0, Cue.RECORDED),
        ("a rejection is held too", [(0.0, UNKNOWN)], 2.0, Cue.UNKNOWN_USE_FINGERPRINT),
        ("guidance shows while repeated", [(0.0, CLOSER), (1.0, HOLD)], 2.0, Cue.HOLD_STILL),
        ("guidance fades when it stops", [(0.0, CLOSER)], 1.5, None),
        ("idle clears guidance", [(0.0, CLOSER), (0.5, IDLE)], 0.6, None),
        ("idle does not clear a verdict", [(0.0, RECORDED), (0.5, IDLE)], 1.0, Cue.RECORDED),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_what_the_screen_shows(case, events, now, expected):
    assert cue_at(events, now) == expected


def test_the_latest_verdict_wins():
    shown = visible(run([(0.0, RECORDED), (1.0, RECORDED_ANI)]), 1.5, TIMING)
    assert shown is not None and shown.name == "Ani"


def test_a_stale_face_box_is_not_drawn():
    state = run([(0.0, RECORDED)])
    assert visible(state, 0.5, TIMING).box == BOX
    later = visible(state, 0.7, TIMING)
    assert later is not None and later.box is None and later.name == "Budi"


# --- the DoorScreen ------------------------------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingSound:
    """Stands in for SoundCue (the audio device is tested below with SDL's disk driver)."""

    def __init__(self) -> None:
        self.played: list[Chime] = []
        self.closed = False

    def play(self, chime: Chime) -> None:
        self.played.append(chime)

    def close(self) -> None:
        self.closed = True


def make_screen(hub: FeedbackHub, display: HeadlessDisplay, clock: FakeMonotonic, **settings):
    sound = RecordingSound()
    options = {"hold_seconds": 3.0, "sound": True} | settings
    screen = DoorScreen(
        hub, lambda: display, "id", ScreenSettings(**options), sound, clock=lambda: NOW, monotonic=clock
    )
    return screen, sound


def band_colour(image: np.ndarray) -> tuple[int, int, int]:
    return tuple(int(c) for c in image[-3, -3][::-1])


def test_the_screen_shows_what_the_hub_published_and_then_idles():
    hub, display, clock = FeedbackHub(), HeadlessDisplay(), FakeMonotonic()
    screen, _sound = make_screen(hub, display, clock)
    screen.tick()
    assert screen.last_shown is None and band_colour(display.last_image) == PALETTE[Tone.IDLE][0]
    hub.publish(RECORDED)
    screen.tick()
    assert screen.last_shown == RECORDED and band_colour(display.last_image) == PALETTE[Tone.GOOD][0]
    clock.now += 2.9
    screen.tick()
    assert screen.last_shown is not None and screen.last_shown.cue is Cue.RECORDED
    clock.now += 0.2
    screen.tick()
    assert screen.last_shown is None and band_colour(display.last_image) == PALETTE[Tone.IDLE][0]


def test_only_what_was_published_on_its_hub_is_shown():
    """A verdict that never reached the hub (e.g. a punch whose commit failed) is never drawn."""
    hub, other_hub, display, clock = FeedbackHub(), FeedbackHub(), HeadlessDisplay(), FakeMonotonic()
    screen, sound = make_screen(hub, display, clock)
    other_hub.publish(RECORDED)
    screen.on_frame(np.zeros((360, 640, 3), np.uint8))
    screen.tick()
    assert screen.last_shown is None and sound.played == []


def test_a_chime_per_verdict_not_per_frame():
    hub, display, clock = FeedbackHub(), HeadlessDisplay(), FakeMonotonic()
    screen, sound = make_screen(hub, display, clock)
    hub.publish(CLOSER)
    hub.publish(RECORDED)
    for _ in range(5):
        screen.tick()
    hub.publish(UNKNOWN)
    screen.tick()
    assert sound.played == [Chime.ACCEPTED, Chime.REJECTED]


def test_sound_off_in_settings_plays_nothing():
    hub, display, clock = FeedbackHub(), HeadlessDisplay(), FakeMonotonic()
    screen, sound = make_screen(hub, display, clock, sound=False)
    hub.publish(RECORDED)
    screen.tick()
    assert sound.played == []


def test_frames_are_shown_as_the_preview():
    hub, display, clock = FeedbackHub(), HeadlessDisplay(), FakeMonotonic()
    screen, _sound = make_screen(hub, display, clock)
    screen.on_frame(np.full((360, 640, 3), (0, 0, 255), np.uint8))  # a red camera picture
    screen.tick()
    assert tuple(display.last_image[150, 400]) == (0, 0, 255)


def test_the_thread_renders_until_stopped(tmp_path):
    hub, clock = FeedbackHub(), FakeMonotonic()
    display = HeadlessDisplay(snapshot_path=tmp_path / "screen.png")
    screen, sound = make_screen(hub, display, clock, fps=30)
    screen.start()
    try:
        hub.publish(UNKNOWN)
        wait_until(lambda: screen.last_shown, "the unknown face on screen", until=lambda shown: shown == UNKNOWN, timeout=20, interval=0.01)
    finally:
        screen.stop()
    shown = display.shown
    assert (tmp_path / "screen.png").exists() and sound.closed
    time.sleep(0.1)
    assert display.shown == shown  # stopped means stopped


def test_start_reports_a_display_that_cannot_open():
    def no_screen():
        raise DisplayUnavailable("no screen: test")

    screen = DoorScreen(FeedbackHub(), no_screen, "id")
    with pytest.raises(DisplayUnavailable, match="no screen"):
        screen.start()


def test_a_drawing_failure_does_not_stop_the_screen_or_the_publisher(caplog):
    class FlakyDisplay(HeadlessDisplay):
        fail = True

        def show(self, image: np.ndarray) -> None:
            if self.fail:
                raise OSError("screen unplugged")
            super().show(image)

    hub, display, clock = FeedbackHub(), FlakyDisplay(), FakeMonotonic()
    screen, _sound = make_screen(hub, display, clock)
    screen._safe_tick()
    screen._safe_tick()
    hub.publish(RECORDED)  # the publisher is not affected
    display.fail = False
    screen._safe_tick()
    assert screen.last_shown == RECORDED
    assert caplog.text.count("drawing failed") == 1


def test_an_unsupported_language_is_refused_up_front():
    with pytest.raises(ValueError, match='"id"'):
        DoorScreen(FeedbackHub(), HeadlessDisplay, "de")


# --- sound ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cue", "chime"),
    [
        (Cue.RECORDED, Chime.ACCEPTED),
        (Cue.ALREADY_RECORDED, Chime.ACCEPTED),
        (Cue.UNKNOWN_USE_FINGERPRINT, Chime.REJECTED),
        (Cue.NOT_RECORDED, Chime.REJECTED),
        (Cue.COME_CLOSER, None),
        (Cue.FACE_CAMERA, None),
        (Cue.HOLD_STILL, None),
        (Cue.LIVENESS_CHECK, None),
        (Cue.UNKNOWN, None),
        (Cue.IDLE, None),
    ],
)
def test_which_cues_chime(cue, chime):
    assert chime_for(cue) == chime


@pytest.mark.parametrize("chime", list(Chime))
def test_tones_are_short_soft_and_click_free(chime):
    samples = tone_samples(chime, 22050)
    seconds = sum(duration for _frequency, duration in NOTES[chime])
    assert samples.dtype == np.int16 and len(samples) == pytest.approx(seconds * 22050, abs=2)
    assert seconds < 0.5
    assert abs(int(samples[0])) < 200 and abs(int(samples[-1])) < 200  # faded in and out
    assert np.abs(samples).max() == pytest.approx(VOLUME * 32767, rel=0.02)


def test_the_chime_reaches_the_audio_device(monkeypatch, tmp_path):
    out = tmp_path / "speaker.raw"
    monkeypatch.setenv("SDL_AUDIODRIVER", "disk")
    monkeypatch.setenv("SDL_DISKAUDIOFILE", str(out))
    sound = SoundCue(enabled=True)
    assert sound.available
    from drivers.display._pygame import pygame

    try:
        sound.play(Chime.ACCEPTED)
        wait_until(lambda: not pygame.mixer.get_busy(), "the chime to finish", timeout=20, interval=0.01)
    finally:
        sound.close()
    played = np.frombuffer(out.read_bytes(), dtype=np.int16)
    loud = np.flatnonzero(np.abs(played) > 1000)
    assert loud.size > 0, "nothing was played"
    peak_frequency = dominant_frequency(played[loud[0] : loud[0] + int(0.08 * 22050)], 22050)
    assert peak_frequency == pytest.approx(NOTES[Chime.ACCEPTED][0][0], rel=0.03)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[spectrum.argmax()])


def test_no_audio_device_means_silence_not_an_error(monkeypatch, caplog):
    monkeypatch.setenv("SDL_AUDIODRIVER", "no-such-driver")
    with caplog.at_level("INFO"):
        sound = SoundCue(enabled=True)
        sound.play(Chime.REJECTED)
        sound.close()
    assert not sound.available and "sound cues are off" in caplog.text


def test_sound_disabled_does_not_touch_the_audio_device():
    sound = SoundCue(enabled=False)
    sound.play(Chime.ACCEPTED)
    assert not sound.available
