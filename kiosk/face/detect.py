"""Finding faces: dlib HOG on a downscaled frame, 5-point landmarks on the full-resolution frame."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import dlib
import numpy as np

from kiosk.face.models import FaceModels
from kiosk.feedback import FaceBox


@dataclass(frozen=True, eq=False)
class Face:
    box: FaceBox  # in full-resolution frame pixels
    score: float  # HOG detection confidence
    shape: object  # dlib.full_object_detection (5 points), needed by the encoder
    points: np.ndarray  # (5, 2) float: the same points as an array

    @property
    def width(self) -> int:
        return self.box.right - self.box.left


def detection_scale(width: int, detect_width: int) -> float:
    """Factor from the detection image back to the frame (>= 1: never upscale the frame)."""
    return max(1.0, width / detect_width)


class Detector:
    def __init__(self, models: FaceModels, detect_width: int = 640, upsample: int = 0) -> None:
        self.models, self.detect_width, self.upsample = models, detect_width, upsample

    def find(self, rgb: np.ndarray) -> list[Face]:
        """All faces in an RGB frame, best detection first."""
        rects = self.detect_boxes(rgb)
        return [self.landmarks(rgb, rect, score) for rect, score in rects]

    def detect_boxes(self, rgb: np.ndarray) -> list[tuple[dlib.rectangle, float]]:
        height, width = rgb.shape[:2]
        scale = detection_scale(width, self.detect_width)
        small = rgb
        if scale > 1.0:
            small = cv2.resize(rgb, (round(width / scale), round(height / scale)), interpolation=cv2.INTER_AREA)
        rects, scores, _ = self.models.detector.run(small, self.upsample, 0.0)
        found = [(scale_rect(r, scale), float(s)) for r, s in zip(rects, scores)]
        return sorted(found, key=lambda item: -item[1])

    def landmarks(self, rgb: np.ndarray, rect: dlib.rectangle, score: float = 0.0) -> Face:
        shape = self.models.landmarks(rgb, rect)
        points = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        height, width = rgb.shape[:2]
        # HOG boxes may poke out of the frame (partial faces): clip the reported box, not the landmark input.
        box = FaceBox(max(0, rect.left()), max(0, rect.top()), min(width - 1, rect.right()), min(height - 1, rect.bottom()))
        return Face(box=box, score=score, shape=shape, points=points)


def scale_rect(rect: dlib.rectangle, scale: float) -> dlib.rectangle:
    if scale == 1.0:
        return rect
    return dlib.rectangle(round(rect.left() * scale), round(rect.top() * scale), round(rect.right() * scale), round(rect.bottom() * scale))
