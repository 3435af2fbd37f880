"""The real screen, through pygame-ce (SDL2): X11 or Wayland on a desktop, KMS/DRM on a bare Pi.

On Raspberry Pi OS Lite there is no desktop: SDL's KMSDRM driver draws straight to the screen
through /dev/dri (the user needs the `video` and `render` groups). When neither $DISPLAY nor
$WAYLAND_DISPLAY is set we ask SDL for KMSDRM explicitly; SDL_VIDEODRIVER, when set, always wins.
SDL's `offscreen` and `dummy` drivers show nothing, so they count as "no screen" here.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Mapping

import cv2
import numpy as np

from drivers.display._pygame import pygame
from drivers.display.base import Display, DisplayUnavailable

log = logging.getLogger(__name__)

INVISIBLE_DRIVERS = ("offscreen", "dummy")
FIX = (
    'attach a screen, or set [screen] backend = "headless" (or "auto" to fall back by itself); '
    "on a Pi without a desktop check that /dev/dri/card* exists and the kiosk user is in the video and render groups"
)


def video_driver_hint(environ: Mapping[str, str]) -> str | None:
    """The SDL video driver to request, or None to let SDL choose (a desktop session is present)."""
    if environ.get("SDL_VIDEODRIVER"):
        return environ["SDL_VIDEODRIVER"]
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "kmsdrm"


class PygameDisplay(Display):
    def __init__(self, size: tuple[int, int] = (800, 480), fullscreen: bool = True) -> None:
        _init_video()
        try:
            self._window = _open_window(size, fullscreen)
        except pygame.error as exc:
            pygame.display.quit()
            raise DisplayUnavailable(
                f"cannot open a {'full-screen' if fullscreen else 'window'} display: {exc}; {FIX}"
            ) from None
        self._open = True
        log.info("screen: SDL driver %s, %dx%d", pygame.display.get_driver(), *self.size)

    @property
    def size(self) -> tuple[int, int]:
        return self._window.get_size()

    def show(self, image: np.ndarray) -> None:
        if not self._open:
            raise DisplayUnavailable("the display is closed")
        pygame.event.pump()  # keeps the window responsive to the window manager
        height, width = image.shape[:2]
        if (width, height) != self.size:
            image = cv2.resize(image, self.size, interpolation=cv2.INTER_LINEAR)
            width, height = self.size
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        self._window.blit(pygame.image.frombuffer(rgb.tobytes(), (width, height), "RGB"), (0, 0))
        pygame.display.flip()

    def close(self) -> None:
        if self._open:
            self._open = False
            pygame.display.quit()


def _init_video() -> None:
    hint = video_driver_hint(os.environ)
    try:
        with _environment("SDL_VIDEODRIVER", hint):
            pygame.display.init()
    except pygame.error as exc:
        raise DisplayUnavailable(f"no screen: SDL video driver {hint or 'auto'}: {exc}; {FIX}") from None
    driver = pygame.display.get_driver()
    if driver in INVISIBLE_DRIVERS:
        pygame.display.quit()
        raise DisplayUnavailable(f"no screen: SDL found only its {driver!r} driver, which shows nothing; {FIX}")


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """Set an environment variable for the duration of SDL's start-up only: SDL reads its driver
    choice from the environment, and leaving it set would steer every later attempt too."""
    before = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _open_window(size: tuple[int, int], fullscreen: bool) -> pygame.Surface:
    if fullscreen:
        window = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)  # (0, 0): the screen's own size
    else:
        window = pygame.display.set_mode(size)
    pygame.display.set_caption("siap-kiosk")
    pygame.mouse.set_visible(False)
    return window
