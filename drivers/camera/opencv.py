"""V4L2 devices (/dev/videoN) and network streams (rtsp://, http://) through OpenCV."""

from __future__ import annotations

import time

import cv2

from kiosk.camera import Camera, CameraError, Frame, as_bgr


class OpenCvCamera(Camera):
    def __init__(self, target: str, width: int = 640, height: int = 360, fps: float = 15.0) -> None:
        self.target = target
        self.width, self.height, self.fps = width, height, fps
        self.name = f"opencv:{target}"
        self._cap: cv2.VideoCapture | None = None
        self._index = 0

    @property
    def is_device(self) -> bool:
        return self.target.startswith("/dev/video")

    def open(self) -> None:
        self.close()
        if self.is_device:
            cap = cv2.VideoCapture(self.target, cv2.CAP_V4L2)
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            cap.set(cv2.CAP_PROP_FPS, self.fps)
            cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # the newest frame, not a stale queue
        else:
            cap = cv2.VideoCapture(self.target, cv2.CAP_FFMPEG)
        if not cap.isOpened():
            cap.release()
            raise CameraError(f"cannot open camera {self.target}: {self._hint()}")
        self._cap, self._index = cap, 0

    def _hint(self) -> str:
        if self.is_device:
            return "is it plugged in, and is the kiosk user in the 'video' group? (ls -l /dev/video*)"
        return "check the URL, the network and the camera's user/password"

    def read(self) -> Frame:
        if self._cap is None:
            raise CameraError(f"camera {self.target} is not open")
        ok, image = self._cap.read()
        if not ok or image is None:
            raise CameraError(f"camera {self.target} stopped delivering frames")
        self._index += 1
        now = time.monotonic()
        return Frame(as_bgr(image), self._index - 1, now, captured=now)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None
