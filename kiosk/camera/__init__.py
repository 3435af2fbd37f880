"""The camera interface of the core; the backends in drivers/camera implement it.

A backend must implement `open()`, `read()` and `close()`:
- `open()` acquires the device or file and raises `CameraError` (with the fix) when it cannot;
- `read()` returns the next `Frame` (BGR, uint8), raises `CameraError` when the source fails and
  `EndOfStream` when a finite source (a file) has no more frames;
- `close()` releases it and may be called more than once.
It may override `describe()` for logs and status. Backends never retry: `ReopeningCamera` does.

`live` says whether the source runs on its own clock (a camera, a stream, a file played with
camera.realtime): then frames arrive whether or not anyone is ready for them, and the kiosk reads
them on an intake thread that keeps only the newest (kiosk/camera/live.py). A file read as fast
as possible is not live: the pipeline pulls every frame in turn (tests, replays in video time).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    image: np.ndarray  # BGR uint8, height x width x 3
    index: int  # frames delivered since the source was opened
    t: float  # seconds: position in the file, or time.monotonic() for live cameras
    captured: float | None = None  # time.monotonic() when the frame was live (None: not a live source)


class CameraError(OSError):
    """The camera could not be opened or stopped delivering frames."""


class NoCameraFound(CameraError):
    """camera.source = "auto" found neither a Pi camera nor /dev/video0."""


class EndOfStream(Exception):
    """A finite source (a video or image file) has delivered its last frame; not a fault."""


class Camera(abc.ABC):
    name: str = "camera"
    live: bool = True  # frames come on the source's own clock (see the module docstring)
    skipped: int = 0  # frames the source itself passed over because its reader was late

    @abc.abstractmethod
    def open(self) -> None: ...

    @abc.abstractmethod
    def read(self) -> Frame: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def describe(self) -> str:
        return self.name

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Grey, BGRA or 16-bit frames become 8-bit BGR, so every consumer sees one format."""
    if image.dtype != np.uint8:
        image = (image / (image.max() or 1) * 255).astype(np.uint8) if image.dtype.kind == "f" else (image >> 8).astype(np.uint8)
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    if image.shape[2] == 4:
        return np.ascontiguousarray(image[:, :, :3])
    return image


IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"}


def is_image_file(path: str | Path) -> bool:
    """A still photo rather than a video, by its name (`kiosk identify`, file cameras)."""
    return Path(path).suffix.lower() in IMAGE_SUFFIXES
