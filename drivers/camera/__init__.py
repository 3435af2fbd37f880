"""Cameras behind one small interface: `open_camera(settings)` picks the backend from camera.source."""

from drivers.camera.base import Camera, CameraError, EndOfStream, Frame, NoCameraFound
from drivers.camera.select import open_camera

__all__ = ["Camera", "CameraError", "EndOfStream", "Frame", "NoCameraFound", "open_camera"]
