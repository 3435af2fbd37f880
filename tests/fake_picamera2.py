"""A FAKE picamera2 module for the Pi camera backend's tests (drivers/camera/picamera2.py).

picamera2 cannot run here: it needs libcamera and a Raspberry Pi camera on its ribbon cable, and
neither exists on a build machine. So these tests check our driver against this stand-in, which
records the calls it receives. What a fake can prove is limited to the order and arguments of
our calls; that they are calls the real library accepts is checked separately:
tests/test_picamera2_fake.py reads the real Picamera2 class from the pinned picamera2 wheel
(PICAMERA2_VERSION, downloaded by .ci/run) and compares every method below, parameter by
parameter, and every call the driver makes, against it.

Each method's signature is copied from picamera2's own source (picamera2/picamera2.py) so a
call that the real library would refuse fails here too. The one default that cannot be copied is
create_video_configuration's transform=libcamera.Transform() (libcamera is absent): NOT_LIBCAMERA
stands in for it.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import numpy as np
import pytest

PICAMERA2_VERSION = "0.3.38"  # the release the signatures below are copied from; .ci/run downloads it

NOT_LIBCAMERA = object()  # stands in for the default libcamera.Transform(), which needs libcamera

Call = tuple[str, dict[str, Any]]


class FakePicamera2:
    """picamera2.Picamera2 as far as our driver uses it; records (method, arguments) in `calls`."""

    calls: list[Call]  # set per test by install()
    fail_on_start: bool = False

    def __init__(self, camera_num=0, verbose_console=None, tuning=None, allocator=None):
        self.calls.append(("__init__", {"camera_num": camera_num, "tuning": tuning}))

    def create_video_configuration(
        self,
        main={},  # noqa: B006 -- picamera2's own signature, mutable defaults included
        lores=None,
        raw={},  # noqa: B006
        transform=NOT_LIBCAMERA,
        colour_space=None,
        buffer_count=6,
        controls={},  # noqa: B006
        display="main",
        encode="main",
        queue=True,
        sensor={},  # noqa: B006
        use_case="video",
    ):
        self.calls.append(("create_video_configuration", {"main": main, "lores": lores, "controls": controls}))
        return {"use_case": use_case, "main": main, "controls": controls, "buffer_count": buffer_count}

    def configure(self, camera_config=None):
        self.calls.append(("configure", {"camera_config": camera_config}))

    def start(self, config=None, show_preview=False):
        if self.fail_on_start:  # what libcamera raises when the sensor never answers
            raise RuntimeError("Camera __init__ sequence did not complete")
        self.calls.append(("start", {"config": config, "show_preview": show_preview}))

    def capture_array(self, name="main", wait=None, signal_function=None):
        self.calls.append(("capture_array", {"name": name}))
        return np.zeros((360, 640, 4), np.uint8)  # XRGB8888-like: the backend drops the fourth channel

    def stop(self):
        self.calls.append(("stop", {}))

    def close(self):
        self.calls.append(("close", {}))


def install(monkeypatch: pytest.MonkeyPatch, fail_on_start: bool = False) -> list[Call]:
    """Make `import picamera2` give the fake for this test; returns the list its calls go to."""
    calls: list[Call] = []
    fake = type("Picamera2", (FakePicamera2,), {"calls": calls, "fail_on_start": fail_on_start})
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=fake))
    return calls
