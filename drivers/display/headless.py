"""A screen without a screen: keeps the latest image, and can write it to a PNG for remote checks.

`kiosk` on a Pi without a monitor, in CI, or in `kiosk demo` uses it. The PNG is written at most
every `snapshot_interval` seconds and replaced atomically, so `scp pi:/run/kiosk/screen.png .`
never sees half a file; put it on a tmpfs (/run) to spare the SD card.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from drivers.display.base import Display


class HeadlessDisplay(Display):
    def __init__(
        self,
        size: tuple[int, int] = (800, 480),
        snapshot_path: str | os.PathLike | None = None,
        snapshot_interval: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = size
        self._path = Path(snapshot_path) if snapshot_path else None
        self._interval = snapshot_interval
        self._monotonic = monotonic
        self._last_write: float | None = None
        self.last_image: np.ndarray | None = None
        self.shown = 0  # images shown so far

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    def show(self, image: np.ndarray) -> None:
        self.last_image = image
        self.shown += 1
        if self._path is not None and self._snapshot_due():
            write_png(self._path, image)
            self._last_write = self._monotonic()

    def close(self) -> None:
        if self._path is not None and self.last_image is not None:
            write_png(self._path, self.last_image)  # the final state, whatever the interval
            self._path = None

    def _snapshot_due(self) -> bool:
        return self._last_write is None or self._monotonic() - self._last_write >= self._interval


def write_png(path: Path, image: np.ndarray) -> None:
    """Write `image` (BGR) to `path` as PNG, atomically (temporary file, then rename)."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"could not encode a {image.shape} image as PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(encoded.tobytes())
    os.replace(temporary, path)
