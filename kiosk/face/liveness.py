"""Liveness: does the face change the way a live face does, not the way a photo in a hand does?

A photo or phone screen held up to the camera moves rigidly: shifts, scale changes, small
rotations. Aligning each face by its landmarks (rotation, scale, translation) cancels that motion,
so the aligned images of a photo stay the same. A live face does not: blinks, speech, expression
and the 3-D head turning (parallax of nose and cheeks, shading) change the aligned image. The
score is the largest change, after normalising brightness and contrast, between the newest aligned
face and the older ones within a short window. No model download is needed. Limits are in
docs/face-recognition.md (a video replayed on a screen, a photo bent while held, ...).
"""

from __future__ import annotations

from collections import deque

import numpy as np

CHIP_SIZE = 64
CHIP_PADDING = 0.1
INNER = slice(8, 56)  # compare the inner 48x48: eyes, nose, mouth; not the background at the edges


def normalised(grey: np.ndarray) -> np.ndarray:
    """Inner face, zero mean, unit contrast: a brighter or dimmer screen must not look like a live change."""
    inner = grey[INNER, INNER]
    return (inner - inner.mean()) / (inner.std() + 1e-6)


def change(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two normalised aligned faces (0 = identical)."""
    return float(np.abs(a - b).mean())


class LivenessMeter:
    """Per-track evidence: aligned faces seen within `window` seconds, and the best score so far."""

    def __init__(self, threshold: float, window: float, min_samples: int = 3) -> None:
        self.threshold, self.window, self.min_samples = threshold, window, min_samples
        self._chips: deque[tuple[float, np.ndarray]] = deque()
        self.samples = 0
        self.score = 0.0

    def add(self, t: float, grey_chip: np.ndarray) -> float:
        chip = normalised(grey_chip)
        while self._chips and t - self._chips[0][0] > self.window:
            self._chips.popleft()
        for _, older in self._chips:
            self.score = max(self.score, change(older, chip))
        self._chips.append((t, chip))
        self.samples += 1
        return self.score

    @property
    def passed(self) -> bool:
        return self.samples >= self.min_samples and self.score >= self.threshold

    def why_not_passed(self) -> str:
        """For the log: too few views yet (a slow core sees a face less often), or too little change."""
        if self.samples < self.min_samples:
            return f"liveness: {self.samples} of {self.min_samples} views so far"
        return f"liveness {self.score:.2f} < {self.threshold}"
