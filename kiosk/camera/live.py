"""Frame intake for live sources: a reader thread keeps only the newest frame.

A camera does not wait for the pipeline. If frames were queued, a pipeline slower than the camera
would answer later and later; here the reader thread reads every frame as it comes and puts it in
a one-frame slot, replacing a frame nobody took (counted as dropped). The pipeline therefore always
works on the newest frame, and frame intake (and the screen's preview) never waits for detection
or encoding. Reading also drains the driver's buffer (V4L2, RTSP), which would otherwise hand out
stale frames. The reader owns the camera: it opens, reads and closes it, so no other thread
touches the device.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from kiosk.camera import EndOfStream, Frame
from kiosk.camera.reopen import ReopeningCamera

log = logging.getLogger(__name__)


class LatestFrame:
    """`take()` returns the newest frame not yet taken; frames replaced before being taken are dropped."""

    def __init__(self, camera: ReopeningCamera, stop: threading.Event, on_frame: Callable[[np.ndarray], None] | None = None) -> None:
        self.camera, self.stop_event, self.on_frame = camera, stop, on_frame
        self._slot: Frame | None = None
        self._ended = False  # the source has no more frames (a file with --exit-at-end), or intake failed
        self._closed = False  # the reader thread has finished
        self._woken = False
        self._overwritten = 0
        self._delivered = 0
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self.last_beat = time.monotonic()  # every read attempt: a hung camera read stops it (the watchdog looks)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._read_loop, name="camera-intake", daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        """Frames never worked on: replaced in the slot, or passed over by the source's own late reader."""
        return self._overwritten + self.camera.camera.skipped

    @property
    def delivered(self) -> int:
        return self._delivered

    def take(self, timeout: float) -> Frame | None:
        """The newest frame, or None after `timeout` (or wake()); EndOfStream once a finite source is done."""
        with self._ready:
            if self._slot is None and not self._ended and not self._woken and not self._closed:
                self._ready.wait(timeout)
            frame, self._slot, self._woken = self._slot, None, False
            if frame is None and self._ended:
                raise EndOfStream(self.camera.camera.describe())
            return frame

    @property
    def closed(self) -> bool:
        return self._closed

    def wake(self) -> None:
        """Make a waiting take() return now (an encoding finished: decide without waiting for a frame)."""
        with self._ready:
            self._woken = True
            self._ready.notify_all()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _read_loop(self) -> None:
        try:
            while not self.stop_event.is_set():
                self.last_beat = time.monotonic()
                try:
                    frame = self.camera.read()  # paces a realtime file; blocks on a camera until the next frame
                except EndOfStream:
                    with self._ready:
                        self._ended = True
                    break
                if frame is None:
                    continue  # waiting to reopen (ReopeningCamera waited already)
                self._delivered += 1
                if self.on_frame is not None:
                    self.on_frame(frame.image)  # the door screen's live preview: never behind the pipeline
                with self._ready:
                    if self._slot is not None:
                        self._overwritten += 1
                    self._slot = frame
                    self._ready.notify_all()
        except Exception:  # must not end silently: the pipeline would wait forever
            log.exception("camera intake failed")
            with self._ready:
                self._ended = True
        finally:
            self.camera.close()
            with self._ready:
                self._closed = True
                self._ready.notify_all()
