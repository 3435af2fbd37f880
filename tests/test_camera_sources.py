"""Camera backends and the reopening wrapper (file sources are real; picamera2 is faked: no Pi here)."""

from __future__ import annotations

import sys
import threading

import cv2
import numpy as np
import pytest

from drivers.camera.file import FramesCamera, ImageFileCamera, VideoFileCamera
from drivers.camera.opencv import OpenCvCamera
from drivers.camera.picamera2 import Picamera2Camera
from drivers.camera.select import is_raspberry_pi, make_camera, resolve_source
from kiosk.backoff import Backoff
from kiosk.camera import CameraError, EndOfStream, Frame, NoCameraFound, as_bgr
from kiosk.camera.reopen import ReopeningCamera
from kiosk.settings.camera import CameraSettings

import fake_picamera2


def small_video(path, frames: int = 6):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    for i in range(frames):
        writer.write(np.full((48, 64, 3), i * 30, np.uint8))
    writer.release()
    return path


@pytest.mark.parametrize(
    "source, on_pi, video0, expected",
    [
        ("auto", True, False, "picamera2"),
        ("auto", False, True, "/dev/video0"),
        ("/dev/video2", False, False, "/dev/video2"),
        ("rtsp://cam/stream", False, False, "rtsp://cam/stream"),
    ],
)
def test_resolve_source(tmp_path, source, on_pi, video0, expected):
    device = tmp_path / "video0"
    if video0:
        device.touch()
    resolved = resolve_source(source, on_pi, device)
    assert resolved == (str(device) if expected == "/dev/video0" else expected)


def test_auto_without_any_camera_says_how_to_set_one(tmp_path):
    with pytest.raises(NoCameraFound, match=r"no camera found.*Set camera\.source"):
        resolve_source("auto", False, tmp_path / "video0")


def test_is_raspberry_pi_reads_the_device_tree(tmp_path):
    model = tmp_path / "model"
    model.write_text("Raspberry Pi 4 Model B Rev 1.5\x00")
    assert is_raspberry_pi(model) and not is_raspberry_pi(tmp_path / "missing")


@pytest.mark.parametrize(
    "source, backend",
    [("picamera2", Picamera2Camera), ("/dev/video1", OpenCvCamera), ("http://cam/mjpg", OpenCvCamera),
     ("door.mp4", VideoFileCamera), ("door.jpg", ImageFileCamera)],
)
def test_make_camera_picks_the_backend(source, backend):
    assert isinstance(make_camera(CameraSettings(source=source), on_pi=False), backend)


def test_video_file_plays_ends_and_loops(tmp_path):
    path = small_video(tmp_path / "v.avi")
    with VideoFileCamera(path) as camera:
        frames = [camera.read() for _ in range(6)]
        with pytest.raises(EndOfStream):
            camera.read()
    assert [f.index for f in frames] == list(range(6)) and frames[1].t == pytest.approx(0.1)
    looping = VideoFileCamera(path, loop=True)
    looping.open()
    assert [looping.read().index for _ in range(8)] == [0, 1, 2, 3, 4, 5, 0, 1]
    looping.close()


def test_missing_and_damaged_files_raise_camera_errors(tmp_path):
    with pytest.raises(CameraError, match="does not exist"):
        VideoFileCamera(tmp_path / "gone.mp4").open()
    (tmp_path / "junk.mp4").write_bytes(b"\x00" * 100)
    with pytest.raises(CameraError, match="cannot decode"):
        VideoFileCamera(tmp_path / "junk.mp4").open()
    with pytest.raises(CameraError, match="cannot read image"):
        ImageFileCamera(tmp_path / "gone.jpg").open()


def test_image_file_and_frames(tmp_path):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), np.zeros((20, 30, 4), np.uint8))  # BGRA becomes BGR
    camera = ImageFileCamera(path, fps=10, seconds=0.3)
    camera.open()
    frames = [camera.read() for _ in range(3)]
    assert frames[0].image.shape == (20, 30, 3)
    with pytest.raises(EndOfStream):
        camera.read()
    assert as_bgr(np.zeros((4, 4), np.uint16)).shape == (4, 4, 3)


def test_missing_v4l2_device_names_the_fix():
    with pytest.raises(CameraError, match="video' group"):
        OpenCvCamera("/dev/video99").open()


def test_picamera2_backend_uses_the_real_api_order(monkeypatch):
    """The call order is checked against a FAKE picamera2 (tests/fake_picamera2.py), not the real one.

    picamera2 needs libcamera and a Pi camera, absent here. The fake's signatures are checked
    against the real picamera2 source by tests/test_picamera2_fake.py; the order below is the one
    picamera2's manual gives (create a configuration, configure, start, capture, stop, close).
    """
    calls = fake_picamera2.install(monkeypatch)
    camera = Picamera2Camera(640, 360, 15)
    camera.open()
    frame = camera.read()
    camera.close()
    assert frame.image.shape == (360, 640, 3)
    assert [name for name, _ in calls] == [
        "__init__", "create_video_configuration", "configure", "start", "capture_array", "stop", "close"
    ]  # fmt: skip
    arguments = calls[1][1]
    assert arguments["main"] == {"size": (640, 360), "format": "RGB888"} and arguments["controls"] == {"FrameRate": 15.0}


def test_picamera2_failures_are_camera_errors(monkeypatch):
    """Against the FAKE picamera2: a start that raises as libcamera does without a sensor."""
    fake_picamera2.install(monkeypatch, fail_on_start=True)
    with pytest.raises(CameraError, match="ribbon cable"):
        Picamera2Camera().open()
    monkeypatch.setitem(sys.modules, "picamera2", None)  # not installed
    with pytest.raises(CameraError, match="apt install python3-picamera2"):
        Picamera2Camera().open()


def test_backoff_doubles_up_to_the_limit():
    backoff = Backoff(0.5, 4.0)
    assert [backoff.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next() == 0.5


class Flaky(FramesCamera):
    """A camera the test breaks and repairs."""

    def __init__(self):
        super().__init__([np.zeros((4, 4, 3), np.uint8)], loop=True, name="flaky")
        self.broken = False

    def open(self):
        if self.broken:
            raise CameraError("flaky: unplugged")
        super().open()

    def read(self) -> Frame:
        if self.broken:
            raise CameraError("flaky: stopped delivering frames")
        return super().read()


def test_reopening_camera_reports_faults_and_recovers():
    clock = [0.0]
    backend = Flaky()
    camera = ReopeningCamera(backend, threading.Event(), min_backoff=1.0, max_backoff=8.0, clock=lambda: clock[0])
    assert camera.read() is not None and camera.status().state == "running"
    backend.broken = True
    assert camera.read() is None  # the failure is absorbed...
    status = camera.status()
    assert (status.state, status.faults, status.last_error, status.retry_in) == ("fault", 1, "flaky: stopped delivering frames", 1.0)
    clock[0] = 1.0
    assert camera.read() is None and camera.status().faults == 2 and camera.status().retry_in == 2.0  # backoff grows
    backend.broken = False
    assert camera.read() is None  # still waiting out the backoff
    clock[0] = 3.0
    assert camera.read() is not None
    assert (camera.status().state, camera.status().reopens) == ("running", 1)


def test_reopening_camera_passes_the_end_through_when_asked():
    camera = ReopeningCamera(FramesCamera([np.zeros((2, 2, 3), np.uint8)]), threading.Event(), end_is_fault=False)
    assert camera.read() is not None
    with pytest.raises(EndOfStream):
        camera.read()
