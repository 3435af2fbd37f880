"""The Raspberry Pi camera through picamera2 (imported only when this backend is used)."""

from __future__ import annotations

import importlib
import logging
import time

import cv2

from kiosk.camera import Camera, CameraError, Frame

log = logging.getLogger(__name__)


class Picamera2Camera(Camera):
    name = "picamera2"

    def __init__(self, width: int = 640, height: int = 360, fps: float = 15.0) -> None:
        self.width, self.height, self.fps = width, height, fps
        self._cam = None
        self._index = 0

    def open(self) -> None:
        self.close()
        try:
            module = importlib.import_module("picamera2")
        except ImportError:
            raise CameraError(
                "camera.source = 'picamera2' but the picamera2 module is missing; on Raspberry Pi OS run "
                "`sudo apt install python3-picamera2` (and create the venv with --system-site-packages)"
            ) from None
        try:
            cam = module.Picamera2()
            config = cam.create_video_configuration(
                main={"size": (self.width, self.height), "format": "RGB888"},
                controls={"FrameRate": float(self.fps)},
            )
            cam.configure(config)
            cam.start()
        except Exception as exc:  # libcamera raises RuntimeError/IndexError when no sensor is attached
            raise CameraError(f"cannot start the Pi camera: {exc}; check the ribbon cable and `rpicam-hello --list-cameras`") from exc
        self._cam, self._index = cam, 0

    def read(self) -> Frame:
        if self._cam is None:
            raise CameraError("the Pi camera is not open")
        try:
            array = self._cam.capture_array()
        except Exception as exc:
            # any exception (libcamera's kinds are many): chained, so the journal keeps libcamera's cause
            raise CameraError(f"the Pi camera stopped delivering frames: {exc}") from exc
        # picamera2's "RGB888" is B,G,R in memory (libcamera naming), i.e. OpenCV's BGR; drop any alpha.
        image = array[:, :, :3] if array.ndim == 3 else cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
        self._index += 1
        now = time.monotonic()
        return Frame(image, self._index - 1, now, captured=now)

    def close(self) -> None:
        if self._cam is not None:
            try:
                self._cam.stop()
                self._cam.close()
            except Exception as exc:  # noqa: BLE001 - closing a camera that already vanished must not raise
                log.debug("closing the Pi camera: %s", exc)
            self._cam = None
