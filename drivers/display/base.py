"""The one interface every screen backend offers.

A backend must implement:
- `size`: the (width, height) in pixels that images should be rendered at;
- `show(image)`: put one BGR uint8 image of that size on the screen (another size is scaled);
- `close()`: release the screen; safe to call twice.

Backends are used from one thread only (the `DoorScreen`'s), because SDL wants its video calls
on the thread that opened the window.
"""

from __future__ import annotations

import abc
from typing import Self

import numpy as np


class DisplayError(Exception):
    """Base of the display errors."""


class DisplayUnavailable(DisplayError, RuntimeError):
    """The requested screen backend cannot run here (no screen, no driver, no permission)."""


class Display(abc.ABC):
    @property
    @abc.abstractmethod
    def size(self) -> tuple[int, int]:
        """(width, height) to render at."""

    @abc.abstractmethod
    def show(self, image: np.ndarray) -> None:
        """Put a BGR uint8 image (height x width x 3) on the screen."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the screen; calling it again does nothing."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
