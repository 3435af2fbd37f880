"""Display backends: the real pygame screen under Xvfb (with a screenshot), headless, the factory.

The real-screen tests need the Debian packages xvfb (the X server with no monitor) and x11-apps
(xwd, which takes the screenshot); they skip with that reason where either is missing. The
screenshot is read straight from xwd's file format, so no ImageMagick is needed. OCR of the
screenshot additionally needs tesseract-ocr and tesseract-ocr-eng.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shutil
import struct
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.display.base import DisplayUnavailable
from drivers.display.factory import build_door_screen, create_display
from drivers.display.headless import HeadlessDisplay
from drivers.display.pygame_backend import PygameDisplay, video_driver_hint
from drivers.display.renderer import PALETTE, render, render_with_layout
from kiosk.domain import Classification, Kind, Status
from kiosk.feedback import Cue, Feedback, FeedbackHub
from kiosk.i18n import Tone
from kiosk.settings.screen import ScreenSettings

from helpers import wait_until

WIB = timezone(timedelta(hours=7))
NOW = datetime(2025, 3, 3, 7, 53, tzinfo=WIB)
LATE = Feedback(
    Cue.RECORDED, NOW, name="Budi", punch_time=NOW, classification=Classification(Kind.DATANG, Status.LATE, 8)
)
SCREEN = (800, 480)

needs_x = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xwd") is None,
    reason="needs Xvfb and xwd: apt-get install xvfb x11-apps",
)


@pytest.fixture
def xvfb(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private X server on a free display number (Xvfb picks it and reports it on a pipe)."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24", "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        ready, _, _ = select.select([read_end], [], [], 30)
        number = os.read(read_end, 16).decode().strip() if ready else ""
        if not number:
            pytest.fail("Xvfb did not report a display number within 30 s")
        display = f":{number}"
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
        yield display
    finally:
        os.close(read_end)
        server.terminate()
        server.wait(10)


def screenshot(display: str, path: Path) -> np.ndarray:
    """The whole X screen as a BGR image, via `xwd -root` and a reader for its (simple) format."""
    subprocess.run(["xwd", "-root", "-silent", "-display", display, "-out", str(path)], check=True, timeout=30)
    return read_xwd(path.read_bytes())


def read_xwd(data: bytes) -> np.ndarray:
    """Decode a 24/32-bit TrueColor XWD dump (what Xvfb -screen WxHx24 produces)."""
    (
        header_size,
        _version,
        _format,
        _depth,
        width,
        height,
        _xoffset,
        byte_order,
        _unit,
        _bit_order,
        _pad,
        bits_per_pixel,
        bytes_per_line,
        _visual,
        red_mask,
        green_mask,
        blue_mask,
        _bits_rgb,
        _entries,
        ncolors,
        *_window,
    ) = struct.unpack(">25I", data[:100])
    assert bits_per_pixel == 32, f"expected 32 bits per pixel, got {bits_per_pixel}"
    dtype = "<u4" if byte_order == 0 else ">u4"
    offset = header_size + ncolors * 12
    words = np.frombuffer(data, dtype=dtype, count=height * bytes_per_line // 4, offset=offset)
    pixels = words.reshape(height, bytes_per_line // 4)[:, :width]

    def channel(mask: int) -> np.ndarray:
        return ((pixels & mask) >> ((mask & -mask).bit_length() - 1)).astype(np.uint8)

    return np.dstack([channel(blue_mask), channel(green_mask), channel(red_mask)])


@needs_x
def test_the_real_backend_shows_the_verdict_full_screen(xvfb, tmp_path):
    rendered = render_with_layout(None, LATE, NOW, "id", SCREEN)
    with PygameDisplay(SCREEN, fullscreen=True) as display:
        assert display.size == SCREEN  # full screen takes the screen's own size
        display.show(rendered.image)
        shot = screenshot(xvfb, tmp_path / "screen.xwd")
    cv2.imwrite(str(tmp_path / "screenshot.png"), shot)
    assert shot.shape == rendered.image.shape
    assert np.abs(shot.astype(int) - rendered.image).mean() < 1.0, "the screen does not show the rendered verdict"
    band = rendered.layout.band
    amber = np.array(PALETTE[Tone.WARN][0][::-1])
    assert (np.abs(shot[band.y : band.bottom, -20:].astype(int) - amber).sum(axis=2) < 10).mean() > 0.99


@needs_x
@pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract OCR is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)",
)
def test_the_screenshot_reads_the_verdict(xvfb, tmp_path):
    rendered = render_with_layout(None, LATE, NOW, "id", SCREEN)
    with PygameDisplay(SCREEN, fullscreen=True) as display:
        display.show(rendered.image)
        shot = screenshot(xvfb, tmp_path / "screen.xwd")
    band = rendered.layout.band
    left = rendered.layout.headline.rect.x - 10
    grey = cv2.cvtColor(shot[band.y : band.bottom, left:], cv2.COLOR_BGR2GRAY)
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    cv2.imwrite(str(tmp_path / "band.png"), cv2.copyMakeBorder(binary, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255))
    out = subprocess.run(
        ["tesseract", str(tmp_path / "band.png"), "stdout", "--psm", "6"], capture_output=True, text=True, check=True
    )
    words = re.findall(r"[\w:]+", out.stdout.lower())
    for expected in ("terlambat", "8", "menit", "budi", "07:53"):
        assert expected in words, f"{expected!r} not read from the screen; OCR read {words}"


@needs_x
def test_a_door_screen_thread_on_the_real_backend_shows_a_published_verdict(xvfb, tmp_path):
    """End to end: the hub publishes, the screen's thread opens pygame, renders, and X shows it."""
    hub = FeedbackHub()
    settings = ScreenSettings(backend="pygame", sound=False, fps=20)
    screen = build_door_screen(hub, settings, "id", clock=lambda: NOW)
    assert screen is not None
    screen.start()
    try:
        hub.publish(LATE)
        wait_until(
            lambda: screen.last_shown, "the screen showing the published verdict", until=lambda shown: shown == LATE, timeout=20, interval=0.02
        )
        shot = screenshot(xvfb, tmp_path / "screen.xwd")
    finally:
        screen.stop()
    cv2.imwrite(str(tmp_path / "screenshot.png"), shot)
    expected = render(None, LATE, NOW, "id", SCREEN)
    assert np.abs(shot.astype(int) - expected).mean() < 1.0


@needs_x
def test_a_window_for_a_desk_test(xvfb):
    with PygameDisplay((640, 400), fullscreen=False) as display:
        assert display.size == (640, 400)
        display.show(render(None, None, NOW, "en", (800, 480)))  # another size is scaled to fit


def test_sdls_invisible_drivers_count_as_no_screen(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    with pytest.raises(DisplayUnavailable, match=r"offscreen.*headless"):
        PygameDisplay(SCREEN)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "kmsdrm"),  # console Pi: draw through /dev/dri
        ({"DISPLAY": ":0"}, None),  # a desktop: SDL picks x11
        ({"WAYLAND_DISPLAY": "wayland-0"}, None),
        ({"SDL_VIDEODRIVER": "x11", "DISPLAY": ""}, "x11"),  # the technician's choice wins
    ],
)
def test_video_driver_choice(environ, expected):
    assert video_driver_hint(environ) == expected


# --- headless ------------------------------------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_headless_keeps_the_latest_image_and_writes_snapshots(tmp_path):
    clock = FakeMonotonic()
    path = tmp_path / "run" / "screen.png"
    display = HeadlessDisplay(SCREEN, path, snapshot_interval=1.0, monotonic=clock)
    first, second, third = (render(None, None, NOW + timedelta(minutes=m), "id") for m in (0, 1, 2))
    display.show(first)
    assert np.array_equal(cv2.imread(str(path)), first)
    clock.now += 0.5
    display.show(second)  # within the interval: not written, the SD card is spared
    assert np.array_equal(cv2.imread(str(path)), first)
    clock.now += 0.6
    display.show(third)
    assert np.array_equal(cv2.imread(str(path)), third)
    assert display.shown == 3 and display.last_image is third
    assert sorted(p.name for p in path.parent.iterdir()) == ["screen.png"]  # no temporary left over


def test_headless_writes_the_final_image_on_close(tmp_path):
    clock = FakeMonotonic()
    path = tmp_path / "screen.png"
    display = HeadlessDisplay(SCREEN, path, monotonic=clock)
    display.show(render(None, None, NOW, "id"))
    last = render(None, LATE, NOW, "id")
    display.show(last)
    display.close()
    display.close()
    assert np.array_equal(cv2.imread(str(path)), last)


def test_headless_without_a_path_writes_nothing(tmp_path):
    display = HeadlessDisplay(SCREEN)
    display.show(render(None, None, NOW, "id"))
    display.close()
    assert display.shown == 1 and list(tmp_path.iterdir()) == []


# --- factory -------------------------------------------------------------------------------------


def no_screen(settings: ScreenSettings):
    raise DisplayUnavailable("no screen: test")


def test_auto_falls_back_to_headless_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        display = create_display(ScreenSettings(backend="auto"), open_real=no_screen)
    assert isinstance(display, HeadlessDisplay)
    assert "no screen" in caplog.text and 'backend = "headless"' in caplog.text


def test_pygame_backend_does_not_fall_back():
    with pytest.raises(DisplayUnavailable):
        create_display(ScreenSettings(backend="pygame"), open_real=no_screen)


def test_headless_and_none_backends(tmp_path):
    display = create_display(
        ScreenSettings(backend="headless", width=1024, height=600, snapshot_path=str(tmp_path / "s.png"))
    )
    assert isinstance(display, HeadlessDisplay) and display.size == (1024, 600)
    assert create_display(ScreenSettings(backend="none")) is None
    assert build_door_screen(FeedbackHub(), ScreenSettings(backend="none"), "id") is None


def test_auto_with_a_real_but_invisible_sdl_falls_back(monkeypatch, caplog):
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")
    with caplog.at_level(logging.WARNING):
        assert isinstance(create_display(ScreenSettings(backend="auto")), HeadlessDisplay)
    assert "offscreen" in caplog.text
