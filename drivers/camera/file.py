"""Video and image files as a camera: for tests, replaying a recording, and the demo."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera import Camera, CameraError, EndOfStream, Frame, as_bgr

log = logging.getLogger(__name__)

class VideoFileCamera(Camera):
    """Frames of a video file; `loop` replays it; `realtime` plays it at its frame rate, as a camera would.

    In real time frame i is live at open time + i / fps. A reader that comes late finds the frames
    it missed gone, as with a camera: they are decoded (the codec needs them) but not converted or
    delivered, and counted in `skipped`. The intake thread (kiosk/camera/live.py) does the reading.
    """

    def __init__(self, path: str | Path, loop: bool = False, realtime: bool = False) -> None:
        self.path = Path(path)
        self.loop, self.realtime = loop, realtime
        self.live = realtime
        self.skipped = 0
        self.name = f"file:{self.path}"
        self._cap: cv2.VideoCapture | None = None
        self._index = 0
        self._fps = 30.0
        self._expected = 0
        self._started = 0.0

    def open(self) -> None:
        self.close()
        if not self.path.is_file():
            raise CameraError(f"video file {self.path} does not exist; set camera.source to an existing file")
        cap = cv2.VideoCapture(str(self.path))
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"cannot decode video file {self.path} (damaged or truncated?)")
        self._cap, self._index = cap, 0
        self._fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
        self._expected = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self._started = time.monotonic()
        if self.realtime:
            log.info("playing %s in real time at %.2f fps from monotonic %.3f", self.path, self._fps, self._started)

    def read(self) -> Frame:
        if self._cap is None:
            raise CameraError(f"video file {self.path} is not open")
        if self.realtime:
            self._skip_missed()
        ok, image = self._cap.read()
        if not ok or image is None:
            return self._at_end()
        self._pace()
        self._index += 1
        t = (self._index - 1) / self._fps
        return Frame(as_bgr(image), self._index - 1, t, captured=self._started + t if self.realtime else None)

    def _skip_missed(self) -> None:
        """Frames whose successor is already live were missed: decode them (the codec needs them), deliver none."""
        live_index = int((time.monotonic() - self._started) * self._fps)
        while self._index < live_index and self._cap.grab():  # type: ignore[union-attr]
            self._index += 1
            self.skipped += 1

    def _at_end(self) -> Frame:
        if self._expected and self._index < self._expected - 1:
            raise CameraError(
                f"video file {self.path} ended at frame {self._index} of {self._expected} (truncated or being replaced?)"
            )
        if not self.loop:
            raise EndOfStream(str(self.path))
        self.open()  # reopening (not seeking) also notices a file replaced on disk
        ok, image = self._cap.read()  # type: ignore[union-attr]
        if not ok or image is None:
            raise CameraError(f"video file {self.path} has no frames")
        self._index = 1
        return Frame(as_bgr(image), 0, 0.0, captured=self._started if self.realtime else None)

    def _pace(self) -> None:
        if self.realtime:
            delay = self._started + self._index / self._fps - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class FramesCamera(Camera):
    """Frames held in memory (an image file repeated, or frames a program made), at a nominal rate."""

    live = False  # delivered one by one as the pipeline asks

    def __init__(self, frames: list[np.ndarray], fps: float = 15.0, loop: bool = False, name: str = "frames") -> None:
        if not frames:
            raise ValueError("FramesCamera needs at least one frame")
        self.frames, self.fps, self.loop, self.name = frames, fps, loop, name
        self._index = 0

    def open(self) -> None:
        self._index = 0

    def read(self) -> Frame:
        if self._index >= len(self.frames) and not self.loop:
            raise EndOfStream(self.name)
        image = self.frames[self._index % len(self.frames)]
        self._index += 1
        return Frame(image, self._index - 1, (self._index - 1) / self.fps)

    def close(self) -> None:
        pass


class ImageFileCamera(FramesCamera):
    """A still image file shown for `seconds` (forever with loop); read from disk at every open()."""

    def __init__(self, path: str | Path, fps: float = 15.0, seconds: float = 3.0, loop: bool = False) -> None:
        self.path, self.seconds = Path(path), seconds
        super().__init__([np.zeros((1, 1, 3), np.uint8)], fps=fps, loop=loop, name=f"image:{path}")

    def open(self) -> None:
        image = cv2.imread(str(self.path), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise CameraError(f"cannot read image file {self.path}; does it exist, and is it a JPEG/PNG?")
        self.frames = [as_bgr(image)] * max(1, int(self.fps * self.seconds))
        super().open()
