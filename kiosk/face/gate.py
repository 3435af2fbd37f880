"""The cheap gate in front of detection: has anything moved? (a 160x90 frame difference, ~0.2 ms)."""

from __future__ import annotations

import cv2
import numpy as np

GATE_SIZE = (160, 90)
PIXEL_CHANGE = 12  # grey levels: above sensor noise, below a person walking in


def changed_share(previous: np.ndarray, current: np.ndarray) -> float:
    """Share of pixels that changed by more than PIXEL_CHANGE between two small grey frames."""
    return float(np.count_nonzero(cv2.absdiff(previous, current) > PIXEL_CHANGE)) / current.size


class MotionGate:
    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._previous: np.ndarray | None = None

    def moved(self, image_bgr: np.ndarray) -> bool:
        small = cv2.cvtColor(cv2.resize(image_bgr, GATE_SIZE, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2GRAY)
        small = cv2.GaussianBlur(small, (3, 3), 0)
        previous, self._previous = self._previous, small
        if previous is None or previous.shape != small.shape:
            return True
        return changed_share(previous, small) >= self.threshold
