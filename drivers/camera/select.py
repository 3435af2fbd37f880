"""camera.source -> a backend. "auto": the Pi camera on a Pi, else /dev/video0, else a clear error."""

from __future__ import annotations

import logging
from pathlib import Path

from drivers.camera.file import ImageFileCamera, VideoFileCamera
from drivers.camera.opencv import OpenCvCamera
from drivers.camera.picamera2 import Picamera2Camera
from kiosk.camera import Camera, NoCameraFound, is_image_file
from kiosk.settings.camera import CameraSettings

log = logging.getLogger(__name__)

PI_MODEL_FILE = Path("/proc/device-tree/model")
STREAM_PREFIXES = ("rtsp://", "rtsps://", "http://", "https://")


def is_raspberry_pi(model_file: Path = PI_MODEL_FILE) -> bool:
    try:
        return "raspberry pi" in model_file.read_text(errors="replace").lower()
    except OSError:
        return False


def resolve_source(source: str, on_pi: bool, video0: Path = Path("/dev/video0")) -> str:
    """The concrete source "auto" stands for; pure apart from the facts passed in."""
    if source != "auto":
        return source
    if on_pi:
        return "picamera2"
    if video0.exists():
        return str(video0)
    raise NoCameraFound(
        "no camera found: this is not a Raspberry Pi and /dev/video0 does not exist. Set camera.source in the "
        'config to "picamera2", "/dev/videoN", an rtsp:// or http:// URL, or a video file'
    )


def make_camera(settings: CameraSettings, on_pi: bool | None = None) -> Camera:
    """Build (not open) the backend for `settings.source`."""
    source = resolve_source(settings.source, is_raspberry_pi() if on_pi is None else on_pi)
    if settings.source == "auto":
        log.info("camera.source = auto: using %s", source)
    if source == "picamera2":
        return Picamera2Camera(settings.width, settings.height, settings.fps)
    if source.startswith("/dev/video") or source.startswith(STREAM_PREFIXES):
        return OpenCvCamera(source, settings.width, settings.height, settings.fps)
    if is_image_file(source):
        return ImageFileCamera(source, fps=settings.fps, loop=settings.loop)
    return VideoFileCamera(source, loop=settings.loop, realtime=settings.realtime)
