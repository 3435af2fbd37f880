"""The door screen: listens to the FeedbackHub, takes camera frames, draws in its own thread.

It shows only what was published on the hub, and the recorder publishes RECORDED only after the
punch is committed to SQLite, so "Tercatat" on screen always means the punch survives a power cut.
The publisher never waits for the screen: the listener only queues the feedback, and rendering,
sound and the display all happen on the screen's thread.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

import numpy as np

from drivers.display.base import Display
from drivers.display.renderer import render
from drivers.display.state import ScreenState, Timing, receive, visible
from drivers.sound import SoundCue, chime_for
from kiosk.feedback import Feedback, FeedbackHub
from kiosk.i18n import check_language
from kiosk.settings.screen import ScreenSettings

log = logging.getLogger(__name__)

OPEN_TIMEOUT = 15.0  # seconds start() waits for the display to open (KMS can be slow at boot)
# While the door is identifying a face (`busy()`), the screen redraws at most this often: on a Pi's
# single core (or a CPU quota) each redraw takes CPU from the encoding the person is waiting for.
BUSY_FPS = 3


def local_now() -> datetime:
    return datetime.now().astimezone()


class DoorScreen:
    """Renders the door screen at `settings.fps` on a display opened by `open_display`.

    `open_display` is called on the screen's own thread, as SDL wants; `start()` waits for it and
    raises what it raised, so a missing screen is reported at start-up, not silently.
    """

    def __init__(
        self,
        hub: FeedbackHub,
        open_display: Callable[[], Display],
        language: str,
        settings: ScreenSettings | None = None,
        sound: SoundCue | None = None,
        clock: Callable[[], datetime] = local_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._open_display = open_display
        self._language = check_language(language)
        self._settings = settings = settings or ScreenSettings()
        self._timing = Timing(hold_seconds=settings.hold_seconds)
        self._sound = sound
        self._clock = clock
        self._monotonic = monotonic
        self._incoming: collections.deque[Feedback] = collections.deque(maxlen=64)
        self._frame: np.ndarray | None = None
        self._state = ScreenState()
        self._display: Display | None = None
        self._stop = threading.Event()
        self._opened = threading.Event()
        self._open_error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._failing = False
        self.last_shown: Feedback | None = None  # what the latest image on screen says; None = idle
        self.busy: Callable[[], bool] | None = None  # the door is identifying a face (the kiosk sets it)
        hub.subscribe(self._incoming.append)  # deque.append is atomic: safe from the publisher's thread

    def on_frame(self, frame: np.ndarray) -> None:
        """Hand over the latest camera frame (BGR); kept by reference, so do not draw on it afterwards."""
        self._frame = frame

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="door-screen", daemon=True)
        self._thread.start()
        if not self._opened.wait(OPEN_TIMEOUT):
            log.warning("the screen has not opened after %.0f s; still trying in the background", OPEN_TIMEOUT)
        if self._open_error is not None:
            raise self._open_error

    def open_sound(self) -> None:
        """Open the audio device now (the kiosk calls this after READY=1; else the first chime opens it)."""
        if self._sound is not None and self._settings.sound:
            self._sound.open()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the door screen thread did not stop within %.0f s", timeout)

    def tick(self) -> np.ndarray:
        """Take in new feedback, render one image and show it; the thread calls this `fps` times a second."""
        display = self._ensure_display()
        now = self._monotonic()
        for feedback in self._drain():
            self._state = receive(self._state, feedback, now)
            self._chime(feedback)
        shown = visible(self._state, now, self._timing)
        image = render(self._frame, shown, self._clock(), self._language, display.size, self._settings.mirror)
        display.show(image)
        self.last_shown = shown
        return image

    def _run(self) -> None:
        try:
            self._ensure_display()
        except Exception as exc:  # noqa: BLE001  # raised again by start() on the caller's thread
            self._open_error = exc
            self._opened.set()
            return
        self._opened.set()
        try:
            self._safe_tick()
            while not self._stop.wait(1.0 / self.fps()):
                self._safe_tick()
        finally:
            self._close()

    def fps(self) -> float:
        """Redraws per second now: `screen.fps`, or BUSY_FPS while the door is identifying a face."""
        busy = self.busy is not None and self.busy()
        return min(self._settings.fps, BUSY_FPS) if busy else self._settings.fps

    def _safe_tick(self) -> None:
        """One frame; a failure is logged once (not at every frame) and the screen keeps trying."""
        try:
            self.tick()
        except Exception:
            if not self._failing:
                log.exception("door screen: drawing failed; will keep trying")
            self._failing = True
        else:
            if self._failing:
                log.info("door screen: drawing works again")
            self._failing = False

    def _ensure_display(self) -> Display:
        if self._display is None:
            self._display = self._open_display()
        return self._display

    def _drain(self) -> list[Feedback]:
        items = []
        while self._incoming:
            items.append(self._incoming.popleft())
        return items

    def _chime(self, feedback: Feedback) -> None:
        chime = chime_for(feedback.cue)
        if chime is not None and self._sound is not None and self._settings.sound:
            self._sound.play(chime)

    def _close(self) -> None:
        if self._display is not None:
            self._display.close()
            self._display = None
        if self._sound is not None:
            self._sound.close()
