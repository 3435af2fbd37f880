"""A camera that survives its source: faults are logged, counted and retried with backoff."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.backoff import Backoff
from kiosk.camera import Camera, CameraError, EndOfStream, Frame

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraStatus:
    source: str
    state: str  # "starting", "running", "fault", "ended", "closed"
    frames: int  # frames delivered since start
    faults: int  # failures since start
    reopens: int  # successful re-opens after a failure
    last_error: str  # "" when none yet
    retry_in: float  # seconds until the next open attempt while in "fault"


class ReopeningCamera:
    """Wraps a backend; `read()` returns a Frame, or None while waiting to reopen (raises CameraError
    only with give_up).

    `end_is_fault=False` lets EndOfStream through (replaying a file with --exit-at-end); otherwise
    the end of a file is treated like a vanished camera: reported, then reopened with backoff.
    `give_up=True` (also for a replay) raises the first CameraError instead of retrying it: a
    recording that is missing or damaged will not heal, and a replay must end with the reason.
    """

    def __init__(
        self,
        camera: Camera,
        stop: threading.Event,
        min_backoff: float = 0.5,
        max_backoff: float = 30.0,
        end_is_fault: bool = True,
        clock: Callable[[], float] = time.monotonic,
        give_up: bool = False,
    ) -> None:
        self.camera, self.stop = camera, stop
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.end_is_fault, self.clock, self.give_up = end_is_fault, clock, give_up
        self._open = False
        self._state = "starting"
        self._frames = self._faults = self._reopens = 0
        self._error = ""
        self._backoff = Backoff(min_backoff, max_backoff)
        self._retry_at = 0.0

    def status(self) -> CameraStatus:
        retry_in = max(0.0, self._retry_at - self.clock()) if self._state in ("fault", "ended") else 0.0
        return CameraStatus(
            self.camera.describe(), self._state, self._frames, self._faults, self._reopens, self._error, round(retry_in, 2)
        )

    def read(self) -> Frame | None:
        """A frame, or None while waiting to reopen; raises CameraError only with give_up."""
        if not self._open and not self._try_open():
            return None
        try:
            frame = self.camera.read()
        except EndOfStream:
            if not self.end_is_fault:
                raise
            self._fail("ended", f"{self.camera.describe()} ended")
            return None
        except CameraError as exc:
            self._fail("fault", str(exc))
            return None
        self._frames += 1
        self._backoff.reset()  # a frame after a reopen: the source is healthy again
        return frame

    def _try_open(self) -> bool:
        wait = self._retry_at - self.clock()
        if wait > 0:
            self.stop.wait(min(wait, 0.5))  # wake promptly on stop
            return False
        try:
            self.camera.open()
        except CameraError as exc:
            self._fail("fault", str(exc))
            return False
        if self._state in ("fault", "ended"):
            self._reopens += 1
            log.warning("camera %s is back (reopen %d)", self.camera.describe(), self._reopens)
        self._open, self._state = True, "running"
        return True

    def _fail(self, state: str, message: str) -> None:
        self.camera.close()
        self._open = False
        self._faults += 1
        self._state, self._error = state, message
        if self.give_up:
            raise CameraError(message)
        delay = self._backoff.next()
        self._retry_at = self.clock() + delay
        log.warning("camera fault: %s; retrying in %.1f s", message, delay)

    def close(self) -> None:
        self.camera.close()
        self._open = False
        self._state = "closed"
